"""lamina.activations against real Keras 3 (tests/fixtures/activations.npz)."""

from __future__ import annotations

import inspect
import json
import math
import os
import pickle
import warnings

import numpy as np
import pytest
import torch

from lamina import activations
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError
from lamina.saving import register_keras_serializable

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "fixtures", "activations.npz")
)
CASES = json.loads(str(FIXTURE["cases"]))["activations"]
X = torch.from_numpy(FIXTURE["x"])

# Keras 3.15's activations/__init__.py: every name it resolves.
KERAS_NAMES = [
    "relu", "leaky_relu", "relu6", "softmax", "celu", "elu", "selu", "softplus",
    "softsign", "squareplus", "soft_shrink", "sparse_plus", "silu", "gelu", "glu",
    "tanh", "tanh_shrink", "threshold", "sigmoid", "sparse_sigmoid", "exponential",
    "hard_sigmoid", "hard_silu", "hard_tanh", "hard_shrink", "linear", "mish",
    "log_softmax", "log_sigmoid", "sparsemax", "swish", "hard_swish",
]  # fmt: skip


def _kwargs(kwargs: dict) -> dict:
    # JSON turned the tuple axes into lists.
    return {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}


@pytest.mark.parametrize(("case", "name", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_matches_keras(case, name, kwargs):
    out = activations.get(name)(X, **_kwargs(kwargs))
    assert out.dtype == torch.float32
    np.testing.assert_allclose(
        out.numpy(), FIXTURE[f"act/{case}"], rtol=1e-6, atol=1e-6
    )


def test_every_keras_name_resolves_to_the_function_of_that_name():
    for name in KERAS_NAMES:
        fn = activations.get(name)
        assert fn is getattr(activations, name)
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu


def test_sparsemax_is_the_simplex_projection():
    np.testing.assert_allclose(
        activations.sparsemax(X).numpy(), FIXTURE["ref/sparsemax"], atol=1e-6
    )
    np.testing.assert_allclose(
        activations.sparsemax(X, axis=1).numpy(),
        FIXTURE["ref/sparsemax_axis1"],
        atol=1e-6,
    )
    out = activations.sparsemax(torch.tensor([[0.0, 0.5, 1.0]]))
    np.testing.assert_allclose(out.numpy(), [[0.0, 0.25, 0.75]], atol=1e-7)
    sums = activations.sparsemax(X).sum(-1)
    np.testing.assert_allclose(sums.numpy(), np.ones(sums.shape), atol=1e-5)


# Keras 3.15's sparsemax on chosen inputs (tests/fixtures/make_sparsemax.py).
SPARSEMAX = np.load(
    os.path.join(os.path.dirname(__file__), "fixtures", "sparsemax.npz")
)
SPARSEMAX_CASES = json.loads(str(SPARSEMAX["cases"]))


def _sparsemax_reference(x: np.ndarray, axis: int):
    """Martins & Astudillo's projection by sorting, in float64 numpy.

    Returns the output and, for each entry, the support size of its slice.
    """
    z = np.moveaxis(x.astype(np.float64), axis, -1)
    z_sorted = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    with np.errstate(invalid="ignore"):  # -inf - -inf in the running sums
        cumsum = np.cumsum(z_sorted, axis=-1)
        kept = 1 + k * z_sorted > cumsum
    k_max = np.max(np.where(kept, k, 1), axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k_max - 1, axis=-1) - 1) / k_max
    out = np.maximum(z - tau, 0)
    support = np.broadcast_to(k_max, z.shape)
    return np.moveaxis(out, -1, axis), np.moveaxis(support, -1, axis)


@pytest.mark.parametrize("case", SPARSEMAX_CASES)
def test_sparsemax_against_keras_and_the_projection(case):
    x = SPARSEMAX[f"{case}/x"]
    axis = int(SPARSEMAX[f"{case}/axis"])
    keras_out = SPARSEMAX[f"{case}/keras"]
    out = activations.sparsemax(torch.from_numpy(x), axis=axis)
    assert out.dtype == torch.float32
    out = out.numpy()
    expected, support = _sparsemax_reference(x, axis)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(out.sum(axis=axis), 1.0, atol=1e-5)
    # Where one entry is kept, Keras 3.15 is right: its numbers, to float32
    # rounding (Keras computes x - (max - 1) without subtracting the max first).
    one = support == 1
    tolerance = 1e-6 + 4 * np.finfo(np.float32).eps * np.abs(x)
    assert np.all(np.abs(out - keras_out)[one] <= tolerance[one]), case
    # Where several are kept, Keras 3.15's threshold is wrong (on every backend):
    # its outputs do not sum to 1, and lamina's differ from them.
    several = (support > 1).any(axis=axis)
    keras_sums = keras_out.sum(axis=axis)
    assert np.all(np.abs(keras_sums - 1)[several] > 1e-3), case
    np.testing.assert_allclose(SPARSEMAX[f"{case}/keras_jax"], keras_out, atol=1e-6)


def test_sparsemax_layer_dtypes_and_gradient():
    from lamina import layers

    x = SPARSEMAX["random_1.0/x"]
    expected, _ = _sparsemax_reference(x, -1)
    out = layers.Activation("sparsemax")(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)
    # Half precision is computed in float32 and returned in its own dtype.
    for dtype in (torch.float16, torch.bfloat16):
        half = torch.from_numpy(x).to(dtype)
        out = activations.sparsemax(half)
        assert out.dtype == dtype
        reference, _ = _sparsemax_reference(half.float().numpy(), -1)
        np.testing.assert_allclose(out.float().numpy(), reference, atol=1e-2)
    ints = activations.sparsemax(torch.tensor([[1, 2, 3], [2, 2, 0]]))
    assert ints.dtype == torch.float32
    assert ints.tolist() == [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]
    # The outputs always sum to 1, so the gradient of their sum is 0.
    xg = torch.from_numpy(x).requires_grad_()
    activations.sparsemax(xg).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), 0.0, atol=1e-6)


