"""Building models: Sequential, functional, subclassed; the course material's oracles."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

import lamina
import lamina as keras
from lamina import errors
from lamina.layers import (
    Concatenate,
    Dense,
    Dropout,
    Flatten,
    Input,
    InputLayer,
    concatenate,
)
from lamina.models import Model, Sequential, clone_model, model_from_json


@pytest.fixture(autouse=True)
def fresh_names():
    lamina.backend.clear_session()


def tutorial_mlp():
    model = Sequential()
    model.add(Dense(512, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    return model


# ---------------------------------------------------------------- oracles
def test_tutorial_mlp_parameter_counts():
    model = tutorial_mlp()
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    assert [layer.count_params() for layer in dense] == [401920, 262656, 262656, 5130]
    assert model.count_params() == 932362
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense",
        "Dropout",
    ] * 3 + ["Dense"]
    assert model.output_shape == (None, 10)
    assert model.input_shape == (None, 784)


def test_flatten_mlp_parameter_count():
    model = Sequential(
        [
            Flatten(input_shape=[28, 28]),
            Dense(300, activation="relu"),
            Dense(100, activation="relu"),
            Dense(10, activation="softmax"),
        ]
    )
    assert model.count_params() == 266610
    assert model.layers[0].output_shape == (None, 784)


@pytest.mark.parametrize("extra, total", [(0, 623290), (1, 1238730), (2, 1854170)])
def test_input_dim_stack_counts(extra, total):
    model = Sequential()
    model.add(Dense(784, input_dim=784, activation="relu"))
    for _ in range(extra):
        model.add(Dense(784, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    assert model.count_params() == total


def test_wide_and_deep_functional():
    input_ = Input(shape=(8,))
    hidden1 = Dense(30, activation="relu")(input_)
    hidden2 = Dense(30, activation="relu")(hidden1)
    concat = concatenate([input_, hidden2])
    output = Dense(1)(concat)
    model = Model(inputs=[input_], outputs=[output])
    assert tuple(concat.shape) == (None, 38)
    assert model.count_params() == 1239
    assert [layer.count_params() for layer in model.layers] == [0, 270, 930, 0, 39]
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "Dense",
        "Dense",
        "Concatenate",
        "Dense",
    ]
    out = model.predict(np.zeros((3, 8)), verbose=0)
    assert out.shape == (3, 1)


def test_two_inputs_two_outputs_by_name():
    input_a = Input(shape=[5], name="wide_input")
    input_b = Input(shape=[6], name="deep_input")
    hidden = Dense(30, activation="relu")(input_b)
    concat = concatenate([input_a, hidden])
    output = Dense(1, name="main_output")(concat)
    aux = Dense(1, name="aux_output")(hidden)
    model = Model(inputs=[input_a, input_b], outputs=[output, aux])
    assert [t.name for t in model.inputs] == ["wide_input", "deep_input"]
    assert model.output_names == ["main_output", "aux_output"]
    assert model.input_names == ["wide_input", "deep_input"]
    main, extra = model([torch.ones(2, 5), torch.ones(2, 6)])
    assert main.shape == (2, 1) and extra.shape == (2, 1)
    by_name = model({"wide_input": torch.ones(2, 5), "deep_input": torch.ones(2, 6)})
    assert torch.equal(by_name[0], main)
    assert (
        model.get_layer("main_output") is model.layers[-2]
        or model.get_layer("main_output").name == "main_output"
    )


# ---------------------------------------------------------------- names
def test_automatic_names_follow_keras():
    a, b, c = Dense(1), Dense(1), Dropout(0.1)
    assert (a.name, b.name, c.name) == ("dense", "dense_1", "dropout")
    assert Dense(1, name="head").name == "head"
    assert Sequential().name == "sequential"
    assert Sequential().name == "sequential_1"


def test_duplicate_names_rejected_in_sequential_and_functional():
    model = Sequential([Input((3,)), Dense(2, name="same")])
    with pytest.raises(errors.GraphError, match="same"):
        model.add(Dense(2, name="same"))
    x = Input((3,))
    y = Dense(2, name="twice")(Dense(3, name="twice")(x))
    with pytest.raises(errors.GraphError, match="twice"):
        Model(x, y)


# ---------------------------------------------------------------- sequential
def test_sequential_layers_add_pop_and_input():
    model = Sequential([Input(shape=(4,)), Dense(3), Dense(2)])
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert isinstance(popped, Dense)
    assert model.output_shape == (None, 3)
    model.add(Dense(5))
    assert model.output_shape == (None, 5)
    assert model.count_params() == 4 * 3 + 3 + 3 * 5 + 5


def test_sequential_deferred_build():
    model = Sequential([Dense(4), Dense(1)])
    assert not model.built
    with pytest.raises(errors.ArgumentError, match="isn't built"):
        model.count_params()
    out = model(np.ones((2, 7), dtype="float32"))
    assert out.shape == (2, 1)
    assert model.built and model.count_params() == 7 * 4 + 4 + 5
    assert model.input_shape == (None, 7)


def test_sequential_explicit_build_and_batch_input_shape():
    model = Sequential([Dense(4)])
    model.build((None, 3))
    assert model.count_params() == 16
    legacy = Sequential([Dense(2, batch_input_shape=(None, 6))])
    assert legacy.input_shape == (None, 6)
    assert legacy.count_params() == 14


def test_input_layer_and_input_tensor_in_sequential():
    model = Sequential([InputLayer(input_shape=(5,)), Dense(2)])
    assert model.input_shape == (None, 5)
    assert Sequential([Input((5,)), Dense(2)]).count_params() == 12


def test_keras_2_arguments_warn_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Dense(3, init="uniform", input_dim=4)
        Dense(3, init="uniform", input_dim=4)
    deprecations = [
        w
        for w in caught
        if issubclass(w.category, DeprecationWarning) and "init" in str(w.message)
    ]
    assert len(deprecations) <= 1
    layer = Dense(3, init="uniform")
    assert type(layer.kernel_initializer).__name__ == "RandomUniform"


# ---------------------------------------------------------------- functional
def test_shared_layer_called_twice():
    shared = Dense(4, name="shared")
    a, b = Input((3,), name="a"), Input((3,), name="b")
    model = Model([a, b], [shared(a), shared(b)])
    assert len(shared._inbound_nodes) == 2
    assert model.count_params() == 16
    out_a, out_b = model([torch.ones(1, 3), 2 * torch.ones(1, 3)])
    assert torch.allclose(
        2 * out_a - shared.bias, out_b - shared.bias + 0, atol=1e-6
    ) or torch.allclose(out_b, shared(2 * torch.ones(1, 3)))


def test_nested_models_both_ways():
    inner = Sequential([Input((4,)), Dense(3, name="inner_dense")], name="inner")
    x = Input((4,))
    outer = Model(x, Dense(2)(inner(x)))
    assert [layer.name for layer in outer.layers][1] == "inner"
    assert outer.count_params() == 15 + 8
    seq = Sequential([Input((4,)), outer, Dense(1)])
    assert seq.count_params() == 23 + 3
    assert seq(torch.ones(5, 4)).shape == (5, 1)


def test_dict_inputs_and_outputs():
    a, b = Input((2,), name="a"), Input((3,), name="b")
    merged = Concatenate()([a, b])
    model = Model(
        {"a": a, "b": b}, {"left": Dense(1)(merged), "right": Dense(2)(merged)}
    )
    out = model({"a": torch.ones(4, 2), "b": torch.ones(4, 3)})
    assert set(out) == {"left", "right"}
    assert out["right"].shape == (4, 2)


def test_disconnected_output_is_rejected():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    out = Dense(1)(b)
    with pytest.raises(errors.GraphError, match="disconnected"):
        Model(a, out)


def test_outputs_must_be_symbolic():
    with pytest.raises(errors.ArgumentError, match="KerasTensor"):
        Model(Input((2,)), torch.zeros(1))


def test_symbolic_tensor_attributes():
    x = Input(shape=(28, 28), name="pixels", dtype="float32")
    assert x.shape == (None, 28, 28) and x.dtype == "float32" and x.name == "pixels"
    y = Flatten()(x)
    assert y.shape == (None, 784)
    fixed = Input(shape=(3,), batch_size=8)
    assert fixed.shape == (8, 3)


def test_get_layer_by_name_and_index():
    model = Sequential([Input((2,)), Dense(3, name="first"), Dense(1, name="last")])
    assert model.get_layer("last").name == "last"
    assert model.get_layer(index=0).name == "first"
    with pytest.raises(errors.ArgumentError, match="No such layer"):
        model.get_layer("missing")


def test_layer_graph_attributes():
    x = Input((3,))
    dense = Dense(2)
    y = dense(x)
    assert dense.input is x and dense.output is y
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 2)


# ---------------------------------------------------------------- subclassing
class TwoBlocks(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [Dense(5, activation="relu"), Dense(3)]
        self.by_name = {"head": Dense(1)}

    def call(self, x, training=None):
        for block in self.blocks:
            x = block(x)
        return self.by_name["head"](x)


def test_subclassed_model_tracks_lists_and_dicts():
    model = TwoBlocks()
    assert not model.built
    assert model(torch.ones(2, 7)).shape == (2, 1)
    assert model.count_params() == 7 * 5 + 5 + 5 * 3 + 3 + 3 + 1
    assert len(model.trainable_weights) == 6
    assert len(list(model.parameters())) == 6
    built = TwoBlocks()
    built.build((None, 7))
    assert built.count_params() == model.count_params()


def test_subclassed_layer_with_add_weight_and_loss():
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1],), initializer="ones", name="w"
            )

        def call(self, x):
            self.add_loss(torch.sum(self.w))
            return x * self.w

    layer = Scale()
    out = layer(torch.ones(2, 4))
    assert torch.equal(out, torch.ones(2, 4))
    assert layer.weights[0].path == "scale/w"
    assert float(layer.losses[0].detach()) == 4.0
    layer(torch.ones(2, 4))
    assert len(layer.losses) == 1  # the previous call's loss is gone


# ---------------------------------------------------------------- weights
def test_get_set_weights_round_trip_and_errors():
    model = Sequential([Input((3,)), Dense(2), Dense(1)])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 2), (2,), (2, 1), (1,)]
    new = [np.full(w.shape, 0.5, dtype="float32") for w in weights]
    model.set_weights(new)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), new))
    weights[0][:] = 7  # a copy, not a view of the live weights
    assert model.get_weights()[0][0, 0] == 0.5
    with pytest.raises(errors.ShapeError, match="expected 4 weights"):
        model.set_weights(new[:3])
    with pytest.raises(errors.ShapeError, match=r"\(3, 2\)"):
        model.layers[0].set_weights([np.zeros((4, 2)), np.zeros(2)])


def test_freezing_excludes_weights_from_training():
    model = Sequential([Input((3,)), Dense(2, name="frozen"), Dense(1)])
    model.get_layer("frozen").trainable = False
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 2
    before = model.get_layer("frozen").get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)
    after = model.get_layer("frozen").get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_wrong_trailing_dimension_names_layer_and_shapes():
    model = Sequential([Input((784,)), Dense(10, name="classifier")])
    with pytest.raises(errors.ShapeError) as info:
        model(torch.ones(2, 100))
    message = str(info.value)
    assert "classifier" in message or "sequential" in message
    dense = Dense(4, name="d4")
    dense(torch.ones(1, 3))
    with pytest.raises(errors.ShapeError, match=r'"d4".*value 3.*\(1, 5\)'):
        dense(torch.ones(1, 5))
    with pytest.raises(errors.ShapeError, match="d4"):
        dense(Input((6,)))


@pytest.mark.parametrize("units", [0, -3, 2.5, "8"])
def test_dense_rejects_bad_units(units):
    with pytest.raises(errors.ArgumentError, match="units"):
        Dense(units)


def test_unknown_activation_and_initializer_strings():
    with pytest.raises(errors.UnknownObjectError, match="relu"):
        Dense(3, activation="rleu")
    with pytest.raises(errors.UnknownObjectError, match="glorot_uniform"):
        Dense(3, kernel_initializer="glorot_unifrom")


def test_dropout_rate_validated():
    with pytest.raises(errors.ArgumentError, match="rate"):
        Dropout(rate=1.5)


# ---------------------------------------------------------------- configs
def test_sequential_config_round_trip_and_json():
    model = tutorial_mlp()
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][1]["config"]["units"] == 512
    clone = Sequential.from_config(config)
    assert clone.count_params() == 932362
    restored = model_from_json(model.to_json())
    assert isinstance(restored, Sequential)
    assert [type(layer).__name__ for layer in restored.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    assert json.loads(model.to_json())["class_name"] == "Sequential"


def test_functional_config_round_trip_keeps_graph():
    a, b = Input((5,), name="wide"), Input((6,), name="deep")
    shared = Dense(4, name="shared")
    h = shared(b)
    out = Dense(1, name="out")(concatenate([a, h]))
    model = Model([a, b], [out, shared(h if False else b)], name="wd")
    config = model.get_config()
    assert config["input_layers"] == [["wide", 0, 0], ["deep", 0, 0]]
    restored = Model.from_config(config)
    restored.set_weights(model.get_weights())
    xs = [torch.randn(3, 5), torch.randn(3, 6)]
    for got, want in zip(restored(xs), model(xs)):
        assert torch.allclose(got, want)
    assert restored.name == "wd"
    again = model_from_json(model.to_json())
    assert again.count_params() == model.count_params()


def test_keras_2_functional_config_loads():
    config = {
        "name": "model_1",
        "layers": [
            {
                "name": "input_1",
                "class_name": "InputLayer",
                "config": {
                    "batch_input_shape": [None, 3],
                    "dtype": "float32",
                    "sparse": False,
                    "name": "input_1",
                },
                "inbound_nodes": [],
            },
            {
                "name": "dense_1",
                "class_name": "Dense",
                "config": {
                    "name": "dense_1",
                    "trainable": True,
                    "units": 2,
                    "activation": "relu",
                    "use_bias": True,
                    "kernel_initializer": {
                        "class_name": "VarianceScaling",
                        "config": {
                            "scale": 1.0,
                            "mode": "fan_avg",
                            "distribution": "uniform",
                            "seed": None,
                        },
                    },
                    "bias_initializer": {"class_name": "Zeros", "config": {}},
                    "kernel_regularizer": None,
                    "bias_regularizer": None,
                    "activity_regularizer": None,
                    "kernel_constraint": None,
                    "bias_constraint": None,
                },
                "inbound_nodes": [[["input_1", 0, 0, {}]]],
            },
        ],
        "input_layers": [["input_1", 0, 0]],
        "output_layers": [["dense_1", 0, 0]],
    }
    model = Model.from_config(config)
    assert model.count_params() == 8
    assert model(torch.ones(1, 3)).shape == (1, 2)


def test_clone_model_fresh_weights_same_architecture():
    model = tutorial_mlp()
    clone = clone_model(model)
    assert clone.count_params() == model.count_params()
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    x = Input((3,))
    functional = Model(x, Dense(2)(Dense(4)(x)))
    copy = clone_model(functional)
    assert copy.count_params() == functional.count_params()
    assert copy.layers[1] is not functional.layers[1]


def test_summary_returns_none_and_prints_counts(capsys):
    model = tutorial_mlp()
    assert model.summary() is None
    out = capsys.readouterr().out
    assert "Total params: 932,362" in out


def test_to_categorical_and_normalize():
    one_hot = keras.utils.to_categorical([0, 2, 1], 3)
    assert one_hot.dtype == np.float32 and one_hot.tolist() == [
        [1, 0, 0],
        [0, 0, 1],
        [0, 1, 0],
    ]
    with pytest.raises(errors.ArgumentError, match="out of range"):
        keras.utils.to_categorical([5], 3)
    norm = keras.utils.normalize(np.array([[3.0, 4.0]]))
    assert np.allclose(norm, [[0.6, 0.8]])


def test_set_random_seed_makes_weights_reproducible():
    keras.utils.set_random_seed(3)
    first = Dense(4)
    first.build((None, 5))
    keras.utils.set_random_seed(3)
    second = Dense(4)
    second.build((None, 5))
    assert torch.equal(first.kernel, second.kernel)


def test_public_api_names():
    assert keras.models.Sequential is Sequential
    assert keras.layers.Dense is Dense
    assert (
        keras.Input is Input and keras.Model is Model and keras.Sequential is Sequential
    )
    assert isinstance(keras.__version__, str)
    from lamina.models import load_model  # noqa: F401


def test_functional_subclassing():
    class Head(keras.Model):
        def __init__(self):
            inputs = Input((3,))
            super().__init__(inputs, Dense(2)(inputs), name="head_model")

        def describe(self):
            return self.name

    model = Head()
    assert isinstance(model, Head) and model.describe() == "head_model"
    assert model(torch.ones(4, 3)).shape == (4, 2)
    assert model.count_params() == 8


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd"])
def test_predict_follows_weight_changes(optimizer):
    # predict uses a transposed copy of Dense kernels; it must never be stale.
    model = Sequential([Input((5,)), Dense(4, activation="relu"), Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    x = np.random.rand(600, 5).astype("float32")  # enough samples to use the cache
    for _ in range(2):
        model.fit(x, np.random.rand(600, 2), epochs=1, verbose=0)
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy()
        assert np.allclose(model.predict(x, verbose=0), expected, atol=1e-6)
    model.set_weights([w * 2 for w in model.get_weights()])
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert np.allclose(model.predict(x, verbose=0), expected, atol=1e-6)


def test_keras_top_level_base_classes():
    assert keras.Loss is keras.losses.Loss and keras.Metric is keras.metrics.Metric
    assert keras.Optimizer is keras.optimizers.Optimizer
    assert keras.Initializer is keras.initializers.Initializer
    with pytest.raises(AttributeError, match="does not have it yet"):
        keras.NoSuchThing  # noqa: B018
