"""Math operations (Keras 3's ``keras.ops.math``) on torch tensors.

Example:

>>> from lamina import ops
>>> ops.logsumexp(torch.zeros(2))
tensor(0.6931)
"""

from __future__ import annotations

import math
from typing import Any

import torch

from lamina.errors import ArgumentError, ShapeError
from lamina.ops.core import _floating, _is_symbolic, _symbolic_error, _tensor


def logsumexp(
    x: Any, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> torch.Tensor:
    """``log(sum(exp(x)))`` over ``axis`` (all axes when None), computed stably.

    Example:

    >>> logsumexp(torch.tensor([[0.0, 0.0]]), axis=1)
    tensor([0.6931])
    """
    x = _floating(_tensor(x))
    dims = tuple(range(x.ndim)) if axis is None else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[torch.Tensor, torch.Tensor]:  # noqa: A002
    """The ``k`` largest values along the last axis and their indices.

    Example:

    >>> top_k(torch.tensor([1.0, 3.0, 2.0]), 2)
    torch.return_types.topk(
    values=tensor([3., 2.]),
    indices=tensor([1, 2]))
    """
    return torch.topk(_tensor(x), k, dim=-1, largest=True, sorted=sorted)


def in_top_k(targets: Any, predictions: Any, k: int) -> torch.Tensor:
    """Whether each target class is among the ``k`` highest predictions.

    Ties with the ``k``-th largest value count as inside, as in Keras.

    Args:
        targets: Integer class ids, shape ``(batch,)``.
        predictions: Scores, shape ``(batch, classes)``.
        k: How many top predictions to consider.

    Example:

    >>> scores = torch.tensor([[0.9, 0.1, 0.0], [0.5, 0.3, 0.2]])
    >>> in_top_k(torch.tensor([0, 2]), scores, 2)
    tensor([ True, False])
    """
    predictions = _tensor(predictions)
    targets = _tensor(targets, device=predictions.device).long()
    kth = torch.topk(predictions, k, dim=-1).values[..., -1:]
    target_score = predictions.gather(-1, targets.unsqueeze(-1))
    return (target_score >= kth).squeeze(-1)


def erf(x: Any) -> torch.Tensor:
    """The Gauss error function. Example: ``erf([0.5])``."""
    return torch.erf(_floating(_tensor(x)))


def rsqrt(x: Any) -> torch.Tensor:
    """``1 / sqrt(x)``. Example: ``rsqrt([4.0])``."""
    return torch.rsqrt(_floating(_tensor(x)))


def erfc(x: Any) -> torch.Tensor:
    """The complementary error function ``1 - erf(x)``. Example: ``erfc([0.5])``."""
    return torch.erfc(_floating(_tensor(x)))


def erfinv(x: Any) -> torch.Tensor:
    """The inverse error function. Example: ``erfinv([0.5])``."""
    return torch.erfinv(_floating(_tensor(x)))


def logdet(x: Any) -> torch.Tensor:
    """The natural log of the determinant of square matrices (NaN if negative).

    Example: ``logdet(torch.eye(2) * 3)``.
    """
    return torch.logdet(_tensor(x))


def cdist(x: Any, y: Any) -> torch.Tensor:
    """Euclidean distances between the rows of ``x`` and of ``y`` (batched over
    leading axes): ``(..., n, d)`` and ``(..., m, d)`` give ``(..., n, m)``.

    Example:

    >>> cdist(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0], [0.0, 1.0]]))
    tensor([[5., 1.]])
    """
    x, y = _tensor(x), _tensor(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ShapeError("cdist: the inputs must have at least 2 axes.")
    if x.shape[-1] != y.shape[-1]:
        raise ShapeError(
            f"cdist: the last axes must match, received shapes {tuple(x.shape)} "
            f"and {tuple(y.shape)}."
        )
    # Differences rather than torch.cdist: exact for close points, and
    # broadcast over the leading axes as Keras does.
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))


