"""Model files: Keras-made fixtures load in lamina; lamina's files round-trip.

Fixtures come from tests/fixtures/make_saving_files.py, run with real Keras 3.15
(``.keras``, ``.h5``) and tf-keras 2.21 (``.k2.h5``).
"""

from __future__ import annotations

import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.errors import UnknownObjectError
from lamina.saving import load_model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saving")
MODELS = [
    "mlp",
    "cnn_bn",
    "rnn",
    "wide_deep",
    "nested",
    "compiled",
    "sequence_attention",
]
FILES = (
    [(f"{name}.keras", f"{name}.keras3.npz") for name in MODELS]
    + [(f"{name}.h5", f"{name}.keras3.npz") for name in MODELS]
    + [(f"{name}.k2.h5", f"{name}.keras2.npz") for name in MODELS]
)


def _fixture(npz: str):
    data = np.load(os.path.join(FIXTURES, npz))
    xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
    ys = [data[k] for k in sorted(data.files) if k.startswith("y")]
    return data, xs, ys


def _dataset_names(group) -> list[str]:
    names = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            names.append(name)

    group.visititems(visit)
    return names


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.parametrize("filename,npz", FILES)
def test_keras_files_predict_like_keras(filename, npz):
    _, xs, ys = _fixture(npz)
    model = load_model(os.path.join(FIXTURES, filename))
    for got, want in zip(_predict(model, xs), ys):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "filename,npz",
    [
        ("compiled.keras", "compiled.keras3.npz"),
        ("compiled.h5", "compiled.keras3.npz"),
        ("compiled.k2.h5", "compiled.keras2.npz"),
    ],
)
def test_optimizer_state_from_keras_resumes_training(filename, npz):
    # Keras saved after 2 epochs, then trained one more: loading and training
    # one epoch here must land on the same weights.
    data, xs, _ = _fixture(npz)
    model = load_model(os.path.join(FIXTURES, filename))
    assert type(model.optimizer).__name__ == "Adam"
    assert int(model.optimizer.iterations) == 8
    model.fit(
        data["train_x"],
        data["train_y"],
        batch_size=8,
        epochs=1,
        verbose=0,
        shuffle=False,
    )
    np.testing.assert_allclose(
        model.predict(xs[0], verbose=0), data["after"], rtol=1e-5, atol=1e-6
    )


def test_compile_false_leaves_model_uncompiled():
    model = load_model(os.path.join(FIXTURES, "compiled.keras"), compile=False)
    assert not model.compiled


def test_keras2_metric_names_and_loss_alias_load():
    # Keras 3.15 itself fails on this file ("could not deserialize keras.metrics.mse").
    model = load_model(os.path.join(FIXTURES, "compiled.k2.h5"))
    data, xs, _ = _fixture("compiled.keras2.npz")
    logs = model.evaluate(data["train_x"], data["train_y"], verbose=0, return_dict=True)
    assert set(logs) == {"loss", "mae"}


# ---------------------------------------------------------------- lamina round trips
def _mlp():
    model = lamina.Sequential(
        [layers.Input((6,)), layers.Dense(5, activation="relu"), layers.Dense(2)]
    )
    return model, [np.random.default_rng(1).normal(size=(4, 6)).astype("float32")]


def _wide_deep():
    wide = lamina.Input((3,), name="wide")
    deep = lamina.Input((4,), name="deep")
    h = layers.Dense(5, activation="relu")(deep)
    main = layers.Dense(1, name="main")(layers.Concatenate()([wide, h]))
    aux = layers.Dense(1, name="aux")(h)
    rng = np.random.default_rng(2)
    return lamina.Model([wide, deep], [main, aux]), [
        rng.normal(size=(4, 3)).astype("float32"),
        rng.normal(size=(4, 4)).astype("float32"),
    ]


def _nested():
    inputs = lamina.Input((4,))
    block = lamina.Sequential([layers.Input((5,)), layers.Dense(3, activation="tanh")])
    outputs = layers.Dense(2)(block(layers.Dense(5)(inputs)))
    return lamina.Model(inputs, outputs), [
        np.random.default_rng(3).normal(size=(3, 4)).astype("float32")
    ]


