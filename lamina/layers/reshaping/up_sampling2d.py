"""UpSampling2D: enlarge 2-D feature maps by nearest-neighbour or interpolation."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.errors import ArgumentError
from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_tuple
from lamina.layers.reshaping.flatten import standardize_data_format
from lamina.layers.reshaping.up_sampling import BaseUpSampling

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


class UpSampling2D(BaseUpSampling):
    """Scales rows by ``size[0]`` and columns by ``size[1]``.

    ``"nearest"`` repeats each pixel. ``"bilinear"`` and ``"bicubic"`` resize
    with half-pixel centers (``F.interpolate(..., align_corners=False)``, no
    antialiasing), which is what Keras's ``ops.image.resize`` does; bicubic
    uses torch's cubic kernel (a = -0.75), as Keras on its torch backend.

    Example:
        >>> layer = lamina.layers.UpSampling2D(size=(2, 3), interpolation="bilinear")
        >>> layer(torch.zeros(1, 4, 4, 2)).shape
        torch.Size([1, 8, 12, 2])

    Args:
        size: int or 2 positive ints, the factors for rows and columns (``2``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        interpolation: ``"nearest"`` (default), ``"bilinear"`` or ``"bicubic"``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.

    Output shape:
        rows and columns multiplied by ``size``.
    """

    _rank = 4

    def __init__(
        self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs
    ):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "UpSampling2D")
        self.size = standardize_tuple(size, 2, "size", "UpSampling2D")
        if (
            not isinstance(interpolation, str)
            or interpolation.lower() not in _INTERPOLATIONS
        ):
            raise ArgumentError(
                f"UpSampling2D: `interpolation` must be one of {_INTERPOLATIONS}. "
                f"Received: interpolation={interpolation!r}"
            )
        self.interpolation = interpolation.lower()
        self._sizes = self.size
        self._set_axes(self.data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        channels_last = self.data_format == "channels_last"
        # A permuted view: F.interpolate runs on the channels-last memory as is.
        x = inputs.permute(0, 3, 1, 2) if channels_last else inputs
        size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        out = F.interpolate(x, size=size, mode=self.interpolation, align_corners=False)
        return out.permute(0, 2, 3, 1) if channels_last else out

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "size": self.size,
                "data_format": self.data_format,
                "interpolation": self.interpolation,
            }
        )
        return config
