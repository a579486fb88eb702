"""einops-style axis rearrangement (Keras 3's ``keras.ops.rearrange``).

Example:

>>> from lamina import ops
>>> ops.rearrange(torch.zeros(2, 6, 3), "b (h w) c -> b c h w", h=2).shape
torch.Size([2, 3, 2, 3])
"""

from __future__ import annotations

import math
import re
from typing import Any

import torch

from lamina.errors import ArgumentError, ShapeError
from lamina.ops.core import _tensor

# An axis name, or a parenthesised group of them.
_TOKEN = re.compile(r"\(([^()]*)\)|(\w+)|(\S)")


def _parse_side(side: str, pattern: str) -> list[list[str]]:
    """``"b (h w) c"`` as ``[["b"], ["h", "w"], ["c"]]``."""
    groups = []
    for group, name, other in _TOKEN.findall(side):
        if other:
            raise ArgumentError(
                f"rearrange: unexpected {other!r} in pattern {pattern!r}; use axis "
                "names and parenthesised groups, as in 'b (h w) c -> b h w c'."
            )
        groups.append(group.split() if group or not name else [name])
    return groups


def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> torch.Tensor:
    """Reshape and transpose ``tensor`` as an einops ``pattern`` describes.

    Each side of ``"input -> output"`` names the axes; parentheses group axes
    that share one dimension (split on the input side, merged on the output
    side). The sizes of split axes come from ``axes_lengths``, all but one per
    group (the last is inferred).

    Args:
        tensor: The input tensor.
        pattern: For example ``"b h w c -> b (h w) c"`` or
            ``"b (h w) c -> b h w c"``.
        **axes_lengths: Sizes of axes split from a grouped input dimension.

    Returns:
        The rearranged tensor (one reshape, one permute, one reshape).

    Example:

    >>> rearrange(torch.arange(6).reshape(2, 3), "a b -> b a").shape
    torch.Size([3, 2])
    """
    x = _tensor(tensor)
    if pattern.count("->") != 1:
        raise ArgumentError(
            f"rearrange: the pattern needs one '->', received {pattern!r}."
        )
    left, right = pattern.split("->")
    inputs, outputs = _parse_side(left, pattern), _parse_side(right, pattern)
    if len(inputs) != x.ndim:
        raise ShapeError(
            f"rearrange: the pattern's input side names {len(inputs)} axes, but "
            f"the tensor has shape {tuple(x.shape)}."
        )
    in_names = [name for group in inputs for name in group]
    out_names = [name for group in outputs for name in group]
    if sorted(in_names) != sorted(out_names) or len(set(in_names)) != len(in_names):
        raise ArgumentError(
            f"rearrange: both sides must name the same axes once each, received "
            f"{pattern!r}."
        )
    sizes = _axis_sizes(inputs, x.shape, axes_lengths)
    x = x.reshape([sizes[name] for name in in_names])
    x = x.permute([in_names.index(name) for name in out_names])
    return x.reshape([math.prod(sizes[name] for name in group) for group in outputs])


def _axis_sizes(groups: list[list[str]], shape, axes_lengths: dict) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for group, dim in zip(groups, shape):
        unknown = [name for name in group if name not in axes_lengths]
        if len(unknown) > 1:
            raise ArgumentError(
                f"rearrange: give the sizes of all but one of the axes {group} "
                "(as keyword arguments)."
            )
        known = math.prod(axes_lengths[name] for name in group if name not in unknown)
        for name in group:
            sizes[name] = (
                int(axes_lengths[name]) if name not in unknown else dim // known
            )
        if math.prod(sizes[name] for name in group) != dim:
            raise ShapeError(
                f"rearrange: the axes {group} of sizes "
                f"{[sizes[name] for name in group]} do not make a dimension of {dim}."
            )
    return sizes


__all__ = ["rearrange"]