def _cnn():
    model = lamina.Sequential(
        [
            layers.Input((6, 6, 1)),
            layers.Conv2D(2, 3),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dense(1),
        ]
    )
    x = np.random.default_rng(4).normal(size=(2, 6, 6, 1)).astype("float32")
    model.compile("adam", "mse")
    model.fit(x, np.ones((2, 1)), epochs=2, verbose=0)  # moving statistics move
    return model, [x]


BUILDERS = {"mlp": _mlp, "wide_deep": _wide_deep, "nested": _nested, "cnn": _cnn}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_lamina_round_trip(builder, ext, tmp_path):
    model, xs = BUILDERS[builder]()
    path = tmp_path / f"m{ext}"
    model.save(path)
    loaded = load_model(path)
    for got, want in zip(_predict(loaded, xs), _predict(model, xs)):
        np.testing.assert_array_equal(got, want)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [type(x).__name__ for x in loaded.layers] == [
        type(x).__name__ for x in model.layers
    ]


@pytest.mark.parametrize("ext", [".weights.h5", ".h5"])
def test_weights_round_trip(ext, tmp_path):
    model, xs = _wide_deep()
    model.save_weights(tmp_path / f"w{ext}")
    other, _ = _wide_deep()
    other.load_weights(tmp_path / f"w{ext}")
    for got, want in zip(_predict(other, xs), _predict(model, xs)):
        np.testing.assert_array_equal(got, want)


def test_keras_zip_layout_matches_keras(tmp_path):
    model, _ = _nested()
    model.compile("adam", "mse")
    model.fit(np.ones((4, 4)), np.ones((4, 2)), verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == [
            "config.json",
            "metadata.json",
            "model.weights.h5",
        ]
        config = json.loads(zf.read("config.json"))
        zf.extract("model.weights.h5", tmp_path)
    assert config["class_name"] == "Functional"
    assert config["module"] == "keras.src.models.functional"
    assert set(config) >= {
        "module",
        "class_name",
        "config",
        "registered_name",
        "build_config",
        "compile_config",
    }
    with h5py.File(tmp_path / "model.weights.h5") as f:
        names = _dataset_names(f)
    # Keras names layers in a container after their class, numbered in order.
    assert "layers/dense/vars/0" in names
    assert "layers/dense_1/vars/1" in names
    assert "layers/sequential/layers/dense/vars/0" in names
    assert "optimizer/vars/0" in names
    assert len([n for n in names if n.startswith("optimizer/")]) == 2 + 2 * 6


class Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = layers.Dense(2)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")

    def call(self, x):
        return self.inner(x) * self.scale


class _Subclassed(lamina.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.zeta = layers.Dense(3)
        self.blocks = [Block(), layers.Dense(2)]
        self.alpha = layers.BatchNormalization()

    def call(self, x):
        x = self.alpha(self.zeta(x))
        for block in self.blocks:
            x = block(x)
        return x


def test_subclassed_model_uses_attribute_paths(tmp_path):
    model = _Subclassed()
    model(np.ones((2, 4), "float32"))
    model.save_weights(tmp_path / "s.weights.h5")
    with h5py.File(tmp_path / "s.weights.h5") as f:
        names = _dataset_names(f)
    # The same paths Keras 3.15 writes for this model.
    assert sorted(names) == sorted(
        [
            "alpha/vars/0",
            "alpha/vars/1",
            "alpha/vars/2",
            "alpha/vars/3",
            "blocks/block/inner/vars/0",
            "blocks/block/inner/vars/1",
            "blocks/block/vars/0",
            "blocks/dense/vars/0",
            "blocks/dense/vars/1",
            "layers/dense/vars/0",
            "layers/dense/vars/1",
        ]
    )
    other = _Subclassed()
    other(np.ones((2, 4), "float32"))
    other.load_weights(tmp_path / "s.weights.h5")
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(
        other.predict(x, verbose=0), model.predict(x, verbose=0)
    )


@pytest.mark.parametrize("kind", ["keras", "h5", "weights"])
def test_optimizer_state_round_trip_resumes_exactly(kind, tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.normal(size=(64, 2)).astype("float32")

    def fresh():
        lamina.utils.set_random_seed(7) if hasattr(lamina, "utils") and hasattr(
            lamina.utils, "set_random_seed"
        ) else None
        model, _ = _mlp()
        model.compile(optimizer=lamina.optimizers.Adam(0.01), loss="mse")
        return model

    straight = fresh()
    start = [w.copy() for w in straight.get_weights()]
    straight.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)

    first = fresh()
    first.set_weights(start)
    first.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    if kind == "weights":
        first.save_weights(tmp_path / "w.weights.h5")
        resumed = fresh()
        resumed.set_weights(start)
        resumed.load_weights(tmp_path / "w.weights.h5")
    else:
        first.save(tmp_path / f"m.{kind}")
        resumed = load_model(tmp_path / f"m.{kind}")
    assert int(resumed.optimizer.iterations) == 8
    resumed.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- legacy weights
def test_legacy_weights_by_name_and_skip_mismatch(tmp_path):
    model, xs = _mlp()
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5") as f:
        names = [
            n.decode() if isinstance(n, bytes) else n for n in f.attrs["layer_names"]
        ]
        first = f[names[0]]
        weight_names = [n.decode() for n in first.attrs["weight_names"]]
    assert all(n.endswith(":0") for n in weight_names)

    renamed = lamina.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(5, activation="relu", name=names[0]),
            layers.Dense(7, name="other"),
        ]
    )
    before = renamed.layers[1].get_weights()
    renamed.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(
        renamed.layers[0].get_weights()[0], model.layers[0].get_weights()[0]
    )
    for a, b in zip(renamed.layers[1].get_weights(), before):
        np.testing.assert_array_equal(a, b)

    mismatched = lamina.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(5, name=names[0]),
            layers.Dense(3, name=model.layers[1].name),
        ]
    )
    with pytest.warns(
        UserWarning,
        match=f"Skipping loading weights for layer '{model.layers[1].name}'",
    ):
        mismatched.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    with pytest.raises(lamina.errors.FileFormatError, match="shape"):
        mismatched.load_weights(tmp_path / "w.h5", by_name=True)


