"""Add: the element-wise sum of a list of tensors."""

from __future__ import annotations

from lamina.layers.merging.base_merge import Merge


class Add(Merge):
    """Adds a list of inputs element-wise.

    All inputs have the same shape (or shapes that broadcast: sizes equal or 1);
    the output has that shape.

    Example:
        >>> a, b = lamina.Input((16,)), lamina.Input((16,))
        >>> lamina.layers.Add()([a, b]).shape
        (None, 16)

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


def add(inputs, **kwargs):
    """Functional form of `Add`: ``add([a, b])`` is ``Add()([a, b])``.

    Example:
        >>> lamina.layers.add([torch.ones(2, 3), torch.ones(2, 3)])[0, 0].item()
        2.0

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments.

    Returns:
        the sum of the inputs.
    """
    return Add(**kwargs)(inputs)
