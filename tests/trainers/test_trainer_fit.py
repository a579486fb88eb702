"""`fit`: its History, its arguments, and its numbers against Keras 3."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
import torch

import lamina
from tests.trainers.trainer_utils import (
    assert_weights_match,
    binary_model,
    data,
    fixed_weights,
    keras_numbers,
    softmax_model,
)


def _compiled_binary(**compile_kwargs):
    model = binary_model()
    compile_kwargs.setdefault("optimizer", "sgd")
    compile_kwargs.setdefault("loss", "binary_crossentropy")
    model.compile(**compile_kwargs)
    return model


# ---------------------------------------------------------------- History


def test_history_holds_losses_metrics_params_epochs_and_model():
    x, y, _, _ = data(40)
    model = _compiled_binary(metrics=["accuracy"])
    history = model.fit(
        x, y, batch_size=16, epochs=3, verbose=0, validation_data=(x, y)
    )
    assert isinstance(history, lamina.callbacks.History)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert history.epoch == [0, 1, 2]
    assert history.model is model
    assert model.history is history


def test_fit_numbers_match_keras_for_metrics_and_weights():
    keras = keras_numbers()
    model = binary_model()
    model.set_weights(fixed_weights("binary"))
    model.compile(
        lamina.optimizers.SGD(0.1),
        "binary_crossentropy",
        metrics=["accuracy", "mse"],
        weighted_metrics=["mae"],
    )
    history = model.fit(
        keras["x"], keras["y_bin"], batch_size=8, epochs=2, shuffle=False, verbose=0
    )
    assert sorted(history.history) == ["accuracy", "loss", "mae", "mse"]
    for key, values in history.history.items():
        np.testing.assert_allclose(values, keras[f"binary/history/{key}"], rtol=1e-5)
    assert_weights_match(model, "binary")


def test_class_weight_matches_keras():
    keras = keras_numbers()
    model = softmax_model()
    model.set_weights(fixed_weights("class_weight"))
    model.compile(lamina.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    history = model.fit(
        keras["x"],
        keras["y_cls"],
        batch_size=8,
        shuffle=False,
        verbose=0,
        class_weight={0: 0.5, 1: 2.0, 2: 1.0},
    )
    np.testing.assert_allclose(
        history.history["loss"], keras["class_weight/history/loss"], rtol=1e-5
    )
    assert_weights_match(model, "class_weight")


class _AddLoss(lamina.layers.Layer):
    """Adds 0.1 * mean(x^2) of its input to the model's losses."""

    def call(self, inputs):
        self.add_loss(0.1 * torch.mean(torch.square(inputs)))
        return inputs


def _regularized_model():
    return lamina.Sequential(
        [
            lamina.Input((4,)),
            lamina.layers.Dense(
                3,
                kernel_regularizer=lamina.regularizers.L2(0.05),
                activity_regularizer=lamina.regularizers.L1(0.01),
            ),
            _AddLoss(),
            lamina.layers.Dense(2, bias_regularizer=lamina.regularizers.L1(0.2)),
        ]
    )


def test_regularization_losses_are_in_the_training_loss_as_in_keras():
    keras = keras_numbers()
    model = _regularized_model()
    model.set_weights(fixed_weights("regularized"))
    model.compile(lamina.optimizers.SGD(0.05), "mse")
    loss = model.evaluate(keras["x"], keras["y_reg"], verbose=0)
    np.testing.assert_allclose(loss, keras["regularized/eval/loss"], rtol=1e-5)
    history = model.fit(
        keras["x"], keras["y_reg"], batch_size=12, shuffle=False, verbose=0
    )
    np.testing.assert_allclose(
        history.history["loss"], keras["regularized/history/loss"], rtol=1e-5
    )
    assert_weights_match(model, "regularized")


def test_regularization_adds_to_the_plain_loss():
    keras = keras_numbers()
    model = _regularized_model()
    model.set_weights(fixed_weights("regularized"))
    model.compile("sgd", "mse")
    with_penalties = model.evaluate(keras["x"], keras["y_reg"], verbose=0)
    plain = np.mean((model.predict(keras["x"], verbose=0) - keras["y_reg"]) ** 2)
    assert with_penalties > plain + 1e-3


