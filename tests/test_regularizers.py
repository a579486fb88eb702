"""lamina.regularizers against real Keras 3 (tests/fixtures/activations.npz)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from lamina import regularizers
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "fixtures", "activations.npz")
)
CASES = json.loads(str(FIXTURE["cases"]))["regularizers"]
W = torch.from_numpy(FIXTURE["w"])


def assert_same_config(ours, keras):
    """Equal configs, up to Keras's float32 rounding of some factors."""
    assert ours.keys() == keras.keys()
    for key, value in keras.items():
        if isinstance(value, float):
            assert ours[key] == pytest.approx(value, rel=1e-6)
        elif isinstance(value, dict):
            assert_same_config(ours[key], value)
        else:
            assert ours[key] == value


@pytest.mark.parametrize(
    ("case", "class_name", "kwargs"), CASES, ids=[c[0] for c in CASES]
)
def test_matches_keras(case, class_name, kwargs):
    reg = getattr(regularizers, class_name)(**kwargs)
    penalty = reg(W)
    assert isinstance(penalty, torch.Tensor)
    assert penalty.ndim == 0
    assert penalty.dtype == torch.float32
    np.testing.assert_allclose(penalty.numpy(), FIXTURE[f"reg/{case}"], rtol=1e-6)
    keras_config = json.loads(str(FIXTURE[f"reg_config/{case}"]))
    assert_same_config(regularizers.serialize(reg), keras_config)
    rebuilt = regularizers.deserialize(keras_config)
    assert type(rebuilt) is type(reg)
    np.testing.assert_allclose(rebuilt(W).numpy(), FIXTURE[f"reg/{case}"], rtol=1e-6)


def test_keras_defaults():
    assert regularizers.L1().l1 == 0.01
    assert regularizers.L2().l2 == 0.01
    assert regularizers.L1(None).l1 == 0.01
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.L1L2(l2=0.1).get_config() == {"l1": 0.0, "l2": 0.1}
    assert regularizers.OrthogonalRegularizer().get_config() == {
        "factor": 0.01,
        "mode": "rows",
    }


def test_keras2_lowercase_functions():
    reg = regularizers.l2(0.01)
    assert isinstance(reg, regularizers.L2)
    assert reg.l2 == 0.01
    assert isinstance(regularizers.l1(0.5), regularizers.L1)
    both = regularizers.l1_l2(l1=0.02)
    assert both.get_config() == {"l1": 0.02, "l2": 0.01}
    with pytest.warns(DeprecationWarning, match="l2="):
        old = regularizers.l2(l=0.03)
    assert old.l2 == 0.03


@pytest.mark.parametrize(
    ("name", "cls", "config"),
    [
        ("l1", regularizers.L1, {"l1": 0.01}),
        ("L1", regularizers.L1, {"l1": 0.01}),
        ("l2", regularizers.L2, {"l2": 0.01}),
        ("L2", regularizers.L2, {"l2": 0.01}),
        ("l1_l2", regularizers.L1L2, {"l1": 0.01, "l2": 0.01}),
        ("l1l2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
        ("L1L2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
        (
            "orthogonal_regularizer",
            regularizers.OrthogonalRegularizer,
            {"factor": 0.01, "mode": "rows"},
        ),
    ],
)
def test_get_by_name(name, cls, config):
    reg = regularizers.get(name)
    assert type(reg) is cls
    assert reg.get_config() == config


def test_get_other_identifiers_and_errors():
    assert regularizers.get(None) is None
    assert type(regularizers.get(regularizers.L2)) is regularizers.L2

    def custom(weight):
        return weight.abs().max()

    assert regularizers.get(custom) is custom
    config = {"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}}
    assert regularizers.get(config).get_config() == {"l1": 0.1, "l2": 0.2}
    with pytest.raises(UnknownObjectError, match="'l2'"):
        regularizers.get("l3")
    with pytest.raises(ArgumentError, match="regularizer"):
        regularizers.get(0.01)


def test_penalty_formulas_and_gradient():
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    l1l2 = regularizers.L1L2(l1=0.1, l2=0.2)
    penalty = l1l2(x)
    assert penalty.item() == pytest.approx(0.1 * 6.5 + 0.2 * 14.25)
    penalty.backward()
    expected = 0.1 * torch.sign(x.detach()) + 0.4 * x.detach()
    torch.testing.assert_close(x.grad, expected)
    zero = regularizers.L1L2()(x)
    assert zero.ndim == 0
    assert zero.item() == 0.0
    assert regularizers.Regularizer()(x).item() == 0.0
    assert regularizers.L2(0.5)(x.double()).dtype == torch.float64


def test_orthogonal_regularizer():
    reg = regularizers.OrthogonalRegularizer(factor=2.0)
    assert reg(torch.eye(4)).item() == pytest.approx(0.0, abs=1e-7)
    # Identical rows: every pair has cosine 1, so the penalty is the factor.
    assert reg(torch.ones(3, 5)).item() == pytest.approx(2.0, rel=1e-6)
    columns = regularizers.OrthogonalRegularizer(factor=1.0, mode="columns")
    assert columns(torch.ones(5, 3)).item() == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ShapeError, match=r"\(2, 3, 4\)"):
        reg(torch.ones(2, 3, 4))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: regularizers.L1(-0.1), "l1=-0.1"),
        (lambda: regularizers.L2(float("nan")), "l2=nan"),
        (lambda: regularizers.L2("0.1"), "l2='0.1'"),
        (lambda: regularizers.L1L2(l1=0.1, l2=-1), "l2=-1"),
        (lambda: regularizers.OrthogonalRegularizer(factor=-1.0), "factor=-1.0"),
        (
            lambda: regularizers.OrthogonalRegularizer(mode="diagonal"),
            "mode='diagonal'",
        ),
        (lambda: regularizers.L1(l1=0.1, scale=2), "scale"),
    ],
)
def test_bad_arguments_raise_argument_error(make, match):
    with pytest.raises(ArgumentError, match=match):
        make()
