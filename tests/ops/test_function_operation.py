"""`lamina.Operation` and `lamina.Function` (and `utils.get_source_inputs`), against
Keras 3's answers in config_scopes_keras.json (tests/fixtures/make_config_scopes.py)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina.errors import ArgumentError, GraphError, ShapeError

KERAS = json.loads(
    (
        pathlib.Path(__file__).parent.parent / "fixtures" / "config_scopes_keras.json"
    ).read_text()
)["operations"]


class Scale(lamina.Operation):
    def __init__(self, factor=2.0, label="x", name=None):
        super().__init__(name=name)
        self.factor = factor
        self.label = label

    def call(self, x):
        return x * self.factor


def test_operation_and_function_are_keras():
    op = Scale(3.0, name="scale")
    x = lamina.Input((3,), name="x")
    y = op(x)
    dense = lamina.layers.Dense(2, kernel_initializer="ones", name="dense")
    z = dense(y)
    fn = lamina.Function(inputs=x, outputs={"z": z, "y": y}, name="fn")
    value = fn(np.ones((2, 3), "float32"))
    found = {
        "op_config": op.get_config(),
        "op_output_shape": list(y.shape),
        "op_repr_class": type(op).__name__,
        "function_operations": [o.name for o in fn.operations],
        "function_outputs": {k: v.tolist() for k, v in value.items()},
        "function_spec": {
            k: list(v.shape)
            for k, v in fn.compute_output_spec(lamina.KerasTensor((5, 3))).items()
        },
        "node_count": len(op._inbound_nodes),
        "source_inputs": [t.name for t in lamina.utils.get_source_inputs(z)],
    }
    assert found == KERAS
    assert Scale.from_config(op.get_config()).factor == 3.0
    assert op.input is x and op.output is y


def test_operation_runs_eagerly_and_names_itself():
    op = Scale()
    assert op.name.startswith("scale")
    assert op(torch.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises(ArgumentError, match="name"):
        Scale(name="a/b")
    with pytest.raises(AttributeError, match="never been called"):
        _ = Scale().output


def test_operation_config_needs_plain_arguments():
    class Holder(lamina.Operation):
        def __init__(self, table, name=None):
            super().__init__(name=name)
            self.table = table

        def call(self, x):
            return x

    assert Holder([1, 2], name="h").get_config() == {"name": "h", "table": [1, 2]}
    with pytest.raises(NotImplementedError, match="get_config"):
        Holder(torch.ones(2)).get_config()


def test_operation_output_spec_failure_names_the_operation():
    class Broken(lamina.Operation):
        def call(self, x):
            return x @ torch.ones(7, 2)

    with pytest.raises(RuntimeError, match="Could not automatically infer.*broken"):
        Broken(name="broken")(lamina.Input((3,)))


def test_function_with_several_inputs_and_shared_layers():
    a, b = lamina.Input((2,), name="a"), lamina.Input((2,), name="b")
    shared = lamina.layers.Dense(2, kernel_initializer="ones", use_bias=False)
    total = lamina.layers.Add()([shared(a), shared(b)])
    fn = lamina.Function([a, b], total)
    out = fn([torch.ones(1, 2), 2 * torch.ones(1, 2)])
    assert out.tolist() == [[6.0, 6.0]]
    assert fn.inputs == [a, b] and fn.outputs == [total]
    assert fn.compute_output_shape([(4, 2), (4, 2)]) == (4, 2)
    with pytest.raises(ArgumentError, match="input structure"):
        fn([torch.ones(1, 2)])
    with pytest.raises(ShapeError, match="incompatible"):
        fn([torch.ones(1, 3), torch.ones(1, 3)])


def test_function_refuses_bad_graphs():
    x = lamina.Input((2,))
    other = lamina.Input((2,))
    y = lamina.layers.Add()([x, other])
    with pytest.raises(GraphError, match="disconnected"):
        lamina.Function(x, y)
    with pytest.raises(ArgumentError, match="cannot be empty"):
        lamina.Function([], y)
    with pytest.raises(ArgumentError, match="KerasTensors"):
        lamina.Function(x, torch.ones(2))


def test_functional_models_name_operations_they_cannot_hold():
    x = lamina.Input((3,))
    with pytest.raises(GraphError, match="lamina.Function"):
        lamina.Model(x, Scale()(x))


def test_get_source_inputs_passes_other_values_through():
    assert lamina.utils.get_source_inputs(3) == 3
    x = lamina.Input((2,), name="only")
    assert lamina.utils.get_source_inputs(x) == [x]
