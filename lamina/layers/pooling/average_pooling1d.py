"""AveragePooling1D: average pooling over steps."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """1-D average pooling: the average of each ``pool_size`` window.

    With ``padding="same"`` each window's average is over its real elements
    only (padding is not counted), as in Keras with TensorFlow.

    Example:
        >>> layer = lamina.layers.AveragePooling1D(2)
        >>> layer(torch.zeros(4, 10, 8)).shape
        torch.Size([4, 5, 8])

    Args:
        pool_size: int or tuple of 1 ints, the window size (Keras 3 requires it;
            2 per axis by default, as in Keras 2).
        strides: int or tuple of 1 ints; ``None`` (default) means
            ``pool_size``.
        padding: ``"valid"`` (windows inside the input) or ``"same"`` (output
            size ``ceil(size / strides)``, extra padding at the end).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        3-D ``(batch, steps, channels)`` (channels_first: channels second).

    Output shape:
        3-D ``(batch, pooled steps, channels)`` (channels_first:
        channels second).
    """

    def __init__(
        self,
        pool_size=2,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            pool_size,
            strides,
            pool_dimensions=1,
            pool_mode="average",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
