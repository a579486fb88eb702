"""MaxPooling2D: maximum pooling over height, width."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """2-D maximum pooling: the maximum of each ``pool_size`` window.

    Example:
        >>> layer = lamina.layers.MaxPooling2D(2)
        >>> layer(torch.zeros(4, 28, 28, 3)).shape
        torch.Size([4, 14, 14, 3])

    Args:
        pool_size: int or tuple of 2 ints, the window size.
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
            pool_mode="max",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
