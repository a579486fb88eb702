"""`lamina.random` against Keras 3's `keras.random` (tests/fixtures/random_keras.json).

make_random.py evaluated each fixture expression with Keras on its torch
backend (CPU). Seeded draws there are torch generators seeded from the seed,
as here, so lamina must give the same dtype, shape and values, or an exception
of the same class. The rest checks what numbers cannot: the distributions'
moments on large unseeded draws, reproducibility, and the seed's state in a
layer.
"""

from __future__ import annotations

import doctest
import json
import math
import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina import backend, random
from lamina.random import distributions, seed_generator

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "random_keras.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


def _describe(value):
    if isinstance(value, torch.Tensor):
        return {
            "dtype": backend.standardize_dtype(value.dtype),
            "shape": list(value.shape),
            "values": value.detach().cpu().double().ravel().tolist(),
        }
    if isinstance(value, (list, tuple)):
        return [_describe(v) for v in value]
    return {"repr": repr(value)}


def _run(expression: str) -> dict:
    namespace = {"random": random, "np": np, "gen": random.SeedGenerator}
    namespace["tensor"] = torch.as_tensor
    try:
        with np.errstate(divide="ignore"):  # np.log(0.0) is a logit of -inf
            return {"result": _describe(eval(expression, namespace))}
    except Exception as e:  # noqa: BLE001 - the class is compared
        return {"error": type(e).__name__}


@pytest.mark.parametrize("expression", list(CASES))
def test_matches_keras_on_torch(expression):
    expected = dict(CASES[expression])
    expected.pop("message", None)
    assert _run(expression) == expected


def test_same_seed_same_numbers_new_generator_new_numbers():
    assert torch.equal(random.normal((8,), seed=3), random.normal((8,), seed=3))
    gen = random.SeedGenerator(3)
    first, second = random.normal((8,), seed=gen), random.normal((8,), seed=gen)
    assert not torch.equal(first, second)
    again = random.SeedGenerator(3)
    assert torch.equal(random.normal((8,), seed=again), first)
    assert torch.equal(random.normal((8,), seed=again), second)


def test_unseeded_draws_follow_set_random_seed():
    lamina.utils.set_random_seed(11)
    a = [random.normal((4,)), random.gamma((4,), 2.0), random.SeedGenerator().state]
    lamina.utils.set_random_seed(11)
    b = [random.normal((4,)), random.gamma((4,), 2.0), random.SeedGenerator().state]
    for x, y in zip(a, b):
        assert torch.equal(x, y)


def test_seeded_draws_leave_the_global_generator_alone():
    lamina.utils.set_random_seed(5)
    expected = torch.rand(3)
    lamina.utils.set_random_seed(5)
    random.gamma((2,), 1.0, seed=1)
    random.binomial((2,), 3.0, 0.5, seed=random.SeedGenerator(2))
    random.beta((2,), 1.0, 1.0, seed=3)
    random.normal((2,), seed=4)
    assert torch.equal(torch.rand(3), expected)


N = 200_000


@pytest.mark.parametrize(
    "draw, mean, variance",
    [
        (lambda: random.normal((N,), 1.5, 2.0), 1.5, 4.0),
        (lambda: random.uniform((N,), -1.0, 3.0), 1.0, 16 / 12),
        (lambda: random.randint((N,), 0, 10).double(), 4.5, 99 / 12),
        # Normal cut at +-2 sigma: variance 1 - 4 phi(2) / (2 Phi(2) - 1).
        (lambda: random.truncated_normal((N,), 0.0, 1.0), 0.0, 0.7737413),
        (lambda: random.gamma((N,), 3.0), 3.0, 3.0),
        (lambda: random.binomial((N,), 10.0, 0.3), 3.0, 2.1),
        (lambda: random.beta((N,), 2.0, 5.0), 2 / 7, 10 / (49 * 8)),
    ],
    ids=[
        "normal",
        "uniform",
        "randint",
        "truncated_normal",
        "gamma",
        "binomial",
        "beta",
    ],
)
def test_moments(draw, mean, variance):
    values = draw().double()
    tolerance = 5 * math.sqrt(variance / N)  # five standard errors
    assert abs(values.mean().item() - mean) < tolerance
    assert values.var().item() == pytest.approx(variance, rel=0.03)


def test_integer_parameters_draw_as_floats():
    # Keras on torch raises NotImplementedError for these ("gamma_cpu" for Long).
    assert torch.equal(random.gamma((3,), 2, seed=1), random.gamma((3,), 2.0, seed=1))
    assert torch.equal(
        random.beta((3,), 1, 2, seed=1), random.beta((3,), 1.0, 2.0, seed=1)
    )
    assert random.binomial((3,), 5, 0.5, seed=1).dtype == torch.float32


