"""STFTSpectrogram: short-time Fourier transforms as a convolution with kernels."""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    standardize_data_format,
)
from lamina.ops import nn as nn_ops

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")

# The config's entries, in Keras's order: the constructor's arguments.
_CONFIG_KEYS = (
    "mode frame_length frame_step fft_length window "
    "periodic scaling padding data_format expand_dims"
).split()


class STFTSpectrogram(Layer):
    """Computes spectrograms of multi-channel signals with convolution kernels.

    Each channel's frames (``frame_length`` samples every ``frame_step``) are
    correlated with the real and imaginary DFT bases of ``fft_length`` points
    times the window (normalised by ``scaling``), as Keras's
    ``initializers.STFT`` makes them. The kernels are the layer's weights
    (``real_kernel``, ``imag_kernel``), trainable unless ``trainable=False``.

    Example:
        >>> layer = lamina.layers.STFTSpectrogram(frame_length=64, trainable=False)
        >>> layer(torch.randn(2, 1000, 1)).shape
        torch.Size([2, 30, 33])

    Args:
        mode: what the output is: ``"log"`` (default; log magnitude),
            ``"magnitude"``, ``"psd"`` (power spectral density), ``"real"``,
            ``"imag"``, ``"angle"`` or ``"stft"`` (real and imaginary parts,
            concatenated along the frequencies).
        frame_length: the window length, in samples (default 256).
        frame_step: the step between frames; ``frame_length // 2`` when None.
        fft_length: the DFT size; the next power of two from ``frame_length``
            when None.
        window: a window name of ``scipy.signal.get_window`` (``"hann"``
            (default) and ``"hamming"`` without scipy), an array of
            ``frame_length`` values, or None (rectangular).
        periodic: a periodic window (else symmetric; default False).
        scaling: ``"density"`` (default; L2-normalised window), ``"spectrum"``
            (L1) or None.
        padding: ``"valid"`` (default) or ``"same"``.
        expand_dims: give the channels their own axis (else they are flattened
            with the frequencies).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, time, channels)`` (or ``(batch, channels, time)``).

    Output shape:
        ``(batch, frames, channels * freqs)``, or ``(batch, frames, freqs,
        channels)`` with ``expand_dims`` (channels_first: ``(batch, channels *
        freqs, frames)`` and ``(batch, channels, frames, freqs)``), where
        ``freqs = fft_length // 2 + 1`` (twice that for ``"stft"``).
    """

    def __init__(
        self,
        mode="log",
        frame_length=256,
        frame_step=None,
        fft_length=None,
        window="hann",
        periodic=False,
        scaling="density",
        padding="valid",
        expand_dims=False,
        data_format=None,
        **kwargs,
    ):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ArgumentError(
                "STFTSpectrogram: `frame_step` should be a positive integer not "
                f"greater than `frame_length`. Received frame_step={frame_step}, "
                f"frame_length={frame_length}"
            )
        if fft_length is not None and fft_length < frame_length:
            raise ArgumentError(
                "STFTSpectrogram: `fft_length` should be not less than "
                f"`frame_length`. Received fft_length={fft_length}, "
                f"frame_length={frame_length}"
            )
        if fft_length is not None and fft_length & -fft_length != fft_length:
            warnings.warn(
                "`fft_length` is recommended to be a power of two. Received "
                f"fft_length={fft_length}",
                stacklevel=2,
            )
        _check_choice("mode", mode, _MODES)
        _check_choice("scaling", scaling, ("density", "spectrum", None))
        _check_choice("padding", padding, ("valid", "same"))
        if isinstance(window, str):
            window_values(window, 1, periodic)  # an unknown name fails here
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, "STFTSpectrogram")
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape) -> None:
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        # Keras's weights: no imaginary kernel in "real" mode, and vice versa.
        needed = {"real": self.mode != "imag", "imag": self.mode != "real"}
        for side in ("real", "imag"):
            if needed[side]:
                kernel = stft_kernel(
                    side, self.window, self.scaling, self.periodic, shape
                )
                weight = self.add_weight(
                    name=f"{side}_kernel",
                    shape=shape,
                    initializer=lambda shape, dtype=None, k=kernel: k,
                )
                setattr(self, f"{side}_kernel", weight)
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError(
                "Invalid input type. Expected `float16`, `float32` or `float64`. "
                f"Received: input type={inputs.dtype}"
            )
        real = (
            self._correlate(inputs, self.real_kernel) if self.mode != "imag" else None
        )
        imag = (
            self._correlate(inputs, self.imag_kernel) if self.mode != "real" else None
        )
        if self.mode in ("real", "imag"):
            return self._arrange(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._arrange(torch.atan2(imag, real))
        if self.mode == "stft":
            return self._arrange(torch.cat([real, imag], dim=2))
        power = real.square() + imag.square()
        if self.mode == "psd":
            # One-sided density: the bins between DC and Nyquist count twice.
            doubled = torch.nn.functional.pad(power[:, :, 1:-1, :], (0, 0, 1, 1))
            return self._arrange(power + doubled)
        magnitude = self._arrange(torch.sqrt(power.clamp_min(backend.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return torch.log(magnitude.clamp_min(backend.epsilon()))

    def _correlate(self, inputs: torch.Tensor, kernel) -> torch.Tensor:
        """``(batch, channels, freqs, frames)``: each channel with the kernel."""
        if self.data_format == "channels_last":
            inputs = inputs.transpose(1, 2)
        batch, channels, samples = inputs.shape
        signals = inputs.reshape(batch * channels, 1, samples)
        outputs = nn_ops.conv(
            signals,
            kernel.to(signals.dtype),
            strides=self._frame_step,
            padding=self.padding,
            data_format="channels_first",
        )
        return outputs.reshape(batch, channels, *outputs.shape[1:])

    def _arrange(self, outputs: torch.Tensor) -> torch.Tensor:
        """Keras's output layout from ``(batch, channels, freqs, frames)``."""
        batch, channels, freqs, frames = outputs.shape
        if self.expand_dims:
            order = (
                (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            )
            return outputs.permute(order)
        outputs = outputs.reshape(batch, channels * freqs, frames)
        return (
            outputs.transpose(1, 2) if self.data_format == "channels_last" else outputs
        )

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            batch, samples, channels = input_shape
        else:
            batch, channels, samples = input_shape
        freqs = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = None
        if samples is not None:
            if self.padding == "same":
                frames = -(-samples // self._frame_step)
            else:
                frames = (samples - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            if self.data_format == "channels_last":
                return (batch, frames, freqs, channels)
            return (batch, channels, frames, freqs)
        flat = None if channels is None else channels * freqs
        if self.data_format == "channels_last":
            return (batch, frames, flat)
        return (batch, flat, frames)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({key: getattr(self, key) for key in _CONFIG_KEYS})
        return config


def _check_choice(argument: str, value, allowed) -> None:
    if value not in allowed:
        raise ArgumentError(
            f"STFTSpectrogram: invalid value for argument `{argument}`. Expected one "
            f"of {allowed}. Received: {argument}={value!r}"
        )


def window_values(window, length: int, periodic: bool) -> np.ndarray | None:
    """``scipy.signal.get_window(window, length, periodic)`` as float64 (Hann
    and Hamming without scipy), an array's values, or None."""
    if window is None:
        return None
    if not isinstance(window, str):
        values = np.asarray(window, dtype=np.float64)
        if values.shape != (length,):
            raise ArgumentError(
                "The shape of `window` must be equal to [frame_length]. Received: "
                f"window shape={values.shape}"
            )
        return values
    if window in ("hann", "hamming"):
        make = torch.hann_window if window == "hann" else torch.hamming_window
        return make(length, periodic=periodic, dtype=torch.float64).numpy()
    try:
        from scipy import signal
    except ImportError as error:  # optional: only the other window names need it
        raise ArgumentError(
            f"STFTSpectrogram: the window {window!r} needs scipy "
            "(`pip install scipy`); 'hann' and 'hamming' do not."
        ) from error
    try:
        return signal.get_window(window, length, periodic)
    except ValueError as error:
        raise ArgumentError(f"STFTSpectrogram: {error}") from error


def stft_kernel(side: str, window, scaling, periodic: bool, shape) -> torch.Tensor:
    """The ``(frame_length, 1, freqs)`` float32 DFT kernel of one side
    (``"real"``: cosines, ``"imag"``: sines) times the scaled window, with
    Keras's arithmetic (``initializers.STFT``)."""
    frame_length, _, freqs = shape
    dtype = torch.float32
    dft_length = (freqs - 1) * 2
    frequency = torch.arange(freqs, dtype=dtype).reshape(1, 1, freqs) / dft_length
    time = torch.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
    angles = (-2 * time) * frequency * torch.arccos(torch.tensor(-1.0))
    kernel = torch.cos(angles) if side == "real" else torch.sin(angles)
    values = window_values(window, frame_length, periodic)
    if values is None:
        return kernel
    win = torch.as_tensor(values, dtype=dtype).reshape(frame_length, 1, 1)
    scale = 1.0
    if scaling == "density":
        scale = torch.sqrt(torch.sum(win.square()))
    elif scaling == "spectrum":
        scale = torch.sum(win.abs())
    return kernel * win / scale
