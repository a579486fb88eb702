"""Weight initializers: Keras's classes, names, distributions and configs.

An initializer is called as ``init(shape, dtype=None)`` and returns a new torch
tensor on `lamina.backend.device()`, of `dtype` (default
`lamina.backend.floatx()`). Shapes are in Keras's layout: a Dense kernel is
``(in, out)``, a Conv2D kernel ``(kh, kw, in, out)``; fans are computed from
that layout as Keras does.

Seeds:

- ``seed=<int>``: every call returns the same values. The draw is the one Keras
  makes on its torch backend (a ``torch.Generator`` seeded with the int, on
  the same device), so seeded values equal Keras-on-torch's.
- ``seed=None``: values come from torch's global generator, so each call gives
  new values and `lamina.backend.set_random_seed` makes a whole run
  reproducible. (Keras 3 instead fixes a hidden seed when the initializer is
  created, so reusing one unseeded instance repeats its values.)

Example:

>>> from lamina import initializers
>>> init = initializers.get("glorot_uniform")
>>> init((784, 512)).shape
torch.Size([784, 512])
>>> initializers.serialize(initializers.RandomNormal(stddev=0.1))["config"]
{'seed': None, 'mean': 0.0, 'stddev': 0.1}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from lamina.backend import device, standardize_dtype, to_torch_dtype
from lamina.errors import ArgumentError, ShapeError
from lamina.serialization import (
    deserialize_keras_object,
    family_deserializer,
    get_object,
    serialize_keras_object,
)

# The standard deviation of a unit normal truncated to [-2, 2]; VarianceScaling
# divides by it so that the truncated draw has the variance asked for.
_TRUNCATED_STDDEV = 0.87962566103423978

ShapeLike = Sequence[int]


def _standardize_shape(shape: Any, who: str) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0
        for d in dims
    ):
        raise ArgumentError(
            f"{who}: `shape` must be a tuple of non-negative integers, "
            f"received shape={shape!r}."
        )
    return tuple(int(d) for d in dims)


def _dtype(dtype: Any, who: str, floating: bool = False) -> torch.dtype:
    torch_dtype = to_torch_dtype(standardize_dtype(dtype))
    if floating and not torch_dtype.is_floating_point:
        raise ArgumentError(
            f"{who} draws random floats: `dtype` must be a float type, "
            f"received dtype={standardize_dtype(dtype)!r}."
        )
    return torch_dtype


def _check_number(value: Any, name: str, who: str, minimum: float | None = None):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool
    )
    if ok and math.isfinite(value) and (minimum is None or value >= minimum):
        return value
    need = "a finite number" if minimum is None else f"a finite number >= {minimum}"
    raise ArgumentError(f"{who}: `{name}` must be {need}, received {name}={value!r}.")


def compute_fans(
    shape: ShapeLike,
    input_axes: Sequence[int] | None = None,
    output_axes: Sequence[int] | None = None,
) -> tuple[int, int]:
    """The ``(fan_in, fan_out)`` of a weight of `shape`, in Keras's layout.

    A vector has ``fan_in = fan_out = shape[0]``; a matrix ``(in, out)``; a
    convolution kernel ``(*spatial, in, out)`` multiplies both by the product
    of the spatial sizes (the receptive field). `input_axes` and `output_axes`
    name the axes explicitly instead.

    Args:
        shape: The weight's shape.
        input_axes: Axes whose sizes multiply into `fan_in`.
        output_axes: Axes whose sizes multiply into `fan_out`.

    Example:

    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (
            int(math.prod(shape[a] for a in input_axes)),
            int(math.prod(shape[a] for a in output_axes)),
        )
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class Initializer:
    """Base class of all initializers.

    A subclass implements ``__call__(shape, dtype=None)`` returning a tensor,
    and ``get_config()`` if its constructor takes arguments.

    Example:

    >>> class Halves(Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return torch.full(shape, 0.5)
    >>> Halves()((2,))
    tensor([0.5000, 0.5000])
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None)."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """Build an initializer from `get_config`'s output."""
        config = dict(config)
        # TF1-era Keras 2 files store a "dtype" in initializer configs; the
        # dtype is given at call time now.
        config.pop("dtype", None)
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same config."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ------------------------------------------------------------------ constants