def _segment_reduce(reduce: str, data, segment_ids, num_segments) -> torch.Tensor:
    data = _tensor(data)
    ids = _tensor(segment_ids, device=data.device).long()
    if ids.ndim != 1 or ids.shape[0] != data.shape[0]:
        raise ArgumentError(
            f"segment_{reduce}: `segment_ids` must be 1-D with one id per row of "
            f"`data`: expected shape ({data.shape[0]},), received "
            f"{tuple(ids.shape)}."
        )
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    # Out-of-range ids go to one extra, discarded row: no boolean mask, so no
    # host sync and a fixed output shape.
    ids = torch.where((ids >= 0) & (ids < num_segments), ids, num_segments)
    shape = (num_segments + 1,) + tuple(data.shape[1:])
    if reduce == "sum":
        out = torch.zeros(shape, dtype=data.dtype, device=data.device)
        return out.index_add(0, ids, data)[:num_segments]
    # Empty segments keep the reduction's identity: -inf, inf or 1.
    start = {"amax": -math.inf, "amin": math.inf, "prod": 1.0}[reduce]
    work = data if data.is_floating_point() else data.double()
    out = torch.full(shape, start, dtype=work.dtype, device=data.device)
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand(data.shape)
    out = out.scatter_reduce(0, index, work, reduce, include_self=True)
    return out[:num_segments].to(data.dtype)


def _segment_op(name: str, reduce: str, what: str, empty: str, example: str):
    """The public ``segment_<reduce>`` op: ``_segment_reduce`` under Keras's
    signature."""

    def op(
        data: Any,
        segment_ids: Any,
        num_segments: int | None = None,
        sorted: bool = False,  # noqa: A002
    ) -> torch.Tensor:
        return _segment_reduce(reduce, data, segment_ids, num_segments)

    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    op.__doc__ = f"""{what} of the rows of ``data`` that share a segment id ({empty}
    for an empty segment).

    Args:
        data: Tensor whose first axis is split into segments.
        segment_ids: Integer ids, shape ``(data.shape[0],)``; rows with an id
            outside ``[0, num_segments)`` are dropped.
        num_segments: Number of segments; ``max(segment_ids) + 1`` when None
            (one host sync).
        sorted: Whether the ids are sorted (accepted for Keras; not needed).

    Example:

    {example}
    """
    return op


# fmt: off
segment_sum = _segment_op("segment_sum", "sum", "Sums", "0", ">>> segment_sum(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))\n    tensor([3., 3.])")
segment_max = _segment_op("segment_max", "amax", "Maxima", "-inf", ">>> segment_max(torch.tensor([1.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))\n    tensor([5., 3.])")
segment_min = _segment_op("segment_min", "amin", "Minima", "inf", ">>> segment_min(torch.tensor([1.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))\n    tensor([1., 3.])")
segment_prod = _segment_op("segment_prod", "prod", "Products", "1", ">>> segment_prod(torch.tensor([2.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))\n    tensor([10.,  3.])")
# fmt: on


def extract_sequences(
    x: Any, sequence_length: int, sequence_stride: int
) -> torch.Tensor:
    """Frames of ``sequence_length`` samples, ``sequence_stride`` apart, from the
    last axis: ``(..., n)`` gives ``(..., frames, sequence_length)``.

    Example:

    >>> extract_sequences(torch.arange(5.0), 2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    """
    return _tensor(x).unfold(-1, sequence_length, sequence_stride).clone()


# ------------------------------------------------------------------ FFT
# Keras passes complex numbers as (real, imaginary) pairs of float tensors.


def _complex_pair(x: Any, op: str) -> torch.Tensor:
    if _is_symbolic(x):
        raise _symbolic_error()
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ArgumentError(
            f"{op}: `x` must be a (real, imaginary) pair of tensors, received "
            f"{type(x).__name__}."
        )
    real, imag = _tensor(x[0]), _tensor(x[1])
    if real.shape != imag.shape:
        raise ShapeError(
            f"{op}: the real and imaginary parts must have one shape, received "
            f"{tuple(real.shape)} and {tuple(imag.shape)}."
        )
    if not real.is_floating_point() or not imag.is_floating_point():
        raise ArgumentError(f"{op}: the real and imaginary parts must be floats.")
    return torch.complex(real, imag.to(real.device))


def _pair_of(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return z.real, z.imag


def fft(x: tuple[Any, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """The discrete Fourier transform along the last axis.

    Args:
        x: ``(real, imaginary)``, two float tensors of one shape.

    Returns:
        The transform as ``(real, imaginary)``.

    Example: ``fft((signal, torch.zeros_like(signal)))``.
    """
    return _pair_of(torch.fft.fft(_complex_pair(x, "fft")))


def fft2(x: tuple[Any, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """The 2-D discrete Fourier transform over the last two axes, of a
    ``(real, imaginary)`` pair. Example: ``fft2((real, imag))``."""
    return _pair_of(torch.fft.fft2(_complex_pair(x, "fft2")))


def ifft2(x: tuple[Any, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """The inverse of `fft2`, on a ``(real, imaginary)`` pair.

    Example: ``ifft2(fft2((real, imag)))``.
    """
    return _pair_of(torch.fft.ifft2(_complex_pair(x, "ifft2")))


def rfft(x: Any, fft_length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The Fourier transform of a real signal along the last axis (the
    ``fft_length // 2 + 1`` non-negative frequencies), as ``(real, imaginary)``.

    Args:
        x: A real tensor.
        fft_length: Samples to transform (the signal is cut or zero-padded);
            the last axis's size by default.

    Example: ``rfft(signal)``.
    """
    return _pair_of(torch.fft.rfft(_tensor(x), n=fft_length, dim=-1))


def irfft(x: tuple[Any, Any], fft_length: int | None = None) -> torch.Tensor:
    """The inverse of `rfft`: a real signal from ``(real, imaginary)`` frequencies.

    Args:
        x: ``(real, imaginary)`` non-negative frequencies.
        fft_length: Samples of the result; ``2 * (frequencies - 1)`` by default.

    Example: ``irfft(rfft(signal))``.
    """
    return torch.fft.irfft(_complex_pair(x, "irfft"), n=fft_length, dim=-1)


def _stft_window(
    window, length: int, dtype: torch.dtype, device
) -> torch.Tensor | None:
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ArgumentError(
                f"`window` must be 'hann', 'hamming', a tensor or None, received {window!r}."
            )
        make = torch.hann_window if window == "hann" else torch.hamming_window
        return make(length, periodic=True, dtype=dtype, device=device)
    win = _tensor(window, dtype=dtype, device=device)
    if win.shape != (length,):
        raise ShapeError(
            f"`window` must have shape ({length},) (sequence_length), received "
            f"{tuple(win.shape)}."
        )
    return win


def _check_stride(sequence_stride: Any, op: str) -> None:
    if not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ArgumentError(
            f"{op}: `sequence_stride` must be a positive int, received "
            f"{sequence_stride!r}."
        )


def stft(
    x: Any,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    window: str | Any = "hann",
    center: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Short-time Fourier transform of real signals along the last axis.

    Args:
        x: ``(..., samples)`` float32 or float64 signals.
        sequence_length: The window (frame) length.
        sequence_stride: The step between frames.
        fft_length: The FFT size (at least ``sequence_length``; the window is
            centred in it).
        window: ``"hann"``, ``"hamming"`` (periodic), a 1-D tensor of
            ``sequence_length``, or None (rectangular).
        center: Pad the signal by ``fft_length // 2`` on both sides (reflected)
            so frames are centred on their times.

    Returns:
        ``(real, imaginary)``, each ``(..., frames, fft_length // 2 + 1)``.

    Example: ``real, imag = stft(audio, 400, 160, 512)``.
    """
    _check_stride(sequence_stride, "stft")
    x = _tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise ArgumentError(
            f"stft: the signal must be float32 or float64, received {x.dtype}."
        )
    if fft_length < sequence_length:
        raise ArgumentError(
            f"stft: `fft_length` ({fft_length}) must be at least `sequence_length` "
            f"({sequence_length})."
        )
    win = _stft_window(window, sequence_length, x.dtype, x.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch_shape = x.shape[:-1]
    spectrum = torch.stft(
        x.reshape(-1, x.shape[-1]),
        n_fft=fft_length,
        hop_length=sequence_stride,
        win_length=sequence_length,
        window=win,
        center=center,
        return_complex=True,
    )
    spectrum = spectrum.reshape(batch_shape + spectrum.shape[-2:]).transpose(-2, -1)
    return spectrum.real, spectrum.imag


def _overlap_add(frames: torch.Tensor, stride: int) -> torch.Tensor:
    """Sum ``(..., frames, length)`` frames placed ``stride`` apart."""
    *batch, count, length = frames.shape
    columns = frames.reshape(-1, count, length).transpose(1, 2)  # (B, length, count)
    size = stride * (count - 1) + length
    out = torch.nn.functional.fold(
        columns, output_size=(1, size), kernel_size=(1, length), stride=(1, stride)
    )
    return out.reshape(tuple(batch) + (size,))


def _synthesis_window(window: torch.Tensor, stride: int) -> torch.Tensor:
    """``window`` divided by the sum of the squared windows overlapping each
    sample in a long signal (TensorFlow's ``inverse_stft_window_fn``), so
    analysis and synthesis windowing together give the signal back."""
    length = window.shape[0]
    periods = -(-length // stride)
    squares = torch.nn.functional.pad(window * window, (0, periods * stride - length))
    overlap = squares.reshape(periods, stride).sum(0).repeat(periods)[:length]
    return window / overlap


def istft(
    x: tuple[Any, Any],
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    length: int | None = None,
    window: str | Any = "hann",
    center: bool = True,
) -> torch.Tensor:
    """The inverse of `stft`: signals from ``(real, imaginary)`` spectrograms
    by windowed overlap-add.

    Args:
        x: ``(real, imaginary)``, each ``(..., frames, fft_length // 2 + 1)``.
        sequence_length: The window length used by `stft`.
        sequence_stride: The frame step used by `stft`.
        fft_length: The FFT size used by `stft`.
        length: Samples to return; by default all, less the ``center`` padding.
        window: The `stft` window (``"hann"``, ``"hamming"``, a tensor or None).
        center: Whether `stft` centred its frames.

    Example: ``istft(stft(audio, 400, 160, 512), 400, 160, 512)``.
    """
    _check_stride(sequence_stride, "istft")
    spectrum = _complex_pair(x, "istft")
    win = _stft_window(window, sequence_length, spectrum.real.dtype, spectrum.device)
    batch_shape = spectrum.shape[:-2]
    if win is not None and center and sequence_length == fft_length:
        # torch's own inverse: normalized by the actual window overlap.
        signal = torch.istft(
            spectrum.reshape((-1,) + spectrum.shape[-2:]).transpose(-2, -1),
            n_fft=fft_length,
            hop_length=sequence_stride,
            win_length=sequence_length,
            window=win,
            center=True,
            length=length,
        )
        return signal.reshape(batch_shape + signal.shape[-1:])
    frames = torch.fft.irfft(spectrum, n=fft_length, dim=-1)
    if win is not None:
        left = (fft_length - sequence_length) // 2
        win = torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))
        frames = frames * _synthesis_window(win, sequence_stride)
    signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        return signal[..., start : start + length]
    end = signal.shape[-1] - fft_length // 2 if center else signal.shape[-1]
    return signal[..., start:end]


def view_as_complex(x: Any) -> torch.Tensor:
    """complex64 numbers from a real tensor whose last axis (of size 2) holds
    the real and imaginary parts.

    Example: ``view_as_complex([[1.0, 2.0]])``.
    """
    x = _tensor(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ShapeError(
            "view_as_complex: the last axis must have size 2 (real, imaginary), "
            f"received shape {tuple(x.shape)}."
        )
    return torch.complex(x[..., 0].float(), x[..., 1].float())


def view_as_real(x: Any) -> torch.Tensor:
    """A complex tensor's real and imaginary parts on a new last axis of size 2.

    Example: ``view_as_real(view_as_complex([[1.0, 2.0]]))``.
    """
    x = _tensor(x)
    if not x.is_complex():
        raise ArgumentError(
            f"view_as_real: the input must be complex, received {x.dtype}."
        )
    return torch.stack([x.real, x.imag], dim=-1)


__all__ = [
    "cdist",
    "erf",
    "erfc",
    "erfinv",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "in_top_k",
    "irfft",
    "istft",
    "logdet",
    "logsumexp",
    "rfft",
    "rsqrt",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "stft",
    "top_k",
    "view_as_complex",
    "view_as_real",
]
