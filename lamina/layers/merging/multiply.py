"""Multiply: the element-wise product of a list of tensors."""

from __future__ import annotations

import torch

from lamina.layers.merging.base_merge import Merge


class Multiply(Merge):
    """Multiplies a list of inputs element-wise.

    With masks, masked-out entries of an input count as 1 in the product, and
    entries masked out in every input are 0 (as in Keras).

    Example:
        >>> a, b = lamina.Input((16,)), lamina.Input((16,))
        >>> lamina.layers.Multiply()([a, b]).shape
        (None, 16)

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def _merge_function(self, inputs):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        if all(m is None for m in masks):
            output = inputs[0]
            for x in inputs[1:]:
                output = output * x
            return output
        all_masked = all(m is not None for m in masks)
        output = None
        output_mask = None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = mask.unsqueeze(-1).expand(x.shape)
                x = torch.where(mask, x, torch.ones((), dtype=x.dtype, device=x.device))
                if all_masked:
                    output_mask = mask if output_mask is None else output_mask | mask
            output = x if output is None else output * x
        if all_masked:
            output = torch.where(
                output_mask,
                output,
                torch.zeros((), dtype=output.dtype, device=output.device),
            )
        return output


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`.

    Example:
        >>> twos, threes = torch.full((2, 3), 2.0), torch.full((2, 3), 3.0)
        >>> lamina.layers.multiply([twos, threes])[0, 0]
        tensor(6.)

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments.

    Returns:
        the element-wise product of the inputs.
    """
    return Multiply(**kwargs)(inputs)