def test_binary_step_and_heaviside():
    assert activations.get("heaviside") is activations.binary_step
    x = torch.tensor([-2.0, -1e-6, 0.0, 1e-6, 3.0], requires_grad=True)
    y = activations.binary_step(x)
    assert y.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    # The gradient is zero, and backward does not fail.
    (y * torch.arange(5.0)).sum().backward()
    assert x.grad.tolist() == [0.0] * 5
    assert activations.serialize(activations.heaviside) == "binary_step"


def test_arctan():
    values = [-10.0, -1.0, 0.0, 0.5, 100.0]
    out = activations.get("arctan")(torch.tensor(values, dtype=torch.float64))
    np.testing.assert_allclose(out.numpy(), [math.atan(v) for v in values], rtol=1e-12)


def test_hard_sigmoid_is_keras3_formula():
    out = activations.hard_sigmoid(torch.tensor([-4.0, -3.0, 1.0, 3.0]))
    # relu6(x + 3) / 6, not Keras 2's 0.2 * x + 0.5 (which gives 0.7 at 1).
    np.testing.assert_allclose(out.numpy(), [0.0, 0.0, 4 / 6, 1.0], rtol=1e-6)


def test_relu_keras2_alpha_is_negative_slope_and_warns():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        old = activations.relu(X, alpha=0.1)
    np.testing.assert_array_equal(old.numpy(), FIXTURE["act/relu_slope"])


def test_softmax_axis_none_and_tuple():
    out = activations.softmax(X, axis=None)
    assert out.shape == X.shape
    np.testing.assert_allclose(out.sum().item(), 1.0, rtol=1e-5)
    expected = torch.softmax(X.reshape(-1), 0).reshape(X.shape)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)
    log = activations.log_softmax(X, axis=None)
    np.testing.assert_allclose(log.exp().numpy(), expected.numpy(), rtol=1e-5)


def test_softmax_over_a_single_class_warns():
    with pytest.warns(UserWarning, match="sigmoid"):
        activations.softmax(torch.zeros(4, 1))


