"""AdaptiveMaxPooling1D: max pooling to a fixed (steps) output size."""

from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive 1-D max pooling: the output has ``output_size`` whatever the input.

    Output cell ``i`` of an axis of input length ``n`` pools positions
    ``floor(i * n / out)`` up to ``ceil((i + 1) * n / out)``.

    Example:
        >>> layer = lamina.layers.AdaptiveMaxPooling1D(3)
        >>> layer(torch.zeros(4, 10, 8)).shape
        torch.Size([4, 3, 8])

    Args:
        output_size: int or tuple of 1 positive ints, the output's
            (steps).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        3-D ``(batch, steps, channels)`` (channels_first: channels second).

    Output shape:
        3-D ``(batch, *output_size, channels)`` (channels_first: channels
        second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, output_size, "max", data_format=data_format, **kwargs)
