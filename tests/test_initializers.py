"""lamina.initializers: Keras's draws, distributions, fans, configs and names."""

from __future__ import annotations

import inspect
import json
import math
import os
import pickle

import numpy as np
import pytest
import torch

from lamina import backend, initializers
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "fixtures", "activations.npz")
)
CASES = json.loads(str(FIXTURE["cases"]))["initializers"]
ON_CPU = backend.device().type == "cpu"
TRUNCATED_STDDEV = 0.87962566103423978


def assert_same_config(ours, keras):
    """Equal configs, up to Keras's float32 rounding of some numbers."""
    if isinstance(keras, dict):
        assert isinstance(ours, dict)
        assert list(ours) == list(keras)
        for key in keras:
            assert_same_config(ours[key], keras[key])
    elif isinstance(keras, float):
        assert ours == pytest.approx(keras, rel=1e-6)
    else:
        assert ours == keras


@pytest.mark.skipif(not ON_CPU, reason="Keras's draws were recorded on the CPU")
@pytest.mark.parametrize(
    ("case", "class_name", "kwargs", "shape"), CASES, ids=[c[0] for c in CASES]
)
def test_seeded_values_equal_keras_on_torch(case, class_name, kwargs, shape):
    init = getattr(initializers, class_name)(**kwargs)
    out = init(tuple(shape))
    assert out.dtype == torch.float32
    # atol 1e-6: Orthogonal's QR runs in LAPACK, whose last bits vary with the
    # CPU it runs on (2.2e-7 apart on one of this project's machines).
    np.testing.assert_allclose(
        out.numpy(), FIXTURE[f"init/{case}"], rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize(
    ("case", "class_name", "kwargs", "shape"), CASES, ids=[c[0] for c in CASES]
)
def test_config_equals_keras(case, class_name, kwargs, shape):
    init = getattr(initializers, class_name)(**kwargs)
    keras_config = json.loads(str(FIXTURE[f"init_config/{case}"]))
    ours = initializers.serialize(init)
    if class_name == "Identity":
        # Keras 3.15's Identity forgets its gain in get_config; lamina keeps it.
        assert ours["config"] == {"gain": kwargs["gain"]}
        ours["config"] = {}
    assert_same_config(ours, keras_config)
    rebuilt = initializers.deserialize(keras_config)
    assert type(rebuilt) is type(init)


# (initializer, shape, expected mean, expected std, bound on |x - mean| or None)
FAN_IN, FAN_OUT = 144, 288  # a (3, 3, 16, 32) kernel
DISTRIBUTIONS = [
    ("normal", initializers.RandomNormal(1.0, 2.0), (200, 500), 1.0, 2.0, None),
    (
        "uniform",
        initializers.RandomUniform(-1.0, 3.0),
        (200, 500),
        1.0,
        4 / math.sqrt(12),
        2.0,
    ),
    (
        "truncated",
        initializers.TruncatedNormal(0.5, 1.0),
        (200, 500),
        0.5,
        TRUNCATED_STDDEV,
        2.0,
    ),
    (
        "glorot_uniform",
        initializers.GlorotUniform(),
        (300, 200),
        0.0,
        math.sqrt(2 / 500),
        math.sqrt(6 / 500),
    ),
    (
        "glorot_normal",
        initializers.GlorotNormal(),
        (300, 200),
        0.0,
        math.sqrt(2 / 500),
        2 * math.sqrt(2 / 500) / TRUNCATED_STDDEV,
    ),
    (
        "he_uniform_conv",
        initializers.HeUniform(),
        (3, 3, 16, 32),
        0.0,
        math.sqrt(2 / FAN_IN),
        math.sqrt(6 / FAN_IN),
    ),
    (
        "he_normal_conv",
        initializers.HeNormal(),
        (3, 3, 16, 32),
        0.0,
        math.sqrt(2 / FAN_IN),
        2 * math.sqrt(2 / FAN_IN) / TRUNCATED_STDDEV,
    ),
    (
        "lecun_uniform",
        initializers.LecunUniform(),
        (400, 250),
        0.0,
        math.sqrt(1 / 400),
        math.sqrt(3 / 400),
    ),
    (
        "lecun_normal",
        initializers.LecunNormal(),
        (400, 250),
        0.0,
        math.sqrt(1 / 400),
        2 * math.sqrt(1 / 400) / TRUNCATED_STDDEV,
    ),
    (
        "vs_fan_out_untruncated",
        initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal"),
        (3, 3, 16, 32),
        0.0,
        math.sqrt(3.0 / FAN_OUT),
        None,
    ),
    (
        "vs_fan_avg_uniform_axes",
        initializers.VarianceScaling(
            2.0, "fan_avg", "uniform", input_axes=[0, 1], output_axes=[2]
        ),
        (20, 10, 500),
        0.0,
        math.sqrt(2.0 / 350),
        math.sqrt(6.0 / 350),
    ),
]


@pytest.mark.parametrize(
    ("init", "shape", "mean", "std", "bound"),
    [d[1:] for d in DISTRIBUTIONS],
    ids=[d[0] for d in DISTRIBUTIONS],
)
def test_distribution(init, shape, mean, std, bound):
    values = init(shape).double()
    n = values.numel()
    # Five standard errors: fails for a wrong scale, not by chance.
    assert abs(values.mean().item() - mean) < 5 * std / math.sqrt(n)
    assert values.std().item() == pytest.approx(std, rel=5 * math.sqrt(1 / n) + 0.01)
    if bound is not None:
        assert (values - mean).abs().max().item() <= bound * (1 + 1e-6)


def test_truncated_normal_never_leaves_two_stddevs():
    values = initializers.TruncatedNormal(0.0, 1.0)((1_000_000,))
    assert values.abs().max().item() < 2.0


@pytest.mark.parametrize(
    ("shape", "fans"),
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((5, 3), (5, 3)),
        ((3, 16, 32), (48, 96)),
        ((3, 3, 16, 32), (144, 288)),
        ((2, 3, 3, 16, 32), (288, 576)),
    ],
)
def test_compute_fans(shape, fans):
    assert initializers.compute_fans(shape) == fans


