"""`Variable`: a layer weight, a `torch.nn.Parameter` that also speaks Keras."""

from __future__ import annotations

import numpy as np
import torch

from lamina.backend.config import standardize_dtype
from lamina.errors import ShapeError


class Variable(torch.nn.Parameter):
    """A layer weight: a `torch.nn.Parameter` that also speaks Keras.

    It is a real Parameter (optimizers, ``state_dict`` and ``.to(device)`` see
    it) with Keras's ``name``, ``path`` (``"dense/kernel"``), ``trainable``,
    ``numpy()``, ``assign()`` and ``value``.
    """

    def __new__(
        cls,
        data,
        trainable: bool = True,
        name: str = "variable",
        path: str | None = None,
    ):
        var = super().__new__(cls, data, requires_grad=trainable)
        var._keras_name = name
        var._keras_path = path or name
        var._keras_trainable = trainable
        var.regularizer = None
        var.constraint = None
        return var

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        var = Variable(
            self.data.clone(memory_format=torch.preserve_format),
            self._keras_trainable,
            self._keras_name,
            self._keras_path,
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
        self.requires_grad_(bool(value))

    @property
    def value(self) -> torch.Tensor:
        # Keras on torch: `variable.value` is the torch parameter itself, so
        # custom train steps read `v.value.grad`.
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:  # type: ignore[override]
        # A copy, whatever `force` says: on the CPU torch's view would share memory.
        return self.detach().cpu().numpy().copy()

    def assign(self, value) -> Variable:
        value = torch.as_tensor(
            np.asarray(value) if not isinstance(value, torch.Tensor) else value
        )
        if tuple(value.shape) != tuple(self.shape):
            raise ShapeError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                f"'{self.path}' of shape {tuple(self.shape)}."
            )
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value) -> Variable:
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> Variable:
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={standardize_dtype(self.dtype)}, "
            f"value={self.detach().float().cpu().numpy()}>"
        )


def _rebuild_variable(data, requires_grad, name, path, trainable):
    var = Variable(data, trainable, name, path)
    var.requires_grad_(requires_grad)
    return var
