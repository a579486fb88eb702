"""PReLU: a leaky ReLU whose negative slope is learned."""

from __future__ import annotations

import torch

from lamina import constraints, initializers, regularizers
from lamina.errors import ShapeError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.serialization import serialize_keras_object


class PReLU(Layer):
    """Parametric ReLU: ``x`` if ``x >= 0`` else ``alpha * x``, ``alpha`` learned.

    ``alpha`` has the input's shape without the batch axis, with size 1 along
    `shared_axes` (e.g. ``shared_axes=[1, 2]`` for one slope per channel of an
    image).

    Example:
        >>> layer = lamina.layers.PReLU(shared_axes=[1, 2])
        >>> layer(torch.zeros(4, 8, 8, 3)).shape
        torch.Size([4, 8, 8, 3])
        >>> tuple(layer.alpha.shape)
        (1, 1, 3)

    Args:
        alpha_initializer: initializer of the slopes (``"Zeros"``).
        alpha_regularizer: penalty on the slopes.
        alpha_constraint: constraint on the slopes.
        shared_axes: the axes (1-based, batch is 0) along which one slope is
            shared.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any, with known sizes after the batch axis.

    Output shape:
        the input's.
    """

    def __init__(
        self,
        alpha_initializer="Zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape) -> None:
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ShapeError(
                    f"Layer '{self.name}': shared_axes={self.shared_axes} do not fit "
                    f"an input of shape {tuple(input_shape)} (axes count from 1 "
                    "after the batch axis)."
                )
            param_shape[axis - 1] = 1
        if None in param_shape:
            raise ShapeError(
                f"Layer '{self.name}': PReLU needs known sizes after the batch axis "
                f"(or shared_axes over the unknown ones). Received input shape "
                f"{tuple(input_shape)}."
            )
        self.alpha = self.add_weight(
            shape=param_shape,
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {
            i: input_shape[i]
            for i in range(1, len(input_shape))
            if i not in (self.shared_axes or [])
        }
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        # Same values as Keras's relu(x) - alpha * relu(-x), in one pass.
        return torch.where(inputs > 0, inputs, self.alpha * inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "alpha_initializer": serialize_keras_object(self.alpha_initializer),
                "alpha_regularizer": serialize_keras_object(self.alpha_regularizer),
                "alpha_constraint": serialize_keras_object(self.alpha_constraint),
                "shared_axes": self.shared_axes,
            }
        )
        return config
