"""MelSpectrogram: audio signals to (log-)mel spectrograms, as Keras computes them."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.ops import math as math_ops

# The mel scale of HTK (O'Shaughnessy 1987), as Keras and TensorFlow use it.
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0

# The config's entries, in Keras's order: the constructor's arguments.
_CONFIG_KEYS = (
    "fft_length sequence_stride sequence_length window sampling_rate num_mel_bins "
    "min_freq max_freq power_to_db top_db mag_exp min_power ref_power"
).split()


class MelSpectrogram(Layer):
    """Turns raw audio into mel spectrograms (power, or decibels).

    The signal's short-time Fourier transform (frames of ``sequence_length``
    samples every ``sequence_stride``, centred, windowed, ``fft_length``
    points) gives magnitudes raised to ``mag_exp``, which ``num_mel_bins``
    triangular filters between ``min_freq`` and ``max_freq`` sum on the mel
    scale. With ``power_to_db`` the result is ``10 log10(x / ref_power)``
    (floored at ``min_power``), cut to ``top_db`` below its maximum (as in
    Keras, one maximum over the whole batch).

    Example:
        >>> layer = lamina.layers.MelSpectrogram(num_mel_bins=40)
        >>> layer(torch.randn(2, 16000)).shape
        torch.Size([2, 40, 32])

    Args:
        fft_length: the FFT size (default 2048).
        sequence_stride: the step between frames, in samples (default 512).
        sequence_length: the frame (window) length; ``fft_length`` when None.
        window: ``"hann"`` (default), ``"hamming"`` or None.
        sampling_rate: the signal's samples per second (default 16000).
        num_mel_bins: the number of mel filters (default 128).
        min_freq: the lowest frequency of the filters, in Hz (default 20).
        max_freq: the highest; ``sampling_rate / 2`` when None.
        power_to_db: return decibels rather than power (default True).
        top_db: the range kept below the maximum, in dB (default 80).
        mag_exp: the exponent of the magnitudes (default 2: power).
        min_power: the floor of the power before the logarithm.
        ref_power: the power of 0 dB.

    Input shape:
        ``(batch, samples)`` or ``(samples,)``.

    Output shape:
        ``(batch, num_mel_bins, frames)`` or ``(num_mel_bins, frames)``, with
        ``frames = 1 + samples // sequence_stride``.
    """

    def __init__(
        self,
        fft_length=2048,
        sequence_stride=512,
        sequence_length=None,
        window="hann",
        sampling_rate=16000,
        num_mel_bins=128,
        min_freq=20.0,
        max_freq=None,
        power_to_db=True,
        top_db=80.0,
        mag_exp=2.0,
        min_power=1e-10,
        ref_power=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ArgumentError(
                "MelSpectrogram: `fft_length` must be greater than or equal to "
                f"`sequence_length`. Received: sequence_length={self.sequence_length}"
                f", fft_length={self.fft_length}"
            )
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype if inputs.dtype == torch.float64 else torch.float32
        signal = inputs.to(dtype)
        real, imag = math_ops.stft(
            signal,
            sequence_length=self.sequence_length,
            sequence_stride=self.sequence_stride,
            fft_length=self.fft_length,
            window=self.window,
            center=True,
        )
        spectrum = torch.sqrt(real.square() + imag.square()) ** self.mag_exp
        matrix = linear_to_mel_weight_matrix(
            self.num_mel_bins,
            spectrum.shape[-1],
            self.sampling_rate,
            self.min_freq,
            self.max_freq,
            device=spectrum.device,
        ).to(dtype)
        outputs = torch.tensordot(spectrum, matrix, dims=1)
        if self.power_to_db:
            outputs = self._decibels(outputs)
        return outputs.transpose(-1, -2).to(self._compute_dtype)

    def _decibels(self, power: torch.Tensor) -> torch.Tensor:
        decibels = 10.0 * torch.log10(power.clamp_min(self.min_power))
        reference = max(abs(self.ref_power), self.min_power)
        reference = torch.tensor(reference, dtype=power.dtype, device=power.device)
        decibels = decibels - 10.0 * torch.log10(reference)
        return torch.maximum(decibels, decibels.max() - self.top_db)

    def compute_output_shape(self, input_shape):
        *batch, samples = input_shape
        frames = None if samples is None else 1 + samples // self.sequence_stride
        return (*batch, self.num_mel_bins, frames)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({key: getattr(self, key) for key in _CONFIG_KEYS})
        return config


def _hertz_to_mel(frequencies: torch.Tensor) -> torch.Tensor:
    return _MEL_HIGH_FREQUENCY_Q * torch.log(
        1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ
    )


def linear_to_mel_weight_matrix(
    num_mel_bins: int,
    num_spectrogram_bins: int,
    sampling_rate: float,
    lower_edge_hertz: float,
    upper_edge_hertz: float,
    device=None,
) -> torch.Tensor:
    """The ``(num_spectrogram_bins, num_mel_bins)`` float32 matrix of
    triangular mel filters (TensorFlow's ``linear_to_mel_weight_matrix``); the
    first (DC) row is zero."""

    def scalar(value):
        return torch.tensor(value, dtype=torch.float32, device=device)

    nyquist = scalar(sampling_rate) / 2.0
    frequencies = torch.linspace(
        0.0, float(nyquist), num_spectrogram_bins, device=device
    )[1:]
    bins_mel = _hertz_to_mel(frequencies).unsqueeze(1)
    edges = torch.linspace(
        float(_hertz_to_mel(scalar(lower_edge_hertz))),
        float(_hertz_to_mel(scalar(upper_edge_hertz))),
        num_mel_bins + 2,
        device=device,
    )
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = torch.clamp_min(torch.minimum(lower_slopes, upper_slopes), 0.0)
    return torch.nn.functional.pad(weights, (0, 0, 1, 0))
