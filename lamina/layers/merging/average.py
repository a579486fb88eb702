"""Average: the element-wise mean of a list of tensors."""

from __future__ import annotations

from lamina.layers.merging.base_merge import Merge


class Average(Merge):
    """Averages a list of inputs element-wise.

    Example:
        >>> a, b = lamina.Input((16,)), lamina.Input((16,))
        >>> lamina.layers.Average()([a, b]).shape
        (None, 16)

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`.

    Example:
        >>> lamina.layers.average([torch.zeros(2, 3), torch.ones(2, 3)])[0, 0].item()
        0.5

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments.

    Returns:
        the element-wise mean of the inputs.
    """
    return Average(**kwargs)(inputs)
