"""Weight regularizers: penalties added to the loss, with Keras's names and defaults.

A regularizer is called on a weight (or a layer's output) and returns a 0-d
tensor on the weight's device. It runs at every training step, so it is pure
torch: no host syncs.

Example:

>>> import torch
>>> from lamina import regularizers
>>> regularizers.L2(2.0)(torch.ones(5, 5))
tensor(50.)
>>> regularizers.get("l1").l1
0.01
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import torch

from lamina.backend import epsilon
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError
from lamina.serialization import (
    deserialize_keras_object,
    get_object,
    get_registered_object,
    serialize_keras_object,
)

_warned_l_keyword = False


def _validate_factor(value: Any, name: str, who: str) -> float:
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
    return float(value)


def _legacy_l(kwargs: dict[str, Any], value: Any, name: str, who: str) -> Any:
    """Map Keras 2's ``l=`` keyword (``l2(l=0.01)``) onto `name`, warning once."""
    if "l" in kwargs:
        global _warned_l_keyword
        if not _warned_l_keyword:
            warnings.warn(
                f"{who}(l=...) is the Keras 2 spelling; use {who}({name}=...).",
                DeprecationWarning,
                stacklevel=4,  # the user's call of L1(...) or L2(...)
            )
            _warned_l_keyword = True
        value = kwargs.pop("l")
    if kwargs:
        raise ArgumentError(
            f"{who}: unexpected keyword arguments {sorted(kwargs)}; expected `{name}`."
        )
    return value