def test_weights_h5_skip_mismatch_warns(tmp_path):
    model, _ = _mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    other = lamina.Sequential([layers.Input((6,)), layers.Dense(5), layers.Dense(3)])
    with pytest.warns(UserWarning, match="Skipping layer"):
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(
        other.layers[0].get_weights()[0], model.layers[0].get_weights()[0]
    )


# ---------------------------------------------------------------- custom objects
@lamina.saving.register_keras_serializable(package="TestSaving")
class ScaledDense(layers.Dense):
    def __init__(self, units, factor=2.0, **kwargs):
        super().__init__(units, **kwargs)
        self.factor = factor

    def call(self, x):
        return super().call(x) * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(layers.Dense):
    pass


def test_registered_custom_layer_round_trip(tmp_path):
    assert lamina.saving.get_registered_name(ScaledDense) == "TestSaving>ScaledDense"
    model = lamina.Sequential([layers.Input((3,)), ScaledDense(2, factor=3.0)])
    model.save(tmp_path / "c.keras")
    loaded = load_model(tmp_path / "c.keras")
    assert isinstance(loaded.layers[0], ScaledDense) and loaded.layers[0].factor == 3.0
    x = np.ones((1, 3), "float32")
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )


def test_unregistered_custom_layer_needs_custom_objects(tmp_path):
    model = lamina.Sequential([layers.Input((3,)), Unregistered(2)])
    model.save(tmp_path / "u.keras")
    with pytest.raises(UnknownObjectError, match="Unregistered"):
        load_model(tmp_path / "u.keras")
    loaded = load_model(
        tmp_path / "u.keras", custom_objects={"Unregistered": Unregistered}
    )
    assert isinstance(loaded.layers[0], Unregistered)
    with lamina.saving.custom_object_scope({"Unregistered": Unregistered}):
        assert isinstance(load_model(tmp_path / "u.keras").layers[0], Unregistered)


def test_lambda_bytecode_refused_in_safe_mode(tmp_path):
    model = lamina.Sequential([layers.Input((2,)), layers.Lambda(lambda t: t * 2 + 1)])
    model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        load_model(tmp_path / "l.keras")
    loaded = load_model(tmp_path / "l.keras", safe_mode=False)
    np.testing.assert_array_equal(
        loaded.predict(np.ones((1, 2), "float32"), verbose=0), [[3.0, 3.0]]
    )


