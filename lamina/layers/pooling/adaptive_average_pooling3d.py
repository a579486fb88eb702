"""AdaptiveAveragePooling3D: average pooling to a fixed 3-D output size."""

from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive 3-D average pooling: the output has ``output_size`` whatever the input.

    Output cell ``i`` of an axis of input length ``n`` pools positions
    ``floor(i * n / out)`` up to ``ceil((i + 1) * n / out)``.

    Example:
        >>> layer = lamina.layers.AdaptiveAveragePooling3D(3)
        >>> layer(torch.zeros(2, 6, 8, 8, 3)).shape
        torch.Size([2, 3, 3, 3, 3])

    Args:
        output_size: int or tuple of 3 positive ints, the output's
            (depth, height, width).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        5-D ``(batch, depth, height, width, channels)`` (channels_first:
        channels second).

    Output shape:
        5-D ``(batch, *output_size, channels)`` (channels_first: channels
        second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, output_size, "average", data_format=data_format, **kwargs)
