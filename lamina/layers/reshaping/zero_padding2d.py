"""ZeroPadding2D: pad the spatial axes of 2-D feature maps with zeros."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_pairs
from lamina.layers.reshaping.flatten import standardize_data_format
from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    """Adds zeros around the spatial axes of 2-D feature maps.

    Example:
        >>> layer = lamina.layers.ZeroPadding2D(padding=(1, 2))
        >>> layer(torch.zeros(2, 4, 4, 3)).shape
        torch.Size([2, 6, 8, 3])

    Args:
        padding: int (the same on every side), 2 ints (symmetric per axis),
            or 2 pairs of non-negative ints ``(before, after)``, one per
            spatial axis (default ``(1, 1)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.

    Output shape:
        the same, each spatial size grown by its ``before + after``.
    """

    _rank = 4
    _layout = "(batch, rows, cols, channels)"

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "ZeroPadding2D")
        self.padding = standardize_pairs(padding, 2, "padding", "ZeroPadding2D")
        self._pairs = self.padding
        self._finish_init()
        self.input_spec = InputSpec(ndim=4)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
