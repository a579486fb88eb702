"""Cropping2D: crop the spatial axes of 2-D feature maps."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_pairs
from lamina.layers.reshaping.cropping import BaseCropping
from lamina.layers.reshaping.flatten import standardize_data_format


class Cropping2D(BaseCropping):
    """Crops the rows and columns of 2-D feature maps; the output is a view.

    Example:
        >>> layer = lamina.layers.Cropping2D(cropping=((2, 2), (1, 1)))
        >>> layer(torch.zeros(2, 8, 8, 3)).shape
        torch.Size([2, 4, 6, 3])

    Args:
        cropping: int (the same on every side), 2 ints (symmetric per axis),
            or 2 pairs of non-negative ints (before, after), one per
            spatial axis (default ``((0, 0), (0, 0))``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.

    Output shape:
        the same, each spatial size reduced by its ``before + after``.
    """

    _rank = 4
    _layout = "(batch, rows, cols, channels)"

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Cropping2D")
        self.cropping = standardize_pairs(cropping, 2, "cropping", "Cropping2D")
        self._pairs = self.cropping
        self.input_spec = InputSpec(ndim=4)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
