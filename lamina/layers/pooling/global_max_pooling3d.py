"""GlobalMaxPooling3D: the maximum over all depth, height, width."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global maximum pooling over the depth, height, width of 3-D data.

    Example:
        >>> layer = lamina.layers.GlobalMaxPooling3D()
        >>> layer(torch.zeros(2, 6, 8, 8, 3)).shape
        torch.Size([2, 3])

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the spatial axes, with size 1.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        5-D ``(batch, depth, height, width, channels)`` (channels_first:
        channels second).

    Output shape:
        ``(batch, channels)``; with ``keepdims`` the spatial axes stay, as 1.
    """

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(
            pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs
        )

    def call(self, inputs):
        self._check(inputs)
        return inputs.amax(dim=self._axes, keepdim=self.keepdims)