def test_inputs_other_than_tensors_are_converted():
    out = activations.relu([-10, -5, 0.0, 5, 10], max_value=5.0)
    assert isinstance(out, torch.Tensor)
    assert out.tolist() == [0.0, 0.0, 0.0, 5.0, 5.0]
    assert activations.sigmoid(np.zeros(2)).tolist() == [0.5, 0.5]


@pytest.mark.parametrize("name", ["relu", "sigmoid", "softmax", "gelu", "silu", "tanh"])
def test_dtype_is_kept(name):
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    assert activations.get(name)(x).dtype == torch.float64


def test_gradients_flow_through_relu_variants():
    x = X.clone().requires_grad_(True)
    y = activations.relu(x, negative_slope=0.2, max_value=4.0, threshold=0.5)
    y.sum().backward()
    assert torch.isfinite(x.grad).all()
    # Slope 0.2 below the threshold, 1 between it and the cap, 0 above the cap.
    below = x.detach() < 0.5
    assert torch.allclose(x.grad[below], torch.tensor(0.2))


def test_get_none_callable_and_errors():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    with pytest.raises(UnknownObjectError, match="'relu'"):
        activations.get("rleu")
    with pytest.raises(ArgumentError, match="activation"):
        activations.get(3)


def test_serialize_deserialize_builtins():
    for name in [*KERAS_NAMES, "binary_step", "arctan"]:
        fn = activations.get(name)
        serialized = activations.serialize(fn)
        assert isinstance(serialized, str)
        assert activations.deserialize(serialized) is fn
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.relu) == "relu"


def test_custom_registered_function_round_trips():
    @register_keras_serializable(package="TestActivations")
    def doubled(x):
        return 2 * x

    config = activations.serialize(doubled)
    assert config["class_name"] == "function"
    assert config["registered_name"] == "TestActivations>doubled"
    assert activations.deserialize(config) is doubled
    assert activations.get(config) is doubled


def test_deserialize_keras_function_config():
    config = {
        "module": "keras.activations",
        "class_name": "function",
        "config": "gelu",
        "registered_name": None,
    }
    assert activations.deserialize(config) is activations.gelu


def test_unknown_name_in_deserialize():
    with pytest.raises(UnknownObjectError, match="'softmax'"):
        activations.deserialize("sofmax")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: activations.glu(torch.zeros(2, 3)), ShapeError, r"\(2, 3\)"),
        (
            lambda: activations.softmax(torch.zeros(2, 3), axis=2),
            ArgumentError,
            "axis=2",
        ),
        (
            lambda: activations.soft_shrink(X, threshold=-1),
            ArgumentError,
            "threshold=-1",
        ),
        (
            lambda: activations.hard_shrink(X, threshold=-1),
            ArgumentError,
            "threshold=-1",
        ),
        (lambda: activations.squareplus(X, b=-4), ArgumentError, "b=-4"),
        (lambda: activations.celu(X, alpha=0), ArgumentError, "alpha=0"),
        (lambda: activations.relu(X, max_value=-1.0), ArgumentError, "max_value=-1.0"),
        (lambda: activations.sparsemax(X, axis=5), ArgumentError, "axis=5"),
    ],
)
def test_bad_arguments_raise_lamina_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_default_relu_adds_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        activations.relu(X)
        activations.softmax(X)


# The one-kernel activations the module builds from one table line each.
TABLE_ACTIVATIONS = (
    "relu6 selu sigmoid hard_sigmoid log_sigmoid silu hard_silu tanh tanh_shrink "
    "softplus softsign mish exponential arctan"
).split()


@pytest.mark.parametrize("name", TABLE_ACTIVATIONS)
def test_table_activations_are_named_documented_picklable_functions(name):
    fn = getattr(activations, name)
    assert (fn.__name__, fn.__qualname__, fn.__module__) == (
        name,
        name,
        "lamina.activations",
    )
    doc = inspect.getdoc(fn)
    assert "Args:\n    x: Input tensor.\n\nExample:\n\n>>> " + name + "(" in doc
    assert list(inspect.signature(fn).parameters) == ["x"]
    assert pickle.loads(pickle.dumps(fn)) is fn
    assert activations.serialize(fn) == name
