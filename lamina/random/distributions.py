"""Keras 3's random draws (``keras.random.normal``, ``uniform``, ...) on torch.

Every function takes ``seed``: an int (the same numbers on every call), a
`SeedGenerator` (new numbers on every call, the same sequence for the same
initial seed) or None (torch's global generator, which
`lamina.utils.set_random_seed` seeds). Seeded draws are the draws Keras makes
on its torch backend, so on the CPU they equal Keras's numbers.

Results are torch tensors on `lamina.backend.device()` (on the input's device
for `dropout`, `shuffle` and `categorical`); ``dtype`` defaults to
`lamina.backend.floatx()` for the continuous draws.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import torch

from lamina.backend import convert_to_tensor, device, to_torch_dtype
from lamina.random.seed_generator import SeedGenerator, draw_seed, torch_generator

Shape = Sequence[int]
Seed = int | SeedGenerator | None


def _generator(seed: Seed, on: torch.device) -> torch.Generator | None:
    # A symbolic call (shape inference) runs on torch's meta device: no numbers
    # are drawn there, so a SeedGenerator must not advance either.
    return None if on.type == "meta" else torch_generator(seed, on)


def _float_dtype(dtype, function: str) -> torch.dtype:
    torch_dtype = to_torch_dtype(dtype)
    if dtype is not None and not torch_dtype.is_floating_point:
        raise ValueError(
            f"`random.{function}` requires a floating point `dtype`. "
            f"Received: dtype={dtype}"
        )
    return torch_dtype


def normal(
    shape: Shape, mean=0.0, stddev=1.0, dtype=None, seed: Seed = None
) -> torch.Tensor:
    """Draws from a normal distribution.

    Args:
        shape: the shape of the result.
        mean: the mean of the distribution.
        stddev: its standard deviation.
        dtype: a floating-point dtype (default `lamina.backend.floatx()`).
        seed: an int, a `SeedGenerator` or None (see the module).

    Example:

    >>> from lamina import random
    >>> random.normal((2, 3), seed=42).shape
    torch.Size([2, 3])
    """
    on = device()
    return torch.normal(
        mean,
        stddev,
        size=tuple(shape),
        generator=_generator(seed, on),
        dtype=to_torch_dtype(dtype),
        device=on,
    )


def uniform(
    shape: Shape, minval=0.0, maxval=1.0, dtype=None, seed: Seed = None
) -> torch.Tensor:
    """Draws from a uniform distribution on ``[minval, maxval)``.

    Args:
        shape: the shape of the result.
        minval: the lower bound (included).
        maxval: the upper bound (excluded).
        dtype: a floating-point dtype (default `lamina.backend.floatx()`);
            an integer one is a ValueError (see `randint`).
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    torch_dtype = _float_dtype(dtype, "uniform")
    on = device()
    draw = torch.rand(
        tuple(shape), generator=_generator(seed, on), dtype=torch_dtype, device=on
    )
    return (maxval - minval) * draw + minval


def randint(
    shape: Shape, minval, maxval, dtype="int32", seed: Seed = None
) -> torch.Tensor:
    """Draws integers uniformly from ``[minval, maxval)``.

    Args:
        shape: the shape of the result.
        minval: the lower bound (included).
        maxval: the upper bound (excluded).
        dtype: an integer dtype; a floating-point one is a ValueError.
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    torch_dtype = to_torch_dtype(dtype)
    if dtype and (torch_dtype.is_floating_point or torch_dtype.is_complex):
        raise ValueError(
            f"`random.randint` requires an integer `dtype`. Received: dtype={dtype}"
        )
    on = device()
    return torch.randint(
        minval,
        maxval,
        tuple(shape),
        generator=_generator(seed, on),
        dtype=torch_dtype,
        device=on,
    )


def truncated_normal(
    shape: Shape, mean=0.0, stddev=1.0, dtype=None, seed: Seed = None
) -> torch.Tensor:
    """Draws from a normal distribution cut at two standard deviations.

    Each value is the first of four unit-normal candidates inside ``(-2, 2)``
    (Keras's draw on torch); the rare value with no candidate inside (p ≈ 4e-6)
    is drawn again until it is, so every value is within the bounds.

    Args:
        shape: the shape of the result.
        mean: the mean of the distribution before truncation.
        stddev: its standard deviation before truncation.
        dtype: a floating-point dtype (default `lamina.backend.floatx()`).
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    on, torch_dtype = device(), to_torch_dtype(dtype)
    generator = _generator(seed, on)
    candidates = torch.normal(
        0.0,
        1.0,
        size=(*shape, 4),
        generator=generator,
        dtype=torch_dtype,
        device=on,
    )
    inside = (candidates > -2) & (candidates < 2)
    first = inside.to(torch.uint8).argmax(dim=-1, keepdim=True)
    values = candidates.gather(-1, first).squeeze(-1)
    if on.type != "meta":
        outside = values.abs() >= 2
        while bool(outside.any()):
            values[outside] = torch.normal(
                0.0,
                1.0,
                size=(int(outside.sum()),),
                generator=generator,
                dtype=torch_dtype,
                device=on,
            )
            outside = values.abs() >= 2
    return values * stddev + mean


def dropout(inputs, rate: float, noise_shape=None, seed: Seed = None) -> torch.Tensor:
    """Zero entries of `inputs` with probability `rate`, scale the rest by ``1/(1-rate)``.

    Args:
        inputs: a tensor (or array).
        rate: the probability of dropping an entry, in ``[0, 1]``.
        noise_shape: the shape of the keep/drop mask, broadcast against
            `inputs` (None entries take the input's size); default the
            input's shape.
        seed: an int, a `SeedGenerator` or None (see the module). Unseeded
            (and with a SeedGenerator made without a seed), with no
            `noise_shape`, this is torch's own dropout, the fastest.
    """
    inputs = convert_to_tensor(inputs)
    if rate == 1.0:
        return torch.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    unseeded = seed is None or (
        isinstance(seed, SeedGenerator) and seed._initial_seed is None
    )
    if unseeded and noise_shape is None:
        return torch.nn.functional.dropout(inputs, p=rate, training=True)
    keep = 1.0 - rate
    if noise_shape is None:
        mask_shape = inputs.shape
    else:
        mask_shape = [
            size if wanted is None else wanted
            for size, wanted in zip(inputs.shape, noise_shape)
        ]
    probabilities = torch.full(mask_shape, keep, device=inputs.device)
    mask = torch.bernoulli(probabilities, generator=_generator(seed, inputs.device))
    return torch.where(mask.bool(), inputs / keep, torch.zeros_like(inputs))


def shuffle(x, axis: int = 0, seed: Seed = None) -> torch.Tensor:
    """`x` with its entries along `axis` in a random order.

    For ``axis > 0``, each position along the axes before `axis` gets its own
    order (as in Keras on torch).

    Args:
        x: a tensor (or array).
        axis: the axis to shuffle.
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    x = convert_to_tensor(x)
    # Random keys sorted along the axis give a uniform permutation per row.
    keys = torch.rand(
        x.shape[: axis + 1], generator=_generator(seed, x.device), device=x.device
    )
    order = keys.argsort(dim=axis)
    order = order.reshape(order.shape + (1,) * (x.ndim - axis - 1)).expand(x.shape)
    return x.gather(axis, order)


def categorical(logits, num_samples: int, dtype="int32", seed: Seed = None):
    """Draws class indices from the categorical distributions given by `logits`.

    Args:
        logits: a 2-D tensor ``(batch_size, num_classes)`` of unnormalized
            log-probabilities.
        num_samples: how many draws per row (with replacement).
        dtype: the integer dtype of the result.
        seed: an int, a `SeedGenerator` or None (see the module).

    Returns:
        A tensor of shape ``(batch_size, num_samples)``.
    """
    logits = convert_to_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(
            "`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
            f"Received: logits with shape {tuple(logits.shape)}"
        )
    probabilities = torch.softmax(logits, dim=-1)
    draws = torch.multinomial(
        probabilities,
        num_samples,
        replacement=True,
        generator=_generator(seed, logits.device),
    )
    return draws.to(to_torch_dtype(dtype))


@contextlib.contextmanager
def _seeded_global_generator(seed: Seed, on: torch.device):
    """Seed torch's global generator for one draw, then restore its state.

    torch's gamma, binomial and beta samplers take no generator argument, so a
    seeded draw goes through the global one, put back as it was afterwards.
    """
    value = None if on.type == "meta" else draw_seed(seed)
    if value is None:
        yield
        return
    # The CPU's state and, on an accelerator, that device's are put back.
    accelerator = [on.index or 0] if on.type != "cpu" else []
    device_type = on.type if accelerator else None
    with torch.random.fork_rng(devices=accelerator, device_type=device_type):
        torch.manual_seed(value)
        yield


def _broadcast(value, shape: Shape, on: torch.device) -> torch.Tensor:
    """A distribution parameter as a float tensor of `shape` on `on`.

    Integer parameters become float32 (torch's samplers take floats only; Keras
    on torch fails on ``gamma(shape, 2)``).
    """
    tensor = convert_to_tensor(value).to(on)
    if not tensor.is_floating_point():
        tensor = tensor.float()
    return torch.broadcast_to(tensor, tuple(shape))


def gamma(shape: Shape, alpha, dtype=None, seed: Seed = None) -> torch.Tensor:
    """Draws from gamma distributions of concentration `alpha` (and rate 1).

    Args:
        shape: the shape of the result.
        alpha: the concentration, a number or a tensor broadcastable to `shape`.
        dtype: the dtype of the result (default `lamina.backend.floatx()`).
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    on = device()
    alpha = _broadcast(alpha, shape, on)
    rate = torch.ones(tuple(shape), device=on)
    with _seeded_global_generator(seed, on):
        sample = torch.distributions.Gamma(alpha, rate).sample()
    return sample.to(to_torch_dtype(dtype))


def binomial(
    shape: Shape, counts, probabilities, dtype=None, seed: Seed = None
) -> torch.Tensor:
    """Draws the number of successes in `counts` trials of probability `probabilities`.

    Args:
        shape: the shape of the result.
        counts: the number of trials, a number or a tensor broadcastable to
            `shape`.
        probabilities: the probability of success of each trial, likewise.
        dtype: the dtype of the result (default `lamina.backend.floatx()`).
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    on = device()
    counts = _broadcast(counts, shape, on)
    probabilities = _broadcast(probabilities, shape, on)
    with _seeded_global_generator(seed, on):
        sample = torch.distributions.Binomial(counts, probs=probabilities).sample()
    return sample.to(to_torch_dtype(dtype))


def beta(shape: Shape, alpha, beta, dtype=None, seed: Seed = None) -> torch.Tensor:
    """Draws from beta distributions ``Beta(alpha, beta)``.

    Args:
        shape: the shape of the result.
        alpha: the first concentration, a number or a tensor broadcastable to
            `shape`.
        beta: the second concentration, likewise.
        dtype: the dtype of the result (default `lamina.backend.floatx()`).
        seed: an int, a `SeedGenerator` or None (see the module).
    """
    on = device()
    alpha = _broadcast(alpha, shape, on)
    beta_ = _broadcast(beta, shape, on)
    with _seeded_global_generator(seed, on):
        sample = torch.distributions.Beta(alpha, beta_).sample()
    return sample.to(to_torch_dtype(dtype))
