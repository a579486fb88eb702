"""`BackupAndRestore`: resume a training run that was interrupted."""

from __future__ import annotations

import contextlib
import json
import os
import shutil

from lamina.callbacks.callback import Callback
from lamina.errors import ArgumentError, FileFormatError
from lamina.io_utils import atomic_path


class BackupAndRestore(Callback):
    """Back up the model and optimizer state during `fit`, and restore it at the
    start of the next `fit` after an interruption (a crash, a killed job).

    The state goes to ``backup_dir/latest.weights.h5`` (Keras 3's weights
    layout, optimizer included) with the epoch reached in
    ``backup_dir/training_metadata.json``. Both are written atomically, so a
    run killed while saving leaves the previous backup usable. When training
    ends normally the backup files are removed (``delete_checkpoint=True``).

    Example:
        >>> callback = lamina.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
        >>> model.fit(x, y, epochs=10, callbacks=[callback])  # killed at epoch 4
        >>> model.fit(x, y, epochs=10, callbacks=[callback])  # resumes at epoch 4

    Args:
        backup_dir: folder for the backup files (created when needed).
        save_freq: ``"epoch"``, or a number of batches between backups.
        double_checkpoint: also keep the previous backup (``*.bkp``), used when
            the latest one cannot be read.
        delete_checkpoint: remove the backup when training finishes.
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ):
        super().__init__()
        if not backup_dir:
            raise ArgumentError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (
            not isinstance(save_freq, int)
            or isinstance(save_freq, bool)
            or save_freq < 1
        ):
            raise ArgumentError(
                "Invalid value for argument `save_freq`. Received: "
                f"save_freq={save_freq}. Expected either 'epoch' or a positive integer."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_metadata_path = f"{self._metadata_path}.bkp"
        self._batches_since_save = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def on_train_begin(self, logs=None) -> None:
        try:
            self._restore()
        except (FileFormatError, OSError, ValueError):
            # The latest backup is unreadable: fall back on the previous one.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_metadata_path):
                shutil.copyfile(self._prev_metadata_path, self._metadata_path)
            elif os.path.exists(self._metadata_path):
                os.remove(self._metadata_path)
            self._restore()

    def _restore(self) -> None:
        model = self.model
        if not model.built:
            raise ArgumentError(
                "To use the BackupAndRestore callback, your model must be built before "
                f"you call `fit()`. Model '{model.name}' is unbuilt. You can build it "
                "beforehand by calling it on a batch of data."
            )
        if os.path.exists(self._weights_path):
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(model._trainable_params())
            model.load_weights(self._weights_path)
        if os.path.exists(self._metadata_path):
            with open(self._metadata_path, encoding="utf-8") as f:
                try:
                    metadata = json.load(f)
                except json.JSONDecodeError as err:
                    raise FileFormatError(
                        f"{self._metadata_path!r} is not valid JSON: {err}"
                    ) from err
            epoch = metadata.get("epoch") if isinstance(metadata, dict) else None
            if not isinstance(epoch, int) or epoch < 0:
                raise FileFormatError(
                    f"{self._metadata_path!r} has no valid 'epoch': {metadata!r}."
                )
            # The training loop starts from this epoch instead of `initial_epoch`.
            model._initial_epoch = epoch
            self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.save_freq == "epoch":
            return
        if batch <= self._last_batch_seen:  # a new epoch
            self._batches_since_save += batch + 1
        else:
            self._batches_since_save += batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save()

    def _save(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for src, dst in (
                (self._weights_path, self._prev_weights_path),
                (self._metadata_path, self._prev_metadata_path),
            ):
                if os.path.exists(src):
                    shutil.copyfile(src, dst)
        self.model.save_weights(self._weights_path, overwrite=True)
        with (
            atomic_path(self._metadata_path) as tmp,
            open(tmp, "w", encoding="utf-8") as f,
        ):
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)

    def on_train_end(self, logs=None) -> None:
        if getattr(self.model, "_initial_epoch", None) is not None:
            self.model._initial_epoch = None
        # fit interrupted (Ctrl-C) still calls on_train_end: keep the backup.
        if not self.delete_checkpoint or getattr(self.model, "_interrupted", False):
            return
        for path in (
            self._weights_path,
            self._metadata_path,
            self._prev_weights_path,
            self._prev_metadata_path,
        ):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        with contextlib.suppress(OSError):
            os.rmdir(self.backup_dir)  # only when empty: never delete user files
