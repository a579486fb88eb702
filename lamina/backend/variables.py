"""`Variable`: a weight, a `torch.nn.Parameter` that also speaks Keras."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lamina.backend.config import device, floatx, standardize_dtype, to_torch_dtype
from lamina.backend.name_scope import scoped_path
from lamina.backend.naming import auto_name
from lamina.backend.stateless_scope import get_stateless_scope
from lamina.errors import ArgumentError, ShapeError

_AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = (None, "none", "on_read", "on_write", "auto")


class Variable(torch.nn.Parameter):
    """A weight: a `torch.nn.Parameter` that also speaks Keras.

    It is a real Parameter (optimizers, ``state_dict`` and ``.to(device)`` see
    it) with Keras 3's constructor and Keras's ``name``, ``path``
    (``"dense/kernel"``), ``trainable``, ``numpy()``, ``assign()`` and
    ``value``. Layers make theirs with `Layer.add_weight`.

    Example:

    >>> import numpy as np
    >>> v = Variable(np.ones((2, 3), "float32"), name="w")
    >>> v.assign_add(np.ones((2, 3))).numpy()[0]
    array([2., 2., 2.], dtype=float32)
    >>> Variable("zeros", shape=(2,), dtype="float64").dtype
    torch.float64

    Args:
        initializer: The initial value (a numpy array, a Python scalar or
            list, a torch tensor) or an initializer (an object or function
            called as ``initializer(shape, dtype=dtype)``, or a name such as
            ``"glorot_uniform"``), which then needs ``shape``. A torch tensor
            keeps its device and shares its memory, as a Parameter does; other
            values are copied to `lamina.backend.device()`.
        shape: The shape, needed with an initializer. With a value, it must
            match the value's shape.
        dtype: The dtype. By default the value's own (Python floats become
            `floatx()`, Python ints ``int32``); with an initializer, `floatx()`.
        trainable: Whether optimizers update it. Only float and complex
            variables can record gradients in torch; an integer or boolean
            variable keeps ``trainable`` as given, without gradients.
        autocast: Whether layers may cast it to their compute dtype
            (recorded, as in Keras; lamina's mixed precision is torch.autocast).
        aggregation: How a distributed variable is aggregated: ``"none"``,
            ``"mean"``, ``"sum"`` or ``"only_first_replica"`` (recorded).
        synchronization: ``"none"``, ``"on_read"``, ``"on_write"`` or
            ``"auto"`` (recorded).
        name: The name; by default ``"variable"``, ``"variable_1"``, ...
            It cannot contain ``"/"``.
        layout: Keras's sharding layout; accepted for Keras's signature and
            unused (torch places the value).
        path: lamina's: the full path (``"dense/kernel"``); by default `name`
            inside the open `lamina.name_scope`s (``"block/name"``).

    Inside a `lamina.StatelessScope`, ``assign``, ``assign_add`` and
    ``assign_sub`` record the new value in the scope and leave the variable as
    it is.
    """

    def __new__(
        cls,
        initializer: Any,
        shape=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str | None = "none",
        synchronization: str | None = "auto",
        name: str | None = None,
        layout=None,
        *,
        path: str | None = None,
    ):
        name = auto_name(cls.__name__) if name is None else name
        if not isinstance(name, str) or "/" in name:
            raise ArgumentError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name}"
            )
        if aggregation not in _AGGREGATIONS:
            raise ArgumentError(
                "Invalid value for argument `aggregation`. Expected one of `None`, "
                "`'none'`, `'mean'`, `'sum'`, `'only_first_replica'`. "
                f"Received: aggregation={aggregation}"
            )
        if synchronization not in _SYNCHRONIZATIONS:
            raise ArgumentError(
                "Invalid value for argument `synchronization`. Expected one of "
                "`None`, `'none'`, `'on_read'`, `'on_write'`, `'auto'`. "
                f"Received: synchronization={synchronization}"
            )
        path = path or scoped_path(name)
        data = _initial_value(initializer, shape, dtype, path)
        trainable = bool(trainable)
        var = super().__new__(
            cls, data, requires_grad=trainable and _can_require_grad(data)
        )
        var._keras_name = name
        var._keras_path = path
        var._keras_trainable = trainable
        var.autocast = bool(autocast)
        var.aggregation = aggregation or "none"
        var.synchronization = synchronization or "none"
        var.regularizer = None
        var.constraint = None
        return var

    def _keras_attributes(self) -> dict[str, Any]:
        return {
            "trainable": self._keras_trainable,
            "autocast": self.autocast,
            "aggregation": self.aggregation,
            "synchronization": self.synchronization,
            "name": self._keras_name,
            "path": self._keras_path,
        }

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        var = Variable(
            self.data.clone(memory_format=torch.preserve_format),
            **self._keras_attributes(),
        )
        var.requires_grad_(self.requires_grad)
        var.regularizer = self.regularizer
        var.constraint = self.constraint
        memo[id(self)] = var
        return var

    def __reduce_ex__(self, proto):
        return (
            _rebuild_variable,
            (
                self.data,
                self.requires_grad,
                self._keras_name,
                self._keras_path,
                self._keras_trainable,
                self._keras_attributes(),
            ),
        )

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._keras_name

    @property
    def path(self) -> str:
        return self._keras_path

    @property
    def trainable(self) -> bool:
        return self._keras_trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._keras_trainable = bool(value)
        self.requires_grad_(bool(value) and _can_require_grad(self))

    @property
    def value(self) -> torch.Tensor:
        # Keras on torch: `variable.value` is the torch parameter itself, so
        # custom train steps read `v.value.grad`.
        return self

    def __float__(self) -> float:
        # Keras reads a scalar variable's value; no autograd warning from torch.
        return float(self.detach())

    def __int__(self) -> int:
        return int(self.detach())

    def numpy(self, *, force: bool = False) -> np.ndarray:  # type: ignore[override]
        # A copy, whatever `force` says: on the CPU torch's view would share memory.
        return whole_value(self).detach().cpu().numpy().copy()

    def assign(self, value) -> Variable:
        value = torch.as_tensor(
            np.asarray(value) if not isinstance(value, torch.Tensor) else value
        )
        if tuple(value.shape) != tuple(self.shape):
            raise ShapeError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                f"'{self.path}' of shape {tuple(self.shape)}."
            )
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update((self, value))
            return self
        if write_whole(self, value):
            return self
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value) -> Variable:
        value = torch.as_tensor(value, dtype=self.dtype, device=self.device)
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update((self, self.detach() + value))
            return self
        with torch.no_grad():
            self.add_(value)
        return self

    def assign_sub(self, value) -> Variable:
        value = torch.as_tensor(value, dtype=self.dtype, device=self.device)
        scope = get_stateless_scope()
        if scope is not None:
            scope.add_update((self, self.detach() - value))
            return self
        with torch.no_grad():
            self.sub_(value)
        return self

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={standardize_dtype(self.dtype)}, "
            f"value={self.detach().float().cpu().numpy()}>"
        )


def _can_require_grad(data: torch.Tensor) -> bool:
    return data.is_floating_point() or data.is_complex()


def _initial_value(initializer, shape, dtype, path: str) -> torch.Tensor:
    """The tensor a `Variable` starts from (see its ``initializer`` argument)."""
    if isinstance(initializer, str):
        # A name, as in Keras's own Variable (a seam: initializers are a floor up).
        from lamina import initializers

        initializer = initializers.get(initializer)
    if callable(initializer):
        if shape is None:
            raise ArgumentError(
                "When creating a Variable from an initializer, the `shape` argument "
                f"should be specified. Received: initializer={initializer} and "
                f"shape={shape}"
            )
        shape = _standardize_shape(shape, path)
        dtype = standardize_dtype(dtype)
        with torch.no_grad():
            value = initializer(shape, dtype=dtype)
        return torch.as_tensor(value, dtype=to_torch_dtype(dtype), device=device())
    if isinstance(initializer, torch.Tensor):
        value = initializer.detach()
    else:
        value = torch.tensor(np.asarray(initializer), device=device())
        if dtype is None and not isinstance(initializer, (np.ndarray, np.generic)):
            dtype = _python_number_dtype(value)
    if dtype is not None:
        value = value.to(to_torch_dtype(dtype))
    if shape is not None and tuple(value.shape) != _standardize_shape(shape, path):
        raise ShapeError(
            f"Variable '{path}': the initial value has shape {tuple(value.shape)}, "
            f"not the shape given, {tuple(shape)}."
        )
    return value


def _python_number_dtype(value: torch.Tensor) -> str | None:
    """Keras's dtype for Python numbers: floats are floatx, ints int32 if they fit."""
    if value.dtype == torch.float64:
        return floatx()
    if value.dtype == torch.int64 and (
        value.numel() == 0 or (value.min() >= -(2**31) and value.max() < 2**31)
    ):
        return "int32"
    return None


def _standardize_shape(shape, path: str) -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints, with Keras's messages."""
    if not hasattr(shape, "__iter__"):
        raise ArgumentError(f"Cannot convert '{shape}' to a shape.")
    dims = []
    for d in shape:
        if d is None:
            raise ArgumentError(
                "Shapes used to initialize variables must be fully-defined (no "
                f"`None` dimensions). Received: shape={tuple(shape)} for variable "
                f"path='{path}'"
            )
        if isinstance(d, (str, float, bool)):
            raise ArgumentError(
                f"Cannot convert '{tuple(shape)}' to a shape. Found invalid dimension "
                f"'{d}' of type '{type(d)}'. "
            )
        if int(d) < 0:
            raise ArgumentError(
                f"Cannot convert '{tuple(shape)}' to a shape. Negative dimensions "
                "are not allowed."
            )
        dims.append(int(d))
    return tuple(dims)


def _rebuild_variable(data, requires_grad, name, path, trainable, attributes=None):
    """Unpickle a `Variable` (``attributes`` is absent from older pickles)."""
    attributes = attributes or {"trainable": trainable, "name": name, "path": path}
    var = Variable(data, **attributes)
    var.requires_grad_(requires_grad)
    return var


def whole_value(variable: torch.Tensor) -> torch.Tensor:
    """The value to read of ``variable``: itself, or, when ModelParallel has
    sharded it away, its whole value gathered from every process (which must
    all read it together; refused during an epoch's batches)."""
    if getattr(variable, "_sharded_away", False):
        return variable._sharding.whole_value(variable)
    return variable


def write_whole(variable: torch.Tensor, value: torch.Tensor) -> bool:
    """Write ``value`` into a variable that ModelParallel has sharded away (each
    process keeps its part); False, writing nothing, for any other variable."""
    if not getattr(variable, "_sharded_away", False):
        return False
    variable._sharding.write(variable, value)
    return True
