"""Activation functions, by name and as functions on torch tensors.

Every Keras 3 activation is here under its Keras name and with Keras's
arguments and defaults, plus two from course material that Keras lacks:
`binary_step` (alias ``"heaviside"``) and `arctan`. Each function takes a torch
tensor (anything `lamina.backend.convert_to_tensor` accepts also works) and
returns a tensor of the same dtype.

The common ones call one torch kernel directly: they run inside every forward
pass, so they carry no Python work beyond a type check.

Example:

>>> import torch
>>> from lamina import activations
>>> activations.relu(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]), max_value=5.0)
tensor([0., 0., 0., 5., 5.])
>>> activations.get("swish") is activations.silu
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as tnn

from lamina.backend import convert_to_tensor
from lamina.errors import ArgumentError, ShapeError
from lamina.serialization import (
    deserialize_keras_object,
    get_object,
    serialize_keras_object,
)

_warned_relu_alpha = False


def _as_tensor(x) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def _check_axis(x: torch.Tensor, axis: int, name: str) -> None:
    if not -x.ndim <= axis < x.ndim:
        raise ArgumentError(
            f"{name}: `axis` must be in [{-x.ndim}, {x.ndim}) for an input of "
            f"shape {tuple(x.shape)}, received axis={axis}."
        )


def _check_non_negative(value, name: str, function: str) -> None:
    if isinstance(value, (int, float)) and not value >= 0:
        raise ArgumentError(
            f"{function}: `{name}` must be a non-negative number, received "
            f"{name}={value!r}."
        )


def _elementwise(
    name: str, kernel: Callable, summary: str, example: str, result: str, details=""
) -> Callable:
    """The activation ``name(x)``: one torch kernel on `x` as a tensor.

    Its docstring is ``summary``, then ``details`` if any, the one argument,
    and an example: ``name(torch.tensor(example))`` gives ``result``.
    """

    def activation(x: torch.Tensor) -> torch.Tensor:
        return kernel(_as_tensor(x))

    details = f"    {details}\n\n" if details else ""
    activation.__name__ = activation.__qualname__ = name
    activation.__doc__ = (
        f"{summary}\n\n{details}    Args:\n        x: Input tensor.\n\n"
        f"    Example:\n\n    >>> {name}(torch.tensor({example}))\n    {result}\n    "
    )
    return activation


# ---------------------------------------------------------------- ReLU family


def relu(
    x: torch.Tensor,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
    alpha: float | None = None,
) -> torch.Tensor:
    """Rectified linear unit: ``max(x, 0)`` with Keras's optional variations.

    With its defaults this is ``torch.relu``. Otherwise values at or below
    `threshold` become ``negative_slope * (x - threshold)``, and the result is
    capped at `max_value`.

    Args:
        x: Input tensor.
        negative_slope: Slope for values below `threshold`.
        max_value: The largest value returned, or None for no cap.
        threshold: Values at or below it are damped (or set to zero).
        alpha: Keras 2 name of `negative_slope` (deprecated).

    Returns:
        A tensor of the shape and dtype of `x`.

    Example:

    >>> relu(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]), negative_slope=0.5)
    tensor([-5.0000, -2.5000,  0.0000,  5.0000, 10.0000])
    """
    if alpha is not None:
        global _warned_relu_alpha
        if not _warned_relu_alpha:
            warnings.warn(
                "relu(alpha=...) is the Keras 2 spelling; use "
                "relu(negative_slope=...).",
                DeprecationWarning,
                stacklevel=2,
            )
            _warned_relu_alpha = True
        negative_slope = alpha
    if not isinstance(x, torch.Tensor):
        x = convert_to_tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if max_value is not None and max_value < 0:
        raise ArgumentError(
            f"relu: `max_value` must be >= 0 or None, received max_value={max_value!r}."
        )
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return tnn.leaky_relu(x, negative_slope)
    # Keras's definition: the positive part is x above the threshold (capped
    # at max_value), minus negative_slope times how far x sits below it.
    if threshold != 0.0:
        out = torch.where(x > threshold, x, 0.0)
    elif max_value == 6:
        out = tnn.relu6(x)
        max_value = None
    else:
        out = torch.relu(x)
    if max_value is not None:
        out = torch.clamp(out, 0.0, max_value)
    if negative_slope != 0.0:
        out = out - negative_slope * torch.relu(threshold - x)
    return out


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    """Leaky ReLU: ``x`` for ``x >= 0``, else ``negative_slope * x``.

    Args:
        x: Input tensor.
        negative_slope: Slope for negative values.

    Example:

    >>> leaky_relu(torch.tensor([-1.0, 2.0]))
    tensor([-0.2000,  2.0000])
    """
    return tnn.leaky_relu(_as_tensor(x), negative_slope)


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Example:

    >>> elu(torch.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """
    return tnn.elu(_as_tensor(x), alpha)


