"""Minimum: the element-wise minimum of a list of tensors."""

from __future__ import annotations

import torch

from lamina.layers.merging.base_merge import Merge


class Minimum(Merge):
    """The element-wise minimum of a list of inputs.

    With masks, an entry masked out in one input never gives the smallest value:
    the other inputs' entries are used there (as in Keras).

    Example:
        >>> a, b = lamina.Input((16,)), lamina.Input((16,))
        >>> lamina.layers.Minimum()([a, b]).shape
        (None, 16)

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def _merge_function(self, inputs):
        if all(getattr(x, "_keras_mask", None) is None for x in inputs):
            output = inputs[0]
            for x in inputs[1:]:
                output = torch.minimum(output, x)
            return output
        return self._apply_merge_op_and_or_mask(torch.minimum, inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`.

    Example:
        >>> lamina.layers.minimum([torch.zeros(2, 3), torch.ones(2, 3)]).shape
        torch.Size([2, 3])

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments.

    Returns:
        the element-wise minimum of the inputs.
    """
    return Minimum(**kwargs)(inputs)
