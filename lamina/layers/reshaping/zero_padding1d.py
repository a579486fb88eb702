"""ZeroPadding1D: pad a sequence with zeros at its start and end."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.base_spatial import standardize_tuple
from lamina.layers.reshaping.flatten import standardize_data_format
from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    """Adds rows of zeros at the start and the end of the steps axis.

    Example:
        >>> layer = lamina.layers.ZeroPadding1D(padding=(1, 2))
        >>> layer(torch.ones(2, 3, 4)).shape
        torch.Size([2, 6, 4])

    Args:
        padding: int or pair of non-negative ints ``(start, end)`` (``1``).
        data_format: ``"channels_last"`` (default: steps on axis 1) or
            ``"channels_first"`` (steps on axis 2).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, steps, features)`` or ``(batch, features, steps)``.

    Output shape:
        the same with ``steps + start + end`` steps.
    """

    _rank = 3
    _layout = "(batch, steps, features)"

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "ZeroPadding1D")
        self.padding = standardize_tuple(
            padding, 2, "padding", "ZeroPadding1D", allow_zero=True
        )
        self._pairs = (self.padding,)
        self._finish_init()
        self.input_spec = InputSpec(ndim=3)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
