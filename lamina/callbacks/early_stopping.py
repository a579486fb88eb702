"""`EarlyStopping`: stops training when a metric stops improving."""

from __future__ import annotations

import warnings
from typing import Any

from lamina.callbacks.monitor_callback import MonitorCallback
from lamina.io_utils import print_msg


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored metric has stopped improving.

    At the end of each epoch the monitored value is compared with the best so
    far; after `patience` epochs without improvement `model.stop_training` is
    set and `fit` ends after the current epoch.

    Example:

    ```python
    callback = EarlyStopping(monitor="loss", patience=3)
    history = model.fit(x, y, epochs=10, callbacks=[callback], verbose=0)
    len(history.history["loss"])  # fewer than 10 if the loss stalled
    ```

    Args:
        monitor: Quantity to be monitored. Defaults to `"val_loss"`.
        min_delta: Minimum change that counts as an improvement.
        patience: Number of epochs with no improvement after which training
            stops.
        verbose: 0 (silent) or 1 (print a message when the callback acts).
        mode: `"auto"`, `"min"` or `"max"`: whether the quantity should
            decrease or increase (`"auto"` infers it from the name).
        baseline: Value the quantity must beat; training stops after
            `patience` epochs that do not beat it.
        restore_best_weights: Whether to restore the weights of the best epoch
            at the end of training.
        start_from_epoch: Number of warm-up epochs before monitoring starts.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: dict | None = None) -> None:
        # Reset, so one instance can serve several `fit` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            # Deferred until the model's metrics exist.
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first monitored weights are best.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience restarts only when the baseline is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        """The monitored value from `logs`, or `None` (with a warning)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
        return value