def test_use_ema_ends_fit_with_the_moving_averages_as_keras():
    keras = keras_numbers()
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(2)])
    model.set_weights(fixed_weights("ema"))
    model.compile(lamina.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.9), "mse")
    model.fit(keras["x"], keras["y_reg"], batch_size=8, shuffle=False, verbose=0)
    assert_weights_match(model, "ema")


def test_loss_scale_factor_leaves_the_update_unchanged():
    x, _, _, y = data(32)
    results = []
    for factor in (None, 256.0):
        model = binary_model(seed=3)
        model.compile(lamina.optimizers.SGD(0.1, loss_scale_factor=factor), "mse")
        history = model.fit(x, y, batch_size=8, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_weight_constraints_hold_after_every_update():
    x, _, _, y = data(32)
    lamina.utils.set_random_seed(0)
    dense = lamina.layers.Dense(
        3, kernel_constraint=lamina.constraints.MaxNorm(0.05, axis=0)
    )
    model = lamina.Sequential([lamina.Input((4,)), dense, lamina.layers.Dense(1)])
    model.compile(lamina.optimizers.SGD(0.5), "mse")
    norms = []

    class Record(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            kernel = dense.get_weights()[0]
            norms.append(np.sqrt((kernel**2).sum(axis=0)).max())

    model.fit(x, y * 10, batch_size=4, epochs=2, verbose=0, callbacks=[Record()])
    assert len(norms) == 16
    assert max(norms) <= 0.05 + 1e-6


# ---------------------------------------------------------------- arguments


def test_default_batch_size_is_32():
    x, y, _, _ = data(70)
    history = _compiled_binary().fit(x, y, verbose=0)
    assert history.params["steps"] == 3


def test_validation_split_holds_out_the_last_samples_before_shuffling():
    x, y, _, _ = data(40)
    model = _compiled_binary(metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert history.params["steps"] == 1  # 30 training samples in one batch
    expected = model.evaluate(x[30:], y[30:], verbose=0, return_dict=True)
    np.testing.assert_allclose(history.history["val_loss"], [expected["loss"]], 1e-6)
    np.testing.assert_allclose(
        history.history["val_accuracy"], [expected["accuracy"]], 1e-6
    )


def test_validation_data_with_sample_weights():
    x, y, _, _ = data(24)
    sw = np.linspace(0.1, 2.0, 24).astype("float32")
    model = _compiled_binary()
    history = model.fit(x, y, epochs=1, validation_data=(x, y, sw), verbose=0)
    expected = model.evaluate(x, y, sample_weight=sw, verbose=0)
    np.testing.assert_allclose(history.history["val_loss"], [expected], rtol=1e-6)


@pytest.mark.parametrize(
    "freq, epochs_validated", [(2, [2, 4]), ([1, 4], [1, 4]), (1, [1, 2, 3, 4])]
)
def test_validation_freq(freq, epochs_validated):
    x, y, _, _ = data(16)
    seen = []

    class Record(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if "val_loss" in logs:
                seen.append(epoch + 1)

    model = _compiled_binary()
    history = model.fit(
        x,
        y,
        epochs=4,
        validation_data=(x, y),
        validation_freq=freq,
        verbose=0,
        callbacks=[Record()],
    )
    assert seen == epochs_validated
    assert len(history.history["val_loss"]) == len(epochs_validated)


def test_validation_batch_size_and_steps():
    x, y, _, _ = data(40)
    batches = []

    class Record(lamina.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            batches.append(batch)

    model = _compiled_binary()
    model.fit(
        x,
        y,
        validation_data=(x, y),
        validation_batch_size=5,
        validation_steps=3,
        verbose=0,
        callbacks=[Record()],
    )
    assert batches == [0, 1, 2]


def test_initial_epoch_resumes_the_count():
    x, y, _, _ = data(16)
    history = _compiled_binary().fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]
    assert len(history.history["loss"]) == 2


def test_steps_per_epoch_limits_the_batches():
    x, y, _, _ = data(64)
    history = _compiled_binary().fit(
        x, y, batch_size=8, steps_per_epoch=3, epochs=2, verbose=0
    )
    assert history.params["steps"] == 3


def test_shuffle_false_is_deterministic_and_shuffle_true_changes_the_order():
    x, _, _, y = data(32)

    def run(shuffle, seed):
        model = binary_model(seed=1)
        model.compile(lamina.optimizers.SGD(0.1), "mse")
        lamina.utils.set_random_seed(seed)
        model.fit(x, y, batch_size=4, shuffle=shuffle, verbose=0)
        return model.get_weights()[0]

    np.testing.assert_array_equal(run(False, 1), run(False, 2))
    assert not np.allclose(run(True, 1), run(True, 2))
    assert not np.allclose(run("batch", 1), run("batch", 5))


def test_fit_trains():
    x, y, _, _ = data(64)
    model = binary_model()
    model.compile(
        lamina.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.6
    assert history.history["accuracy"][-1] >= 0.85


def test_epochs_zero_trains_nothing():
    x, y, _, _ = data(8)
    model = _compiled_binary()
    model.fit(x, y, epochs=1, verbose=0)  # build
    before = model.get_weights()
    history = model.fit(x, y, epochs=0, verbose=0)
    assert history.history == {}
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_stop_training_from_a_callback():
    x, y, _, _ = data(40)

    class StopAtBatch2(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    history = _compiled_binary().fit(
        x, y, batch_size=4, epochs=5, verbose=0, callbacks=[StopAtBatch2()]
    )
    assert history.epoch == [0]


def test_fit_leaves_the_model_in_inference_mode():
    x, y, _, _ = data(8)
    model = _compiled_binary()
    model.fit(x, y, verbose=0)
    assert not model.training


# ---------------------------------------------------------------- progress output


def _final_lines(text: str) -> list[str]:
    """Printed lines as the terminal shows them at the end, timings masked."""
    text = re.sub(r"\d+(?:\.\d+)?(?:ms|us|s)(?=/step|\x1b| -)", "T", text)
    # Keras pads a line with spaces when it is shorter than the one before.
    return [
        line.split("\r")[-1].replace("\x08", "").rstrip(" ")
        for line in text.split("\n")
    ]


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_output_is_laid_out_as_keras(capsys, monkeypatch, verbose):
    # Keras's output was recorded with its live bar (as on a terminal).
    monkeypatch.setattr(lamina.callbacks.progbar, "_is_live_display", lambda: True)
    keras = keras_numbers()
    model = lamina.Sequential(
        [lamina.Input((4,)), lamina.layers.Dense(1, activation="sigmoid")]
    )
    model.set_weights(fixed_weights(f"progress{verbose}"))
    model.compile(
        lamina.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"]
    )
    x, y = keras["x"], keras["y_bin"]
    capsys.readouterr()
    model.fit(
        x,
        y,
        batch_size=10,
        epochs=2,
        shuffle=False,
        validation_data=(x, y),
        verbose=verbose,
    )
    fit_out = capsys.readouterr().out
    model.evaluate(x, y, batch_size=10, verbose=verbose)
    evaluate_out = capsys.readouterr().out
    model.predict(x, batch_size=10, verbose=verbose)
    predict_out = capsys.readouterr().out
    for what, ours in (
        ("fit", fit_out),
        ("evaluate", evaluate_out),
        ("predict", predict_out),
    ):
        theirs = str(keras[f"progress{verbose}/{what}"])
        assert _final_lines(ours) == _final_lines(theirs), what


def test_verbose_auto_prints_one_line_per_epoch_when_piped(capsys):
    x, y, _, _ = data(16)
    model = _compiled_binary()
    history = model.fit(x, y, epochs=2, batch_size=8)  # pytest captures: not a tty
    out = capsys.readouterr().out
    assert history.params["verbose"] == 2
    assert "\r" not in out and "\x08" not in out
    assert re.search(r"^2/2 - \d+s - ", out, re.MULTILINE)
    assert out.count("Epoch ") == 2


def test_verbose_auto_shows_the_progress_bar_on_a_terminal(capsys, monkeypatch):
    x, y, _, _ = data(16)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    history = _compiled_binary().fit(x, y, epochs=1, batch_size=8)
    assert history.params["verbose"] == 1
    assert "\r" in capsys.readouterr().out
