"""lamina.utils.FeatureSpace against Keras 3.15 (feature_space.npz/.json, written by
tests/fixtures/make_feature_space.py, whose FeatureSpace specs this test builds with
lamina): on the heart-disease tutorial's columns (made-up rows), every feature kind
and crosses, concatenated or as a dict, one-hot or integer-encoded: what adapt()
learns, the encoded outputs of all rows and of one unbatched row, the input specs
and the encoded width. Then lamina's own use: adapt from batches of dicts
(generators, DataLoaders), models built on get_inputs()/get_encoded_features(),
configs (Keras's too) and .keras files."""

from __future__ import annotations

import importlib.util
import inspect
import json
import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina.utils import FeatureSpace

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
EXPECTED = np.load(FIXTURES / "feature_space.npz")
INFO = json.loads((FIXTURES / "feature_space.json").read_text())
_SPEC = importlib.util.spec_from_file_location(
    "make_feature_space", FIXTURES / "make_feature_space.py"
)
MAKE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(MAKE)


def _adapted(name, adapt_with=None):
    space = MAKE.CASES[name](lamina)
    data = MAKE.data_for(name, space)
    space.adapt(data if adapt_with is None else adapt_with(data))
    return space, data


def _assert_like_keras(name, space, data, row=None):
    expected = INFO["cases"][name]
    outputs, single = space(data), space(row or MAKE.first_row(data))
    if isinstance(outputs, dict):
        assert sorted(outputs) == expected["keys"]
        for key in expected["keys"]:
            value = outputs[key]
            assert str(value.dtype).replace("torch.", "") == expected["dtypes"][key]
            np.testing.assert_allclose(
                value.numpy(), EXPECTED[f"{name}/{key}"], atol=1e-5, err_msg=key
            )
            np.testing.assert_allclose(
                single[key].numpy(), EXPECTED[f"{name}/single/{key}"], atol=1e-5
            )
    else:
        assert outputs.dtype == torch.float32
        np.testing.assert_allclose(outputs.numpy(), EXPECTED[name], atol=1e-5)
        np.testing.assert_allclose(
            single.numpy(), EXPECTED[f"{name}/single"], atol=1e-5
        )


def _statistics_match(name, space):
    learned = MAKE.statistics(space)
    for feature, expected in INFO["cases"][name]["statistics"].items():
        got = learned[feature]
        if expected["layer"] == "TFDIdentity":  # Keras's TensorFlow identity layer
            assert got["layer"] == "Identity"
            continue
        assert got["layer"] == expected["layer"]
        for key in ("vocabulary", "bin_boundaries", "mean", "variance"):
            if key in expected:
                values = got[key]
                if key in ("mean", "variance", "bin_boundaries"):
                    np.testing.assert_allclose(values, expected[key], rtol=1e-5)
                else:
                    assert values == expected[key], feature


@pytest.mark.parametrize("name", sorted(MAKE.CASES))
def test_feature_space_encodes_as_keras(name):
    space, data = _adapted(name)
    _statistics_match(name, space)
    _assert_like_keras(name, space, data)
    expected = INFO["cases"][name]
    inputs = space.get_inputs()
    assert {k: [list(v.shape), v.dtype] for k, v in sorted(inputs.items())} == (
        expected["inputs"]
    )
    if "encoded_shape" in expected:
        assert list(space.get_encoded_features().shape) == expected["encoded_shape"]


def _batches_of(size):
    def cut(data):
        count = len(next(iter(data.values())))
        for i in range(0, count, size):
            yield {k: v[i : i + size] for k, v in data.items()}

    return cut


def _rows(data):
    count = len(next(iter(data.values())))
    return [{k: v[i].item() for k, v in data.items()} for i in range(count)]


class _Rows(torch.utils.data.Dataset):
    def __init__(self, data):
        self.rows = _rows(data)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


@pytest.mark.parametrize(
    "adapt_with",
    [
        _batches_of(32),  # a generator of dict batches, cut as Keras cuts a dict
        lambda data: list(_batches_of(32)(data)),
        lambda data: ((batch, None) for batch in _batches_of(32)(data)),
        lambda data: torch.utils.data.DataLoader(_Rows(data), batch_size=32),
        _rows,  # unbatched rows: batched by 32, as Keras does
    ],
    ids=["generator", "list", "pairs", "dataloader", "rows"],
)
def test_adapt_from_batches_of_dicts(adapt_with):
    space, data = _adapted("tutorial", adapt_with)
    _statistics_match("tutorial", space)
    _assert_like_keras("tutorial", space, data)


def test_tensors_and_lists_as_columns():
    space, data = _adapted("integer_outputs")
    mixed = {
        key: (value.tolist() if value.dtype.kind == "U" else torch.as_tensor(value))
        for key, value in data.items()
    }
    _assert_like_keras("integer_outputs", space, mixed, MAKE.first_row(data))


