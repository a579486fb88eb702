"""`ProgbarLogger`: prints the progress bar and metrics of each epoch."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from lamina.callbacks.callback import Callback
from lamina.callbacks.progbar import Progbar
from lamina.errors import ArgumentError
from lamina.io_utils import print_msg


class ProgbarLogger(Callback):
    """Prints metrics to stdout with a `Progbar`, one bar per epoch.

    `fit`, `evaluate` and `predict` add one unless `verbose=0`. Values are shown
    as the training loop reports them (running results, not re-averaged).
    Validation inside `fit` prints nothing of its own.

    Example:

    ```python
    model.fit(x, y, epochs=2, callbacks=[ProgbarLogger()])
    # Epoch 1/2
    # 32/32 ━━━━━━━━━━━━━━━━━━━━ 1s 3ms/step - loss: 0.4310
    ```

    Args:
        count_mode: Keras 2 argument, `"steps"` or `"samples"`; deprecated:
            the bar always counts steps, as in Keras 3.
        stateful_metrics: Keras 2 argument; deprecated: every metric is shown
            as given, as in Keras 3.
    """

    # Reads tensor values only when a line is printed.
    _accepts_tensor_logs = True

    def __init__(
        self,
        count_mode: str | None = None,
        stateful_metrics: Iterable[str] | None = None,
    ) -> None:
        super().__init__()
        if count_mode is not None:
            if count_mode not in ("steps", "samples"):
                raise ArgumentError(
                    "Unknown `count_mode`: expected 'steps' or 'samples'. "
                    f"Received: count_mode={count_mode!r}"
                )
            warnings.warn(
                "`ProgbarLogger(count_mode=...)` is deprecated: the progress bar "
                "counts steps, as in Keras 3. Remove the argument.",
                DeprecationWarning,
                stacklevel=2,
            )
        if stateful_metrics is not None:
            warnings.warn(
                "`ProgbarLogger(stateful_metrics=...)` is deprecated: every "
                "metric is shown as reported, as in Keras 3. Remove the argument.",
                DeprecationWarning,
                stacklevel=2,
            )
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        verbose = params["verbose"]
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def _needs_batch_hook(self, hook: str) -> bool:
        if getattr(type(self), hook) is not getattr(ProgbarLogger, hook):
            return True  # a subclass overrides it
        if not hook.endswith("_end") or not self.verbose:
            return False
        if hook == "on_test_batch_end" and self._called_in_fit:
            return False
        # With verbose=2 only the epoch's last line prints, but when the number
        # of steps is unknown the batches must be counted to write it.
        return self.verbose == 1 or self.target is None

    def on_train_begin(self, logs: dict | None = None) -> None:
        # Inside `fit`, validation is silent.
        self._called_in_fit = True

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        # The predictions themselves are not metrics to show.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                unit_name="step",
                stateless_metrics=set(),
            )

    def _update_progbar(self, batch: int, logs: dict | None) -> None:
        self._maybe_init_progbar()
        self.seen = batch + 1  # batches are 0-indexed
        if self.verbose == 1:
            values = list(logs.items()) if logs else None
            self.progbar.update(self.seen, values, finalize=False)

    def _finalize_progbar(self, logs: dict | None) -> None:
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        values = list(logs.items()) if logs else None
        self.progbar.update(self.target, values, finalize=True)