class Constant(Initializer):
    """Fills the tensor with `value`.

    Args:
        value: A number (or an array broadcastable to the shape asked for).

    Example:

    >>> Constant(3.0)((2, 2))
    tensor([[3., 3.],
            [3., 3.]])
    """

    def __init__(self, value: Any = 0.0):
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        if not isinstance(
            value, (bool, int, float, np.generic, np.ndarray, list, tuple)
        ):
            raise ArgumentError(
                "Constant: `value` must be a number or an array, received "
                f"{type(value).__name__}: {value!r}."
            )
        self.value = value

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "Constant")
        torch_dtype = _dtype(dtype, "Constant")
        if isinstance(self.value, (bool, int, float, np.generic)):
            return torch.full(shape, self.value, dtype=torch_dtype, device=device())
        value = torch.as_tensor(np.asarray(self.value), device=device()).to(torch_dtype)
        try:
            return value.expand(shape).clone()
        except RuntimeError:
            raise ShapeError(
                f"Constant: the value of shape {tuple(value.shape)} cannot fill "
                f"a tensor of shape {shape}."
            ) from None

    def get_config(self) -> dict[str, Any]:
        return {"value": serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constant:
        return cls(deserialize_keras_object(config.get("value", 0.0)))


class Zeros(Initializer):
    """Fills the tensor with 0.

    Example:

    >>> Zeros()((2,))
    tensor([0., 0.])
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "Zeros")
        return torch.zeros(shape, dtype=_dtype(dtype, "Zeros"), device=device())


class Ones(Initializer):
    """Fills the tensor with 1.

    Example:

    >>> Ones()((2,))
    tensor([1., 1.])
    """

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "Ones")
        return torch.ones(shape, dtype=_dtype(dtype, "Ones"), device=device())


class Identity(Initializer):
    """The identity matrix times `gain` (2D shapes only; rectangular allowed).

    Args:
        gain: Factor applied to the identity.

    Example:

    >>> Identity(gain=2.0)((2, 3))
    tensor([[2., 0., 0.],
            [0., 2., 0.]])
    """

    def __init__(self, gain: float = 1.0):
        self.gain = _check_number(gain, "gain", "Identity")

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "Identity")
        if len(shape) != 2:
            raise ShapeError(
                "Identity initializer can only be used for 2D matrices, "
                f"received shape={shape} of rank {len(shape)}."
            )
        torch_dtype = _dtype(dtype, "Identity")
        return self.gain * torch.eye(*shape, dtype=torch_dtype, device=device())

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


# Windows torch makes itself; other names need scipy (as Keras, which asks
# `scipy.signal.get_window` for every name).
_TORCH_WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
}


def _named_window(name: str, length: int, periodic: bool) -> torch.Tensor:
    """``scipy.signal.get_window(name, length, fftbins=periodic)`` as float64."""
    if name in _TORCH_WINDOWS:
        return _TORCH_WINDOWS[name](length, periodic=periodic, dtype=torch.float64)
    try:
        from scipy import signal
    except ImportError:
        raise ArgumentError(
            f"STFT: window {name!r} needs scipy (pip install scipy); without it "
            f"lamina knows {sorted(_TORCH_WINDOWS)}, or pass the window's values."
        ) from None
    try:
        values = signal.get_window(name, length, periodic)
    except ValueError as err:
        raise ArgumentError(f"STFT: unknown window {name!r} ({err}).") from None
    return torch.as_tensor(values, dtype=torch.float64)


class STFT(Initializer):
    """Kernels of a convolution that computes a short-time Fourier transform.

    A kernel of shape ``(frame_length, 1, bins)`` holds, for each of the
    ``bins = fft_length // 2 + 1`` frequencies, the real (cosine) or imaginary
    (negative sine) part of the DFT basis over one frame, multiplied by a
    window and divided by the window's norm. `STFTSpectrogram` convolves its
    input with two such kernels.

    Example:

    >>> STFT("real", "hann")((8, 1, 5)).shape
    torch.Size([8, 1, 5])

    Args:
        side: ``"real"`` or ``"imag"``: which part of the transform the kernel
            computes.
        window: a window name (``"hann"``, ``"hamming"``, ``"blackman"``,
            ``"bartlett"``; any other name `scipy.signal.get_window` knows when
            scipy is installed), the window's values (``frame_length`` of
            them), or None for no window.
        scaling: ``"density"`` (divide by the window's L2 norm), ``"spectrum"``
            (its L1 norm) or None.
        periodic: whether a named window is periodic (as for FFTs) rather
            than symmetric.
    """

    def __init__(
        self,
        side: str = "real",
        window: str | Any = "hann",
        scaling: str | None = "density",
        periodic: bool = False,
    ):
        if side not in ("real", "imag"):
            raise ArgumentError(f"side should be 'real' or 'imag', not {side!r}")
        if isinstance(window, str):
            _named_window(window, 1, bool(periodic))  # an unknown name fails here
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ArgumentError(
                "Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                f"Received scaling={scaling!r}"
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "STFT")
        if len(shape) != 3:
            raise ShapeError(
                "STFT: `shape` must be (frame_length, input_channels, bins), "
                f"received shape={shape}."
            )
        torch_dtype = _dtype(dtype, "STFT", floating=True)
        frame_length, _, bins = shape
        # Keras computes in the kernel's dtype; so does this, for equal values.
        time = torch.arange(frame_length, dtype=torch_dtype).reshape(-1, 1, 1)
        freq = torch.arange(bins, dtype=torch_dtype).reshape(1, 1, -1)
        freq = freq / ((bins - 1) * 2)
        angle = (-2 * time) * freq * torch.acos(torch.tensor(-1.0, dtype=torch_dtype))
        kernel = torch.cos(angle) if self.side == "real" else torch.sin(angle)
        if self.window is not None:
            if isinstance(self.window, str):
                win = _named_window(self.window, frame_length, bool(self.periodic))
            else:
                win = torch.as_tensor(np.asarray(self.window))
            win = win.to(torch_dtype)
            if tuple(win.shape) != (frame_length,):
                raise ShapeError(
                    "The shape of `window` must be equal to [frame_length]. "
                    f"Received: window shape={tuple(win.shape)}"
                )
            win = win.reshape(-1, 1, 1)
            kernel = kernel * win
            if self.scaling == "density":
                kernel = kernel / torch.sqrt(torch.sum(win * win))
            elif self.scaling == "spectrum":
                kernel = kernel / torch.sum(torch.abs(win))
        return kernel.to(device())

    def get_config(self) -> dict[str, Any]:
        window = self.window
        if isinstance(window, (np.ndarray, torch.Tensor)):
            window = np.asarray(window).tolist()
        return {
            "side": self.side,
            "window": window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }


# --------------------------------------------------------------------- random


def _generator(seed: int | None) -> torch.Generator | None:
    """A generator seeded as Keras's torch backend seeds one, or None (global)."""
    if seed is None:
        return None
    generator = torch.Generator(device=device())
    generator.manual_seed(seed & 0xFFFFFFFF)
    return generator


def _normal(shape, mean, stddev, dtype, seed) -> torch.Tensor:
    return torch.normal(
        mean,
        stddev,
        size=shape,
        generator=_generator(seed),
        dtype=dtype,
        device=device(),
    )


def _uniform(shape, minval, maxval, dtype, seed) -> torch.Tensor:
    draw = torch.rand(shape, generator=_generator(seed), dtype=dtype, device=device())
    return draw * (maxval - minval) + minval


def _truncated_normal(shape, mean, stddev, dtype, seed) -> torch.Tensor:
    """Normal draws within two standard deviations of the mean.

    Each value is the first of four unit-normal candidates inside (-2, 2), the
    draw Keras makes on torch, so seeded values match it. The rare value with
    no candidate inside (p = 0.0455**4 ≈ 4e-6) is redrawn until it is, which
    keeps the distribution exactly truncated.
    """
    generator = _generator(seed)
    candidates = torch.normal(
        0.0, 1.0, size=(*shape, 4), generator=generator, dtype=dtype, device=device()
    )
    inside = (candidates > -2) & (candidates < 2)
    first = inside.to(torch.uint8).argmax(dim=-1, keepdim=True)
    values = candidates.gather(-1, first).squeeze(-1)
    missing = ~inside.any(dim=-1)
    while bool(missing.any()):
        values[missing] = torch.normal(
            0.0, 1.0, size=(int(missing.sum()),), generator=generator, dtype=dtype,
            device=device(),
        )  # fmt: skip
        missing = values.abs() >= 2
    return values * stddev + mean


class RandomInitializer(Initializer):
    """Base of the random initializers: holds and validates `seed`."""

    def __init__(self, seed: int | None = None):
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
        ):
            raise ArgumentError(
                f"{type(self).__name__}: `seed` must be an int or None, received "
                f"{type(seed).__name__}: {seed!r}."
            )
        self.seed = None if seed is None else int(seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class _MeanAndStddev(RandomInitializer):
    """Base of the normal initializers: `mean`, `stddev` and a `_draw` function."""

    _draw: Callable

    def __init__(
        self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None
    ):
        who = type(self).__name__
        self.mean = _check_number(mean, "mean", who)
        self.stddev = _check_number(stddev, "stddev", who, minimum=0)
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        who = type(self).__name__
        shape = _standardize_shape(shape, who)
        torch_dtype = _dtype(dtype, who, floating=True)
        return self._draw(shape, self.mean, self.stddev, torch_dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomNormal(_MeanAndStddev):
    """Draws from a normal distribution ``N(mean, stddev**2)``.

    Args:
        mean: Mean of the values.
        stddev: Standard deviation of the values (non-negative).
        seed: An int for the same values on every call, or None.

    Example:

    >>> RandomNormal(stddev=1.0, seed=0)((1000,)).std() > 0.9
    tensor(True)
    """

    _draw = staticmethod(_normal)


class TruncatedNormal(_MeanAndStddev):
    """Normal draws, redrawn when more than two `stddev` from the mean.

    Args:
        mean: Mean of the (untruncated) distribution.
        stddev: Standard deviation of the (untruncated) distribution.
        seed: An int for the same values on every call, or None.

    Example:

    >>> TruncatedNormal(stddev=1.0)((1000,)).abs().max() < 2
    tensor(True)
    """

    _draw = staticmethod(_truncated_normal)


class RandomUniform(RandomInitializer):
    """Draws uniformly from ``[minval, maxval)``.

    Args:
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive), at least `minval`.
        seed: An int for the same values on every call, or None.

    Example:

    >>> RandomUniform(0.0, 1.0)((1000,)).min() >= 0
    tensor(True)
    """

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ):
        self.minval = _check_number(minval, "minval", "RandomUniform")
        self.maxval = _check_number(maxval, "maxval", "RandomUniform")
        if maxval < minval:
            raise ArgumentError(
                "RandomUniform: `maxval` must be >= `minval`, received "
                f"minval={minval!r}, maxval={maxval!r}."
            )
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "RandomUniform")
        torch_dtype = _dtype(dtype, "RandomUniform", floating=True)
        return _uniform(shape, self.minval, self.maxval, torch_dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Draws with a variance of ``scale / n``, ``n`` being a fan of the shape.

    ``n`` is `fan_in`, `fan_out` or their mean, by `mode` (see `compute_fans`).
    ``"truncated_normal"`` draws from a normal truncated at two standard
    deviations, widened so the truncated values have variance ``scale / n``;
    ``"untruncated_normal"`` from ``N(0, scale / n)``; ``"uniform"`` from
    ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: Positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or
            ``"uniform"`` (``"normal"`` is read as ``"truncated_normal"``).
        seed: An int for the same values on every call, or None.
        input_axes: Axes counted in `fan_in` (with `output_axes`).
        output_axes: Axes counted in `fan_out` (with `input_axes`).

    Example:

    >>> VarianceScaling(2.0, "fan_in", "uniform")((100, 10)).abs().max() <= 0.245
    tensor(True)
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ):
        who = type(self).__name__
        _check_number(scale, "scale", who)
        if scale <= 0:
            raise ArgumentError(
                f"{who}: `scale` must be a positive number, received scale={scale!r}."
            )
        if mode not in _MODES:
            raise ArgumentError(
                f"{who}: `mode` must be one of {', '.join(map(repr, _MODES))}, "
                f"received mode={mode!r}."
            )
        if not isinstance(distribution, str) or distribution.lower() not in (
            *_DISTRIBUTIONS,
            "normal",
        ):
            raise ArgumentError(
                f"{who}: `distribution` must be one of "
                f"{', '.join(map(repr, _DISTRIBUTIONS))}, received "
                f"distribution={distribution!r}."
            )
        distribution = distribution.lower()
        for name, axes in (("input_axes", input_axes), ("output_axes", output_axes)):
            if axes is not None and not (
                isinstance(axes, (list, tuple))
                and all(isinstance(a, int) and not isinstance(a, bool) for a in axes)
            ):
                raise ArgumentError(
                    f"{who}: `{name}` must be a list of ints or None, received "
                    f"{name}={axes!r}."
                )
        self.scale = scale
        self.mode = mode
        self.distribution = (
            "truncated_normal" if distribution == "normal" else distribution
        )
        self.input_axes = None if input_axes is None else list(input_axes)
        self.output_axes = None if output_axes is None else list(output_axes)
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        who = type(self).__name__
        shape = _standardize_shape(shape, who)
        torch_dtype = _dtype(dtype, who, floating=True)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
        variance = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return _truncated_normal(shape, 0.0, stddev, torch_dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return _normal(shape, 0.0, math.sqrt(variance), torch_dtype, self.seed)
        limit = math.sqrt(3.0 * variance)
        return _uniform(shape, -limit, limit, torch_dtype, self.seed)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed."""

    _scale: float
    _mode: str
    _distribution: str

    def __init__(
        self,
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ):
        super().__init__(
            scale=self._scale,
            mode=self._mode,
            distribution=self._distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _fixed_variance_scaling(
    name: str,
    scale: float,
    mode: str,
    distribution: str,
    summary: str,
    example: str,
    result: str,
    details: str = "",
) -> type[_FixedVarianceScaling]:
    """The `_FixedVarianceScaling` class ``name`` with these three fixed.

    Its docstring is ``summary``, then ``details`` if any, the arguments, and
    an example: ``example`` gives ``result``.
    """
    details = f"    {details}\n\n" if details else ""
    doc = (
        f"{summary}\n\n{details}    Args:\n"
        "        seed: An int for the same values on every call, or None.\n"
        "        input_axes: Axes counted in `fan_in` (with `output_axes`).\n"
        "        output_axes: Axes counted in `fan_out` (with `input_axes`).\n\n"
        f"    Example:\n\n    >>> {example}\n    {result}\n    "
    )
    attributes = {"_scale": scale, "_mode": mode, "_distribution": distribution}
    namespace = {"__doc__": doc, "__module__": __name__, "__qualname__": name}
    return type(name, (_FixedVarianceScaling,), {**namespace, **attributes})


# Glorot's, He's and LeCun's initializers, one a line: name, scale, mode,
# distribution, summary, example, its result, further details.
# fmt: off
GlorotUniform = _fixed_variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform", "Glorot (Xavier) uniform initializer.", "GlorotUniform(seed=1)((6, 6)).abs().max() <= 1.0", "tensor(True)", details="Draws from ``U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``.")
GlorotNormal = _fixed_variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal", "Glorot (Xavier) normal initializer.", "GlorotNormal()((784, 10)).shape", "torch.Size([784, 10])", details="Draws from a truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``.")
HeUniform = _fixed_variance_scaling("HeUniform", 2.0, "fan_in", "uniform", "He uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / fan_in)``.", "HeUniform()((6, 4)).abs().max() <= 1.0", "tensor(True)")
HeNormal = _fixed_variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal", "He normal: truncated normal with ``stddev = sqrt(2 / fan_in)``.", "HeNormal()((3, 3, 16, 32)).shape", "torch.Size([3, 3, 16, 32])")
LecunUniform = _fixed_variance_scaling("LecunUniform", 1.0, "fan_in", "uniform", "LeCun uniform: ``U(-limit, limit)``, ``limit = sqrt(3 / fan_in)``.", "LecunUniform()((3, 4)).abs().max() <= 1.0", "tensor(True)")
LecunNormal = _fixed_variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal", "LeCun normal: truncated normal with ``stddev = sqrt(1 / fan_in)`` (for selu).", "LecunNormal()((64, 64)).shape", "torch.Size([64, 64])")
# fmt: on


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain`.

    For a shape of rank > 2 the matrix is ``(prod(shape[:-1]), shape[-1])``,
    reshaped. With fewer rows than columns the rows are orthonormal, otherwise
    the columns are.

    Args:
        gain: Factor applied to the matrix.
        seed: An int for the same values on every call, or None.

    Example:

    >>> q = Orthogonal(seed=0)((4, 4))
    >>> torch.allclose(q.T @ q, torch.eye(4), atol=1e-5)
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = _check_number(gain, "gain", "Orthogonal")
        super().__init__(seed)

    def __call__(self, shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "Orthogonal")
        if len(shape) < 2:
            raise ShapeError(
                "Orthogonal initializer needs a shape of rank 2 or more, "
                f"received shape={shape} of rank {len(shape)}."
            )
        torch_dtype = _dtype(dtype, "Orthogonal", floating=True)
        # QR is not implemented for half types; decompose in float32.
        work_dtype = torch.float64 if torch_dtype == torch.float64 else torch.float32
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = _normal((max(rows, cols), min(rows, cols)), 0.0, 1.0, work_dtype, self.seed)
        q, r = torch.linalg.qr(a)
        # Signs from R's diagonal make the distribution uniform (Haar).
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(torch_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}


# ------------------------------------------------------------- name lookups

_CLASSES = (
    Initializer, Constant, Zeros, Ones, Identity, RandomNormal, TruncatedNormal,
    RandomUniform, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform,
    HeNormal, LecunUniform, LecunNormal, Orthogonal, STFT,
)  # fmt: skip


def _snake_case(name: str) -> str:
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out += "_"
        out += ch.lower()
    return out


ALL_OBJECTS_DICT: dict[str, type[Initializer]] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update(
    {
        # Keras 3's compatibility names.
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "STFTInitializer": STFT,
        # Keras 1/2 string names; Keras 2 gave them these classes' defaults
        # ('normal' is RandomNormal(stddev=0.05), 'uniform' RandomUniform(-0.05, 0.05)).
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "zero": Zeros,
        "one": Ones,
    }
)

# Keras's lowercase spellings of the classes (``initializers.he_normal(seed=1)``).
constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal
stft = STFT
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT


def serialize(initializer: Initializer | Callable) -> dict[str, Any] | str:
    """Keras's config of `initializer`.

    Example:

    >>> serialize(Zeros())
    {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, \
'registered_name': None}
    """
    return serialize_keras_object(initializer)


deserialize = family_deserializer("initializer", ALL_OBJECTS_DICT)


def get(identifier: Any) -> Initializer | Callable | None:
    """The initializer for a name, config, class, callable, array or None.

    Args:
        identifier: None (returned as is), a name such as ``"glorot_uniform"``
            (case-sensitive), a config dict, an initializer class (instantiated
            with its defaults), a callable ``f(shape, dtype=None)``, or a
            tensor/array whose values the weight is to take.

    Raises:
        UnknownObjectError: for an unknown name, listing the closest valid ones.

    Example:

    >>> get("zeros")((2,))
    tensor([0., 0.])
    """
    if identifier is None:
        return None
    if isinstance(identifier, (torch.Tensor, np.ndarray, np.generic)):
        return _from_values(identifier)
    return get_object(
        identifier,
        "initializer",
        ALL_OBJECTS_DICT,
        deserialize,
        "None, a name, a config dict, a callable or an array",
    )


def _from_values(values: Any) -> Callable:
    """An initializer returning a copy of `values` (whose shape must be asked for)."""
    values = torch.as_tensor(values)

    def initialize_fn(shape: ShapeLike, dtype: Any = None) -> torch.Tensor:
        shape = _standardize_shape(shape, "initializer")
        if shape != tuple(values.shape):
            raise ShapeError(
                f"Expected `shape` to be {tuple(values.shape)} for a tensor used as "
                f"initializer, received shape={shape}."
            )
        return values.to(device=device(), dtype=_dtype(dtype, "initializer"), copy=True)

    return initialize_fn
