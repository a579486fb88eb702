"""`SwapEMAWeights`: evaluate (and save) with the optimizer's moving averages."""

from __future__ import annotations

import torch

from lamina.callbacks.callback import Callback
from lamina.errors import ArgumentError


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's EMA weights around evaluation.

    With an optimizer made with ``use_ema=True``, the optimizer keeps an
    exponential moving average of each weight ("Polyak averaging"). This
    callback puts the averages into the model before validation (and
    `evaluate`, `predict`) and the trained weights back after, swapping in
    place, without copies of the model.

    Example:

    ```python
    model.compile(optimizer=SGD(use_ema=True), loss="mse")
    model.fit(x, y, validation_data=(vx, vy), callbacks=[SwapEMAWeights()])
    # EMA weights for the callbacks at the end of each epoch (checkpoints):
    model.fit(x, y, callbacks=[SwapEMAWeights(swap_on_epoch=True),
                               ModelCheckpoint("best.keras")])
    ```

    With ``swap_on_epoch=True`` the averages are also in the model from the end
    of each epoch to the start of the next (so `ModelCheckpoint` saves them),
    and after the last epoch the optimizer's averages are set to them, so the
    model ends training with its EMA weights.

    Keras's `on_predict_end` leaves the averages in the model by mistake; here
    predicting puts the trained weights back, as evaluating does.

    Args:
        swap_on_epoch: also swap at the end and start of each epoch.
    """

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self) -> list:
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        inner = getattr(optimizer, "optimizers", None)
        if inner is not None:  # a MultiOptimizer
            chosen = [opt for opt in inner if getattr(opt, "use_ema", False)]
            if not chosen:
                raise ArgumentError(
                    "SwapEMAWeights must be used when at least one inner optimizer "
                    "has `use_ema=True` set. Received a MultiOptimizer with all "
                    "inner optimizers having `use_ema=False`."
                )
        else:
            chosen = [optimizer]
        for opt in chosen:
            if not hasattr(opt, "_averages"):
                raise ArgumentError(
                    "SwapEMAWeights must be used when `use_ema=True` is set on the "
                    f"optimizer (and the optimizer is built). Received: "
                    f"use_ema={getattr(opt, 'use_ema', None)}"
                )
        return chosen

    def _swap(self) -> None:
        with torch.no_grad():
            for opt in self._ema_optimizers():
                for weight, average in zip(opt._params, opt._averages):
                    trained = weight.detach().clone()
                    weight.copy_(average)
                    average.copy_(trained)

    def _finalize_ema_values(self) -> None:
        with torch.no_grad():
            for opt in self._ema_optimizers():
                torch._foreach_copy_(opt._averages, [p.detach() for p in opt._params])

    def _swap_in(self) -> None:
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _swap_out(self) -> None:
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            if epoch == self.params["epochs"] - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._swap_in()

    def on_test_end(self, logs: dict | None = None) -> None:
        self._swap_out()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._swap_in()

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._swap_out()