def test_truncated_normal_stays_within_two_stddevs():
    values = random.truncated_normal((N,), mean=1.0, stddev=0.5, seed=0)
    assert values.min() > 0.0 and values.max() < 2.0


def test_categorical_frequencies():
    probabilities = torch.tensor([[0.1, 0.2, 0.7]])
    draws = random.categorical(probabilities.log(), N, seed=0)
    counts = torch.bincount(draws[0].long(), minlength=3).double() / N
    assert torch.allclose(counts, probabilities[0].double(), atol=0.01)


def test_dropout_keeps_the_expected_sum_and_shuffle_permutes():
    x = torch.ones(N)
    for seed in (None, 1, random.SeedGenerator(2), random.SeedGenerator()):
        dropped = random.dropout(x, 0.3, seed=seed)
        assert dropped.mean().item() == pytest.approx(1.0, abs=0.01)
        kept = dropped[dropped != 0]
        assert torch.allclose(kept, torch.full_like(kept, 1 / 0.7))
    shuffled = random.shuffle(torch.arange(1000), seed=1)
    assert not torch.equal(shuffled, torch.arange(1000))
    assert torch.equal(shuffled.sort().values, torch.arange(1000))


def test_dtype_follows_floatx():
    previous = backend.floatx()
    backend.set_floatx("float64")
    try:
        assert random.normal((2,)).dtype == torch.float64
        assert random.uniform((2,), seed=1).dtype == torch.float64
        assert random.gamma((2,), 1.0).dtype == torch.float64
    finally:
        backend.set_floatx(previous)


def test_seed_generator_state_is_a_non_trainable_variable():
    gen = random.SeedGenerator(7, name="noise_seed")
    assert isinstance(gen.state, lamina.Variable)
    assert gen.state.path == "noise_seed/seed_generator_state"
    assert not gen.state.trainable and not gen.state.requires_grad
    assert gen.state.tolist() == [7, 0]
    random.uniform((1,), seed=gen)
    assert gen.state.tolist() == [7, 1]


def test_seed_generator_beyond_int32_keeps_its_bits():
    # Keras's torch backend fails to store seeds >= 2**31 in its int32 state;
    # lamina keeps the low 32 bits, so the draws equal those of the int seed.
    gen = random.SeedGenerator(2**31 + 3)
    assert gen.state.tolist() == [-(2**31) + 3, 0]
    assert torch.equal(
        random.normal((4,), seed=gen), random.normal((4,), seed=2**31 + 3)
    )


class _Noise(lamina.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = random.SeedGenerator(1337)

    def call(self, x):
        return x + random.normal(tuple(x.shape), seed=self.seed_generator)


def test_a_layer_owns_its_seed_generator(tmp_path):
    layer = _Noise()
    x = torch.zeros(2, 3)
    first = layer(x)
    assert not torch.equal(layer(x), first)
    # The state is torch state of the layer (state_dict, .to()), not a weight.
    assert "seed_generator.state" in layer.state_dict()
    assert layer.weights == []
    restored = _Noise()
    restored.load_state_dict(layer.state_dict())
    assert torch.equal(restored(x), layer(x))
    assert restored.seed_generator.state.tolist() == [1337, 3]


@pytest.mark.xfail(
    strict=True,
    reason="Keras draws nothing while it infers shapes; lamina's symbolic call "
    "(layers/layer.py run_symbolically) does not tell lamina.random it is tracing, "
    "so a SeedGenerator used in call() advances when a functional model is built",
)
def test_a_seed_generator_does_not_advance_in_symbolic_calls():
    layer = _Noise()
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, layer(inputs))
    assert layer.seed_generator.state.tolist() == [1337, 0]
    out = model(torch.zeros(2, 3))
    assert torch.equal(out, random.normal((2, 3), seed=1337))


def test_get_config_round_trip():
    gen = random.SeedGenerator(4, name="sg")
    again = random.SeedGenerator.from_config(gen.get_config())
    assert again.name == "sg" and again.state.tolist() == [4, 0]
    unseeded = random.SeedGenerator(name="free")
    assert unseeded.get_config() == {"seed": None, "name": "free"}
    assert 1 <= unseeded.state.tolist()[0] <= 10**9


def test_errors_explain_themselves():
    with pytest.raises(ValueError, match="floating point `dtype`"):
        random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer `dtype`"):
        random.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="2-D tensor"):
        random.categorical(torch.zeros(3), 2)
    with pytest.raises(ValueError, match="integer or an instance of `SeedGenerator`"):
        random.dropout(torch.ones(3), 0.5, seed=1.5)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        random.SeedGenerator(1, stateful=True)
    random.SeedGenerator(1, backend="torch")  # Keras's argument, accepted


def test_docstring_examples_run():
    for module in (random, distributions, seed_generator):
        failed, attempted = doctest.testmod(module)
        assert attempted and not failed
