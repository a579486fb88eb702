"""keras.distillation against Keras 3.15 (distillation.npz/.json, written by
tests/fixtures/make_distillation.py): a Distiller's logs per epoch, evaluation,
trained student weights and predictions, and each distillation loss's value and
config on fixed logits."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import numpy as np
import pytest

import lamina as keras
from lamina import distillation
from lamina.errors import ArgumentError

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
DATA = np.load(FIXTURES / "distillation.npz")
INFO = json.loads((FIXTURES / "distillation.json").read_text())
# The fixture script's models and cases, built here with lamina.
_SPEC = importlib.util.spec_from_file_location(
    "make_distillation", FIXTURES / "make_distillation.py"
)
MAKE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(MAKE)


def _teacher():
    return MAKE.teacher(keras)


def _student():
    return MAKE.student(keras)


def _fitted(name):
    return MAKE.fitted(keras, name)


def test_the_cases_start_from_the_stored_inputs():
    np.testing.assert_array_equal(MAKE.X, DATA["x"])
    np.testing.assert_array_equal(MAKE.Y, DATA["y"])
    for i, weight in enumerate(MAKE.TEACHER_WEIGHTS):
        np.testing.assert_array_equal(weight, DATA[f"teacher_{i}"])
    for i, weight in enumerate(MAKE.STUDENT_WEIGHTS):
        np.testing.assert_array_equal(weight, DATA[f"student_{i}"])


@pytest.mark.parametrize("name", sorted(INFO["cases"]))
def test_distiller_trains_the_student_as_keras_does(name):
    expected = INFO["cases"][name]
    distiller, history = _fitted(name)
    assert sorted(history.history) == sorted(expected["history"])
    for key, values in expected["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5, atol=1e-6)
    evaluation = distiller.evaluate(
        DATA["x"], DATA["y"], batch_size=8, verbose=0, return_dict=True
    )
    assert sorted(evaluation) == sorted(expected["evaluate"])
    for key, value in expected["evaluate"].items():
        np.testing.assert_allclose(evaluation[key], value, rtol=1e-5, atol=1e-6)
    for i, weight in enumerate(distiller.student.get_weights()):
        np.testing.assert_allclose(
            weight, DATA[f"{name}_student_{i}"], rtol=1e-5, atol=1e-6
        )
    np.testing.assert_allclose(
        distiller.predict(DATA["x"], verbose=0),
        DATA[f"{name}_predict"],
        rtol=1e-5,
        atol=1e-5,
    )
    # The teacher is frozen and unchanged; only the student's weights train.
    assert distiller.teacher.trainable is expected["teacher_trainable"]
    assert len(distiller.trainable_weights) == expected["trainable_weights"]
    for i, weight in enumerate(distiller.teacher.get_weights()):
        np.testing.assert_array_equal(weight, DATA[f"teacher_{i}"])


def test_metrics_are_keras_trackers_in_keras_order():
    distiller, _ = _fitted("logits_default")
    names = [m.name for m in distiller.metrics]
    assert names == [
        "loss",
        "accuracy",
        "student_loss",
        "distillation_loss",
        "total_loss",
    ]


@pytest.mark.parametrize("name", sorted(MAKE.LOSS_CASES))
def test_distillation_loss_values_and_configs(name):
    expected = INFO["losses"][name]
    loss = MAKE.LOSS_CASES[name](keras)
    value = loss.compute_loss(DATA["logits_t"], DATA["logits_s"])
    np.testing.assert_allclose(float(value), expected["value"], rtol=1e-6)
    assert loss.get_config() == expected["config"]
    again = type(loss).from_config(loss.get_config())
    np.testing.assert_allclose(
        float(again.compute_loss(DATA["logits_t"], DATA["logits_s"])),
        expected["value"],
        rtol=1e-6,
    )


def test_structures_of_losses_skip_none_outputs():
    t, s = DATA["logits_t"], DATA["logits_s"]
    both = distillation.FeatureDistillation(["mse", None])
    single = distillation.FeatureDistillation("mse")
    np.testing.assert_allclose(
        float(both.compute_loss([t, t], [s, t])), float(single.compute_loss(t, s))
    )
    with pytest.raises(ValueError, match="at least one non-`None`"):
        distillation.FeatureDistillation([None, None])
    with pytest.raises(ValueError, match="At least one loss must be non-`None`"):
        distillation.LogitsDistillation(loss=None)


def test_argument_errors_are_keras_words():
    with pytest.raises(ValueError, match="temperature must be positive"):
        distillation.LogitsDistillation(temperature=0)
    with pytest.raises(ValueError, match="temperature must be a number"):
        distillation.LogitsDistillation(temperature="3")
    with pytest.raises(ValueError, match="Unknown loss: 'nope'"):
        distillation.FeatureDistillation("nope")
    with pytest.raises(ValueError, match="student_loss_weight must be between"):
        distillation.Distiller(
            _teacher(), _student(), distillation.LogitsDistillation(), None, 1.5
        )
    with pytest.raises(ValueError, match="must match number of distillation_losses"):
        distillation.Distiller(
            _teacher(), _student(), [distillation.LogitsDistillation()], [1.0, 2.0]
        )
    with pytest.raises(ValueError, match="'distillation_losses' cannot be `None`"):
        distillation.Distiller(_teacher(), _student(), None)
    with pytest.raises(ValueError, match="Teacher must be a keras.Model"):
        distillation.Distiller("t", _student(), distillation.LogitsDistillation())
    with pytest.raises(ValueError, match="In teacher model"):
        distillation.Distiller(
            _teacher(),
            _student(),
            distillation.FeatureDistillation(teacher_layer_name="no_such_layer"),
        )
    wide = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4)])
    with pytest.raises(ValueError, match="output shapes are incompatible"):
        distillation.Distiller(_teacher(), wide, distillation.LogitsDistillation())
    distiller = distillation.Distiller(
        _teacher(), _student(), distillation.LogitsDistillation()
    )
    with pytest.raises(ValueError, match="'loss' cannot be `None`"):
        distiller.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="metrics must be a list or tuple"):
        distiller.compile(optimizer="sgd", loss="mse", metrics="accuracy")
    assert isinstance(ArgumentError("x"), ValueError)


def test_sequential_models_and_a_custom_loss():
    class MeanGap(distillation.DistillationLoss):
        def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
            return keras.ops.mean(keras.ops.abs(teacher_outputs - student_outputs))

    teacher = keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(3, name="a"), keras.layers.Dense(3)]
    )
    student = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, name="b")])
    distiller = distillation.Distiller(
        teacher,
        student,
        [
            MeanGap(),
            distillation.FeatureDistillation(
                teacher_layer_name="a", student_layer_name="b"
            ),
        ],
    )
    distiller.compile(optimizer="sgd", loss="mse")
    history = distiller.fit(DATA["x"], np.zeros((24, 3)), epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]
    assert distiller(DATA["x"]).shape == (24, 3)


def test_signatures_are_keras():
    import inspect

    assert str(inspect.signature(distillation.Distiller)) == (
        "(teacher, student, distillation_losses, distillation_loss_weights=None, "
        "student_loss_weight=0.5, name='distiller', **kwargs)"
    )
    assert str(inspect.signature(distillation.LogitsDistillation)) == (
        "(temperature=3.0, loss='kl_divergence')"
    )
    assert str(inspect.signature(distillation.FeatureDistillation)) == (
        "(loss='mse', teacher_layer_name=None, student_layer_name=None)"
    )
    assert keras.distillation is distillation


def test_a_distiller_saves_and_loads(tmp_path):
    distiller, _ = _fitted("logits_kl_and_features")
    path = tmp_path / "distiller.keras"
    distiller.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, distillation.Distiller)
    assert loaded.student_loss_weight == 0.3
    assert loaded.distillation_loss_weights == [1.0, 0.5]
    assert [type(x).__name__ for x in loaded.distillation_losses] == [
        "LogitsDistillation",
        "FeatureDistillation",
    ]
    np.testing.assert_allclose(
        loaded.predict(DATA["x"], verbose=0),
        distiller.predict(DATA["x"], verbose=0),
        rtol=1e-6,
    )
    # Compiled again from the file: it trains on.
    loaded.fit(DATA["x"], DATA["y"], batch_size=8, epochs=1, verbose=0)
