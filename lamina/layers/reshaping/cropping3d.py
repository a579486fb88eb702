"""Cropping3D: crop the spatial axes of 3-D feature maps."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_pairs
from lamina.layers.reshaping.cropping import BaseCropping
from lamina.layers.reshaping.flatten import standardize_data_format


class Cropping3D(BaseCropping):
    """Crops the three spatial axes of 3-D feature maps; the output is a view.

    Example:
        >>> layer = lamina.layers.Cropping3D(cropping=1)
        >>> layer(torch.zeros(2, 6, 6, 6, 3)).shape
        torch.Size([2, 4, 4, 4, 3])

    Args:
        cropping: int (the same on every side), 3 ints (symmetric per axis),
            or 3 pairs of non-negative ints (before, after), one per
            spatial axis (default ``((1, 1), (1, 1), (1, 1))``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` or
        ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        the same, each spatial size reduced by its ``before + after``.
    """

    _rank = 5
    _layout = "(batch, dim1, dim2, dim3, channels)"

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Cropping3D")
        self.cropping = standardize_pairs(cropping, 3, "cropping", "Cropping3D")
        self._pairs = self.cropping
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
