"""GlobalAveragePooling1D: the mean over all steps."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global mean pooling over the steps of 1-D data.

    Example:
        >>> layer = lamina.layers.GlobalAveragePooling1D()
        >>> layer(torch.zeros(4, 10, 8)).shape
        torch.Size([4, 8])

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the spatial axes, with size 1.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Call arguments:
        inputs: a 3-D tensor.
        mask: optional ``(batch, steps)`` boolean tensor (or the mask an
            `Embedding(mask_zero=True)` / `Masking` layer attached): masked
            steps are excluded from the average.

    Input shape:
        3-D ``(batch, steps, channels)`` (channels_first: channels second).

    Output shape:
        ``(batch, channels)``; with ``keepdims`` the spatial axes stay, as 1.
    """

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(
            pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs
        )
        self.supports_masking = True

    def call(self, inputs, mask=None):
        self._check(inputs)
        if mask is None:
            return inputs.mean(dim=self._axes, keepdim=self.keepdims)
        # Masked steps are left out of both the sum and the count.
        keep = mask.unsqueeze(2 if self.data_format == "channels_last" else 1).bool()
        total = inputs.masked_fill(~keep, 0).sum(dim=self._axes, keepdim=self.keepdims)
        count = keep.sum(dim=self._axes, keepdim=self.keepdims).to(inputs.dtype)
        return total / count

    def compute_mask(self, inputs, previous_mask=None):
        return None
