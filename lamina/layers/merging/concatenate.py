"""Concatenate: join a list of tensors along one axis."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.merging.base_merge import Merge


class Concatenate(Merge):
    """Concatenates a list of inputs along `axis`.

    All inputs have the same shape except along the concatenation axis.

    Example:
        >>> a, b = lamina.Input((4, 8)), lamina.Input((4, 3))
        >>> lamina.layers.Concatenate()([a, b]).shape
        (None, 4, 11)

    Args:
        axis: the axis to concatenate along (``-1``, the last, by default).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ArgumentError(
                f"Concatenate: `axis` must be an integer. Received: axis={axis!r}"
            )
        self.axis = axis

    def build(self, input_shape) -> None:
        self._check_is_list(input_shape)
        shapes = [tuple(s) for s in input_shape]
        self._check_shapes(shapes)
        self.built = True

    def _check_shapes(self, shapes: list[tuple]) -> None:
        problem = None
        if len({len(s) for s in shapes}) != 1:
            problem = "all inputs must have the same rank"
        elif not -len(shapes[0]) <= self.axis < len(shapes[0]):
            problem = f"axis={self.axis} is out of range for rank {len(shapes[0])}"
        else:
            axis = self.axis % len(shapes[0])
            for position in range(len(shapes[0])):
                if position == axis:
                    continue
                sizes = {s[position] for s in shapes} - {None}
                if len(sizes) > 1:
                    problem = f"the sizes along axis {position} differ"
                    break
        if problem:
            raise ShapeError(
                f"Layer '{self.name}': a `Concatenate` layer requires inputs with "
                f"matching shapes except for the concatenation axis ({problem}). "
                f"Received: input_shape={shapes}"
            )

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ArgumentError(
                f"Layer '{self.name}' (Concatenate) should be called on a list of "
                f"inputs. Received a single tensor of shape {tuple(inputs.shape)}."
            )
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs):
        try:
            return torch.cat(inputs, dim=self.axis)
        except RuntimeError:
            # Shapes changed since build; say which ones, in Keras's words.
            self._check_shapes([tuple(x.shape) for x in inputs])
            raise

    def compute_output_shape(self, input_shape):
        self._check_is_list(input_shape)
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            if output[self.axis] is None or shape[self.axis] is None:
                output[self.axis] = None
                break
            output[self.axis] += shape[self.axis]
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        if len(mask) != len(inputs):
            raise ArgumentError(
                f"Layer '{self.name}': the lists `inputs` and `mask` should have the "
                f"same length. Received {len(inputs)} inputs and {len(mask)} masks."
            )
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(torch.ones(x.shape, dtype=torch.bool, device=x.device))
            elif m.dim() < x.dim():
                masks.append(m.unsqueeze(-1).expand(x.shape))
            else:
                masks.append(m)
        return torch.cat(masks, dim=self.axis).any(dim=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def concatenate(inputs, axis: int = -1, **kwargs):
    """Functional form of `Concatenate`.

    Example:
        >>> lamina.layers.concatenate([torch.ones(2, 3), torch.ones(2, 4)]).shape
        torch.Size([2, 7])

    Args:
        inputs: a list of tensors.
        axis: the concatenation axis.
        **kwargs: standard layer arguments.

    Returns:
        the inputs joined along `axis`.
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