def test_compute_fans_with_axes():
    fans = initializers.compute_fans((6, 4, 5), input_axes=[0], output_axes=[1, 2])
    assert fans == (6, 20)


@pytest.mark.parametrize(("shape"), [(4, 4), (3, 7), (7, 3), (3, 3, 4, 5)])
def test_orthogonal(shape):
    q = initializers.Orthogonal(gain=2.0)(shape).double()
    matrix = q.reshape(-1, shape[-1])
    if matrix.shape[0] < matrix.shape[1]:
        gram = matrix @ matrix.T
    else:
        gram = matrix.T @ matrix
    torch.testing.assert_close(
        gram, 4.0 * torch.eye(gram.shape[0], dtype=gram.dtype), atol=1e-5, rtol=0
    )
    with pytest.raises(ShapeError, match="rank 1"):
        initializers.Orthogonal()((5,))


def test_identity_and_constants():
    eye = initializers.Identity(gain=0.5)((2, 3))
    assert eye.tolist() == [[0.5, 0.0, 0.0], [0.0, 0.5, 0.0]]
    with pytest.raises(ShapeError, match="2D"):
        initializers.Identity()((2, 2, 2))
    assert initializers.Constant(7)((2,), dtype="int32").tolist() == [7, 7]
    assert initializers.Constant([1.0, 2.0])((2, 2)).tolist() == [[1, 2], [1, 2]]
    with pytest.raises(ShapeError, match=r"\(3,\)"):
        initializers.Constant([1.0, 2.0, 3.0])((2, 2))
    assert initializers.Zeros()((2,), dtype="int64").dtype == torch.int64
    assert initializers.Ones()((1,)).tolist() == [1.0]


def test_dtype_and_device():
    for init in (
        initializers.GlorotUniform(),
        initializers.Zeros(),
        initializers.Orthogonal(),
    ):
        out = init((4, 4))
        assert out.dtype == torch.float32
        assert out.device.type == backend.device().type
        assert init((4, 4), dtype="float64").dtype == torch.float64
        assert init((4, 4), dtype=torch.float16).dtype == torch.float16
    with pytest.raises(ArgumentError, match="int32"):
        initializers.RandomNormal()((2, 2), dtype="int32")


def test_seeds():
    seeded = initializers.GlorotNormal(seed=42)
    first = seeded((20, 10))
    assert torch.equal(first, seeded((20, 10)))
    assert torch.equal(first, initializers.GlorotNormal(seed=42)((20, 10)))
    assert not torch.equal(first, initializers.GlorotNormal(seed=43)((20, 10)))
    unseeded = initializers.RandomNormal()
    assert not torch.equal(unseeded((50,)), unseeded((50,)))
    backend.set_random_seed(1234)
    a = unseeded((50,))
    backend.set_random_seed(1234)
    assert torch.equal(a, unseeded((50,)))


NAMES = {
    "zeros": initializers.Zeros,
    "Zeros": initializers.Zeros,
    "ones": initializers.Ones,
    "constant": initializers.Constant,
    "identity": initializers.Identity,
    "IdentityInitializer": initializers.Identity,
    "random_normal": initializers.RandomNormal,
    "random_uniform": initializers.RandomUniform,
    "truncated_normal": initializers.TruncatedNormal,
    "variance_scaling": initializers.VarianceScaling,
    "glorot_uniform": initializers.GlorotUniform,
    "glorot_normal": initializers.GlorotNormal,
    "he_uniform": initializers.HeUniform,
    "he_normal": initializers.HeNormal,
    "lecun_uniform": initializers.LecunUniform,
    "lecun_normal": initializers.LecunNormal,
    "orthogonal": initializers.Orthogonal,
    "OrthogonalInitializer": initializers.Orthogonal,
    "normal": initializers.RandomNormal,
    "uniform": initializers.RandomUniform,
    "zero": initializers.Zeros,
    "one": initializers.Ones,
}


