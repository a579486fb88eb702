"""Cropping1D: crop the steps of a sequence."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping.base_spatial import standardize_tuple
from lamina.layers.reshaping.cropping import BaseCropping


class Cropping1D(BaseCropping):
    """Crops steps from the start and the end of each sequence (axis 1).

    Example:
        >>> layer = lamina.layers.Cropping1D(cropping=(1, 2))
        >>> layer(torch.zeros(2, 6, 3)).shape
        torch.Size([2, 3, 3])

    Args:
        cropping: int or pair of non-negative ints ``(start, end)``: how many
            steps to drop at each end (``(1, 1)``).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, steps, features)``.

    Output shape:
        ``(batch, steps - start - end, features)``.
    """

    _rank = 3

    # Unlike the other cropping and padding layers, this one takes no
    # data_format (its steps are always axis 1), so it sets itself up.
    def __init__(self, cropping=(1, 1), **kwargs):
        Layer.__init__(self, **kwargs)
        self.cropping = standardize_tuple(
            cropping, 2, "cropping", "Cropping1D", allow_zero=True
        )
        self._pairs = (self.cropping,)
        self.input_spec = InputSpec(ndim=3)

    def get_config(self) -> dict:
        config = Layer.get_config(self)
        config.update({"cropping": self.cropping})
        return config
