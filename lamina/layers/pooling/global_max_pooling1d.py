"""GlobalMaxPooling1D: the maximum over all steps."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global maximum pooling over the steps of 1-D data.

    Example:
        >>> layer = lamina.layers.GlobalMaxPooling1D()
        >>> layer(torch.zeros(4, 10, 8)).shape
        torch.Size([4, 8])

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the spatial axes, with size 1.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        3-D ``(batch, steps, channels)`` (channels_first: channels second).

    Output shape:
        ``(batch, channels)``; with ``keepdims`` the spatial axes stay, as 1.
    """

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(
            pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs
        )

    def call(self, inputs):
        self._check(inputs)
        return inputs.amax(dim=self._axes, keepdim=self.keepdims)
