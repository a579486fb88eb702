"""`lamina.Variable`: Keras 3's constructor, attributes and methods, and optimizers
on such variables against Keras 3's numbers (tests/fixtures/variables_optimizers.npz).
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import pickle

import numpy as np
import pytest
import torch

import lamina
from lamina import initializers, optimizers
from lamina.backend.variables import Variable, _rebuild_variable
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError

FIXTURE = np.load(
    os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "variables_optimizers.npz"
    )
)
CASES = json.loads(str(FIXTURE["cases"]))
STEPS = 3


def test_keras_signature():
    params = list(inspect.signature(Variable).parameters)
    assert params[:9] == [
        "initializer",
        "shape",
        "dtype",
        "trainable",
        "autocast",
        "aggregation",
        "synchronization",
        "name",
        "layout",
    ]
    assert lamina.Variable is Variable


@pytest.mark.parametrize(
    ("initializer", "kwargs", "dtype", "shape"),
    [
        (np.ones((2, 3)), {}, torch.float64, (2, 3)),  # numpy keeps its dtype
        (np.ones((2, 3), "float32"), {}, torch.float32, (2, 3)),
        ([1.0, 2.0], {}, torch.float32, (2,)),  # Python floats are floatx
        ([1, 2.5], {}, torch.float32, (2,)),
        (3.0, {}, torch.float32, ()),
        ([1, 2], {}, torch.int32, (2,)),  # Python ints are int32
        (True, {}, torch.bool, ()),
        (torch.ones(2, dtype=torch.float64), {}, torch.float64, (2,)),
        (torch.ones(2), {"dtype": "float16"}, torch.float16, (2,)),
        (np.ones(2), {"dtype": "int32"}, torch.int32, (2,)),
        ("ones", {"shape": (2, 2)}, torch.float32, (2, 2)),
        (initializers.Ones(), {"shape": [2], "dtype": "float16"}, torch.float16, (2,)),
        (
            lambda shape, dtype: np.full(shape, 2.0),
            {"shape": (3,)},
            torch.float32,
            (3,),
        ),
    ],
)
def test_initial_values_dtypes_and_shapes(initializer, kwargs, dtype, shape):
    v = Variable(initializer, **kwargs)
    assert v.dtype == dtype
    assert tuple(v.shape) == shape and v.ndim == len(shape)
    assert isinstance(v, torch.nn.Parameter)
    assert v.trainable
    # Only float (and complex) tensors record gradients in torch.
    assert v.requires_grad == (dtype.is_floating_point)


def test_values_are_copied_and_tensors_shared():
    array = np.ones(3, "float32")
    v = Variable(array)
    v.assign([2.0, 2.0, 2.0])
    assert array.tolist() == [1.0, 1.0, 1.0]
    tensor = torch.ones(3)
    w = Variable(tensor)  # a Parameter shares its tensor's memory, as in Keras on torch
    w.assign([5.0, 5.0, 5.0])
    assert tensor.tolist() == [5.0, 5.0, 5.0]


def test_name_path_trainable_and_keras_attributes():
    v = Variable(np.ones((2, 3)), name="w")
    assert v.name == "w" and v.path == "w"
    assert Variable(np.ones(2), name="k", path="dense/k").path == "dense/k"
    lamina.backend.clear_session()
    assert [Variable(1.0).name for _ in range(3)] == [
        "variable",
        "variable_1",
        "variable_2",
    ]
    frozen = Variable(np.ones(2), trainable=False)
    assert not frozen.trainable and not frozen.requires_grad
    frozen.trainable = True
    assert frozen.trainable and frozen.requires_grad
    ints = Variable([1, 2])
    ints.trainable = False
    ints.trainable = True  # no gradients for ints, and no error either
    assert ints.trainable and not ints.requires_grad
    assert (v.autocast, v.aggregation, v.synchronization) == (True, "none", "auto")
    other = Variable(1.0, autocast=False, aggregation=None, synchronization="on_read")
    assert (other.autocast, other.aggregation, other.synchronization) == (
        False,
        "none",
        "on_read",
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: Variable("ones"), ArgumentError, "the `shape` argument should be"),
        (
            lambda: Variable(initializers.Ones()),
            ArgumentError,
            "When creating a Variable from an initializer",
        ),
        (
            lambda: Variable("not_an_initializer", shape=(2,)),
            UnknownObjectError,
            "not_an_initializer",
        ),
        (lambda: Variable(np.ones(2), name="a/b"), ArgumentError, "cannot contain"),
        (lambda: Variable(np.ones(2), name=3), ArgumentError, "must be a string"),
        (lambda: Variable(1.0, aggregation="max"), ArgumentError, "aggregation"),
        (lambda: Variable(1.0, synchronization="x"), ArgumentError, "synchroniz"),
        (lambda: Variable("ones", shape=(None, 2)), ArgumentError, "fully-defined"),
        (lambda: Variable("ones", shape=(-1, 2)), ArgumentError, "Negative"),
        (lambda: Variable("ones", shape=(2.0,)), ArgumentError, "invalid dimension"),
        (lambda: Variable("ones", shape=3), ArgumentError, "to a shape"),
        (lambda: Variable(np.ones(2), shape=(3,)), ShapeError, r"\(2,\).*\(3,\)"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_value_numpy_assign_and_arithmetic():
    v = Variable(np.arange(6, dtype="float32").reshape(2, 3), name="w")
    assert v.value is v
    array = v.numpy()
    assert isinstance(array, np.ndarray) and array.dtype == np.float32
    array[0, 0] = 100.0  # a copy
    assert v.numpy()[0, 0] == 0.0
    assert np.asarray(v).shape == (2, 3)
    assert v.assign(np.ones((2, 3))) is v
    assert v.numpy().tolist() == [[1.0] * 3] * 2
    v.assign_add(np.ones((2, 3)))
    v.assign_sub(0.5)
    assert v.numpy().tolist() == [[1.5] * 3] * 2
    v.assign(torch.full((2, 3), 3, dtype=torch.int64))  # cast to the variable's dtype
    assert v.dtype == torch.float32 and v.numpy().sum() == 18.0
    with pytest.raises(ShapeError, match=r"\(3, 2\).*'w'.*\(2, 3\)"):
        v.assign(np.zeros((3, 2)))
    # Arithmetic gives plain tensors, as Keras on torch gives its tensors.
    for result in (v + 1, 1 - v, v * v, v / 2, v**2, -v, v @ v.T, abs(v)):
        assert type(result) is torch.Tensor
    assert (v == 3.0).all()
    scalar = Variable(2.5)
    assert float(scalar) == 2.5 and int(scalar) == 2
    assert "path=w, shape=(2, 3), dtype=float32" in repr(v)


def test_pickle_and_deepcopy_keep_everything():
    v = Variable(
        np.ones((2, 2)),
        trainable=False,
        autocast=False,
        aggregation="mean",
        synchronization="on_write",
        name="w",
        path="layer/w",
    )
    for twin in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
        assert isinstance(twin, Variable) and twin is not v
        assert (twin.name, twin.path, twin.trainable) == ("w", "layer/w", False)
        assert (twin.autocast, twin.aggregation, twin.synchronization) == (
            False,
            "mean",
            "on_write",
        )
        assert twin.dtype == torch.float64 and not twin.requires_grad
        np.testing.assert_array_equal(twin.numpy(), v.numpy())
    # Pickles written before the Keras attributes existed still load.
    old = _rebuild_variable(torch.ones(2), True, "k", "dense/k", True)
    assert (old.name, old.path, old.trainable, old.aggregation) == (
        "k",
        "dense/k",
        True,
        "none",
    )


def test_layer_weights_are_unchanged():
    layer = lamina.layers.Dense(3, name="dense")
    layer.build((None, 4))
    kernel, bias = layer.weights
    assert isinstance(kernel, Variable)
    assert (kernel.name, kernel.path, kernel.trainable) == (
        "kernel",
        "dense/kernel",
        True,
    )
    assert tuple(kernel.shape) == (4, 3) and kernel.dtype == torch.float32
    assert copy.deepcopy(layer).kernel.path == "dense/kernel"


# --------------------------------------------------------- optimizers


def _variables() -> list[Variable]:
    """As tests/fixtures/make_variables_optimizers.py makes them in Keras."""
    kernel = np.linspace(-1.0, 1.0, 6, dtype="float32").reshape(2, 3)
    return [
        lamina.Variable(kernel, name="kernel"),
        lamina.Variable([0.5, -0.25, 2.0], name="bias"),
        lamina.Variable(1.5, name="scale"),
        lamina.Variable("ones", shape=(2, 2), name="ones"),
        lamina.Variable(
            initializers.Constant(0.3), shape=(3,), dtype="float64", name="c64"
        ),
    ]


def test_variables_made_as_in_keras():
    for i, v in enumerate(_variables()):
        assert lamina.backend.standardize_dtype(v.dtype) == str(FIXTURE[f"dtype/{i}"])
        np.testing.assert_array_equal(v.numpy(), FIXTURE[f"start/{i}"])


@pytest.mark.parametrize(
    "n", range(len(CASES)), ids=[f"{c['class_name']}-{c['kwargs']}" for c in CASES]
)
def test_optimizers_on_variables_match_keras(n):
    case = CASES[n]
    variables = _variables()
    opt = getattr(optimizers, case["class_name"])(name="opt", **case["kwargs"])
    opt.build(variables)
    for k in range(STEPS):
        grads = [FIXTURE[f"grad{k}/{i}"] for i in range(len(variables))]
        if k == 0:
            opt.apply_gradients(zip(grads, variables))
        elif k == 1:
            opt.apply([torch.from_numpy(g) for g in grads], variables)
        else:
            opt.apply(grads)
        for i, v in enumerate(variables):
            expected = FIXTURE[f"case{n}/step{k}/{i}"]
            assert v.numpy().dtype == expected.dtype
            np.testing.assert_allclose(v.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert int(opt.iterations) == case["iterations"] == STEPS
    # Keras names Nadam's extra `variable` inside the optimizer's name scope
    # ("opt/variable") when `apply` builds, but without it when `build` is called
    # first, as here; lamina always names it "opt/variable".
    paths = [p if "/" in p else f"opt/{p}" for p in case["paths"]]
    assert [v.path for v in opt.variables] == paths
    for i, state in enumerate(opt.get_weights()):
        np.testing.assert_allclose(
            state, FIXTURE[f"case{n}/state{i}"], rtol=1e-6, atol=1e-6
        )
