"""Merge: the base class of the layers that combine a list of tensors."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer


class Merge(Layer):
    """Base class of the element-wise merge layers (`Add`, `Maximum`, ...).

    A subclass only defines ``_merge_function(inputs)``. This class checks at
    build time that the input shapes broadcast together (sizes equal, or 1),
    lines up inputs of different ranks by inserting axes after the batch axis,
    and ORs the input masks, as Keras does.

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError(
            f"{type(self).__name__} must define _merge_function(inputs)."
        )

    # ------------------------------------------------------------ shape checks
    def _check_is_list(self, input_shape) -> None:
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not all(isinstance(s, (list, tuple)) for s in input_shape)
        ):
            raise ArgumentError(
                f"Layer '{self.name}' ({type(self).__name__}) should be called on a "
                f"list of inputs. Received: input_shape={input_shape}"
            )

    def _broadcast_shapes(self, shape1, shape2) -> tuple:
        """The element-wise result shape of two shapes without their batch axis."""
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        output = list(shape1[: -len(shape2)])
        for i, j in zip(shape1[-len(shape2) :], shape2):
            if i is None or j is None:
                output.append(None)
            elif i == 1 or j == 1 or i == j:
                output.append(j if i == 1 else i)
            else:
                raise ShapeError(
                    f"Layer '{self.name}' ({type(self).__name__}): inputs have "
                    f"incompatible shapes. Received shapes {tuple(shape1)} and "
                    f"{tuple(shape2)} (batch axis left out)."
                )
        return tuple(output)

    def _output_shape_without_batch(self, input_shapes) -> tuple:
        output = tuple(input_shapes[0][1:])
        for shape in input_shapes[1:]:
            output = self._broadcast_shapes(output, tuple(shape[1:]))
        return output

    def build(self, input_shape) -> None:
        self._check_is_list(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ShapeError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot merge tensors "
                f"with different batch sizes. Received tensors with shapes "
                f"{[tuple(s) for s in input_shape]}"
            )
        self._output_shape_without_batch(input_shape)
        self._reshape_required = len({len(s) for s in input_shape}) > 1
        self.built = True

    # ------------------------------------------------------------ computing
    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ArgumentError(
                f"Layer '{self.name}' ({type(self).__name__}) should be called on a "
                f"list of inputs. Received a single tensor of shape "
                f"{tuple(inputs.shape)}."
            )
        first = inputs[0].shape
        if any(x.shape != first for x in inputs[1:]):
            # Only unequal shapes need the check; equal ones are the common case.
            shapes = [tuple(x.shape) for x in inputs]
            self._output_shape_without_batch(shapes)
            if len({len(s) for s in shapes}) > 1:
                # Keras lines ranks up by inserting axes right after the batch axis.
                rank = max(len(s) for s in shapes)
                inputs = [
                    x.reshape(x.shape[:1] + (1,) * (rank - x.dim()) + x.shape[1:])
                    for x in inputs
                ]
        return self._merge_function(list(inputs))

    def _apply_merge_op_and_or_mask(self, op, inputs: list[torch.Tensor]):
        """Fold ``op`` over ``inputs``, skipping masked-out entries of each input.

        Where an input is masked out, the running result (or the input) is
        used instead, so masked steps never win a maximum or a minimum.
        """
        output = None
        output_mask = None
        for x in inputs:
            mask = getattr(x, "_keras_mask", None)
            if mask is not None:
                mask = mask.unsqueeze(-1).expand(x.shape)
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = torch.where(mask, x, output)
            if output_mask is not None:
                output = torch.where(output_mask, output, x)
            output_mask = (
                (output_mask | mask)
                if (mask is not None and output_mask is not None)
                else None
            )
            output = op(output, x)
        return output

    def compute_output_shape(self, input_shape):
        self._check_is_list(input_shape)
        output = self._output_shape_without_batch(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch, *output)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or not isinstance(inputs, (list, tuple)):
            raise ArgumentError(
                f"Layer '{self.name}': `inputs` and `mask` should be lists. "
                f"Received: mask={mask}"
            )
        if len(mask) != len(inputs):
            raise ArgumentError(
                f"Layer '{self.name}': the lists `inputs` and `mask` should have the "
                f"same length. Received {len(inputs)} inputs and {len(mask)} masks."
            )
        if any(m is None for m in mask):
            return None
        output_mask = mask[0]
        for m in mask[1:]:
            output_mask = output_mask | m
        return output_mask


class ElementwiseExtremum(Merge):
    """Base of `Maximum` and `Minimum`: fold ``_op`` over the inputs.

    With masks, an input's masked-out entries are skipped, so they never give
    the result (see `_apply_merge_op_and_or_mask`).
    """

    _op = staticmethod(torch.maximum)  # or torch.minimum

    def _merge_function(self, inputs):
        if all(getattr(x, "_keras_mask", None) is None for x in inputs):
            output = inputs[0]
            for x in inputs[1:]:
                output = self._op(output, x)
            return output
        return self._apply_merge_op_and_or_mask(self._op, inputs)


def extremum_docstrings(layer: str, extremum: str, superlative: str) -> tuple[str, str]:
    """The docstrings of `Maximum`/`Minimum` and of their functional forms.

    Args:
        layer: the class name (``"Maximum"``).
        extremum: what it computes (``"maximum"``), also the function's name.
        superlative: the value it keeps (``"largest"``).
    """
    layer_doc = f"""The element-wise {extremum} of a list of inputs.

    With masks, an entry masked out in one input never gives the {superlative}
    value: the other inputs' entries are used there (as in Keras).

    Example:
        >>> a, b = lamina.Input((16,)), lamina.Input((16,))
        >>> lamina.layers.{layer}()([a, b]).shape
        (None, 16)

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """
    function_doc = f"""Functional form of `{layer}`.

    Example:
        >>> lamina.layers.{extremum}([torch.zeros(2, 3), torch.ones(2, 3)]).shape
        torch.Size([2, 3])

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments.

    Returns:
        the element-wise {extremum} of the inputs.
    """
    return layer_doc, function_doc
