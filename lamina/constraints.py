"""Weight constraints: projections applied to weights after each optimizer step.

A constraint is called on a weight tensor and returns the constrained tensor
(same shape). It runs after every training step, so it is pure torch: no host
syncs. Norms are taken over `axis` as in Keras: for a Dense kernel
``(input_dim, units)`` the default ``axis=0`` constrains each unit's incoming
weight vector; for a Conv2D kernel ``(kh, kw, in, out)`` use ``axis=[0, 1, 2]``.

Example:

>>> import torch
>>> from lamina import constraints
>>> constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> constraints.get("max_norm").get_config()
{'max_value': 2, 'axis': 0}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from lamina.backend import epsilon
from lamina.errors import ArgumentError
from lamina.serialization import (
    family_deserializer,
    get_object,
    serialize_keras_object,
)

Axis = int | Sequence[int] | None


def _check_value(value: Any, name: str, who: str) -> Any:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ArgumentError(
            f"{who}: `{name}` must be a non-negative finite number, received "
            f"{name}={value!r}."
        )
    return value


def _check_axis(axis: Any, who: str) -> int | tuple[int, ...] | None:
    """Validate `axis` and return the form torch's `dim` takes."""
    if axis is None:
        return None
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    if isinstance(axis, (list, tuple)) and all(
        isinstance(a, int) and not isinstance(a, bool) for a in axis
    ):
        return tuple(axis)
    raise ArgumentError(
        f"{who}: `axis` must be an int, a list of ints or None, received axis={axis!r}."
    )


def _norms(
    w: torch.Tensor, dim: int | tuple[int, ...] | None, who: str
) -> torch.Tensor:
    """The L2 norms of `w` over `dim`, kept as broadcastable size-1 axes."""
    for a in (dim,) if isinstance(dim, int) else dim or ():
        if not -w.ndim <= a < w.ndim:
            raise ArgumentError(
                f"{who}: `axis` {a} is out of range for a weight of shape "
                f"{tuple(w.shape)}."
            )
    return torch.sqrt(torch.sum(torch.square(w), dim=dim, keepdim=True))


class Constraint:
    """Base class of constraints; the base class leaves weights unchanged.

    A subclass implements ``__call__(w)`` returning the projected weight and,
    if its constructor takes arguments, ``get_config()``.

    Example:

    >>> class Clip(Constraint):
    ...     def __call__(self, w):
    ...         return w.clamp(-1.0, 1.0)
    >>> Clip()(torch.tensor([-3.0, 0.5]))
    tensor([-1.0000,  0.5000])
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """Build a constraint from `get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescales each weight vector whose L2 norm exceeds `max_value` down to it.

    Args:
        max_value: The largest norm allowed (non-negative).
        axis: Axis or axes the norm is taken over.

    Example:

    >>> MaxNorm(1.0)(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    """

    def __init__(self, max_value: float = 2, axis: Axis = 0):
        self.max_value = _check_value(max_value, "max_value", "MaxNorm")
        self._dim = _check_axis(axis, "MaxNorm")
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self._dim, "MaxNorm")
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each weight vector's L2 norm into ``[min_value, max_value]``.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``:
    ``rate=1`` enforces the bounds at once, a smaller rate moves towards them.

    Args:
        min_value: The smallest norm (non-negative).
        max_value: The largest norm (at least `min_value`).
        rate: How far to move towards the bounds, in ``[0, 1]``.
        axis: Axis or axes the norm is taken over.

    Example:

    >>> MinMaxNorm(2.0, 3.0)(torch.tensor([[0.3], [0.4]]))
    tensor([[1.2000],
            [1.6000]])
    """

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: Axis = 0,
    ):
        self.min_value = _check_value(min_value, "min_value", "MinMaxNorm")
        self.max_value = _check_value(max_value, "max_value", "MinMaxNorm")
        if max_value < min_value:
            raise ArgumentError(
                "MinMaxNorm: `max_value` must be >= `min_value`, received "
                f"min_value={min_value!r}, max_value={max_value!r}."
            )
        self.rate = _check_value(rate, "rate", "MinMaxNorm")
        if rate > 1:
            raise ArgumentError(
                f"MinMaxNorm: `rate` must be in [0, 1], received rate={rate!r}."
            )
        self._dim = _check_axis(axis, "MinMaxNorm")
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self._dim, "MinMaxNorm")
        desired = (
            self.rate * torch.clamp(norms, self.min_value, self.max_value)
            + (1 - self.rate) * norms
        )
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    """Sets negative weights to 0.

    Example:

    >>> NonNeg()(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return torch.clamp(w, min=0)


class UnitNorm(Constraint):
    """Rescales each weight vector to unit L2 norm.

    Args:
        axis: Axis or axes the norm is taken over.

    Example:

    >>> UnitNorm()(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    """

    def __init__(self, axis: Axis = 0):
        self._dim = _check_axis(axis, "UnitNorm")
        self.axis = axis

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w / (epsilon() + _norms(w, self._dim, "UnitNorm"))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


# Keras's lowercase spellings, and Keras 1/2's older ones (maxnorm, ...).
max_norm = maxnorm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm

ALL_OBJECTS_DICT: dict[str, type[Constraint]] = {
    "Constraint": Constraint,
    "constraint": Constraint,
    "MaxNorm": MaxNorm,
    "max_norm": MaxNorm,
    "maxnorm": MaxNorm,
    "MinMaxNorm": MinMaxNorm,
    "min_max_norm": MinMaxNorm,
    "NonNeg": NonNeg,
    "non_neg": NonNeg,
    "nonneg": NonNeg,
    "UnitNorm": UnitNorm,
    "unit_norm": UnitNorm,
    "unitnorm": UnitNorm,
}


def serialize(constraint: Constraint | Callable) -> dict[str, Any] | str:
    """Keras's config of `constraint`.

    Example:

    >>> serialize(NonNeg())
    {'module': 'keras.constraints', 'class_name': 'NonNeg', 'config': {}, \
'registered_name': None}
    """
    return serialize_keras_object(constraint)


deserialize = family_deserializer("constraint", ALL_OBJECTS_DICT)


def get(identifier: Any) -> Constraint | Callable | None:
    """The constraint for a name, config, class, callable or None.

    Args:
        identifier: None (returned as is), a name (``"max_norm"``,
            ``"NonNeg"``, ...), a config dict, a class (instantiated with its
            defaults) or a callable ``f(weight) -> weight``.

    Raises:
        UnknownObjectError: for an unknown name, listing the closest valid ones.

    Example:

    >>> get("non_neg")
    NonNeg()
    """
    if identifier is None:
        return None
    return get_object(identifier, "constraint", ALL_OBJECTS_DICT, deserialize)
