"""Subtract: the difference of exactly two tensors."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.merging.base_merge import Merge


class Subtract(Merge):
    """Subtracts two inputs: ``inputs[0] - inputs[1]``.

    Example:
        >>> a, b = lamina.Input((16,)), lamina.Input((16,))
        >>> lamina.layers.Subtract()([a, b]).shape
        (None, 16)

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ArgumentError(
                f"Layer '{self.name}': a `Subtract` layer should be called on exactly "
                f"2 inputs. Received {len(input_shape)} inputs: input_shape="
                f"{[tuple(s) for s in input_shape]}"
            )

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ArgumentError(
                f"Layer '{self.name}': a `Subtract` layer should be called on exactly "
                f"2 inputs. Received {len(inputs)} inputs."
            )
        return inputs[0] - inputs[1]


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: ``subtract([a, b])`` is ``a - b``.

    Example:
        >>> lamina.layers.subtract([torch.ones(2, 3), torch.ones(2, 3)])[0, 0].item()
        0.0

    Args:
        inputs: a list of two tensors of the same shape.
        **kwargs: standard layer arguments.

    Returns:
        the difference of the inputs.
    """
    return Subtract(**kwargs)(inputs)
