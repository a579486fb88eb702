"""Every optimizer's state in `.keras` files: Keras's files load in lamina, lamina's
round trip, and both resume with Keras's next update.

Keras 3.15 wrote tests/fixtures/optimizers_keras3/<id>.keras (a Dense(3 -> 2)
model after three optimizer steps of fixed gradients); the npz keeps the state
saved and the weights and state after a fourth step.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from tests.optimizer_test_utils import HERE, cases, check_config, flat, make, unflatten

FILES = cases("files")
IDS = [spec["id"] for _, _, spec in FILES]
SHAPES = [(3, 2), (2,)]


def _grads(fixture, k) -> list[torch.Tensor]:
    return [torch.tensor(g) for g in unflatten(fixture[f"file/grad{k}"], SHAPES)]


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


def _step(model, grads) -> None:
    model.optimizer.apply(grads, model.trainable_weights)


@pytest.mark.parametrize("k", range(len(FILES)), ids=IDS)
def test_keras_file_loads_with_optimizer_state(k):
    fixture, _, spec = FILES[k]
    model = lamina.models.load_model(
        os.path.join(HERE, "optimizers_keras3", f"{spec['id']}.keras")
    )
    opt = model.optimizer
    assert type(opt).__name__ == spec["class_name"]
    assert opt.name == spec["id"]
    assert [list(v.shape) for v in opt.variables] == spec["shapes"]
    assert [str(v.detach().numpy().dtype) for v in opt.variables] == spec["dtypes"]
    np.testing.assert_array_equal(
        flat(opt.variables), fixture[f"file/{spec['id']}/state3"]
    )
    # The next update from the loaded state is Keras's.
    _step(model, _grads(fixture, 3))
    _close(flat(model.trainable_weights), fixture[f"file/{spec['id']}/weights4"])
    _close(flat(opt.variables), fixture[f"file/{spec['id']}/state4"])


def _trained_model(fixture, spec):
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.set_weights(unflatten(fixture["file/start"], SHAPES))
    model.compile(
        optimizer=make(spec["class_name"], spec["kwargs"], spec["id"]), loss="mse"
    )
    for step in range(3):
        _step(model, _grads(fixture, step))
    return model


@pytest.mark.parametrize("k", range(len(FILES)), ids=IDS)
def test_state_survives_save_and_load(k, tmp_path):
    fixture, _, spec = FILES[k]
    model = _trained_model(fixture, spec)
    np.testing.assert_allclose(
        flat(model.optimizer.variables),
        fixture[f"file/{spec['id']}/state3"],
        rtol=1e-6,
        atol=1e-6,
    )
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = lamina.models.load_model(path)
    saved, restored = model.optimizer, loaded.optimizer
    assert type(restored) is type(saved)
    assert [v.path for v in restored.variables] == [v.path for v in saved.variables]
    np.testing.assert_array_equal(flat(restored.variables), flat(saved.variables))
    check_config(restored.get_config(), json.loads(json.dumps(saved.get_config())))
    # The same next update, which is also Keras's.
    for m in (model, loaded):
        _step(m, _grads(fixture, 3))
    np.testing.assert_array_equal(
        flat(loaded.trainable_weights), flat(model.trainable_weights)
    )
    np.testing.assert_array_equal(flat(restored.variables), flat(saved.variables))
    _close(flat(loaded.trainable_weights), fixture[f"file/{spec['id']}/weights4"])
