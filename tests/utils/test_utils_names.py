"""keras.utils' smaller names: Config, (un)pack_x_y_sample_weight, the legacy
(Keras 2) serialization, and the names utils shares with saving and backend."""

from __future__ import annotations

import pytest
import torch

import lamina
from lamina import utils


def test_config_reads_like_an_object_and_freezes():
    config = utils.Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.seed == 123 and config["learning_rate"] == 0.1
    assert list(config) == ["learning_rate", "momentum", "seed", "use_ema"]
    assert len(config) == 4 and "seed" in config
    assert config.as_dict() == {
        "learning_rate": 0.1,
        "momentum": 0.9,
        "use_ema": True,
        "seed": 123,
    }
    assert config.get("missing", 5) == 5
    with pytest.raises(AttributeError, match="Did you mean 'momentum'"):
        _ = config.momentun
    config.freeze()
    assert config.frozen
    for change in (
        lambda: setattr(config, "x", 1),
        lambda: config.__setitem__("x", 1),
        lambda: config.update(x=1),
        lambda: config.pop("seed"),
        lambda: config.__delitem__("seed"),
    ):
        with pytest.raises(ValueError, match="frozen"):
            change()
    config.unfreeze()
    del config["seed"]
    assert config.to_json() == (
        '{"learning_rate": 0.1, "momentum": 0.9, "use_ema": true}'
    )
    assert repr(config).startswith("<Config {")


def test_pack_and_unpack_as_keras():
    x, y, w = torch.ones(2), torch.zeros(2), torch.ones(2)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight([x]) == ([x],)
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert utils.pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert utils.unpack_x_y_sample_weight((x, y)) == (x, y, None)
    assert utils.unpack_x_y_sample_weight(x) == (x, None, None)
    with pytest.raises(ValueError, match="Data is expected"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_legacy_serialization_is_keras_2s():
    dense = lamina.layers.Dense(2, name="d", kernel_initializer="zeros")
    config = utils.legacy.serialize_keras_object(dense)
    assert config["class_name"] == "Dense" and "module" not in config
    assert config["config"]["units"] == 2
    assert utils.legacy.serialize_keras_object(lamina.activations.relu) == "relu"
    assert utils.legacy.serialize_keras_object(None) is None
    rebuilt = utils.legacy.deserialize_keras_object(
        {"class_name": "Dense", "config": {"units": 3}},
        module_objects={"Dense": lamina.layers.Dense},
    )
    assert rebuilt.units == 3
    assert lamina.legacy.saving.serialize_keras_object is (
        utils.legacy.serialize_keras_object
    )

    class Unnamed:
        pass

    with pytest.raises(ValueError, match="get_config"):
        utils.legacy.serialize_keras_object(Unnamed())


def test_utils_shares_saving_and_backend_names():
    for name in (
        "CustomObjectScope",
        "custom_object_scope",
        "deserialize_keras_object",
        "serialize_keras_object",
        "get_custom_objects",
        "get_registered_name",
        "get_registered_object",
        "register_keras_serializable",
    ):
        assert getattr(utils, name) is getattr(lamina.saving, name), name
    assert utils.clear_session is lamina.backend.clear_session
    assert utils.standardize_dtype(torch.float16) == "float16"
    assert utils.is_keras_tensor(lamina.Input((2,)))
    assert not lamina.backend.is_keras_tensor(torch.ones(2))


def test_deserialize_keras_object_takes_safe_mode():
    layer = lamina.layers.Lambda(lambda x: x + 1)
    config = lamina.saving.serialize_keras_object(layer)
    with pytest.raises(ValueError, match="safe"):
        utils.deserialize_keras_object(config)
    rebuilt = utils.deserialize_keras_object(config, safe_mode=False)
    assert rebuilt(torch.zeros(1)).tolist() == [1.0]
