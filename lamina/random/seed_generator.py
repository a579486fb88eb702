"""`SeedGenerator`: a seed whose state advances with every draw.

A draw seeded with an int gives the same numbers every time; one seeded with a
SeedGenerator gives new numbers each time, and the same sequence for the same
initial seed. As on Keras's torch backend, every seeded draw runs on a fresh
``torch.Generator`` seeded with ``(state[0] + state[1]) mod 2**32`` (an int
``s`` is the state ``[s, 0]``), so seeded draws on the CPU equal Keras's.
"""

from __future__ import annotations

import random as python_random
from typing import Any

import torch

from lamina.backend import device as default_device
from lamina.backend.naming import auto_name
from lamina.backend.variables import Variable

_UINT32 = 0xFFFFFFFF


class SeedGenerator(torch.nn.Module):
    """A random seed with state: each draw seeded with it gets new numbers.

    The state is a non-trainable int32 `Variable` of shape ``(2,)``, ``[seed,
    counter]``; each draw reads it and advances the counter. A layer that
    holds a SeedGenerator as an attribute owns it as a torch submodule, so the
    state moves with ``layer.to(device)`` and is in ``layer.state_dict()``;
    like Keras, lamina does not write it to ``.keras`` or weights files.

    Args:
        seed: the initial seed, an int; None picks one from Python's `random`
            (which `lamina.utils.set_random_seed` seeds).
        name: the generator's name (default ``seed_generator``, made unique).

    Example:

    >>> from lamina import random
    >>> gen = random.SeedGenerator(seed=42)
    >>> a = random.normal((2, 3), seed=gen)
    >>> b = random.normal((2, 3), seed=gen)
    >>> bool((a == b).all())
    False
    >>> bool((random.normal((2, 3), seed=random.SeedGenerator(42)) == a).all())
    True

    Usage in a layer::

        class Noise(lamina.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.seed_generator = lamina.random.SeedGenerator(1337)

            def call(self, x):
                return x + lamina.random.normal(x.shape, seed=self.seed_generator)
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        super().__init__()
        # Keras's `backend=` picks one of its backends; lamina has one.
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or auto_name(type(self).__name__)
        self._initial_seed = seed
        if seed is None:
            seed = python_random.randint(1, 10**9)
        if not isinstance(seed, int):
            raise ValueError(
                f"Argument `seed` must be an integer. Received: seed={seed!r}"
            )
        state = torch.tensor([_as_int32(seed), 0], dtype=torch.int32)
        self.state = Variable(
            state.to(default_device()),
            trainable=False,
            name="seed_generator_state",
            path=f"{self.name}/seed_generator_state",
        )

    def next(self, ordered: bool = True) -> torch.Tensor:
        """The current state (a copy), then advance it.

        ``ordered=True`` adds 1 to the counter. ``ordered=False`` maps the whole
        state to ``(state + 1) * 5387 % 933199`` (int32 arithmetic), a sequence
        of near-unique values below a million, as Keras does.
        """
        current = self.state.detach().clone()
        with torch.no_grad():
            if ordered:
                self.state[1] += 1
            else:
                self.state.copy_((current + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)

    def extra_repr(self) -> str:
        return f"name={self.name!r}, seed={self._initial_seed!r}"


def _as_int32(seed: int) -> int:
    """The int32 whose bits are ``seed``'s low 32 bits (Keras keeps seeds so)."""
    return ((seed & _UINT32) ^ 0x80000000) - 0x80000000


def draw_seed(seed: int | SeedGenerator | None) -> int | None:
    """The 32-bit seed of one draw, or None for torch's global generator.

    A SeedGenerator advances; an int is used as is. Unseeded draws use torch's
    global generator, which `lamina.utils.set_random_seed` seeds. (Keras keeps a
    hidden global SeedGenerator for them; lamina's initializers and layers use
    torch's generator, and so does this.)
    """
    if isinstance(seed, SeedGenerator):
        first, second = seed.next().tolist()
        return (first + second) & _UINT32
    if isinstance(seed, int):
        return seed & _UINT32
    if seed is None:
        return None
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of "
        f"`SeedGenerator`. Received: seed={seed!r} (of type {type(seed)})"
    )


def layer_generator(layer, device: torch.device) -> torch.Generator | None:
    """The private generator of a layer made with an integer ``seed``.

    None without a seed (the layer draws from torch's global generator).
    Seeded once and kept as ``layer._generator``, where `BackupAndRestore`
    saves and restores its state; made again, from the seed, when the layer
    runs on another device.
    """
    seed = getattr(layer, "seed", None)
    if seed is None:
        return None
    generator = getattr(layer, "_generator", None)
    if generator is None or generator.device != device:
        generator = torch.Generator(device=device)
        generator.manual_seed(int(seed))
        layer._generator = generator
    return generator


def torch_generator(
    seed: int | SeedGenerator | None, device: torch.device | None = None
) -> torch.Generator | None:
    """A ``torch.Generator`` for one draw, seeded from `seed` (None: global)."""
    value = draw_seed(seed)
    if value is None:
        return None
    generator = torch.Generator(device=device or default_device())
    generator.manual_seed(value)
    return generator
