"""`LearningRateScheduler`: sets the learning rate at each epoch start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from lamina.callbacks.callback import Callback
from lamina.callbacks.reduce_lr_on_plateau import _optimizers, log_learning_rates
from lamina.errors import ArgumentError
from lamina.io_utils import print_msg


class LearningRateScheduler(Callback):
    """Sets the learning rate from `schedule(epoch, lr)` at each epoch start.

    The epoch logs gain a `learning_rate` entry.

    Example:

    ```python
    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    callback = LearningRateScheduler(scheduler)
    model.fit(x, y, epochs=15, callbacks=[callback], verbose=0)
    ```

    Args:
        schedule: Function of the epoch index (from 0) and the current learning
            rate (a float) returning the new rate (a float). A Keras 1 style
            function of the epoch alone also works.
        verbose: 0 (quiet) or 1 (print the rate set at each epoch).
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        for optimizer, name in _optimizers(self.model.optimizer):
            learning_rate = self._update_optimizer_lr(optimizer, epoch)
            if self.verbose > 0:
                who = f"{name} learning rate" if name else "learning rate"
                print_msg(
                    f"\nEpoch {epoch + 1}: LearningRateScheduler setting {who} "
                    f"to {learning_rate}."
                )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        log_learning_rates(logs, self.model.optimizer)

    def _update_optimizer_lr(self, optimizer: Any, epoch: int) -> Any:
        if not hasattr(optimizer, "learning_rate"):
            raise ArgumentError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # an old-style schedule(epoch)
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, torch.Tensor) and learning_rate.ndim == 0:
            learning_rate = float(learning_rate)
        if not isinstance(learning_rate, (float, np.floating)):
            raise ArgumentError(
                "The output of the `schedule` function should be a float. "
                f"Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        return learning_rate