def _numeric_space():
    fs = FeatureSpace
    return FeatureSpace(
        {
            "cp": "integer_categorical",
            "ca": fs.integer_hashed(num_bins=4),
            "age": fs.float_discretized(num_bins=5),
            "chol": "float_normalized",
            "oldpeak": fs.float_discretized(
                num_bins=None, bin_boundaries=[0.5, 1.5], output_mode="one_hot"
            ),
        },
        crosses=[("cp", "ca")],
        crossing_dim=8,
    )


def _numeric_data():
    return {key: MAKE.DATA[key] for key in ("cp", "ca", "age", "chol", "oldpeak")}


def test_models_on_the_inputs_and_encoded_features(tmp_path):
    space = _numeric_space()
    data = _numeric_data()
    space.adapt(data)  # oldpeak's given boundaries are kept, not adapted
    assert space.preprocessors["oldpeak"].bin_boundaries == [0.5, 1.5]
    encoded = space.get_encoded_features()
    assert tuple(encoded.shape) == (None, 6 + 4 + 5 + 1 + 3 + 8)
    hidden = lamina.layers.Dense(4, activation="relu")(encoded)
    output = lamina.layers.Dense(1, activation="sigmoid")(hidden)
    training_model = lamina.Model(encoded, output)
    inference_model = lamina.Model(space.get_inputs(), output)
    training_model.compile("adam", "binary_crossentropy")
    labels = (MAKE.DATA["age"] > 50).astype("float32")
    training_model.fit(space(data), labels, epochs=2, batch_size=16, verbose=0)
    expected = training_model.predict(space(data), verbose=0)
    np.testing.assert_allclose(
        inference_model.predict(data, verbose=0), expected, rtol=1e-6
    )
    inference_model.save(tmp_path / "model.keras")
    loaded = lamina.models.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected, rtol=1e-6)


def test_a_feature_space_saves_and_loads(tmp_path):
    space, data = _adapted("tutorial")
    space.save(tmp_path / "space.keras")
    loaded = lamina.models.load_model(tmp_path / "space.keras")
    assert isinstance(loaded, FeatureSpace)
    _assert_like_keras("tutorial", loaded, data)


@pytest.mark.parametrize("name", sorted(MAKE.CASES))
def test_configs_round_trip_and_keras_configs_load(name):
    space, data = _adapted(name)
    again = FeatureSpace.from_config(json.loads(json.dumps(space.get_config())))
    again.adapt(data)
    _assert_like_keras(name, again, data)
    keras_made = FeatureSpace.from_config(INFO["cases"][name]["config"])
    assert sorted(keras_made.features) == sorted(space.features)
    keras_made.adapt(data)
    _assert_like_keras(name, keras_made, data)


def test_errors_are_keras_words():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match="Invalid feature type: floaty"):
        FeatureSpace({"a": "floaty"})
    with pytest.raises(ValueError, match="Received unknown features"):
        FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="Expected one of {'dict', 'concat'}"):
        FeatureSpace({"a": "float"}, output_mode="list")
    with pytest.raises(ValueError, match="Expected one of {'int', 'one_hot'}"):
        FeatureSpace.cross(("a", "b"), 4, output_mode="float")
    space = FeatureSpace({"a": "float_normalized"})
    with pytest.raises(ValueError, match=r"You need to call `\.adapt\(dataset\)`"):
        space({"a": np.zeros(3)})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        space(np.zeros(3))
    with pytest.raises(ValueError, match="dict of arrays/lists or an iterable"):
        space.adapt(5)
    space = FeatureSpace(
        {"a": FeatureSpace.integer_categorical(output_mode="int")}, output_mode="concat"
    )
    with pytest.raises(ValueError, match="Cannot concatenate features"):
        space.adapt({"a": np.array([1, 2, 3])})  # adapt() builds the encoding


def test_features_without_adapting_and_custom_features():
    # Nothing to learn: no adapt() needed.
    space = FeatureSpace(
        {
            "x": "float",
            "s": "string_hashed",
            "t": FeatureSpace.feature(
                "float32", lamina.layers.Rescaling(2.0), output_mode="float"
            ),
        },
        output_mode="dict",
        hashing_dim=4,
    )
    out = space({"x": [1.0, 2.0], "s": ["a", "b"], "t": np.array([1.0, 3.0])})
    assert out["x"].tolist() == [[1.0], [2.0]]
    assert out["t"].tolist() == [[2.0], [6.0]]
    assert out["s"].shape == (2, 4)


def test_signature_and_public_name():
    assert str(inspect.signature(FeatureSpace)) == (
        "(features, output_mode='concat', crosses=None, crossing_dim=32, "
        "hashing_dim=32, num_discretization_bins=32, name=None)"
    )
    assert lamina.utils.FeatureSpace is FeatureSpace
