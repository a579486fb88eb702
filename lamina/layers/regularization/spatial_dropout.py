"""SpatialDropout1D/2D/3D: drop whole feature maps instead of single values."""

from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.regularization.dropout import Dropout
from lamina.layers.reshaping.flatten import standardize_data_format


class BaseSpatialDropout(Dropout):
    """Dropout with one keep/drop decision per (example, channel).

    Neighbouring values in a feature map are strongly correlated, so dropping
    them one by one regularizes little; dropping whole channels does
    (Tompson et al., 2015). The mask has size 1 along the spatial axes and
    broadcasts over them.
    """

    _rank = 3

    def __init__(
        self, rate, seed=None, name=None, dtype=None, data_format=None, **kwargs
    ):
        # Keras 2 configs carry Dropout's noise_shape (always None here).
        kwargs.pop("noise_shape", None)
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        channels_first = data_format == "channels_first"
        spatial = (1,) * (self._rank - 2)
        self.noise_shape = (
            (None, None, *spatial) if channels_first else (None, *spatial, None)
        )
        self.input_spec = InputSpec(ndim=self._rank)

    def get_config(self) -> dict:
        # Keras's spatial dropout config has exactly these keys.
        return {
            "rate": self.rate,
            "seed": self.seed,
            "name": self.name,
            "dtype": self.dtype,
        }


class SpatialDropout1D(BaseSpatialDropout):
    """Drops entire channels of a sequence: the mask is ``(batch, 1, channels)``.

    Example:
        >>> layer = lamina.layers.SpatialDropout1D(0.5, seed=0)
        >>> y = layer(torch.ones(2, 4, 3), training=True)
        >>> bool((y[:, :1] == y).all())  # same decision at every step
        True

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        seed: an int for reproducible masks.
        name / dtype: standard layer arguments.

    Call arguments:
        inputs: 3-D tensor ``(batch, steps, channels)``.
        training: whether to drop.

    Input shape / Output shape:
        ``(batch, steps, channels)``.
    """

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout2D(BaseSpatialDropout):
    """Drops entire 2-D feature maps: one decision per (example, channel).

    Example:
        >>> layer = lamina.layers.SpatialDropout2D(0.5, seed=0)
        >>> layer(torch.ones(2, 5, 5, 3), training=True).shape
        torch.Size([2, 5, 5, 3])

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: an int for reproducible masks.
        name / dtype: standard layer arguments.

    Call arguments:
        inputs: 4-D tensor.
        training: whether to drop.

    Input shape / Output shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.
    """

    _rank = 4

    def __init__(
        self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs
    ):
        data_format = standardize_data_format(data_format, "SpatialDropout2D")
        super().__init__(
            rate, seed=seed, name=name, dtype=dtype, data_format=data_format, **kwargs
        )
        self.data_format = data_format

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout3D(BaseSpatialDropout):
    """Drops entire 3-D feature maps: one decision per (example, channel).

    Example:
        >>> layer = lamina.layers.SpatialDropout3D(0.5, seed=0)
        >>> layer(torch.ones(2, 3, 3, 3, 4), training=True).shape
        torch.Size([2, 3, 3, 3, 4])

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: an int for reproducible masks.
        name / dtype: standard layer arguments.

    Call arguments:
        inputs: 5-D tensor.
        training: whether to drop.

    Input shape / Output shape:
        ``(batch, dim1, dim2, dim3, channels)`` or channels first.
    """

    _rank = 5

    def __init__(
        self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs
    ):
        data_format = standardize_data_format(data_format, "SpatialDropout3D")
        super().__init__(
            rate, seed=seed, name=name, dtype=dtype, data_format=data_format, **kwargs
        )
        self.data_format = data_format

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
