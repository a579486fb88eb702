"""UpSampling3D: repeat the voxels of 3-D feature maps."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_tuple
from lamina.layers.reshaping.flatten import standardize_data_format
from lamina.layers.reshaping.up_sampling import BaseUpSampling


class UpSampling3D(BaseUpSampling):
    """Repeats each voxel ``size[i]`` times along each of the three spatial axes.

    Example:
        >>> layer = lamina.layers.UpSampling3D(size=2)
        >>> layer(torch.zeros(1, 2, 3, 4, 5)).shape
        torch.Size([1, 4, 6, 8, 5])

    Args:
        size: int or 3 positive ints, the repetition factors (``2``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` or channels first.

    Output shape:
        each spatial size multiplied by its factor.
    """

    _rank = 5

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "UpSampling3D")
        self.size = standardize_tuple(size, 3, "size", "UpSampling3D")
        self._sizes = self.size
        self._set_axes(self.data_format)
        self.input_spec = InputSpec(ndim=5)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
