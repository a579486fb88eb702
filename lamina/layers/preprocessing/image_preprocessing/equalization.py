"""Equalization: spread the histogram of each colour channel evenly."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
)


class Equalization(BaseImagePreprocessingLayer):
    """Equalizes the histogram of each channel, as Keras 3.15 does.

    Each channel's values (mapped to ``[0, 255]``) are counted in ``bins``
    bins and sent through their cumulative distribution, so the output
    spreads over the whole range. As in Keras, one histogram covers a channel
    across the whole batch (each image alone for an unbatched call), a channel
    with one occupied bin is left alone, and the layer equalizes only in
    training (a direct call or ``fit``); inference returns the input (as
    float).

    Example:
        >>> layer = lamina.layers.Equalization(value_range=(0, 1))
        >>> layer(torch.tensor([[[[0.1], [0.2], [0.3], [0.4]]]]))[0, 0, :, 0]
        tensor([0.0000, 0.3333, 0.6667, 1.0000])

    Args:
        value_range: the ``(min, max)`` range of the pixel values (default
            ``(0, 255)``).
        bins: the number of histogram bins (default 256).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {shapes}
    """

    _CONFIG_KEYS = ("bins", "value_range")
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor("value_range bins data_format", bins=256)
    _COLOR_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.bins = args.bins

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training:
            return images
        axis = self._channel_axis(images.dim())
        channels = [self._equalize(channel) for channel in images.unbind(axis)]
        return torch.stack(channels, dim=axis)

    def _equalize(self, channel: torch.Tensor) -> torch.Tensor:
        low, high = self.value_range
        channel = _rescale(channel, (low, high), (0, 255))
        scaled = (channel - 0.0) * (self.bins - 1) / 255.0
        indices = scaled.to(torch.int32).clamp(0, self.bins - 1).reshape(-1)
        histogram = torch.bincount(indices, minlength=self.bins)
        if int(torch.count_nonzero(histogram)) > 1:
            cdf = torch.cumsum(histogram, dim=0)
            cdf_min = cdf[cdf.nonzero()[0, 0]]
            denominator = cdf[-1] - cdf_min
            denominator = torch.where(denominator == 0, 1, denominator)
            table = ((cdf - cdf_min) * 255 / denominator).round().clamp(0, 255)
            lookup = (channel / 255.0 * (self.bins - 1)).clamp(0, self.bins - 1)
            channel = table[lookup.to(torch.int32)].to(channel.dtype)
        return _rescale(channel, (0, 255), (low, high))


def _rescale(values, source, target):
    """Keras's linear map between value ranges (its arithmetic, to the bit)."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return values * scale + (target[0] - source[0] * scale)
