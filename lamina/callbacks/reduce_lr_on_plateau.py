"""`ReduceLROnPlateau`: lowers the learning rate when a metric stalls."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lamina.callbacks.monitor_callback import MonitorCallback
from lamina.errors import ArgumentError
from lamina.io_utils import print_msg


class ReduceLROnPlateau(MonitorCallback):
    """Reduces the learning rate when a metric has stopped improving.

    After `patience` epochs without improvement the learning rate becomes
    `max(lr * factor, min_lr)`, then the callback waits `cooldown` epochs
    before counting again. The epoch logs gain a `learning_rate` entry.

    Example:

    ```python
    reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2,
                                  patience=5, min_lr=0.001)
    model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    ```

    Args:
        monitor: Quantity to be monitored.
        factor: Factor by which the learning rate is reduced (below 1).
        patience: Epochs with no improvement after which the rate is reduced.
        verbose: 0 (quiet) or 1 (print a message on each reduction).
        mode: `"auto"`, `"min"` or `"max"`: the direction in which the
            monitored quantity improves.
        min_delta: Threshold for measuring the new optimum.
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: Lower bound on the learning rate.
        **kwargs: `epsilon`, the Keras 2 name of `min_delta` (deprecated).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn(
                "`epsilon` argument is deprecated and will be removed, use "
                "`min_delta` instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        if kwargs:
            raise ArgumentError(
                f"Unrecognized arguments for ReduceLROnPlateau: {sorted(kwargs)}. "
                "Expected: monitor, factor, patience, verbose, mode, min_delta, "
                "cooldown, min_lr."
            )
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ArgumentError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """Whether the callback is waiting after a reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            # Deferred until the model's metrics exist.
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        log_learning_rates(logs, self.model.optimizer)

        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                "Learning rate reduction is conditioned on metric "
                f"`{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(list(logs.keys()))}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = False
                for optimizer, name in _optimizers(self.model.optimizer):
                    reduced |= self._reduce_optimizer_lr(optimizer, epoch, name)
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def _reduce_optimizer_lr(self, optimizer: Any, epoch: int, name: str) -> bool:
        old_lr = float(optimizer.learning_rate)
        # Compared in float32, the precision the rate is stored in.
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            name_text = f" {name}" if name else ""
            print_msg(
                f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name_text} "
                f"learning rate to {new_lr}."
            )
        return True


def _optimizers(optimizer: Any) -> list:
    """`(optimizer, name)` pairs; a multi-optimizer lists each of its own."""
    inner = getattr(optimizer, "optimizers", None)
    if inner is not None:
        return [(opt, opt.name) for opt in inner]
    return [(optimizer, "")]


def log_learning_rates(logs: dict, optimizer: Any) -> None:
    """Write the learning rate(s) into ``logs`` under Keras 3's keys.

    ``learning_rate``, or ``learning_rate_<name>`` for each optimizer of a
    multi-optimizer. Shared with `LearningRateScheduler`.

    Args:
        logs: The epoch logs, updated in place.
        optimizer: The model's optimizer.
    """
    for inner, name in _optimizers(optimizer):
        key = f"learning_rate_{name}" if name else "learning_rate"
        logs[key] = float(inner.learning_rate)
