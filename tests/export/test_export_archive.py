"""`lamina.export.ExportArchive`: endpoints of tracked layers and models written
as torch.export programs (or ONNX models), read back with `lamina.export.load`
(and with torch alone), with dynamic batch sizes and variable collections."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
import torch

import lamina
from lamina.errors import ArgumentError
from lamina.export import ExportArchive, load

SPEC = lamina.InputSpec(shape=(None, 3), dtype="float32")
HAS_ONNX = all(
    importlib.util.find_spec(m) for m in ("onnx", "onnxscript", "onnxruntime")
)


@pytest.fixture
def model():
    torch.manual_seed(0)
    model = lamina.Sequential(
        [
            lamina.Input((3,)),
            lamina.layers.Dense(8, activation="relu"),
            lamina.layers.Dropout(0.5),
            lamina.layers.Dense(2),
        ]
    )
    model.compile("adam", "mse")
    # Trained on batches of 4: the export must not be tied to that size.
    model.fit(
        np.ones((8, 3), "float32"), np.ones((8, 2), "float32"), batch_size=4, verbose=0
    )
    return model


def test_endpoints_run_as_the_model_on_any_batch(model, tmp_path, capsys):
    archive = ExportArchive(format="torch")
    archive.track(model)
    serve = archive.add_endpoint("serve", lambda x: model(x, training=False), [SPEC])
    archive.add_endpoint("call_training", lambda x: model(x, training=True), [SPEC])
    archive.add_variable_collection("optimizer_variables", model.optimizer.variables)
    archive.write_out(tmp_path / "artifact")
    assert "Endpoint 'serve'" in capsys.readouterr().out

    served = load(tmp_path / "artifact")
    for batch in (1, 5, 7):
        x = torch.randn(batch, 3)
        expected = model(x, training=False)
        torch.testing.assert_close(served.serve(x), expected)
        torch.testing.assert_close(served.serving_default(x), expected)
        torch.testing.assert_close(serve(x), expected)
    dropped = served.call_training(torch.ones(64, 3))  # dropout on: zeros appear
    assert dropped.shape == (64, 2)
    values = served.optimizer_variables
    assert len(values) == len(model.optimizer.variables)
    for a, v in zip(values, model.optimizer.variables):
        np.testing.assert_array_equal(a, v.detach().cpu().numpy())

    # Each endpoint is a plain torch.export program, with the weights as
    # parameters (not constants), readable without lamina.
    program = torch.export.load(tmp_path / "artifact" / "serve.pt2")
    assert len(program.state_dict) == 4
    assert all(type(p) is torch.nn.Parameter for p in program.state_dict.values())
    manifest = json.loads((tmp_path / "artifact" / "archive.json").read_text())
    assert manifest["serving_default"] == "serve"
    assert manifest["endpoints"]["serve"]["input_signature"] == [
        {"shape": [None, 3], "dtype": "float32"}
    ]


def test_track_and_add_endpoint_takes_the_models_inputs(tmp_path):
    a = lamina.Input((3,), name="a")
    b = lamina.Input((2,), name="b")
    merged = lamina.layers.Concatenate()([a, b])
    model = lamina.Model({"a": a, "b": b}, lamina.layers.Dense(1)(merged))
    archive = ExportArchive(format="torch")
    archive.track_and_add_endpoint("serve", model)
    archive.add_endpoint(
        "by_list",
        lambda x1, x2: model({"a": x1, "b": x2}),
        [lamina.KerasTensor((None, 3)), lamina.KerasTensor((None, 2))],
    )
    archive.add_endpoint(  # arrays give fixed shapes
        "fixed",
        lambda x1, x2: model({"a": x1, "b": x2}),
        [np.zeros((4, 3), "float32"), torch.zeros(4, 2)],
    )
    archive.write_out(tmp_path / "artifact", verbose=False)
    served = load(tmp_path / "artifact")
    inputs = {"a": torch.randn(4, 3), "b": torch.randn(4, 2)}
    expected = model(inputs)
    torch.testing.assert_close(served.serve(inputs), expected)
    torch.testing.assert_close(served.by_list(inputs["a"], inputs["b"]), expected)
    torch.testing.assert_close(served.fixed(inputs["a"], inputs["b"]), expected)


def test_write_out_replaces_the_folder_whole(model, tmp_path):
    target = tmp_path / "artifact"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    archive = ExportArchive(format="torch")
    archive.track_and_add_endpoint("serve", model)
    archive.write_out(target, verbose=False)
    assert sorted(p.name for p in target.iterdir()) == ["archive.json", "serve.pt2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["artifact"]


def test_model_export_after_training_on_a_fixed_batch(model, tmp_path):
    path = model.export(tmp_path / "model.pt2", format="torch")
    program = torch.export.load(path)
    x = torch.randn(4, 3)
    torch.testing.assert_close(program.module()(x), model(x, training=False))
    assert model.layers[0]._last_checked_shape == torch.Size([4, 3])  # restored


@pytest.mark.skipif(not HAS_ONNX, reason="needs onnx, onnxscript and onnxruntime")
def test_onnx_archive_runs_in_onnxruntime(model, tmp_path):
    archive = ExportArchive(format="onnx")
    archive.track_and_add_endpoint("serve", model)
    archive.write_out(tmp_path / "artifact", verbose=False)
    served = load(tmp_path / "artifact")
    x = torch.randn(6, 3)
    np.testing.assert_allclose(
        served.serve(x), model(x, training=False).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_bad_uses_are_refused_early(model, tmp_path):
    with pytest.raises(ArgumentError, match="format='torch'"):
        ExportArchive()  # Keras's default, TensorFlow's SavedModel
    with pytest.raises(ArgumentError, match="Unsupported format"):
        ExportArchive(format="tflite2")
    with pytest.raises(ArgumentError, match="unexpected arguments"):
        ExportArchive(format="torch", opset_version=17)
    archive = ExportArchive(format="torch")
    with pytest.raises(ArgumentError, match="resource"):
        archive.track("model")
    with pytest.raises(ArgumentError, match="built"):
        archive.track(lamina.layers.Dense(2))
    with pytest.raises(ArgumentError, match="input_signature"):
        archive.add_endpoint("serve", model)
    with pytest.raises(ArgumentError, match="No endpoints"):
        archive.write_out(tmp_path / "empty")
    archive.track_and_add_endpoint("serve", model)
    with pytest.raises(ArgumentError, match="already taken"):
        archive.add_endpoint("serve", model, [SPEC])
    with pytest.raises(ArgumentError, match="list/tuple/set"):
        archive.add_variable_collection("v", model.weights[0])
    with pytest.raises(ArgumentError, match="options"):
        archive.write_out(tmp_path / "a", options={"x": 1})
    with pytest.raises(ArgumentError, match="InputSpecs"):
        archive.add_endpoint("other", model, [(None, 3)])
