"""Keras 2's `layer.input_shape` / `layer.output_shape`, as tf.keras 2.21 gives them
(tests/fixtures/keras2_shapes.json, written by make_keras2_shapes.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import warnings

import numpy as np
import pytest

import lamina
from lamina import errors

HERE = os.path.dirname(__file__)
with open(os.path.join(HERE, "..", "fixtures", "keras2_shapes.json")) as f:
    FACTS = json.load(f)

# The fixture script builds the layers; the same code builds them here in lamina.
_spec = importlib.util.spec_from_file_location(
    "make_keras2_shapes", os.path.join(HERE, "..", "fixtures", "make_keras2_shapes.py")
)
MAKE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MAKE)


@pytest.fixture(scope="module")
def layers():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return MAKE.layers(lamina, np)


@pytest.mark.parametrize("case", sorted(c for c in FACTS if not c.startswith("_")))
def test_input_and_output_shape_as_tf_keras(layers, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert MAKE.describe(layers[case]) == FACTS[case]


def test_errors_name_the_layer_and_the_way_out(layers):
    # torch's Module.__getattr__ replaces a property's AttributeError with its own
    # "no attribute" message; the helper behind the properties says why.
    with pytest.raises(AttributeError, match="never been called"):
        layers["never_called"]._node_shape("input")
    with pytest.raises(AttributeError, match=r"different input shapes.*get_input_at"):
        layers["called_twice_different"]._node_shape("input")
    with pytest.raises(AttributeError, match="output_shape"):
        layers["called_twice_different"].output_shape  # noqa: B018
    assert not hasattr(layers["eager_call_only"], "input_shape")


def test_constructor_input_shape_before_any_call():
    # tf.keras 2 raises here; lamina reports the shape the constructor was given.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert lamina.layers.Dense(3, input_shape=(5,)).input_shape == (None, 5)
        assert lamina.layers.Dense(3, input_dim=4).input_shape == (None, 4)


def test_models_keep_their_own_properties_without_warning(layers):
    x = lamina.Input((8,))
    model = lamina.Model(x, lamina.layers.Dense(4)(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.input_shape == (None, 8) and model.output_shape == (None, 4)


def test_warns_once_with_the_keras3_spelling(layers, monkeypatch):
    monkeypatch.setattr(errors, "_WARNED", set())
    with pytest.warns(DeprecationWarning, match=r"use `layer\.input\.shape`") as rec:
        assert layers["functional"].input_shape == (None, 8)
    assert rec[0].filename == __file__
    with pytest.warns(DeprecationWarning, match=r"use `layer\.output\.shape`"):
        layers["functional"].output_shape  # noqa: B018
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers["merge"].input_shape  # noqa: B018
        layers["merge"].output_shape  # noqa: B018


def test_keras2_summary_is_unchanged_and_silent(capsys, monkeypatch):
    monkeypatch.setattr(errors, "_WARNED", set())
    x = lamina.Input((8,), name="x")
    model = lamina.Model(x, lamina.layers.Dense(4, name="d")(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.summary(style="keras2")
    text = capsys.readouterr().out
    assert "[(None, 8)]" in text and "(None, 4)" in text
