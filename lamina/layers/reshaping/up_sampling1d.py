"""UpSampling1D: repeat each step of a sequence."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.input_spec import InputSpec
from lamina.layers.reshaping.up_sampling import BaseUpSampling


class UpSampling1D(BaseUpSampling):
    """Repeats each step ``size`` times along the steps axis.

    Example:
        >>> layer = lamina.layers.UpSampling1D(size=3)
        >>> layer(torch.zeros(2, 4, 5)).shape
        torch.Size([2, 12, 5])

    Args:
        size: positive int, the repetition factor (``2``).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, steps, features)``.

    Output shape:
        ``(batch, steps * size, features)``.
    """

    _rank = 3

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ArgumentError(
                "UpSampling1D: argument `size` should be a positive integer. "
                f"Received: size={size!r}"
            )
        self.size = size
        self._sizes = (size,)
        self._set_axes("channels_last")
        self.input_spec = InputSpec(ndim=3)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size})
        return config
