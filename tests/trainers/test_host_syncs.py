"""A training step reads nothing back from the device: no host sync per step.

Every Tensor method that copies a value to the host (``.item()``, ``.cpu()``,
``.tolist()``, ``.numpy()``, ``bool()``, ``float()``, ``int()``) is counted
during the steps of `fit` after the first (the first builds the model and the
compiled metrics). On a GPU each would stall the host until the device caught
up; on the CPU they are counted the same way.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina

SYNCS = ("item", "cpu", "tolist", "numpy", "__bool__", "__float__", "__int__")


@pytest.fixture
def sync_counter(monkeypatch):
    calls = {"count": 0, "on": False, "where": []}
    for name in SYNCS:
        original = getattr(torch.Tensor, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            if calls["on"]:
                calls["count"] += 1
                calls["where"].append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    return calls


class CountSteps(lamina.callbacks.Callback):
    """Counts between the start of step 2 and the start of the last step."""

    def __init__(self, calls, steps):
        super().__init__()
        self.calls, self.steps = calls, steps

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 1:
            self.calls["on"], self.calls["count"] = True, 0
        elif batch == self.steps - 1:
            self.calls["on"] = False


@pytest.mark.parametrize(
    "source", ["arrays", "shuffled arrays", "generator", "dataloader"]
)
def test_no_host_sync_in_a_training_step(sync_counter, source):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 8)).astype("float32")
    y = rng.integers(0, 3, size=(160,))
    model = lamina.Sequential(
        [
            lamina.Input((8,)),
            lamina.layers.Dense(16, activation="relu"),
            lamina.layers.Dropout(0.1),
            lamina.layers.BatchNormalization(),
            lamina.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    steps = 10
    options = {"batch_size": 16}
    if source == "arrays":
        data = (x, y)
        options["shuffle"] = False
    elif source == "shuffled arrays":
        data = (x, y)
    elif source == "generator":
        data = (((x[i : i + 16], y[i : i + 16]) for i in range(0, 160, 16)),)
        options = {"steps_per_epoch": steps}
    else:
        dataset = torch.utils.data.TensorDataset(
            torch.from_numpy(x), torch.from_numpy(y)
        )
        data = (torch.utils.data.DataLoader(dataset, batch_size=16),)
        options = {}
    model.fit(
        *data,
        epochs=1,
        verbose=0,
        callbacks=[CountSteps(sync_counter, steps)],
        **options,
    )
    assert sync_counter["where"] == []  # steps 2 to 9: 8 steps, no sync at all


def test_the_counter_sees_a_sync(sync_counter):
    sync_counter["on"] = True
    float(torch.ones(()))
    torch.ones(2).tolist()
    assert sync_counter["where"] == ["__float__", "tolist"]
