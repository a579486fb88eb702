"""TimeDistributed: apply a layer to every temporal slice of an input."""

from __future__ import annotations

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.core.wrapper import Wrapper
from lamina.layers.layer import Layer


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every timestep of a ``(batch, time, ...)`` input.

    The time axis is folded into the batch (``(batch * time, ...)``), the layer
    runs once, and the result is unfolded: one call instead of one per step.
    For layers whose computation is independent across samples (Dense, Conv2D,
    Dropout, ...) this equals Keras's per-step loop; the one difference is a
    BatchNormalization in training, whose batch statistics are then taken over
    all timesteps together rather than per timestep.

    Example:
        >>> layer = lamina.layers.TimeDistributed(lamina.layers.Dense(8))
        >>> layer(torch.zeros(32, 10, 16)).shape
        torch.Size([32, 10, 8])

    Args:
        layer: the layer to apply (a lamina Layer).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: ``(batch, time, ...)``.
        training: passed to the wrapped layer.
        mask: ``(batch, time, ...)``, passed (folded) to the wrapped layer if
            it takes one.

    Input shape:
        ``(batch, time, ...)``, at least 3-D.

    Output shape:
        ``(batch, time, ...)`` with the wrapped layer's output dimensions.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentError(
                "Please initialize `TimeDistributed` layer with a lamina Layer "
                f"instance. Received: {layer!r}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ShapeError(
                f"TimeDistributed layer '{self.name}' expects an input with at least 3 "
                f"dimensions (batch, time, ...), received shape {input_shape}."
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape) -> None:
        super().build(self._child_input_shape(tuple(input_shape)))

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_input_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        if inputs.dim() < 3:
            self._child_input_shape(tuple(inputs.shape))
        batch, steps = inputs.shape[0], inputs.shape[1]
        kwargs = {}
        if self.layer._call_takes_training:
            kwargs["training"] = training
        if mask is not None and self.layer._call_takes_mask:
            if tuple(mask.shape[:2]) != (batch, steps):
                raise ShapeError(
                    f"TimeDistributed layer '{self.name}': the mask of shape "
                    f"{tuple(mask.shape)} does not match the input of shape "
                    f"{tuple(inputs.shape)} in its first two dimensions."
                )
            kwargs["mask"] = mask.reshape(batch * steps, *mask.shape[2:])
        folded = inputs.reshape(batch * steps, *inputs.shape[2:])
        outputs = self.layer(folded, **kwargs)
        return outputs.reshape(batch, steps, *outputs.shape[1:])
