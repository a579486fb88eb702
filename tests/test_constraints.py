"""lamina.constraints against real Keras 3 (tests/fixtures/activations.npz)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from lamina import constraints
from lamina.errors import ArgumentError, UnknownObjectError

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "fixtures", "activations.npz")
)
CASES = json.loads(str(FIXTURE["cases"]))["constraints"]
WEIGHTS = {
    "w": torch.from_numpy(FIXTURE["w"]),
    "kernel": torch.from_numpy(FIXTURE["kernel"]),
}


@pytest.mark.parametrize(
    ("case", "class_name", "kwargs", "which"), CASES, ids=[c[0] for c in CASES]
)
def test_matches_keras(case, class_name, kwargs, which):
    con = getattr(constraints, class_name)(**kwargs)
    weight = WEIGHTS[which]
    out = con(weight)
    assert out.shape == weight.shape
    assert out.dtype == weight.dtype
    np.testing.assert_allclose(
        out.numpy(), FIXTURE[f"con/{case}"], rtol=1e-6, atol=1e-7
    )
    keras_config = json.loads(str(FIXTURE[f"con_config/{case}"]))
    assert constraints.serialize(con) == keras_config
    rebuilt = constraints.deserialize(keras_config)
    assert type(rebuilt) is type(con)
    assert rebuilt.get_config() == con.get_config()


def norms(w, axis):
    return torch.sqrt(torch.sum(w**2, dim=axis))


def test_behaviour():
    w = torch.tensor([[3.0, 0.1], [4.0, 0.2]])
    capped = constraints.MaxNorm(1.0)(w)
    torch.testing.assert_close(norms(capped, 0), torch.tensor([1.0, norms(w, 0)[1]]))
    unit = constraints.UnitNorm(axis=1)(w)
    torch.testing.assert_close(norms(unit, 1), torch.ones(2))
    inside = constraints.MinMaxNorm(1.0, 2.0)(w)
    torch.testing.assert_close(norms(inside, 0), torch.tensor([2.0, 1.0]))
    halfway = constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(w)
    torch.testing.assert_close(norms(halfway, 0)[0], torch.tensor(3.5))
    assert constraints.NonNeg()(torch.tensor([-1.0, 0.0, 2.0])).tolist() == [0, 0, 2]
    assert constraints.Constraint()(w) is w


def test_conv_kernel_axes():
    kernel = WEIGHTS["kernel"]
    out = constraints.UnitNorm(axis=[0, 1, 2])(kernel)
    torch.testing.assert_close(norms(out, (0, 1, 2)), torch.ones(5))
    assert constraints.MaxNorm(axis=(0, 1, 2)).get_config()["axis"] == (0, 1, 2)


NAMES = {
    "MaxNorm": constraints.MaxNorm,
    "max_norm": constraints.MaxNorm,
    "maxnorm": constraints.MaxNorm,
    "MinMaxNorm": constraints.MinMaxNorm,
    "min_max_norm": constraints.MinMaxNorm,
    "NonNeg": constraints.NonNeg,
    "non_neg": constraints.NonNeg,
    "nonneg": constraints.NonNeg,
    "UnitNorm": constraints.UnitNorm,
    "unit_norm": constraints.UnitNorm,
    "unitnorm": constraints.UnitNorm,
}


@pytest.mark.parametrize(("name", "cls"), NAMES.items(), ids=list(NAMES))
def test_get_by_name(name, cls):
    assert type(constraints.get(name)) is cls


def test_lowercase_aliases_are_the_classes():
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    assert constraints.non_neg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm
    assert constraints.max_norm(3.0).max_value == 3.0


def test_get_other_identifiers_and_errors():
    assert constraints.get(None) is None
    assert type(constraints.get(constraints.NonNeg)) is constraints.NonNeg

    def clip(w):
        return w.clamp(-1, 1)

    assert constraints.get(clip) is clip
    config = {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 1}}
    assert constraints.get(config).get_config() == {"max_value": 3, "axis": 1}
    with pytest.raises(UnknownObjectError, match="'max_norm'"):
        constraints.get("max_nrom")
    with pytest.raises(ArgumentError, match="constraint"):
        constraints.get(2)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: constraints.MaxNorm(-1.0), "max_value=-1.0"),
        (lambda: constraints.MaxNorm(axis="rows"), "axis='rows'"),
        (lambda: constraints.MinMaxNorm(2.0, 1.0), "min_value=2.0, max_value=1.0"),
        (lambda: constraints.MinMaxNorm(rate=1.5), "rate=1.5"),
        (lambda: constraints.MinMaxNorm(min_value=-1.0), "min_value=-1.0"),
        (lambda: constraints.UnitNorm(axis=[0, "a"]), "axis="),
        (lambda: constraints.UnitNorm(axis=2)(torch.ones(3, 3)), r"axis` 2.*\(3, 3\)"),
    ],
)
def test_bad_arguments_raise_argument_error(make, match):
    with pytest.raises(ArgumentError, match=match):
        make()
