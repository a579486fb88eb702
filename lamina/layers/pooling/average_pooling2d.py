"""AveragePooling2D: average pooling over height, width."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """2-D average pooling: the average of each ``pool_size`` window.

    With ``padding="same"`` each window's average is over its real elements
    only (padding is not counted), as in Keras with TensorFlow.

    Example:
        >>> layer = lamina.layers.AveragePooling2D(2)
        >>> layer(torch.zeros(4, 28, 28, 3)).shape
        torch.Size([4, 14, 14, 3])

    Args:
        pool_size: int or tuple of 2 ints, the window size (Keras 3 requires it;
            2 per axis by default, as in Keras 2).
        strides: int or tuple of 2 ints; ``None`` (default) means
            ``pool_size``.
        padding: ``"valid"`` (windows inside the input) or ``"same"`` (output
            size ``ceil(size / strides)``, extra padding at the end).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        4-D ``(batch, height, width, channels)`` (channels_first: channels second).

    Output shape:
        4-D ``(batch, pooled height, width, channels)`` (channels_first:
        channels second).
    """

    def __init__(
        self,
        pool_size=(2, 2),
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            pool_size,
            strides,
            pool_dimensions=2,
            pool_mode="average",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
