"""GlobalAveragePooling1D: the mean over all steps."""

from __future__ import annotations

from lamina.layers.pooling import base_global_pooling


class GlobalAveragePooling1D(base_global_pooling.BaseGlobalPooling):
    __doc__ = base_global_pooling.docstring(
        1,
        "average",
        call_args=(
            ("inputs", "a 3-D tensor."),
            (
                "mask",
                "optional ``(batch, steps)`` boolean tensor (or the mask an "
                "`Embedding(mask_zero=True)` / `Masking` layer attached): masked "
                "steps are excluded from the average.",
            ),
        ),
    )
    rank = 1
    pool_mode = "average"
    supports_masking = True

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
