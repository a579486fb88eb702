"""keras.distribution's objects in one process: devices, meshes, layouts,
the current distribution, and what `fit` does with them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina
from lamina import distribution
from lamina.distribution import distribution_lib


@pytest.fixture(autouse=True)
def no_distribution():
    yield
    distribution.set_distribution(None)


def test_list_devices_and_count_without_a_process_group():
    assert distribution.list_devices("cpu") == ["cpu:0"]
    assert distribution.get_device_count("cpu") == 1
    gpus = distribution.list_devices("gpu")
    assert gpus == [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    assert distribution.list_devices("cuda") == gpus
    default = "gpu" if torch.cuda.is_available() else "cpu"
    assert distribution.list_devices()[0].startswith(
        "mps" if default == "cpu" and torch.backends.mps.is_available() else default
    )
    with pytest.raises(ValueError, match="Unknown device_type 'tpu'"):
        distribution.list_devices("tpu")


def test_device_mesh_checks_shape_names_and_devices():
    mesh = distribution.DeviceMesh((1,), ["batch"], devices=["cpu:0"])
    assert mesh.shape == (1,) and mesh.axis_names == ["batch"]
    assert mesh.devices.tolist() == ["cpu:0"]
    assert repr(mesh) == "<DeviceMesh shape=(1,), axis_names=['batch']>"
    with pytest.raises(ValueError, match="Shape and axis_names cannot be empty"):
        distribution.DeviceMesh((), [])
    with pytest.raises(ValueError, match="Shape and axis_names should have same size"):
        distribution.DeviceMesh((1, 1), ["batch"])
    with pytest.raises(ValueError, match="Shape does not match the number of devices"):
        distribution.DeviceMesh((2,), ["batch"], devices=["cpu:0"])


def test_tensor_layout_and_layout_map_as_in_keras():
    mesh = distribution.DeviceMesh((1, 1), ["batch", "model"], ["cpu:0"])
    layout = distribution.TensorLayout((None, "model"))
    layout.device_mesh = mesh
    with pytest.raises(ValueError, match="Cannot override device mesh value"):
        layout.device_mesh = mesh
    with pytest.raises(ValueError, match="Invalid axis names for Layout"):
        distribution.TensorLayout(("data",), mesh)
    layout_map = distribution.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    layout_map[".*dense.*bias"] = distribution.TensorLayout(("model",))
    assert layout_map["dense_1/kernel"].axes == (None, "model")
    assert layout_map["dense_1/kernel"].device_mesh is mesh
    assert layout_map["dense_1/bias"].axes == ("model",)
    assert layout_map["conv2d/kernel"] is None
    assert len(layout_map) == 2 and list(layout_map) == [
        ".*dense.*kernel",
        ".*dense.*bias",
    ]
    with pytest.raises(ValueError, match="already exist in the LayoutMap"):
        layout_map[".*dense.*bias"] = ("model",)
    layout_map[".*kernel"] = (None, None)
    with pytest.raises(ValueError, match="matches multiple layout"):
        layout_map["dense_1/kernel"]
    with pytest.raises(ValueError, match="should be a TensorLayout type"):
        layout_map["x"] = "model"
    del layout_map[".*kernel"]
    assert len(layout_map) == 2


def test_data_parallel_builds_a_1d_mesh_and_the_data_layout():
    dp = distribution.DataParallel()
    assert dp.device_mesh.axis_names == ["batch"]
    assert dp.batch_dim_name == "batch"
    assert dp.num_model_replicas == len(distribution.list_devices())
    assert dp.num_processes == 1 and dp.data_shard_id == 0
    assert dp.get_data_layout((8, 3)).axes == ("batch", None)
    assert dp.get_variable_layout(torch.zeros(2, 3)).axes == (None, None)
    assert dp.get_tensor_layout("dense/kernel") is None
    on_cpu = distribution.DataParallel(devices=["cpu:0"])
    assert on_cpu.device_mesh.devices.tolist() == ["cpu:0"]
    with pytest.raises(ValueError, match="Expect `mesh` to be an instance"):
        distribution.DataParallel(device_mesh="mesh")


def test_the_current_distribution_scope_and_clear_session():
    assert distribution.distribution() is None
    dp = distribution.DataParallel(devices=["cpu:0"])
    with dp.scope():
        assert distribution.distribution() is dp
    assert distribution.distribution() is None
    distribution.set_distribution(dp)
    assert distribution.distribution() is dp
    lamina.backend.clear_session()
    assert distribution.distribution() is None


def _small_model():
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_fit_with_data_parallel_in_one_process_trains_as_usual():
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    reference = _small_model()
    weights = reference.get_weights()
    expected = reference.fit(x, x[:, :1], batch_size=4, shuffle=False, verbose=0)
    distribution.set_distribution(distribution.DataParallel(devices=["cpu:0"]))
    model = _small_model()
    model.set_weights(weights)
    history = model.fit(x, x[:, :1], batch_size=4, shuffle=False, verbose=0)
    assert history.history == expected.history
    assert model._ddp is None  # no DDP wrapper with one process


def _model_parallel():
    mesh = distribution.DeviceMesh((1, 1), ["batch", "model"], ["cpu:0"])
    layout_map = distribution.LayoutMap(mesh)
    layout_map[".*kernel"] = (None, "model")
    return distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")


def test_model_parallel_in_one_process_trains_as_without_it():
    mp = _model_parallel()
    assert mp.num_model_replicas == 1
    assert mp.get_tensor_layout("dense/kernel").axes == (None, "model")
    with pytest.raises(ValueError, match="You must specify a layout_map"):
        distribution.ModelParallel()
    with pytest.raises(ValueError, match="must be a `LayoutMap` instance"):
        distribution.ModelParallel(layout_map={})
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    reference = _small_model()
    weights = reference.get_weights()
    expected = reference.fit(x, x[:, :1], batch_size=4, shuffle=False, verbose=0)
    distribution.set_distribution(mp)
    model = _small_model()
    model.set_weights(weights)
    history = model.fit(x, x[:, :1], batch_size=4, shuffle=False, verbose=0)
    assert history.history == expected.history


@pytest.fixture
def two_processes(monkeypatch):
    """`fit`'s ModelParallel checks as with 2 processes (they run before any
    collective; the real 2-process runs are in test_torchrun.py)."""
    from lamina.distribution import model_parallel

    class TwoProcesses:
        @staticmethod
        def world_size():
            return 2

        @staticmethod
        def launched_by_torchrun():
            return False

    monkeypatch.setattr(model_parallel, "process_group", TwoProcesses)
    # The models are made first: under ModelParallel each process would keep
    # only its part of a new variable, which needs a real process group.
    return lambda: distribution.set_distribution(_model_parallel())


def _fit(model, **kwargs):
    model.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0, **kwargs)


def test_model_parallel_refuses_what_it_cannot_shard(two_processes):
    model = _small_model()

    class OwnStep(lamina.Sequential):
        def train_step(self, data):
            return {}

    custom = OwnStep([lamina.Input((3,)), lamina.layers.Dense(1)])
    custom.compile("sgd", "mse")
    two_processes()
    with pytest.raises(
        ValueError,
        match=r"device mesh has 1 devices \(shape \(1, 1\)\) but 2 processes run",
    ):
        _fit(model)
    model.compile(lamina.optimizers.Adafactor(), "mse")
    with pytest.raises(ValueError, match="Adafactor cannot update sharded variables"):
        _fit(model)
    model.compile("sgd", "mse", jit_compile=True)
    with pytest.raises(
        ValueError, match="jit_compile=True. is not supported with ModelParallel"
    ):
        _fit(model)
    model.compile("sgd", "mse")
    saver = lamina.callbacks.ModelCheckpoint("/nonexistent/w.weights.h5", save_freq=2)
    with pytest.raises(
        ValueError, match=r"ModelCheckpoint\(save_freq=2\) saves in the middle"
    ):
        _fit(model, callbacks=[saver])
    with pytest.raises(ValueError, match="OwnStep overrides train_step"):
        _fit(custom)


def test_distribute_tensor_in_one_process_returns_the_tensor():
    mesh = distribution.DeviceMesh((1,), ["batch"], ["cpu:0"])
    t = torch.ones(4, 2)
    assert (
        distribution.distribute_tensor(
            t, distribution.TensorLayout(("batch", None), mesh)
        )
        is t
    )
    assert distribution.distribute_tensor("not a tensor", None) == "not a tensor"


def test_initialize_without_a_launcher_is_one_process(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    distribution.initialize()
    assert not torch.distributed.is_initialized()
    with pytest.raises(ValueError, match="also needs `num_processes` and `process_id`"):
        distribution.initialize("127.0.0.1:1234")


def test_keras_device_scope_puts_new_weights_there():
    with lamina.device("cpu:0") as where:
        layer = lamina.layers.Dense(2)
        layer.build((None, 3))
    assert where == torch.device("cpu:0")
    assert layer.kernel.device == torch.device("cpu")
    with pytest.raises(ValueError, match="Invalid value for argument `device_name`"):
        with lamina.device(0):
            pass


def test_the_keras_names_are_all_there():
    for name in (
        "DataParallel",
        "ModelParallel",
        "DeviceMesh",
        "LayoutMap",
        "TensorLayout",
        "distribute_tensor",
        "distribution",
        "set_distribution",
        "initialize",
        "list_devices",
        "get_device_count",
    ):
        assert getattr(lamina.distribution, name) is getattr(distribution_lib, name)
