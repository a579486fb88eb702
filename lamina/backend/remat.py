"""Rematerialization (gradient checkpointing): `remat` and `RematScope`.

Memory for time: a rematerialized computation keeps only its inputs for the
backward pass and runs again to get the activations it needs
(`torch.utils.checkpoint.checkpoint`, as Keras's torch backend does).
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable

import torch
import torch.utils.checkpoint

from lamina.backend import global_state
from lamina.errors import ArgumentError

_KIND = "remat_scope"
_MODES = ("full", "activations", "larger_than", "list_of_layers", None)

RematMode = namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])


def remat(f: Callable) -> Callable:
    """``f`` rematerialized: its activations are recomputed in the backward pass.

    Example:

    >>> double = remat(lambda x: torch.sin(x) * 2)
    >>> x = torch.ones(3, requires_grad=True)
    >>> double(x).sum().backward()
    >>> x.grad
    tensor([1.0806, 1.0806, 1.0806])

    Args:
        f: a function of tensors (a layer's `call`, an activation, ...).

    Returns:
        A function with ``f``'s arguments and results.
    """

    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        if not torch.is_grad_enabled():
            return f(*args, **kwargs)  # nothing is kept for a backward pass
        return torch.utils.checkpoint.checkpoint(
            f, *args, use_reentrant=False, **kwargs
        )

    return rematerialized


class RematScope:
    """Rematerialize the layers made inside, when they are called.

    Layers record the scope open when they are made, and their calls follow it:

    - ``"full"``: every call;
    - ``"activations"``: only the activation function of layers that have one
      (``Dense(..., activation="relu")``);
    - ``"larger_than"``: calls whose outputs have more than
      ``output_size_threshold`` elements (per sample, as Keras counts an
      unknown batch size as 1);
    - ``"list_of_layers"``: layers whose names are in ``layer_names``;
    - None: none (turns an enclosing scope off).

    Example:

    >>> import lamina
    >>> with RematScope(mode="full"):
    ...     layer = lamina.layers.Dense(4)
    >>> layer(torch.ones(2, 3)).shape
    torch.Size([2, 4])

    Args:
        mode: one of the modes above.
        output_size_threshold: the size for ``"larger_than"``.
        layer_names: the names for ``"list_of_layers"``.
    """

    def __init__(
        self,
        mode: str | None = "full",
        output_size_threshold: int = 1024,
        layer_names: list[str] | None = None,
    ):
        if mode not in _MODES:
            raise ArgumentError(
                f"Invalid mode '{mode}'. Supported modes are: 'full', "
                "'activations', 'larger_than', 'list_of_layers', or None."
            )
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []
        self._pushed = False

    def __enter__(self) -> RematScope:
        global_state.scope_stack(_KIND).append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc) -> None:
        if self._pushed:
            self._pushed = False
            global_state.scope_stack(_KIND).pop()


def get_current_remat_mode() -> RematMode | None:
    """The innermost open `RematScope`'s settings, or None (also for mode None)."""
    scope = global_state.innermost_scope(_KIND)
    if scope is None or scope.mode is None:
        return None
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)
