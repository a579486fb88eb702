"""MaxPooling1D: maximum pooling over steps."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """1-D maximum pooling: the maximum of each ``pool_size`` window.

    Example:
        >>> layer = lamina.layers.MaxPooling1D(2)
        >>> layer(torch.zeros(4, 10, 8)).shape
        torch.Size([4, 5, 8])

    Args:
        pool_size: int or tuple of 1 ints, the window size.
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
            pool_mode="max",
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )
