"""`keras.random`: random draws on torch, seeded as Keras seeds them.

Every draw takes ``seed``: an int gives the same numbers on every call, a
`SeedGenerator` new numbers on every call (the same sequence for the same
initial seed), None torch's global generator (see
`lamina.utils.set_random_seed`). Seeded draws are the ones Keras makes on its
torch backend, so on the CPU they equal Keras's numbers.

Example:

>>> from lamina import random
>>> random.uniform((2,), seed=42)
tensor([0.8823, 0.9150])
>>> gen = random.SeedGenerator(1)
>>> random.randint((3,), 0, 10, seed=gen).dtype
torch.int32
"""

from __future__ import annotations

from lamina.random.distributions import (
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from lamina.random.seed_generator import SeedGenerator

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]