def celu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: ``alpha * (exp(x / alpha) - 1)`` below 0.

    Args:
        x: Input tensor.
        alpha: The α of the CeLU formula; must not be zero.

    Example:

    >>> celu(torch.tensor([-1.0, 1.0]))
    tensor([-0.6321,  1.0000])
    """
    if alpha == 0:
        raise ArgumentError("celu: `alpha` must not be 0, received alpha=0.")
    return tnn.celu(_as_tensor(x), alpha)


def threshold(x: torch.Tensor, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else `default_value`.

    Args:
        x: Input tensor.
        threshold: Values above it are kept.
        default_value: The value given to the others.

    Example:

    >>> threshold(torch.tensor([-1.0, 2.0]), 0.0, -5.0)
    tensor([-5.,  2.])
    """
    return tnn.threshold(_as_tensor(x), threshold, default_value)


# Activations that are one torch kernel, one a line (see `_elementwise`): name,
# kernel, summary, example input, its result, further details.
# fmt: off
relu6 = _elementwise("relu6", tnn.relu6, "ReLU capped at 6: ``min(max(x, 0), 6)``.", "[-1.0, 3.0, 9.0]", "tensor([0., 3., 6.])")
selu = _elementwise("selu", torch.selu, "Scaled ELU with ``alpha=1.67326324`` and ``scale=1.05070098``.", "[1.0]", "tensor([1.0507])", details="Use it with the ``lecun_normal`` initializer.")
# fmt: on


# ----------------------------------------------------------- sigmoid family


