"""`MonitorCallback`: shared "is this metric better?" logic.

Base of `EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau`; not meant
to be used directly.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

from lamina.callbacks.callback import Callback
from lamina.errors import ArgumentError


class MonitorCallback(Callback):
    """Base class for callbacks that watch one logged quantity.

    Args:
        monitor: Name of the quantity in the epoch logs.
        mode: `"min"`, `"max"` or `"auto"` (inferred from the name: losses are
            minimized; a model metric declares its direction; names ending in
            `acc`, `accuracy` or `auc` are maximized, as in Keras 2).
        baseline: Initial "best" value, or `None` to start from the first value.
        min_delta: Smallest change that counts as an improvement.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{self.__class__.__name__} mode '{mode}' is unknown, fallback "
                "to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            self.monitor_op = self._infer_monitor_op()
        # Improvement means beating the reference by more than min_delta.
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _infer_monitor_op(self):
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return operator.lt
        direction = _metric_direction(self.model, name)
        if direction is not None:
            return operator.gt if direction == "up" else operator.lt
        if name.endswith(("acc", "accuracy", "auc")):
            return operator.gt
        raise ArgumentError(
            f"{self.__class__.__name__} callback received "
            f"monitor={self.monitor}, but lamina isn't able to automatically "
            "determine whether that metric should be maximized or minimized. "
            "Pass `mode='max'` in order to monitor based on the highest metric "
            "value, or pass `mode='min'` in order to use the lowest value."
        )

    def _is_improvement(self, monitor_value: Any, reference_value: Any) -> bool:
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _metric_direction(model: Any, name: str) -> str | None:
    """`"up"` or `"down"` from a model metric called `name`, if it says.

    Metrics declare it in `_direction`, as Keras 3's do; containers of compiled
    metrics expose theirs in `.metrics`.
    """
    pending = list(getattr(model, "metrics", None) or [])
    while pending:
        metric = pending.pop()
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            pending.extend(inner)
        if getattr(metric, "name", None) == name:
            direction = getattr(metric, "_direction", None)
            if direction in ("up", "down"):
                return direction
    return None
