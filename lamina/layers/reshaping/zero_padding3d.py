"""ZeroPadding3D: pad the spatial axes of 3-D feature maps with zeros."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_pairs
from lamina.layers.reshaping.flatten import standardize_data_format
from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    """Adds zeros around the spatial axes of 3-D feature maps.

    Example:
        >>> layer = lamina.layers.ZeroPadding3D(padding=1)
        >>> layer(torch.zeros(2, 3, 3, 3, 4)).shape
        torch.Size([2, 5, 5, 5, 4])

    Args:
        padding: int (the same on every side), 3 ints (symmetric per axis),
            or 3 pairs of non-negative ints ``(before, after)``, one per
            spatial axis (default ``((1, 1), (1, 1), (1, 1))``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` or
        ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        the same, each spatial size grown by its ``before + after``.
    """

    _rank = 5
    _layout = "(batch, dim1, dim2, dim3, channels)"

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "ZeroPadding3D")
        self.padding = standardize_pairs(padding, 3, "padding", "ZeroPadding3D")
        self._pairs = self.padding
        self._finish_init()
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
