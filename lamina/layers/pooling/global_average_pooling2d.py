"""GlobalAveragePooling2D: the mean over all height, width."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global mean pooling over the height, width of 2-D data.

    Example:
        >>> layer = lamina.layers.GlobalAveragePooling2D()
        >>> layer(torch.zeros(4, 28, 28, 3)).shape
        torch.Size([4, 3])

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the spatial axes, with size 1.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        4-D ``(batch, height, width, channels)`` (channels_first: channels second).

    Output shape:
        ``(batch, channels)``; with ``keepdims`` the spatial axes stay, as 1.
    """

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(
            pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs
        )

    def call(self, inputs):
        self._check(inputs)
        return inputs.mean(dim=self._axes, keepdim=self.keepdims)
