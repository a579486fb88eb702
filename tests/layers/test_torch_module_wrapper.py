"""TorchModuleWrapper: a torch.nn.Module as a lamina layer."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError
from lamina.serialization import deserialize_keras_object, safe_mode_scope
from tests.layer_test_utils import run_layer_test


def make_module():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)
    )


def test_basics():
    with safe_mode_scope(False):
        layer = run_layer_test(
            layers.TorchModuleWrapper,
            {"module": make_module()},
            input_shape=(5, 4),
            expected_output_shape=(5, 2),
            expected_num_trainable_weights=4,
            expected_weight_shapes=[(3, 4), (3,), (2, 3), (2,)],
        )
    assert layer.count_params() == 4 * 3 + 3 + 3 * 2 + 2


def test_weights_are_the_module_parameters():
    module = make_module()
    module[2].bias.requires_grad_(False)
    layer = layers.TorchModuleWrapper(module)
    # Keras's order: trainable parameters first, then the frozen ones.
    assert [tuple(w.shape) for w in layer.weights] == [(3, 4), (3,), (2, 3), (2,)]
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(3, 4), (3,), (2, 3)]
    assert [w.path for w in layer.non_trainable_weights] == [f"{layer.name}/2.bias"]
    # The module's own attributes are the layer's weights (one storage).
    assert layer.weights[0] is module[0].weight
    new = [np.full(w.shape, i, dtype="float32") for i, w in enumerate(layer.weights)]
    layer.set_weights(new)
    np.testing.assert_array_equal(module[2].weight.detach().numpy(), new[2])
    x = torch.randn(2, 4)
    expected = module(x)
    torch.testing.assert_close(layer(x), expected)


def test_tied_parameters_stay_tied():
    shared = torch.nn.Linear(3, 3)
    module = torch.nn.Sequential(shared, torch.nn.Tanh(), shared)
    layer = layers.TorchModuleWrapper(module)
    assert len(layer.weights) == 2
    assert module[0].weight is module[2].weight


def test_trained_by_fit():
    layer = layers.TorchModuleWrapper(make_module())
    model = lamina.Sequential([lamina.Input((4,)), layer])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = x[:, :2] - x[:, 2:]
    before = layer.get_weights()
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(not np.array_equal(a, b) for a, b in zip(before, layer.get_weights()))
    assert model.count_params() == layer.count_params()


def test_freezing():
    layer = layers.TorchModuleWrapper(make_module())
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 4
    assert not any(p.requires_grad for p in layer.module.parameters())
    layer.trainable = True
    assert all(p.requires_grad for p in layer.module.parameters())
    frozen = layers.TorchModuleWrapper(make_module(), trainable=False)
    assert not any(p.requires_grad for p in frozen.module.parameters())


def test_training_flag_sets_module_mode():
    module = torch.nn.Sequential(torch.nn.Dropout(0.5))
    layer = layers.TorchModuleWrapper(module)
    x = torch.ones(1000)
    assert torch.equal(layer(x, training=False), x)
    assert not module.training
    y = layer(x, training=True)
    assert module.training and (y == 0).any()


def test_symbolic_shapes():
    layer = layers.TorchModuleWrapper(make_module())
    assert layer(lamina.Input((4,))).shape == (None, 2)
    given = layers.TorchModuleWrapper(make_module(), output_shape=(None, 2))
    assert given.compute_output_shape((None, 4)) == (None, 2)


def test_config_round_trip_needs_safe_mode_off():
    layer = layers.TorchModuleWrapper(make_module(), name="wrapped")
    config = layer.get_config()
    assert sorted(config) == ["dtype", "module", "name", "output_shape", "trainable"]
    # The pickle holds plain torch parameters: it loads without lamina types.
    module = torch.load(
        io.BytesIO(base64.b64decode(config["module"])), weights_only=False
    )
    assert all(type(p) is torch.nn.Parameter for p in module.parameters())
    with pytest.raises(ArgumentError, match="safe_mode=False"):
        layers.TorchModuleWrapper.from_config(config)
    serialized = lamina.serialization.serialize_keras_object(layer)
    with pytest.raises(ArgumentError, match="arbitrary code"):
        deserialize_keras_object(serialized)
    with safe_mode_scope(False):
        clone = deserialize_keras_object(serialized)
    x = torch.randn(3, 4)
    torch.testing.assert_close(clone(x), layer(x))
    clone2 = layers.TorchModuleWrapper.from_config(config, safe_mode=False)
    torch.testing.assert_close(clone2(x), layer(x))


def test_errors():
    with pytest.raises(ArgumentError, match="torch.nn.Module"):
        layers.TorchModuleWrapper(lambda x: x)
    with pytest.raises(ArgumentError, match="LazyModule"):
        layers.TorchModuleWrapper(torch.nn.LazyLinear(3))


def test_saved_file_holds_the_state_dict(tmp_path):
    module = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    with torch.no_grad():
        module[1].running_mean.fill_(0.5)  # a buffer: saved, but not a weight
    model = lamina.Sequential([lamina.Input((4,)), layers.TorchModuleWrapper(module)])
    path = tmp_path / "wrapped.keras"
    model.save(path)
    with pytest.raises(ArgumentError, match="safe_mode=False"):
        lamina.models.load_model(path)
    loaded = lamina.models.load_model(path, safe_mode=False)
    wrapped = loaded.layers[-1]
    np.testing.assert_array_equal(wrapped.module[1].running_mean.numpy(), 0.5)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )
