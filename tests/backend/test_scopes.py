"""Keras's scopes on torch: name_scope, StatelessScope, SymbolicScope, RematScope
and remat, device. Keras's answers are in config_scopes_keras.json (made by
tests/fixtures/make_config_scopes.py)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina.backend import remat as remat_module
from lamina.backend.stateless_scope import get_stateless_scope
from lamina.backend.symbolic_scope import in_symbolic_scope
from lamina.errors import ArgumentError, ShapeError

KERAS = json.loads(
    (
        pathlib.Path(__file__).parent.parent / "fixtures" / "config_scopes_keras.json"
    ).read_text()
)


# ------------------------------------------------------------------ name_scope


def test_name_scopes_prefix_variable_paths_as_keras():
    expected = KERAS["name_scopes"]
    found = {}
    with lamina.name_scope("outer"):
        found["one"] = lamina.Variable(1.0, name="v").path
        with lamina.name_scope("inner"):
            found["two"] = lamina.Variable(1.0, name="v").path
            layer = lamina.layers.Dense(2, name="d")
            layer.build((None, 3))
            found["layer"] = [w.path for w in layer.weights]
        with lamina.name_scope("other", override_parent="root"):
            found["override"] = lamina.Variable(1.0, name="v").path
    found["outside"] = lamina.Variable(1.0, name="v").path
    assert found == expected


def test_name_scope_deduplicates_a_callers_own_scope():
    owner = object()
    with lamina.name_scope("block", caller=owner):
        with lamina.name_scope("block", caller=owner):
            assert lamina.Variable(1.0, name="v").path == "block/v"
        with lamina.name_scope("block", caller=owner, deduplicate=False):
            assert lamina.Variable(1.0, name="v").path == "block/block/v"
    with pytest.raises(ArgumentError, match="cannot contain"):
        lamina.name_scope("a/b")


# -------------------------------------------------------------- StatelessScope


def test_stateless_scope_collects_updates_as_keras():
    expected = KERAS["stateless"]
    v = lamina.Variable(np.ones((2,), "float32"), name="v")
    w = lamina.Variable(np.zeros((2,), "float32"), name="w")
    mapping = [(v, np.full((2,), 5.0, "float32"))]
    with lamina.StatelessScope(state_mapping=mapping) as scope:
        assert get_stateless_scope() is scope
        inside = v.value.tolist()
        v.assign(v.value * 2)
        w.assign_add(np.ones((2,), "float32"))
        after_assign = v.value.tolist()
    assert get_stateless_scope() is None
    found = {
        "inside": inside,
        "after_assign": after_assign,
        "v_after": v.tolist(),
        "w_after": w.tolist(),
        "v_current": scope.get_current_value(v).tolist(),
        "w_current": scope.get_current_value(w).tolist(),
    }
    assert found == expected


def test_stateless_scope_runs_a_layer_on_mapped_weights():
    layer = lamina.layers.Dense(2, kernel_initializer="ones")
    layer.build((None, 3))
    kernel = torch.full((3, 2), 2.0)
    with lamina.StatelessScope([(layer.kernel, kernel)]):
        out = layer(torch.ones(1, 3))
    assert out.tolist() == [[6.0, 6.0]]
    assert layer.kernel.detach().tolist() == [[1.0, 1.0]] * 3
    assert kernel.tolist() == [[2.0, 2.0]] * 3  # the caller's tensor is not touched


def test_stateless_scope_keeps_in_place_updates_of_mapped_variables():
    # An optimizer's fused step updates parameters in place: inside the scope it
    # updates the mapped values, which the scope then holds.
    layer = lamina.layers.Dense(1, kernel_initializer="zeros", use_bias=False)
    layer.build((None, 2))
    optimizer = lamina.optimizers.SGD(learning_rate=1.0)
    start = torch.ones(2, 1)
    with lamina.StatelessScope([(layer.kernel, start)]) as scope:
        loss = layer(torch.ones(1, 2)).sum()
        loss.backward()
        optimizer.apply([layer.kernel.grad], [layer.kernel])
    assert scope.get_current_value(layer.kernel).tolist() == [[0.0], [0.0]]
    assert layer.kernel.detach().tolist() == [[0.0], [0.0]]
    assert start.tolist() == [[1.0], [1.0]]


def test_stateless_scopes_nest_and_collect_losses():
    v = lamina.Variable(np.zeros(()), name="v")
    with lamina.StatelessScope([(v, 1.0)]) as outer:
        with lamina.StatelessScope([(v, 2.0)]) as inner:
            assert float(v) == 2.0
            v.assign(3.0)
        assert float(v) == 1.0
        assert float(inner.get_current_value(v)) == 3.0
        v.assign_sub(0.5)
    assert float(outer.get_current_value(v)) == 0.5
    assert float(v) == 0.0

    layer = lamina.layers.Dense(1, activity_regularizer="l2")
    with lamina.StatelessScope(collect_losses=True) as scope:
        layer(torch.ones(2, 3))
    assert len(scope.losses) == 1
    with lamina.StatelessScope() as scope:
        layer(torch.ones(2, 3))
    assert scope.losses == []


def test_stateless_scope_checks_its_mapping():
    v = lamina.Variable(np.zeros((2,)), name="v")
    with pytest.raises(ArgumentError, match="Variable"):
        lamina.StatelessScope([("v", np.zeros((2,)))])
    with pytest.raises(ShapeError, match="shape"):
        lamina.StatelessScope([(v, np.zeros((3,)))])


# -------------------------------------------------------------- SymbolicScope


def test_symbolic_calls_run_in_a_symbolic_scope():
    seen = []

    class Probe(lamina.layers.Layer):
        def call(self, x):
            seen.append(in_symbolic_scope())
            return x

    probe = Probe()
    probe(lamina.Input((3,)))  # run once or twice, to find the unknown sizes
    probe(torch.ones(1, 3))
    assert set(seen[:-1]) == {True} and seen[-1] is False
    with lamina.SymbolicScope():
        assert in_symbolic_scope()
    assert not in_symbolic_scope()


# ------------------------------------------------------------------- remat


@pytest.fixture
def checkpoint_calls(monkeypatch):
    calls = []
    original = torch.utils.checkpoint.checkpoint

    def counting(fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return original(fn, *args, **kwargs)

    monkeypatch.setattr(remat_module.torch.utils.checkpoint, "checkpoint", counting)
    return calls


def _grads(model, x):
    model.zero_grad()
    model(x).square().sum().backward()
    return [p.grad.clone() for p in model.parameters()]


def test_remat_gives_the_same_values_and_gradients(checkpoint_calls):
    torch.manual_seed(0)
    x = torch.randn(4, 3)
    plain = lamina.Sequential([lamina.layers.Dense(5, activation="relu")])
    plain(x)
    with lamina.RematScope(mode="full"):
        dense = lamina.layers.Dense(5, activation="relu")
    rematerialized = lamina.Sequential([dense])
    rematerialized(x)
    rematerialized.set_weights(plain.get_weights())
    checkpoint_calls.clear()
    for a, b in zip(_grads(plain, x), _grads(rematerialized, x)):
        torch.testing.assert_close(a, b)
    assert checkpoint_calls == ["call"]
    with torch.no_grad():  # nothing to keep for a backward pass: no checkpoint
        rematerialized(x)
    assert checkpoint_calls == ["call"]


def test_remat_modes_choose_layers_as_keras(checkpoint_calls):
    with lamina.RematScope(mode="activations"):
        with_activation = lamina.layers.Dense(2, activation="relu")
        without = lamina.layers.Dense(2)
    with lamina.RematScope(mode="list_of_layers", layer_names=["picked"]):
        picked = lamina.layers.Dense(2, name="picked")
        other = lamina.layers.Dense(2, name="other")
    with lamina.RematScope(mode="larger_than", output_size_threshold=10):
        large = lamina.layers.Dense(8)
        small = lamina.layers.Dense(2)
    with lamina.RematScope(mode="full"):
        with lamina.RematScope(mode=None):
            off = lamina.layers.Dense(2)
    x = torch.ones(2, 3, requires_grad=True)
    for layer in (with_activation, without, picked, other, large, small, off):
        checkpoint_calls.clear()
        layer(x)
        assert checkpoint_calls == {
            with_activation: ["relu"],
            picked: ["call"],
            large: ["call"],  # 2 x 8 = 16 elements > 10
        }.get(layer, []), layer.name


def test_remat_function_and_bad_mode():
    f = lamina.remat(lambda x: torch.sin(x) * 2)
    x = torch.ones(3, requires_grad=True)
    f(x).sum().backward()
    torch.testing.assert_close(x.grad, 2 * torch.cos(torch.ones(3)))
    with pytest.raises(ArgumentError, match="Invalid mode"):
        lamina.RematScope(mode="sometimes")


# ------------------------------------------------------------------- device


def test_device_scope_places_new_weights():
    with lamina.device("cpu") as where:
        assert where == torch.device("cpu")
        assert lamina.backend.device() == torch.device("cpu")
        layer = lamina.layers.Dense(2)
        layer.build((None, 3))
    assert layer.kernel.device == torch.device("cpu")
    with pytest.raises(ArgumentError, match="device_name"):
        with lamina.device(0):
            pass


def test_device_scope_maps_keras_gpu_names():
    with lamina.device("meta"):
        assert lamina.backend.device() == torch.device("meta")
        assert lamina.Variable(np.zeros(2), name="v").device == torch.device("meta")
    if torch.cuda.is_available():
        with lamina.device("gpu:0") as where:
            assert where == torch.device("cuda:0")
