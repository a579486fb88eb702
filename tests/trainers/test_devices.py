"""fit/evaluate/predict on an accelerator: weights, optimizer state, metrics and
batches on the device, batches copied from pinned memory, predict's numpy.

The accelerator tests skip on a machine without CUDA (or MPS).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina
from lamina.trainers import data_adapter

ACCELERATORS = [
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA"),
    ),
    pytest.param(
        "mps",
        marks=pytest.mark.skipif(
            not torch.backends.mps.is_available(), reason="no MPS"
        ),
    ),
]


def _model():
    model = lamina.Sequential(
        [
            lamina.Input((4,)),
            lamina.layers.Dense(8, activation="relu"),
            lamina.layers.BatchNormalization(),
            lamina.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("device", ACCELERATORS)
@pytest.mark.parametrize("source", ["arrays", "generator", "dataloader"])
def test_training_runs_on_the_device_and_predict_returns_numpy(device, source):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    with lamina.device(device):
        model = _model()
        if source == "arrays":
            data, options = (x, y), {"batch_size": 16}
        elif source == "generator":
            data = (((x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)),)
            options = {"steps_per_epoch": 4}
        else:
            dataset = torch.utils.data.TensorDataset(
                torch.from_numpy(x), torch.from_numpy(y)
            )
            data = (torch.utils.data.DataLoader(dataset, batch_size=16),)
            options = {}
        history = model.fit(*data, epochs=1, verbose=0, **options)
    assert np.isfinite(history.history["loss"][0])
    for weight in model.weights:
        assert weight.device.type == device
    for variable in model.optimizer.variables:
        assert variable.device.type == device
    for metric in model.metrics:
        for variable in getattr(metric, "variables", []):
            assert variable.device.type == device
    predictions = model.predict(x, verbose=0)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (64, 2)
    assert isinstance(model.evaluate(x, y, verbose=0)[0], float)


@pytest.mark.parametrize("device", ACCELERATORS[:1])
def test_host_batches_go_to_the_gpu_from_pinned_memory(device, monkeypatch):
    copies = []
    original = torch.Tensor.to

    def spy(self, *args, **kwargs):
        copies.append((self.is_pinned(), kwargs.get("non_blocking", False)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", spy)
    t = data_adapter.to_device(torch.arange(6.0), torch.device(device))
    assert t.device.type == device and t.cpu().tolist() == [0, 1, 2, 3, 4, 5]
    assert (True, True) in copies


@pytest.mark.parametrize("device", ACCELERATORS[:1])
def test_generator_batches_are_read_one_ahead_on_the_gpu(device):
    read = []

    def batches():
        for i in range(3):
            read.append(i)
            yield np.full((2, 1), i, "float32"), np.zeros((2, 1), "float32")

    source = data_adapter.make_batches(batches(), device=torch.device(device))
    epoch = source.epoch()
    first = next(epoch)
    assert first[0].device.type == device
    assert read == [0, 1]  # the second batch is already on its way


def test_on_the_cpu_batches_are_read_one_at_a_time_and_not_pinned():
    read = []

    def batches():
        for i in range(3):
            read.append(i)
            yield np.full((2, 1), i, "float32"), np.zeros((2, 1), "float32")

    source = data_adapter.make_batches(batches(), device=torch.device("cpu"))
    next(source.epoch())
    assert read == [0]
    t = torch.arange(3.0)
    assert data_adapter.to_device(t, torch.device("cpu")) is t
