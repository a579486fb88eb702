"""lamina.saving.KerasFileEditor against Keras 3.15 (file_editor.json, written with
the Keras-saved file_editor_keras.keras/.weights.h5 by
tests/fixtures/make_file_editor.py, whose models and edits this test reuses).

Where Keras's editor miscounts, lamina counts: Keras adds a running count into
each nested call, so `compare()` reports 50 matching weights for a file of 22 and
a name followed by another object "occurs more than once"; those two numbers and
that message are checked against the true counts instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import re

import h5py
import numpy as np
import pytest

import lamina
from lamina.errors import FileFormatError
from lamina.saving import KerasFileEditor

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
INFO = json.loads((FIXTURES / "file_editor.json").read_text())
FILES = {
    "keras": FIXTURES / "file_editor_keras.keras",
    "weights": FIXTURES / "file_editor_keras.weights.h5",
}
_SPEC = importlib.util.spec_from_file_location(
    "make_file_editor", FIXTURES / "make_file_editor.py"
)
MAKE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(MAKE)
# Keras's editor miscounts these (see the module docstring).
KERAS_MISCOUNTS = {"short_name_counted_twice", "delete_weight_unknown"}


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def _without_names(text: str) -> str:
    """Keras's summary never shows the objects' names (its path lookup misses)."""
    return re.sub(r" \('[^']*'\)", "", text)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_reads_keras_files_as_keras_does(kind, capsys):
    expected = INFO[kind]
    editor = KerasFileEditor(str(FILES[kind]))
    opened = capsys.readouterr().out
    assert opened.startswith(f"Keras model file '{FILES[kind]}'")
    if kind == "keras":
        assert "Saved with Keras 3.15.1 - date: " in opened
        assert editor.config["class_name"] == "Functional"
    assert MAKE.flat_weights(editor.weights_dict) == expected["weights"]
    editor.summary()
    summary = capsys.readouterr().out
    assert _lines(_without_names(summary)) == _lines(expected["summary"])
    assert "batch_normalization ('bn')" in summary


@pytest.mark.parametrize("kind", sorted(FILES))
def test_compare_with_a_model(kind, capsys):
    expected = INFO[kind]
    editor = KerasFileEditor(str(FILES[kind]))
    same = editor.compare(MAKE.trained(lamina))
    assert same == {
        "status": expected["compare_same"]["status"],
        "error_count": expected["compare_same"]["error_count"],
        "match_count": len(expected["weights"]),  # Keras: 50
    }
    capsys.readouterr()
    other = editor.compare(MAKE.build(lamina, head_units=5, extra=True))
    assert other["status"] == expected["compare_other"]["status"] == "error"
    assert other["error_count"] == expected["compare_other"]["error_count"] == 4
    assert other["match_count"] == 6  # batch_normalization's 4 and dense's 2
    assert _lines(capsys.readouterr().out) == _lines(expected["compare_other_text"])


@pytest.mark.parametrize("kind", sorted(FILES))
def test_edits_and_the_saved_weights_file(kind, tmp_path):
    expected = INFO[kind]
    editor = KerasFileEditor(str(FILES[kind]))
    for name, bad in MAKE.BAD_EDITS.items():
        if name in KERAS_MISCOUNTS:
            continue
        with pytest.raises(ValueError) as error:
            bad(editor)
        message = expected["errors"][name]
        if name == "rename_unknown":  # Keras names `weights_summary()`, not a method
            message = message.split(" Use ")[0]
        assert str(error.value).startswith(message), name
    MAKE.edits(editor)
    assert MAKE.flat_weights(editor.weights_dict) == expected["edited_weights"]
    out = tmp_path / "edited.weights.h5"
    editor.save(out)
    saved = MAKE.file_contents(str(out))
    assert saved["attrs"] == expected["saved"]["attrs"]
    assert sorted(saved["datasets"]) == sorted(expected["saved"]["datasets"])
    for path, (shape, dtype, total) in expected["saved"]["datasets"].items():
        assert saved["datasets"][path][:2] == [shape, dtype], path
        np.testing.assert_allclose(saved["datasets"][path][2], total, rtol=1e-6)
    with pytest.raises(ValueError) as error:
        editor.save(tmp_path / "edited.keras")
    assert str(error.value) == expected["save_keras_error"].replace(
        expected["save_keras_error"].split("filepath=")[1],
        str(tmp_path / "edited.keras"),
    )


def test_names_are_counted_once():
    editor = KerasFileEditor(str(FILES["weights"]))
    editor.rename_object("dense_1", "head")  # unique: Keras says "more than once"
    assert sorted(editor.weights_dict["layers"]) == [
        "batch_normalization",
        "dense",
        "head",
    ]
    with pytest.raises(
        ValueError, match=re.escape("Weight 7 not found in object dense")
    ):
        editor.delete_weight("dense", "7")
    editor.add_object("layers/nested", {"0": np.zeros(2)})
    editor.add_object("layers/nested/inner", {"0": np.ones(2)})
    with pytest.raises(ValueError, match="occurs more than once"):
        editor.delete_object("0")


def test_a_lamina_file_has_keras_layout_and_compares(tmp_path, capsys):
    model = MAKE.trained(lamina)
    model.save(tmp_path / "model.keras")
    editor = KerasFileEditor(str(tmp_path / "model.keras"))
    assert MAKE.flat_weights(editor.weights_dict) == INFO["keras"]["weights"]
    assert editor.compare(model)["status"] == "success"
    assert editor.object_metadata["/layers/dense_1"] == {"name": "head"}


def test_adapting_a_file_to_a_changed_model(tmp_path):
    """A Keras file's head replaced, resaved, and loaded into the new model."""
    editor = KerasFileEditor(str(FILES["keras"]))
    head = {"0": np.full((3, 5), 0.5, "float32"), "1": np.arange(5, dtype="float32")}
    editor.delete_object("layers/dense_1")
    editor.add_object("layers/dense_1", head)
    editor.delete_object("optimizer")
    new_model = MAKE.build(lamina, head_units=5)
    assert editor.compare(new_model)["status"] == "success"
    editor.resave_weights(tmp_path / "adapted.weights.h5")
    new_model.load_weights(tmp_path / "adapted.weights.h5")
    np.testing.assert_array_equal(
        new_model.get_layer("head").get_weights()[0], head["0"]
    )
    np.testing.assert_array_equal(
        new_model.get_layer("dense").get_weights()[0],
        editor.weights_dict["layers"]["dense"]["0"],
    )


