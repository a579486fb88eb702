"""The base class of every metric: state tensors, update, result, reset."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch

from lamina import backend
from lamina.backend.naming import auto_name
from lamina.errors import ArgumentError


class Metric:
    """Encapsulates metric logic and state.

    A metric accumulates statistics with `update_state()` and reports them with
    `result()`. Its state is a handful of torch tensors on
    `lamina.backend.device()`, created with `add_variable()` and updated in place
    with torch ops, so `update_state()` never waits for the device: a training
    loop may call it every step and read `result()` only when it prints.

    Subclasses create their state in `__init__` with `add_variable()`, and
    implement `update_state()` and `result()`.

    Args:
        dtype: dtype of the metric's state and computations. Defaults to
            `lamina.backend.floatx()` (`"float32"`).
        name: name of the metric instance. Defaults to the snake-case class
            name, made unique (`"true_positives"`, `"true_positives_1"`, ...).

    Example:

    ```python
    class BinaryTruePositives(lamina.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(
                shape=(), initializer="zeros", name="true_positives"
            )

        def update_state(self, y_true, y_pred, sample_weight=None):
            values = (y_true.bool() & y_pred.bool()).to(self.true_positives.dtype)
            if sample_weight is not None:
                values = values * sample_weight
            self.true_positives.add_(values.sum())

        def result(self):
            return self.true_positives.clone()
    ```
    """

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = backend.standardize_dtype(dtype or backend.floatx())
        self._torch_dtype = backend.to_torch_dtype(self._dtype)
        self._device = backend.device()
        self._variables: list[torch.Tensor] = []
        self._variable_names: list[str] = []
        self._variable_aggregations: list[str] = []
        self._metrics: list[Metric] = []

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # Metrics never need gradients: without this, updating with a loss
        # tensor would chain every step's graph onto the state and keep it alive.
        update = cls.__dict__.get("update_state")
        if update is not None and not getattr(update, "_lamina_no_grad", False):
            cls.update_state = _without_grad(update)

    def __setattr__(self, name: str, value: Any) -> None:
        # Metrics that hold other metrics (as Keras's do) expose their state too.
        if isinstance(value, Metric) and "_metrics" in self.__dict__:
            self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self) -> str:
        """The dtype name of the metric's computations (`"float32"`)."""
        return self._dtype

    @property
    def variables(self) -> list[torch.Tensor]:
        """The state tensors, this metric's first, then those of metrics it holds."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(
        self,
        shape: Sequence[int] | int,
        initializer: str | Callable = "zeros",
        dtype=None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> torch.Tensor:
        """Create a state tensor on lamina's device and track it.

        Args:
            shape: shape of the tensor (`()` for a scalar).
            initializer: `"zeros"`, `"ones"`, or a callable `(shape, dtype)`
                returning the initial value.
            dtype: dtype of the tensor; defaults to the metric's dtype.
            aggregation: how replicas combine this state (`"sum"`, `"mean"`,
                ...), kept for distributed training.
            name: name of the state tensor.

        Returns:
            The tensor, to be updated in place (`add_`, `copy_`, `zero_`).
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                "You forgot to call `super().__init__()` in the `__init__()` "
                f"method of {type(self).__name__}. Go add it!"
            )
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        torch_dtype = (
            self._torch_dtype if dtype is None else backend.to_torch_dtype(dtype)
        )
        variable = _initial_value(initializer, shape, torch_dtype, self._device)
        self._variables.append(variable)
        self._variable_names.append(name or f"variable_{len(self._variables) - 1}")
        self._variable_aggregations.append(aggregation)
        return variable

    def add_weight(
        self,
        shape: Sequence[int] | int = (),
        initializer="zeros",
        dtype=None,
        name: str | None = None,
    ) -> torch.Tensor:
        """Alias of `add_variable` kept from Keras 2."""
        return self.add_variable(
            shape=shape, initializer=initializer or "zeros", dtype=dtype, name=name
        )

    def update_state(self, *args, **kwargs) -> None:
        """Accumulate statistics for the metric."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_state()`."
        )

    def result(self):
        """The current value: a 0-d tensor (or a tensor / dict for some metrics)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result()`.")

    def reset_state(self) -> None:
        """Set every state tensor back to zero (done between epochs)."""
        for variable in self.variables:
            variable.zero_()

    def reset_states(self) -> None:
        """Keras 2 spelling of `reset_state`."""
        _warn_once(
            "reset_states",
            "`Metric.reset_states()` is deprecated; use `reset_state()`.",
        )
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Update the state with one batch, then return `result()`."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with Keras's keys."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


def _without_grad(update: Callable) -> Callable:
    @functools.wraps(update)
    def update_state(self, *args, **kwargs):
        if not torch.is_grad_enabled():  # nested call (super()): already off
            return update(self, *args, **kwargs)
        with torch.no_grad():
            return update(self, *args, **kwargs)

    update_state._lamina_no_grad = True
    return update_state


def _initial_value(initializer, shape, dtype, device) -> torch.Tensor:
    if isinstance(initializer, str):
        key = initializer.lower()
        if key in ("zeros", "zero"):
            return torch.zeros(shape, dtype=dtype, device=device)
        if key in ("ones", "one"):
            return torch.ones(shape, dtype=dtype, device=device)
        raise ArgumentError(
            "Metric.add_variable: `initializer` must be 'zeros', 'ones' or a "
            f"callable (shape, dtype). Received: initializer={initializer!r}"
        )
    if callable(initializer):
        value = initializer(shape, dtype=backend.standardize_dtype(dtype))
        return (
            torch.as_tensor(value).to(device=device, dtype=dtype).reshape(shape).clone()
        )
    raise ArgumentError(
        "Metric.add_variable: `initializer` must be 'zeros', 'ones' or a callable "
        f"(shape, dtype). Received: initializer={initializer!r}"
    )


_WARNED: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, DeprecationWarning, stacklevel=3)
