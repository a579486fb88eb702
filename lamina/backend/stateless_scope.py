"""`StatelessScope`: run code on given variable values, keeping the variables.

Keras's scope for pure-function training steps: inside it, variables read the
values given in ``state_mapping``, and what code assigns to them is collected
in the scope instead of changing them.

On torch, a variable is the `torch.nn.Parameter` a layer computes with, so the
scope swaps each mapped variable's storage (``param.data``) for its value on
entering and swaps the original back on leaving. Hence:

- a layer called inside computes with the mapped values;
- ``variable.assign(...)`` (and ``assign_add``/``assign_sub``) inside the scope
  go to the scope: `get_current_value` returns them, the variable is untouched
  once the scope ends;
- in-place torch updates inside the scope (an optimizer's fused step) change
  the mapped values of the variables that are in ``state_mapping``, and are
  collected the same way; a variable outside the mapping that such an update
  touches is changed for real, as torch gives no way to intercept it;
- gradients of a loss computed inside flow to the variables' ``.grad`` (the
  parameters are autograd's leaves), not to the tensors given in the mapping.

The swap is visible to every thread while the scope is open; the scope itself
(what `get_stateless_scope` returns) belongs to the thread that entered it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lamina.backend import global_state
from lamina.errors import ArgumentError, ShapeError

_KIND = "stateless_scope"


class StatelessScope:
    """Use given values for variables, and collect updates instead of applying them.

    Example:

    >>> import lamina
    >>> layer = lamina.layers.Dense(1, kernel_initializer="ones")
    >>> layer.build((None, 2))
    >>> mapping = [(layer.kernel, torch.full((2, 1), 3.0))]
    >>> with StatelessScope(state_mapping=mapping) as scope:
    ...     out = layer(torch.ones(1, 2))
    ...     layer.kernel.assign(torch.zeros(2, 1))
    >>> float(out), float(layer.kernel.sum()), float(scope.get_current_value(layer.kernel).sum())
    (6.0, 2.0, 0.0)

    Args:
        state_mapping: ``(variable, value)`` pairs: the values the variables
            take inside the scope (each converted to its variable's dtype and
            device; the shapes must match).
        collect_losses: whether the losses layers add inside the scope are
            collected in `losses` too.
        initialize_variables: Keras's option to initialize the variables made
            inside once the scope ends; lamina's variables are initialized when
            made, so there is nothing left to do.
    """

    def __init__(
        self,
        state_mapping=None,
        collect_losses: bool = False,
        initialize_variables: bool = True,
    ):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses: list = []
        # id(variable) -> its value in the scope (Keras's attribute name).
        self.state_mapping: dict[int, torch.Tensor] = {}
        self._variables: dict[int, torch.nn.Parameter] = {}
        # id(variable) -> the storage to put back on exit, while entered.
        self._originals: dict[int, torch.Tensor] = {}
        self._entered = False
        for variable, value in state_mapping or ():
            if not isinstance(variable, torch.nn.Parameter):
                raise ArgumentError(
                    "Invalid reference variable in StatelessScope: all keys in "
                    "argument `mapping` must be Variable instances. Received "
                    f"instead: {variable!r}"
                )
            self._record(variable, value, "state_mapping")

    def _record(self, variable, value, what: str) -> None:
        value = _as_value(value, variable)
        if value.shape != variable.shape:
            raise ShapeError(
                f"Invalid variable value in StatelessScope: all values in "
                f"`{what}` must be tensors with a shape that matches the "
                f"corresponding variable shape. For variable "
                f"{getattr(variable, 'path', '')!r} of shape "
                f"{tuple(variable.shape)}, received a value of shape "
                f"{tuple(value.shape)}."
            )
        key = id(variable)
        self._variables[key] = variable
        self.state_mapping[key] = value
        if self._entered:
            self._swap_in(variable, value)

    def _swap_in(self, variable, value: torch.Tensor) -> None:
        key = id(variable)
        if key not in self._originals:
            self._originals[key] = variable.data
        # A copy: in-place updates inside the scope must not reach the caller's
        # tensor.
        variable.data = value.clone()

    def __enter__(self) -> StatelessScope:
        global_state.scope_stack(_KIND).append(self)
        self._entered = True
        for key, value in self.state_mapping.items():
            self._swap_in(self._variables[key], value)
        return self

    def __exit__(self, *exc) -> None:
        for key, original in self._originals.items():
            variable = self._variables[key]
            self.state_mapping[key] = variable.data
            variable.data = original
        self._originals.clear()
        self._entered = False
        stack = global_state.scope_stack(_KIND)
        if stack and stack[-1] is self:
            stack.pop()

    def add_loss(self, loss) -> None:
        self.losses.append(loss)

    def add_update(self, update) -> None:
        """Record ``(variable, value)``: the variable's value from now on in here."""
        variable, value = update
        self._record(variable, value, "add_update")

    def get_current_value(self, variable) -> torch.Tensor | None:
        """The variable's value in this scope, or None if it has none."""
        key = id(variable)
        if key in self._originals:
            return variable.data
        return self.state_mapping.get(key)


def _as_value(value: Any, variable: torch.Tensor) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        value = value.detach()
    else:
        value = torch.as_tensor(np.asarray(value))
    return value.to(dtype=variable.dtype, device=variable.device)


def get_stateless_scope() -> StatelessScope | None:
    """The innermost `StatelessScope` open in this thread, or None."""
    return global_state.innermost_scope(_KIND)


def in_stateless_scope() -> bool:
    return global_state.innermost_scope(_KIND) is not None