def test_nested_objects_survive_a_resave(tmp_path):
    inputs = lamina.Input((4, 8))
    outputs = lamina.layers.MultiHeadAttention(2, 4, name="mha")(inputs, inputs)
    model = lamina.Model(inputs, outputs)
    model.save_weights(tmp_path / "mha.weights.h5")
    editor = KerasFileEditor(str(tmp_path / "mha.weights.h5"))
    editor.save(tmp_path / "again.weights.h5")
    other = lamina.models.clone_model(model)
    other.load_weights(tmp_path / "again.weights.h5")
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_is_atomic(tmp_path):
    target = tmp_path / "kept.weights.h5"
    target.write_bytes(b"previous contents")
    editor = KerasFileEditor(str(FILES["weights"]))
    editor.add_object("layers/broken", {"0": np.array([object()])})
    with pytest.raises(TypeError):  # h5py has no object dtype
        editor.save(target)
    assert target.read_bytes() == b"previous contents"
    assert os.listdir(tmp_path) == ["kept.weights.h5"]


def test_refuses_other_names_and_linked_datasets(tmp_path):
    with pytest.raises(ValueError, match=r"expected a `\.keras` `\.weights\.h5`"):
        KerasFileEditor(str(tmp_path / "model.h5"))
    path = tmp_path / "linked.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("layers/dense/vars/0", data=np.zeros(2))
        f["layers/dense/vars/1"] = h5py.SoftLink("/layers/dense/vars/0")
    with pytest.raises(FileFormatError, match="Not allowed: H5 file with SoftLink"):
        KerasFileEditor(str(path))


def test_signature_is_keras():
    import inspect

    assert str(inspect.signature(KerasFileEditor)) == "(filepath)"
