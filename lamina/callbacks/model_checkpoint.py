"""`ModelCheckpoint`: saves the model or its weights during training."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import torch

from lamina.callbacks.logs import pythonify_logs
from lamina.callbacks.monitor_callback import MonitorCallback
from lamina.errors import ArgumentError
from lamina.io_utils import print_msg


class ModelCheckpoint(MonitorCallback):
    """Saves the model or its weights every epoch or every few batches.

    The file name may hold format fields filled from the epoch number (from 1),
    the batch number (from 1, when saving by batches) and the logs, e.g.
    `"weights.{epoch:02d}-{val_loss:.2f}.weights.h5"`.

    Example:

    ```python
    checkpoint = ModelCheckpoint("best.keras", monitor="val_accuracy",
                                 mode="max", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[checkpoint])
    model = lamina.models.load_model("best.keras")
    ```

    Args:
        filepath: Path of the file to write, possibly with format fields. A
            whole model is saved to `.keras` (or legacy `.h5`); weights only
            (`save_weights_only=True`) to `.weights.h5` (or legacy `.h5`).
        monitor: Metric name used by `save_best_only` (prefix `val_` for
            validation metrics).
        verbose: 0 (silent) or 1 (print a message when saving).
        save_best_only: Save only when the monitored metric improves.
        save_weights_only: Save with `model.save_weights` instead of
            `model.save`.
        mode: `"auto"`, `"min"` or `"max"`: the direction in which the
            monitored metric improves.
        save_freq: `"epoch"` or a number of batches between saves.
        initial_value_threshold: Initial "best" value for `save_best_only`.
        period: Keras 2 argument, deprecated: save every `period` epochs.

    Every file is written under a temporary name and renamed into place, so a
    process killed while saving (even `kill -9`) leaves the previous checkpoint
    whole and loadable. With `save_best_only=True` (by epoch) beside
    `BackupAndRestore`, a restarted run takes the best value from the epochs
    the backup's History holds, so its first epoch does not overwrite a better
    checkpoint (Keras 3 starts again from `initial_value_threshold`). Place
    `ModelCheckpoint` before `BackupAndRestore` in the callbacks: a run killed
    between the two at an epoch end then redoes that epoch and saves it again,
    whereas in the other order the epoch's checkpoint is never written.
    """

    # Batch logs are read only when a checkpoint is actually written.
    _accepts_tensor_logs = True

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        period: int | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.period = 1
        self._epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        self._resume_checked = False

        if period is not None:
            warnings.warn(
                "`period` argument is deprecated. Please use `save_freq` to "
                "specify the frequency in number of batches seen.",
                DeprecationWarning,
                stacklevel=2,
            )
            self.period = period
        if save_freq != "epoch" and (
            not isinstance(save_freq, int) or isinstance(save_freq, bool)
        ):
            raise ArgumentError(
                f"Unrecognized save_freq: {save_freq}. "
                "Expected save_freq are 'epoch' or integer values"
            )
        if save_weights_only:
            if not self.filepath.endswith(".h5"):
                raise ArgumentError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, "
                    "the filepath provided must end in `.weights.h5` (Keras "
                    f"weights format). Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ArgumentError(
                "The filepath provided must end in `.keras` (Keras model format). "
                f"Received: filepath={self.filepath}"
            )

    def _needs_batch_hook(self, hook: str) -> bool:
        if getattr(type(self), hook) is not getattr(ModelCheckpoint, hook):
            return True  # a subclass overrides it
        return hook == "on_train_batch_end" and self.save_freq != "epoch"

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._resume_checked = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            # Deferred until the model's metrics exist.
            self._set_monitor_op()
        if not self._resume_checked:
            self._resume_checked = True
            self._best_from_restored_history(epoch)
        if self.save_freq == "epoch":
            self._epochs_since_last_save += 1
            if self._epochs_since_last_save >= self.period:
                self._epochs_since_last_save = 0
                self._save_model(epoch=epoch, batch=None, logs=logs)

    def _best_from_restored_history(self, epoch: int) -> None:
        """In a run resumed by BackupAndRestore, `best` as the epochs before
        `epoch` left it (the History the backup restored has their values)."""
        if (
            not self.save_best_only
            or self.save_freq != "epoch"
            or self.period != 1
            or getattr(self.model, "_epoch_hook", None) is None
        ):
            return
        history = getattr(self.model, "_history_callback", None)
        values = None if history is None else history.history.get(self.monitor)
        if values is None or len(values) != len(history.epoch):
            return
        for done, value in zip(history.epoch, values):
            if (
                done < epoch
                and isinstance(value, (int, float))
                and self._is_improvement(value, self.best)
            ):
                self.best = value

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch; batches are 0-indexed
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(
        self, epoch: int, logs: dict, filepath: str, current: Any
    ) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available.",
                stacklevel=3,
            )
            return True
        if isinstance(current, (np.ndarray, torch.Tensor)) and current.ndim > 0:
            warnings.warn(
                "Can save best model only when `monitor` is a scalar value. "
                f"Received: {current}. Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        if self.monitor_op is None:
            # Saving by batches can come before the first epoch end.
            self._set_monitor_op()
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_text} "
                    f"to {current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_text}"
            )
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = pythonify_logs(logs)
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath, logs.get(self.monitor)):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            )
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". '
                f"Reason: {e}"
            ) from None