def sparse_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` between.

    Args:
        x: Input tensor.

    Example:

    >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 0.5]))
    tensor([0.0000, 0.5000, 0.7500])
    """
    x = _as_tensor(x)
    return torch.clamp(0.5 * (x + 1.0), 0.0, 1.0)


# One-kernel activations, one a line (see `_elementwise`).
# fmt: off
sigmoid = _elementwise("sigmoid", torch.sigmoid, "Logistic sigmoid: ``1 / (1 + exp(-x))``.", "[0.0]", "tensor([0.5000])")
hard_sigmoid = _elementwise("hard_sigmoid", tnn.hardsigmoid, "Piecewise linear sigmoid, Keras 3's formula: ``relu6(x + 3) / 6``.", "[-3.0, 0.0, 3.0]", "tensor([0.0000, 0.5000, 1.0000])", details="(Keras 2 used ``clip(0.2 * x + 0.5, 0, 1)``; Keras 3 changed it.)")
log_sigmoid = _elementwise("log_sigmoid", tnn.logsigmoid, "``log(sigmoid(x))``, computed stably.", "[0.0]", "tensor([-0.6931])")
silu = _elementwise("silu", tnn.silu, "Swish / SiLU: ``x * sigmoid(x)`` (also available as ``swish``).", "[1.0]", "tensor([0.7311])")
hard_silu = _elementwise("hard_silu", tnn.hardswish, "Hard SiLU / hard swish: ``x * relu6(x + 3) / 6`` (also ``hard_swish``).", "[-4.0, 1.0, 4.0]", "tensor([-0.0000,  0.6667,  4.0000])")
# fmt: on

swish = silu
hard_swish = hard_silu


# ----------------------------------------------------------- softmax family


def _over_axes(fn: Callable, x: torch.Tensor, axis) -> torch.Tensor:
    """Apply a last-axis normalisation `fn` over `axis` (an int, a tuple, None)."""
    if axis is None:
        return fn(x.reshape(-1), -1).reshape(x.shape)
    if isinstance(axis, int):
        _check_axis(x, axis, fn.__name__)
        return fn(x, axis)
    axes = tuple(a % x.ndim for a in axis)
    kept = [d for d in range(x.ndim) if d not in axes]
    moved = x.permute(*kept, *axes)
    out = fn(moved.reshape(*moved.shape[: len(kept)], -1), -1).reshape(moved.shape)
    inverse = sorted(range(x.ndim), key=[*kept, *axes].__getitem__)
    return out.permute(*inverse)


def _warn_single_class(x: torch.Tensor, axis) -> None:
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(
            f"You are using a softmax over axis {axis} of a tensor of shape "
            f"{tuple(x.shape)}. This axis has size 1. The softmax operation will "
            "always return the value 1, which is likely not what you intended. "
            "Did you mean to use a sigmoid instead?",
            stacklevel=3,
        )


def softmax(x: torch.Tensor, axis: int | tuple[int, ...] | None = -1) -> torch.Tensor:
    """Softmax: ``exp(x) / sum(exp(x))`` along `axis`.

    Args:
        x: Input tensor.
        axis: The axis (or tuple of axes, or None for all) normalised over.

    Example:

    >>> softmax(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([0.0900, 0.2447, 0.6652])
    """
    if not isinstance(x, torch.Tensor):
        x = convert_to_tensor(x)
    if axis == -1 and x.ndim > 0:
        if x.shape[-1] == 1:
            _warn_single_class(x, axis)
        return torch.softmax(x, -1)
    _warn_single_class(x, axis)
    return _over_axes(torch.softmax, x, axis)


def log_softmax(
    x: torch.Tensor, axis: int | tuple[int, ...] | None = -1
) -> torch.Tensor:
    """``log(softmax(x))`` along `axis`, computed stably.

    Args:
        x: Input tensor.
        axis: The axis (or tuple of axes, or None for all) normalised over.

    Example:

    >>> log_softmax(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([-2.4076, -1.4076, -0.4076])
    """
    if not isinstance(x, torch.Tensor):
        x = convert_to_tensor(x)
    if axis == -1 and x.ndim > 0:
        return torch.log_softmax(x, -1)
    return _over_axes(torch.log_softmax, x, axis)


def sparsemax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex.

    Martins & Astudillo (2016): ``max(x - tau, 0)``, where ``tau`` makes the
    outputs sum to 1 along `axis`; like softmax the outputs are non-negative and
    sum to 1, but small inputs get exactly 0. With the inputs sorted in
    decreasing order ``z_1 >= z_2 >= ...``, the support size ``k`` is the
    largest with ``1 + k z_k > z_1 + ... + z_k``, and ``tau = (z_1 + ... + z_k
    - 1) / k``.

    Where lamina differs from Keras 3.15 (keras-team/keras#23425): Keras's
    ``tau`` divides the sum of the running sums ``z_1 + (z_1 + z_2) + ...``
    over the support by ``k``, not the running sum at ``k``. The two agree when
    one entry is kept (``k = 1``: the output is one-hot), and there lamina gives
    Keras's numbers; when two or more entries are kept (ties at the maximum
    included), Keras's outputs are wrong (they do not sum to 1) and lamina's are
    the projection. lamina also subtracts the maximum first (sparsemax does not
    change when a constant is added), so large inputs lose no precision, and
    computes float16/bfloat16 inputs in float32.

    Args:
        x: Input tensor.
        axis: The axis normalised over.

    Example:

    >>> sparsemax(torch.tensor([0.0, 0.5, 1.0]))
    tensor([0.0000, 0.2500, 0.7500])
    """
    x = _as_tensor(x)
    _check_axis(x, axis, "sparsemax")
    dtype = x.dtype if x.is_floating_point() else torch.float32
    if x.dtype != torch.float64:
        x = x.float()
    x = x - torch.amax(x, dim=axis, keepdim=True)  # the largest is 0, exactly
    z, _ = torch.sort(x, dim=axis, descending=True)
    cumsum = torch.cumsum(z, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    k = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).view(shape)
    # The support is a prefix of the sorted entries; its size is the largest k
    # that passes (k = 1 always does, as z_1 = 0).
    k_max = torch.amax(
        torch.where(1.0 + k * z > cumsum, k, 1.0), dim=axis, keepdim=True
    )
    tau = (torch.gather(cumsum, axis, k_max.long() - 1) - 1.0) / k_max
    return torch.clamp(x - tau, min=0.0).to(dtype)


def glu(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: split `x` in halves ``a, b`` along `axis`; ``a * sigmoid(b)``.

    Args:
        x: Input tensor; its `axis` dimension must be even.
        axis: The axis split in two.

    Example:

    >>> glu(torch.tensor([-1.0, 0.0, 1.0, 1.0]))
    tensor([-0.7311,  0.0000])
    """
    x = _as_tensor(x)
    _check_axis(x, axis, "glu")
    if x.shape[axis] % 2:
        raise ShapeError(
            f"glu: the size of axis {axis} must be even, received an input of "
            f"shape {tuple(x.shape)}."
        )
    return tnn.glu(x, axis)


# ------------------------------------------------------------- the others


def hard_tanh(x: torch.Tensor) -> torch.Tensor:
    """``x`` clipped to ``[-1, 1]``.

    Args:
        x: Input tensor.

    Example:

    >>> hard_tanh(torch.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    return tnn.hardtanh(_as_tensor(x), -1.0, 1.0)


def soft_shrink(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Soft shrink: ``x - threshold`` above it, ``x + threshold`` below ``-threshold``.

    Values within ``[-threshold, threshold]`` become 0.

    Args:
        x: Input tensor.
        threshold: A non-negative number.

    Example:

    >>> soft_shrink(torch.tensor([-1.0, 0.2, 1.0]))
    tensor([-0.5000,  0.0000,  0.5000])
    """
    _check_non_negative(threshold, "threshold", "soft_shrink")
    return tnn.softshrink(_as_tensor(x), threshold)


def hard_shrink(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """``x`` where ``|x| > threshold``, else 0.

    Args:
        x: Input tensor.
        threshold: A non-negative number.

    Example:

    >>> hard_shrink(torch.tensor([-1.0, 0.2, 1.0]))
    tensor([-1.,  0.,  1.])
    """
    _check_non_negative(threshold, "threshold", "hard_shrink")
    return tnn.hardshrink(_as_tensor(x), threshold)


def sparse_plus(x: torch.Tensor) -> torch.Tensor:
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` from 1 on.

    Args:
        x: Input tensor.

    Example:

    >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
    tensor([0.0000, 0.2500, 2.0000])
    """
    x = _as_tensor(x)
    middle = 0.25 * torch.square(x + 1.0)
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x < 1.0, middle, x))


def squareplus(x: torch.Tensor, b: float = 4) -> torch.Tensor:
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU.

    Args:
        x: Input tensor.
        b: Smoothness, a non-negative number.

    Example:

    >>> squareplus(torch.tensor([0.0]))
    tensor([1.])
    """
    _check_non_negative(b, "b", "squareplus")
    x = _as_tensor(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2


def gelu(x: torch.Tensor, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit: ``x * P(X <= x)`` with ``X ~ N(0, 1)``.

    Args:
        x: Input tensor.
        approximate: Use the tanh approximation.

    Example:

    >>> gelu(torch.tensor([1.0]))
    tensor([0.8413])
    """
    return tnn.gelu(_as_tensor(x), approximate="tanh" if approximate else "none")


def linear(x: torch.Tensor) -> torch.Tensor:
    """The identity: returns `x` unchanged.

    Args:
        x: Input tensor.

    Example:

    >>> linear(torch.tensor([-1.0]))
    tensor([-1.])
    """
    return x


def binary_step(x: torch.Tensor) -> torch.Tensor:
    """Heaviside step: 1 for ``x >= 0``, 0 below (not in Keras; alias ``heaviside``).

    Its gradient is zero everywhere (at 0 it is undefined; zero is used), so
    the layers before it do not learn through it.

    Args:
        x: Input tensor.

    Example:

    >>> binary_step(torch.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 1., 1.])
    """
    x = _as_tensor(x)
    # sign() has a zero gradient, so the result stays in the autograd graph
    # instead of raising "does not require grad" in backward.
    return torch.clamp(torch.sign(x) + 1.0, max=1.0)


heaviside = binary_step


# One-kernel activations, one a line (see `_elementwise`).
# fmt: off
tanh = _elementwise("tanh", torch.tanh, "Hyperbolic tangent.", "[0.0]", "tensor([0.])")
tanh_shrink = _elementwise("tanh_shrink", tnn.tanhshrink, "``x - tanh(x)``.", "[1.0]", "tensor([0.2384])")
softplus = _elementwise("softplus", tnn.softplus, "``log(exp(x) + 1)``.", "[0.0]", "tensor([0.6931])")
softsign = _elementwise("softsign", tnn.softsign, "``x / (abs(x) + 1)``.", "[1.0]", "tensor([0.5000])")
mish = _elementwise("mish", tnn.mish, "``x * tanh(softplus(x))``.", "[1.0]", "tensor([0.8651])")
exponential = _elementwise("exponential", torch.exp, "``exp(x)``.", "[0.0]", "tensor([1.])")
arctan = _elementwise("arctan", torch.atan, "Inverse tangent, a sigmoid-shaped activation in ``(-pi/2, pi/2)`` (not in Keras).", "[1.0]", "tensor([0.7854])")
# fmt: on


# ------------------------------------------------------------ name lookups

ALL_OBJECTS_DICT: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign,
        squareplus, soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink,
        threshold, sigmoid, sparse_sigmoid, exponential, hard_sigmoid, hard_silu,
        hard_tanh, hard_shrink, linear, mish, log_softmax, log_sigmoid, sparsemax,
        binary_step, arctan,
    )
}  # fmt: skip
ALL_OBJECTS_DICT.update(swish=silu, hard_swish=hard_silu, heaviside=binary_step)

# The name each built-in serializes to (an alias writes its function's name).
_BUILTIN_NAMES = {fn: fn.__name__ for fn in ALL_OBJECTS_DICT.values()}


def serialize(activation: Callable) -> str | dict[str, Any]:
    """The name of a built-in activation, or the config of a custom one.

    Args:
        activation: An activation function or callable object.

    Returns:
        ``"relu"`` for `relu` (as Keras writes it); a
        ``{"module", "class_name", "config", "registered_name"}`` dict for a
        registered custom function or an object with ``get_config``.

    Example:

    >>> serialize(swish)
    'silu'
    """
    try:
        name = _BUILTIN_NAMES.get(activation)
    except TypeError:  # an unhashable callable object
        name = None
    if name is not None:
        return name
    if not callable(activation):
        raise ArgumentError(
            f"Cannot serialize activation {activation!r}: it is not callable."
        )
    return serialize_keras_object(activation)


def deserialize(
    config: str | dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Callable:
    """The activation a name or config (from `serialize`) stands for.

    Args:
        config: An activation name or a serialized config dict.
        custom_objects: Extra ``{name: function}`` to search first.

    Example:

    >>> deserialize("relu") is relu
    True
    """
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="activation function",
    )


def get(identifier: str | dict[str, Any] | Callable | None) -> Callable:
    """The activation function for a name, config, callable or None.

    Args:
        identifier: None (gives `linear`), a name such as ``"relu"``, a
            serialized config dict, or a callable (returned as it is).

    Returns:
        A callable taking and returning a tensor.

    Raises:
        UnknownObjectError: for an unknown name, listing the closest valid ones.

    Example:

    >>> get(None) is linear, get("relu") is relu
    (True, True)
    """
    if identifier is None:
        return linear
    return get_object(identifier, "activation function", ALL_OBJECTS_DICT, deserialize)