def test_keras2_legacy_optimizer_state_is_skipped_with_warning(tmp_path):
    # tf.keras < 2.11 wrote "Adam/iter:0" first, then every m, then every v.
    path = tmp_path / "old.h5"
    path.write_bytes(open(os.path.join(FIXTURES, "compiled.k2.h5"), "rb").read())
    with h5py.File(path, "r+") as f:
        group = f["optimizer_weights"]
        names = list(group.attrs["weight_names"])
        group.attrs["weight_names"] = np.array(
            [b"Adam/iter:0"] + [n.encode() for n in names[1:]]
        )
        group["Adam/iter:0"] = group["iteration:0"][()]
    with pytest.warns(UserWarning, match="legacy optimizer"):
        model = load_model(path)
    assert int(model.optimizer.iterations) == 0


def test_assets_round_trip(tmp_path):
    lookup = layers.IntegerLookup()
    lookup.adapt(np.array([5, 7, 7, 9, 9, 9]))
    model = lamina.Sequential([lamina.Input((3,), dtype="int64"), lookup])
    model.save(tmp_path / "a.keras")
    with zipfile.ZipFile(tmp_path / "a.keras") as zf:
        # Keras's layout: assets/<the layer's weights path>/vocabulary.txt
        assert "assets/layers/integer_lookup/vocabulary.txt" in zf.namelist()
    loaded = load_model(tmp_path / "a.keras")
    assert loaded.layers[0].get_vocabulary() == lookup.get_vocabulary()
    x = np.array([[5, 9, 4]])
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )


def test_save_argument_errors(tmp_path):
    model, _ = _mlp()
    with pytest.raises(lamina.errors.ArgumentError, match="extension"):
        model.save(tmp_path / "m.tf")
    with pytest.raises(lamina.errors.ArgumentError, match="save_weights"):
        model.save(tmp_path / "m.weights.h5")
    model.save(tmp_path / "m.keras")
    with pytest.raises(lamina.errors.ArgumentError, match="overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    with pytest.raises(lamina.errors.ArgumentError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.bin")
    unbuilt = lamina.Sequential([layers.Dense(2)])
    with pytest.raises(lamina.errors.ArgumentError, match="not built"):
        unbuilt.load_weights(tmp_path / "m.keras")


def test_old_keras2_training_config_with_lr_and_decay(tmp_path):
    # Keras 2.0-2.3 spellings: `lr`, `decay`, per-output metric names like "acc".
    path = tmp_path / "old.h5"
    path.write_bytes(open(os.path.join(FIXTURES, "mlp.k2.h5"), "rb").read())
    training = {
        "optimizer_config": {
            "class_name": "SGD",
            "config": {
                "name": "SGD",
                "lr": 0.05,
                "decay": 0.0,
                "momentum": 0.9,
                "nesterov": False,
            },
        },
        "loss": "mean_squared_error",
        "metrics": ["acc"],
        "weighted_metrics": None,
        "loss_weights": None,
        "sample_weight_mode": None,
    }
    with h5py.File(path, "r+") as f:
        f.attrs["training_config"] = json.dumps(training)
        f.attrs["keras_version"] = "2.2.4"
    model = load_model(path)
    assert type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.optimizer.momentum == pytest.approx(0.9)
    _, xs, ys = _fixture("mlp.keras2.npz")
    np.testing.assert_allclose(_predict(model, xs)[0], ys[0], rtol=1e-5, atol=1e-5)


def test_keras2_nested_functional_node_numbering(tmp_path):
    # Keras 2 numbers a nested model's nodes from 1 (its own input node is 0);
    # lamina writes and reads that numbering (Keras 3.15 fails on it: IndexError).
    model = load_model(os.path.join(FIXTURES, "nested.k2.h5"))
    model.save(tmp_path / "again.h5")
    with h5py.File(tmp_path / "again.h5") as f:
        config = json.loads(f.attrs["model_config"])
    nested = [e for e in config["config"]["layers"] if e["class_name"] == "Sequential"]
    assert nested and nested[0]["inbound_nodes"][0][0][:3] == [
        config["config"]["layers"][1]["name"],
        0,
        0,
    ]
    again = load_model(tmp_path / "again.h5")
    _, xs, ys = _fixture("nested.keras2.npz")
    np.testing.assert_allclose(_predict(again, xs)[0], ys[0], rtol=1e-5, atol=1e-5)
