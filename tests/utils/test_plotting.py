"""plot_model and plot_history write real images."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import lamina as keras
from lamina import errors
from lamina.layers import Dense, Input, concatenate

pydot = pytest.importorskip("pydot")
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz not installed"
)


def wide_deep():
    a, b = Input((5,), name="wide_input"), Input((6,), name="deep_input")
    hidden = Dense(3, activation="relu", name="hidden")(b)
    out = Dense(1, name="main_output")(concatenate([a, hidden]))
    return keras.Model([a, b], [out, Dense(1, name="aux_output")(hidden)])


@needs_dot
def test_plot_model_writes_png_with_all_layers(tmp_path):
    model = wide_deep()
    dot = keras.utils.model_to_dot(model, show_shapes=True)
    labels = " ".join(
        node.get("label") for node in dot.get_nodes() if node.get("label")
    )
    for name in ("wide_input", "deep_input", "hidden", "main_output", "aux_output"):
        assert name in labels
    assert "Output shape: <b>(None, 3)</b>" in labels
    assert len(dot.get_edges()) == 5
    target = tmp_path / "model.png"
    keras.utils.plot_model(model, target, show_shapes=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_plot_nested_sequential_expanded(tmp_path):
    inner = keras.Sequential([Input((4,)), Dense(3, name="inner_dense")], name="inner")
    x = Input((4,))
    model = keras.Model(x, Dense(1)(inner(x)))
    dot = keras.utils.model_to_dot(model, expand_nested=True)
    assert [g.get_name() for g in dot.get_subgraphs()] == ["cluster_inner"]
    keras.utils.plot_model(model, tmp_path / "nested.svg", expand_nested=True)
    assert b"<svg" in (tmp_path / "nested.svg").read_bytes()


def test_plot_model_unbuilt_model_is_an_error():
    with pytest.raises(errors.ArgumentError, match="not yet been built"):
        keras.utils.model_to_dot(keras.Sequential([Dense(2)]))


def test_plot_history_one_panel_per_metric(tmp_path):
    pytest.importorskip("matplotlib")
    model = keras.Sequential([Input((3,)), Dense(2, activation="softmax")])
    model.compile(
        optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(
        np.random.rand(40, 3),
        np.random.randint(0, 2, 40),
        epochs=3,
        validation_split=0.25,
        verbose=0,
    )
    figure = keras.utils.plot_history(history, tmp_path / "curves.png")
    assert [axis.get_title() for axis in figure.axes] == ["accuracy", "loss"]
    assert [line.get_label() for line in figure.axes[1].lines] == ["loss", "val_loss"]
    assert (tmp_path / "curves.png").stat().st_size > 0
    with pytest.raises(errors.ArgumentError, match="no logs named"):
        keras.utils.plot_history(history, metrics=["auc"])
