"""Dot: the per-sample dot product of two tensors."""

from __future__ import annotations

import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.merging.base_merge import Merge


def _l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    # Keras's ops.normalize: x * min(rsqrt(sum(x^2)), 1/epsilon).
    inv_norm = torch.rsqrt(torch.sum(x * x, dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / backend.epsilon())


def batch_dot(x: torch.Tensor, y: torch.Tensor, axes: tuple[int, int]) -> torch.Tensor:
    """Dot product of ``x`` and ``y`` along ``axes``, sample by sample.

    The result has ``x``'s remaining axes then ``y``'s (batch axis once); a
    rank-1 result becomes ``(batch, 1)``, as in Keras.
    """
    batch = x.shape[0]
    x = torch.movedim(x, axes[0], -1)
    y = torch.movedim(y, axes[1], 1)
    x_rest, y_rest = x.shape[1:-1], y.shape[2:]
    depth = x.shape[-1]
    out = torch.bmm(x.reshape(batch, -1, depth), y.reshape(batch, depth, -1))
    out = out.reshape(batch, *x_rest, *y_rest)
    return out.unsqueeze(-1) if out.dim() == 1 else out


class Dot(Merge):
    """Dot product of two inputs along the given axes, for each sample.

    For inputs of shapes ``(batch, 3, 5)`` and ``(batch, 10, 3)`` and
    ``axes=(1, 2)`` the output has shape ``(batch, 5, 10)``.

    Example:
        >>> a, b = lamina.Input((8,)), lamina.Input((8,))
        >>> lamina.layers.Dot(axes=1)([a, b]).shape
        (None, 1)

    Args:
        axes: an int, or a pair of ints (one axis per input); the sizes along
            them must match. The batch axis 0 cannot be used.
        normalize: L2-normalize both inputs along the axes first, so the output
            is the cosine similarity.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, list):
            axes = tuple(axes)
        if not isinstance(axes, int) and not (
            isinstance(axes, tuple)
            and len(axes) == 2
            and all(isinstance(a, int) for a in axes)
        ):
            raise ArgumentError(
                "Invalid value for argument `axes` of Dot: expected an integer or a "
                f"pair of integers. Received: axes={axes!r}"
            )
        self.axes = axes
        self.normalize = normalize

    def _positive_axes(self, shape1, shape2) -> tuple[int, int]:
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        axes = (pair[0] % len(shape1), pair[1] % len(shape2))
        if 0 in axes:
            raise ArgumentError(
                f"Layer '{self.name}': Dot cannot take the product over the batch "
                f"axis 0. Received: axes={self.axes} for shapes {tuple(shape1)} and "
                f"{tuple(shape2)}."
            )
        return axes

    def build(self, input_shape) -> None:
        self._check_is_list(input_shape)
        if len(input_shape) != 2:
            raise ArgumentError(
                f"Layer '{self.name}': a `Dot` layer should be called on a list of 2 "
                f"inputs. Received: input_shape={[tuple(s) for s in input_shape]}"
            )
        self._check_shapes(tuple(input_shape[0]), tuple(input_shape[1]))
        self.built = True

    def _check_shapes(self, shape1: tuple, shape2: tuple) -> tuple[int, int]:
        if len(shape1) < 2 or len(shape2) < 2:
            raise ShapeError(
                f"Layer '{self.name}': Dot needs inputs of rank 2 or more. Received "
                f"shapes {shape1} and {shape2}."
            )
        axes = self._positive_axes(shape1, shape2)
        d1, d2 = shape1[axes[0]], shape2[axes[1]]
        b1, b2 = shape1[0], shape2[0]
        if (d1 is not None and d2 is not None and d1 != d2) or (
            b1 is not None and b2 is not None and b1 != b2
        ):
            raise ShapeError(
                f"Layer '{self.name}': incompatible input shapes for Dot with "
                f"axes={self.axes}: axis values {d1} (at axis {axes[0]}) != {d2} "
                f"(at axis {axes[1]}), or the batch sizes differ. Full input shapes: "
                f"{shape1}, {shape2}"
            )
        return axes

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ArgumentError(
                f"Layer '{self.name}': a `Dot` layer should be called on a list of "
                "exactly 2 inputs."
            )
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs):
        x1, x2 = inputs
        axes = self._check_shapes(tuple(x1.shape), tuple(x2.shape))
        if self.normalize:
            x1 = _l2_normalize(x1, axes[0])
            x2 = _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ArgumentError(
                f"Layer '{self.name}': a `Dot` layer should be called on a list of 2 "
                f"inputs. Received: input_shape={input_shape}"
            )
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._positive_axes(shape1, shape2)
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output = shape1 + shape2
        if len(output) == 1:
            output.append(1)
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`.

    Example:
        >>> lamina.layers.dot([torch.ones(2, 3), torch.ones(2, 3)], axes=1).shape
        torch.Size([2, 1])

    Args:
        inputs: a list of two tensors.
        axes: the axis, or pair of axes, to take the dot product along.
        **kwargs: ``normalize`` and standard layer arguments.

    Returns:
        the per-sample dot products.
    """
    return Dot(axes=axes, **kwargs)(inputs)