class Regularizer:
    """Base class of regularizers.

    A subclass implements ``__call__(x)`` returning a scalar penalty and
    ``get_config()``. Any function ``f(weight) -> scalar`` works too.

    Example:

    >>> class Sum(Regularizer):
    ...     def __call__(self, x):
    ...         return x.sum()
    ...     def get_config(self):
    ...         return {}
    >>> Sum()(torch.ones(3))
    tensor(3.)
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The penalty for `x`; the base class penalises nothing."""
        return x.new_zeros(())

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-serializable dict."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_config()."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """Build a regularizer from `get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            config = self.get_config()
        except NotImplementedError:
            return f"{type(self).__name__}()"
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


class _SumPenalty(Regularizer):
    """``factor * sum(transform(x))``, the factor held in the attribute `_name`.

    What `L1` and `L2` share, Keras 2's ``l=`` keyword included.
    """

    _name: str  # the factor's argument, attribute and config key
    _transform: Callable[[torch.Tensor], torch.Tensor]

    def _set_factor(self, value: Any, kwargs: dict[str, Any]) -> None:
        name, who = self._name, type(self).__name__
        value = _legacy_l(kwargs, value, name, who)
        setattr(
            self, name, _validate_factor(0.01 if value is None else value, name, who)
        )

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return getattr(self, self._name) * torch.sum(self._transform(x))

    def get_config(self) -> dict[str, Any]:
        return {self._name: getattr(self, self._name)}


class L1(_SumPenalty):
    """L1 penalty: ``l1 * sum(abs(x))``.

    Args:
        l1: Non-negative factor (None means the default, 0.01).

    Example:

    >>> L1(0.5)(torch.tensor([-1.0, 2.0]))
    tensor(1.5000)
    """

    _name, _transform = "l1", staticmethod(torch.abs)

    def __init__(self, l1: float = 0.01, **kwargs):
        self._set_factor(l1, kwargs)


class L2(_SumPenalty):
    """L2 penalty: ``l2 * sum(square(x))`` (no factor 1/2, as in Keras).

    Args:
        l2: Non-negative factor (None means the default, 0.01).

    Example:

    >>> L2(0.5)(torch.tensor([-1.0, 2.0]))
    tensor(2.5000)
    """

    _name, _transform = "l2", staticmethod(torch.square)

    def __init__(self, l2: float = 0.01, **kwargs):
        self._set_factor(l2, kwargs)


class L1L2(Regularizer):
    """L1 plus L2 penalty: ``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    The class defaults are 0 (``L1L2(l2=0.1)`` has no L1 term); the ``l1_l2``
    function and the string ``"l1_l2"`` default both to 0.01, as Keras 2 did.

    Args:
        l1: Non-negative L1 factor (None means 0).
        l2: Non-negative L2 factor (None means 0).

    Example:

    >>> L1L2(l1=1.0, l2=1.0)(torch.tensor([-1.0, 2.0]))
    tensor(8.)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _validate_factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _validate_factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.l1 and self.l2:
            return self.l1 * torch.sum(torch.abs(x)) + self.l2 * torch.sum(
                torch.square(x)
            )
        if self.l1:
            return self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            return self.l2 * torch.sum(torch.square(x))
        return x.new_zeros(())

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards being orthogonal.

    The penalty is ``factor`` times the mean absolute cosine similarity over
    all pairs of distinct rows (``mode="rows"``) or columns (``"columns"``).

    Args:
        factor: Non-negative factor.
        mode: ``"rows"`` or ``"columns"``.

    Example:

    >>> OrthogonalRegularizer(1.0)(torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
    tensor(0.7071)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _validate_factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ArgumentError(
                "OrthogonalRegularizer: `mode` must be 'rows' or 'columns', "
                f"received mode={mode!r}."
            )
        self.mode = mode

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2:
            raise ShapeError(
                "OrthogonalRegularizer: inputs must have rank 2, received "
                f"shape {tuple(x.shape)}."
            )
        axis = 1 if self.mode == "rows" else 0
        # Keras's L2 normalisation: x / norm, with 1/norm capped at 1/epsilon.
        inv_norm = torch.rsqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
        unit = x * torch.clamp(inv_norm, max=1.0 / epsilon())
        product = unit @ unit.T if self.mode == "rows" else unit.T @ unit
        size = product.shape[0]
        # The product is symmetric: the strict upper triangle holds each pair once.
        pairs_sum = torch.sum(torch.abs(torch.triu(product, diagonal=1)))
        return self.factor * pairs_sum / (size * (size - 1) / 2)

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An `L1L2` regularizer with Keras 2's defaults (0.01 for both).

    Args:
        l1: Non-negative L1 factor.
        l2: Non-negative L2 factor.

    Example:

    >>> l1_l2().get_config()
    {'l1': 0.01, 'l2': 0.01}
    """
    return L1L2(l1=l1, l2=l2)


# Keras's lowercase spellings of the classes (``regularizers.l2(0.01)``).
l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT: dict[str, Callable] = {
    "Regularizer": Regularizer,
    "regularizer": Regularizer,
    "L1": L1,
    "l1": L1,
    "L2": L2,
    "l2": L2,
    "L1L2": L1L2,
    "l1l2": L1L2,  # Keras 3's snake_case of the class: zero defaults
    "l1_l2": l1_l2,  # Keras 2's function: 0.01 defaults
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer: Regularizer | Callable) -> dict[str, Any] | str:
    """Keras's config of `regularizer`.

    Example:

    >>> serialize(L2(0.1))
    {'module': 'keras.regularizers', 'class_name': 'L2', 'config': {'l2': 0.1}, \
'registered_name': None}
    """
    return serialize_keras_object(regularizer)


def _instantiate(obj: Any) -> Any:
    # Names stand for instances with default arguments; `l1_l2` is a factory.
    return obj() if isinstance(obj, type) or obj is l1_l2 else obj


def deserialize(
    config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None
) -> Regularizer | Callable:
    """The regularizer a config (from `serialize`) or a name stands for.

    Args:
        config: A serialized config dict or a name such as ``"l2"``.
        custom_objects: Extra ``{name: class_or_function}`` to search first.

    Example:

    >>> deserialize("l1_l2")
    L1L2(l1=0.01, l2=0.01)
    """
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, ALL_OBJECTS_DICT)
        if obj is None:
            raise UnknownObjectError.for_name("regularizer", config, ALL_OBJECTS_DICT)
        return _instantiate(obj)
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="regularizer",
    )


def get(identifier: Any) -> Regularizer | Callable | None:
    """The regularizer for a name, config, class, callable or None.

    Args:
        identifier: None (returned as is), a name (``"l1"``, ``"l2"``,
            ``"l1_l2"``, ...), a config dict, a class (instantiated with its
            defaults) or a callable ``f(weight) -> scalar``.

    Raises:
        UnknownObjectError: for an unknown name, listing the closest valid ones.

    Example:

    >>> get("l2")
    L2(l2=0.01)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        identifier = deserialize(identifier)  # `l1_l2` is a factory
    return get_object(identifier, "regularizer", ALL_OBJECTS_DICT, deserialize)
