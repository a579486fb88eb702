"""ContrastLimitedAdaptiveHistogramEqualization: CLAHE, as Keras 3.15 computes it."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
)


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """Equalizes local contrast tile by tile, limiting how much it amplifies
    noise (CLAHE, Zuiderveld 1994).

    Each image (values mapped to ``[0, 255]`` and truncated to integers) is cut
    into ``tile_grid_size`` tiles, padded symmetrically at the bottom and
    right to whole tiles. Each channel of each tile gets a histogram whose
    bins are capped at ``clip_limit`` times their mean (the excess spread over
    all bins; 0 turns the cap off) and the cumulative distribution of it as a
    lookup table; a pixel's value interpolates bilinearly between the tables
    of the four nearest tiles. Deterministic; it acts in training and
    inference alike, and integer images come back in their dtype (truncated).

    Example:
        >>> layer = lamina.layers.ContrastLimitedAdaptiveHistogramEqualization(
        ...     tile_grid_size=(2, 2)
        ... )
        >>> layer(torch.rand(1, 8, 8, 3) * 255).shape
        torch.Size([1, 8, 8, 3])

    Args:
        value_range: the ``(min, max)`` range of the pixel values (default
            ``(0, 255)``).
        clip_limit: the cap on a histogram bin, in multiples of the mean bin
            (default 4).
        tile_grid_size: ``(rows, columns)`` of tiles (default ``(8, 8)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {shapes}
    """

    _CONFIG_KEYS = ("value_range", "clip_limit", "tile_grid_size")
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor(
        "value_range clip_limit tile_grid_size data_format",
        clip_limit=4.0,
        tile_grid_size=(8, 8),
    )
    _TRANSFORMS_AT_INFERENCE = True
    _COLOR_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.clip_limit = args.clip_limit
        self.tile_grid_size = tuple(args.tile_grid_size)

    def call(self, inputs, training=True):
        outputs = super().call(inputs, training)
        if isinstance(inputs, torch.Tensor) and not inputs.is_floating_point():
            return outputs.to(inputs.dtype)  # as Keras: back to the input's dtype
        return outputs

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if self.data_format == "channels_first":
            images = images.permute(0, 2, 3, 1)
        images = self._transform_value_range(images, self.value_range, (0, 255))
        images = self._transform_value_range(
            self._clahe(images), (0, 255), self.value_range
        )
        if self.data_format == "channels_first":
            images = images.permute(0, 3, 1, 2)
        return images

    def _clahe(self, images: torch.Tensor) -> torch.Tensor:
        """CLAHE of NHWC float images in ``[0, 255]``."""
        batch, height, width, channels = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        rows = _symmetric(tile_h * grid_h, height, images.device)
        cols = _symmetric(tile_w * grid_w, width, images.device)
        padded = images[:, rows][:, :, cols]
        pixels = padded.to(torch.int32).clamp(0, 255).long()

        tiles = pixels.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels)
        tiles = tiles.permute(0, 1, 3, 5, 2, 4).reshape(
            batch, grid_h, grid_w, channels, tile_h * tile_w
        )
        hists = torch.zeros(
            (batch, grid_h, grid_w, channels, 256), device=images.device
        )
        hists.scatter_add_(-1, tiles, torch.ones_like(tiles, dtype=hists.dtype))
        area = tile_h * tile_w
        if self.clip_limit > 0:
            clipped = hists.clamp(0, self.clip_limit * area / 256.0)
            excess = (hists - clipped).sum(dim=-1, keepdim=True)
            hists = clipped + excess / 256.0
        cdf = torch.cumsum(hists, dim=-1)
        cdf_min = cdf.amin(dim=-1, keepdim=True)
        denominator = area - cdf_min
        denominator = torch.where(denominator == 0, 1.0, denominator)
        tables = ((cdf - cdf_min) * 255.0 / denominator).clamp(0, 255)
        # A ring of copies of the edge tiles: every pixel has four neighbours.
        tables = torch.cat([tables[:, :1], tables, tables[:, -1:]], dim=1)
        tables = torch.cat([tables[:, :, :1], tables, tables[:, :, -1:]], dim=2)

        y0, y1, wy = _neighbours(tile_h * grid_h, tile_h, grid_h, images.device)
        x0, x1, wx = _neighbours(tile_w * grid_w, tile_w, grid_w, images.device)
        b = torch.arange(batch, device=images.device).view(-1, 1, 1, 1)
        c = torch.arange(channels, device=images.device).view(1, 1, 1, -1)
        y0, y1, wy = y0.view(1, -1, 1, 1), y1.view(1, -1, 1, 1), wy.view(1, -1, 1, 1)
        x0, x1, wx = x0.view(1, 1, -1, 1), x1.view(1, 1, -1, 1), wx.view(1, 1, -1, 1)
        top = (
            tables[b, y0, x0, c, pixels] * (1.0 - wx)
            + tables[b, y0, x1, c, pixels] * wx
        )
        bottom = (
            tables[b, y1, x0, c, pixels] * (1.0 - wx)
            + tables[b, y1, x1, c, pixels] * wx
        )
        result = top * (1.0 - wy) + bottom * wy
        return result[:, :height, :width]


def _symmetric(size: int, length: int, device) -> torch.Tensor:
    """Indices ``0 .. size-1`` folded into ``[0, length)`` as numpy's
    ``symmetric`` padding reads them (``abcd|dcba|abcd``)."""
    index = torch.arange(size, device=device) % (2 * length)
    return torch.where(index < length, index, 2 * length - 1 - index)


def _neighbours(size: int, tile: int, grid: int, device):
    """For each pixel row (or column): the two tile tables it interpolates
    between (in the ring-padded grid) and the weight of the second."""
    position = torch.arange(size, dtype=torch.float32, device=device) - tile / 2.0
    position = position / tile + 1.0
    first = torch.floor(position)
    weight = position - first
    first_index = first.clamp(0, grid + 1).long()
    second_index = (first + 1.0).clamp(0, grid + 1).long()
    return first_index, second_index, weight
