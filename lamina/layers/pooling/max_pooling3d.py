"""MaxPooling3D: maximum pooling over depth, height, width."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """3-D maximum pooling: the maximum of each ``pool_size`` window.

    Example:
        >>> layer = lamina.layers.MaxPooling3D(2)
        >>> layer(torch.zeros(2, 6, 8, 8, 3)).shape
        torch.Size([2, 3, 4, 4, 3])

    Args:
        pool_size: int or tuple of 3 ints, the window size.
        strides: int or tuple of 3 ints; ``None`` (default) means
            ``pool_size``.
        padding: ``"valid"`` (windows inside the input) or ``"same"`` (output
            size ``ceil(size / strides)``, extra padding at the end).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        5-D ``(batch, depth, height, width, channels)`` (channels_first:
        channels second).

    Output shape:
        5-D ``(batch, pooled depth, height, width, channels)`` (channels_first:
        channels second).
    """

    def __init__(
        self,
        pool_size=(2, 2, 2),
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            pool_size,
            strides,
            pool_dimensions=3,
            pool_mode="max",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
