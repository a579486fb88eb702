"""ZeroPadding1D: pad a sequence with zeros at its start and end."""

from __future__ import annotations

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

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