@pytest.mark.parametrize(("name", "cls"), NAMES.items(), ids=list(NAMES))
def test_get_by_name(name, cls):
    init = initializers.get(name)
    assert type(init) is cls


def test_keras2_legacy_names_have_keras2_defaults():
    normal = initializers.get("normal")
    assert (normal.mean, normal.stddev) == (0.0, 0.05)
    uniform = initializers.get("uniform")
    assert (uniform.minval, uniform.maxval) == (-0.05, 0.05)


def test_get_other_identifiers():
    assert initializers.get(None) is None
    assert type(initializers.get(initializers.HeNormal)) is initializers.HeNormal
    init = initializers.HeNormal(seed=1)
    assert initializers.get(init) is init

    def fn(shape, dtype=None):
        return torch.zeros(shape)

    assert initializers.get(fn) is fn
    values = np.arange(6.0).reshape(2, 3)
    from_array = initializers.get(values)
    assert from_array((2, 3)).tolist() == values.tolist()
    with pytest.raises(ShapeError, match=r"\(2, 3\)"):
        from_array((3, 2))
    with pytest.raises(UnknownObjectError, match="'glorot_uniform'"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ArgumentError, match="initializer"):
        initializers.get(3.5)


@pytest.mark.parametrize(
    "init",
    [
        initializers.Constant(2.5),
        initializers.Zeros(),
        initializers.Identity(2.0),
        initializers.RandomNormal(0.1, 0.2, seed=3),
        initializers.TruncatedNormal(stddev=0.3),
        initializers.RandomUniform(-2.0, 2.0, seed=1),
        initializers.VarianceScaling(
            0.5, "fan_out", "uniform", seed=2, input_axes=[0], output_axes=[1]
        ),
        initializers.GlorotUniform(seed=5),
        initializers.HeNormal(),
        initializers.Orthogonal(gain=1.5, seed=9),
    ],
    ids=lambda init: type(init).__name__,
)
def test_config_round_trip(init):
    config = init.get_config()
    json.dumps(config)
    rebuilt = type(init).from_config(config)
    assert rebuilt.get_config() == config
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is type(init)
    assert again.get_config() == config
    assert init.clone().get_config() == config


def test_keras2_configs_load():
    # A TF1-era Keras 2 file stores the dtype; an old VarianceScaling says "normal".
    init = initializers.deserialize(
        {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}}
    )
    assert type(init) is initializers.GlorotUniform
    vs = initializers.deserialize(
        {
            "class_name": "VarianceScaling",
            "config": {"scale": 2.0, "mode": "fan_in", "distribution": "normal"},
        }
    )
    assert vs.distribution == "truncated_normal"


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: initializers.RandomNormal(stddev=-1.0), "stddev=-1.0"),
        (lambda: initializers.TruncatedNormal(stddev=-0.5), "stddev=-0.5"),
        (lambda: initializers.RandomNormal(mean=float("nan")), "mean=nan"),
        (lambda: initializers.RandomUniform(1.0, -1.0), "minval=1.0, maxval=-1.0"),
        (lambda: initializers.VarianceScaling(scale=0.0), "scale=0.0"),
        (lambda: initializers.VarianceScaling(mode="fan_middle"), "mode='fan_middle'"),
        (
            lambda: initializers.VarianceScaling(distribution="gamma"),
            "distribution='gamma'",
        ),
        (lambda: initializers.VarianceScaling(input_axes=3), "input_axes=3"),
        (lambda: initializers.GlorotUniform(seed="abc"), "'abc'"),
        (lambda: initializers.Orthogonal(gain="big"), "gain='big'"),
        (lambda: initializers.Constant(object()), "value"),
        (lambda: initializers.HeNormal()((3, -1)), r"shape=\(3, -1\)"),
        (lambda: initializers.Zeros()("abc"), "shape='abc'"),
    ],
)
def test_bad_arguments_raise_argument_error(make, match):
    with pytest.raises(ArgumentError, match=match):
        make()


@pytest.mark.parametrize(
    "name",
    "GlorotUniform GlorotNormal HeUniform HeNormal LecunUniform LecunNormal".split(),
)
def test_fixed_variance_scalings_are_plain_documented_classes(name):
    cls = getattr(initializers, name)
    assert (cls.__name__, cls.__qualname__, cls.__module__) == (
        name,
        name,
        "lamina.initializers",
    )
    assert issubclass(cls, initializers.VarianceScaling)
    doc = inspect.getdoc(cls)
    assert "Args:\n    seed: " in doc and f"Example:\n\n>>> {name}(" in doc
    assert list(inspect.signature(cls).parameters) == [
        "seed",
        "input_axes",
        "output_axes",
    ]
    assert pickle.loads(pickle.dumps(cls(seed=1))).get_config() == {
        "seed": 1,
        "input_axes": None,
        "output_axes": None,
    }
