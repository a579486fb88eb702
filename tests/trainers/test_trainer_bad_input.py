"""Bad input to compile / fit / evaluate / predict: lamina errors that say what
is wrong, raised before any training step."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.errors import (
    ArgumentError,
    NotCompiledError,
    ShapeError,
    UnknownObjectError,
)
from tests.trainers.trainer_utils import (
    binary_model,
    data,
    softmax_model,
    two_output_model,
)

X, Y, CLASSES, Y_REG = data(40)


def _binary():
    model = binary_model()
    model.compile("sgd", "binary_crossentropy")
    return model


def _unchanged(model):
    """A context check: the weights must not move when fit refuses the data."""
    return [w.copy() for w in model.get_weights()]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.fit(X, Y, verbose=0),
        lambda m: m.evaluate(X, Y, verbose=0),
        lambda m: m.train_on_batch(X, Y),
        lambda m: m.test_on_batch(X, Y),
    ],
)
def test_training_before_compile(call):
    model = binary_model()
    with pytest.raises(NotCompiledError, match=r"compile\(\)") as info:
        call(model)
    assert isinstance(info.value, ValueError)
    assert model.name in str(info.value)


def test_x_and_y_of_different_lengths():
    with pytest.raises(ShapeError, match="x sizes: 40\ny sizes: 30"):
        _binary().fit(X, Y[:30], verbose=0)
    with pytest.raises(ShapeError, match="sample_weight sizes: 10"):
        _binary().evaluate(X, Y, sample_weight=np.ones(10), verbose=0)


def test_sparse_labels_beyond_the_classes_even_in_the_last_batch():
    model = softmax_model(3)
    model.compile("sgd", "sparse_categorical_crossentropy")
    labels = CLASSES.copy()
    labels[-1] = 3  # only the last batch holds the bad label
    before = _unchanged(model)
    with pytest.raises(ArgumentError, match=r"\[0, 2\].*holds \[3\]"):
        model.fit(X, labels, batch_size=8, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ArgumentError, match=r"\[0, 2\]"):
        model.evaluate(X, labels, verbose=0)
    with pytest.raises(ArgumentError, match=r"\[0, 2\]"):
        model.fit(X, CLASSES, validation_data=(X, labels), verbose=0)
    with pytest.raises(ArgumentError, match="negative|\\[0, 2\\]"):
        model.train_on_batch(X, -np.ones(40, "int64"))


def test_one_hot_labels_with_a_sparse_loss_says_which_loss_to_use():
    model = softmax_model(3)
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ArgumentError, match="loss='categorical_crossentropy'"):
        model.fit(X, np.eye(3)[CLASSES], verbose=0)


def test_class_indices_with_a_categorical_loss_says_which_loss_to_use():
    model = softmax_model(3)
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ArgumentError, match="loss='sparse_categorical_crossentropy'"):
        model.fit(X, CLASSES, verbose=0)


def test_targets_of_the_wrong_shape_for_a_regression_loss():
    model = binary_model()
    model.compile("sgd", "mse")
    with pytest.raises(ShapeError, match=r"y_true.shape=\(40, 2\).*\(40, 1\)"):
        model.fit(X, np.ones((40, 2)), verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_the_inputs(bad):
    x = X.copy()
    x[17, 2] = bad
    with pytest.raises(ArgumentError, match="first at sample 17"):
        _binary().fit(x, Y, verbose=0)
    with pytest.raises(ArgumentError, match="NaN|infinite"):
        _binary().evaluate(x, Y, verbose=0)


def test_validation_split_with_a_generator():
    def gen():
        while True:
            yield X[:8], Y[:8]

    with pytest.raises(ArgumentError, match="validation_split.*generator"):
        _binary().fit(gen(), steps_per_epoch=2, validation_split=0.2, verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_out_of_range(split):
    with pytest.raises(ArgumentError, match="validation_split"):
        _binary().fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_leaving_no_training_samples():
    with pytest.raises(ArgumentError, match="not sufficient"):
        _binary().fit(X[:1], Y[:1], validation_split=0.1, verbose=0)


@pytest.mark.parametrize(
    "kwargs, kind, close",
    [
        ({"optimizer": "adamm", "loss": "mse"}, "optimizer", "'adam'"),
        ({"loss": "mean_sqared_error"}, "loss", "'mean_squared_error'"),
        ({"loss": "mse", "metrics": ["acuracy"]}, "metric", "'accuracy'"),
        ({"loss": "mse", "weighted_metrics": ["maee"]}, "metric", "'mae'"),
        ({"loss": {"output": "binary_crossentropyy"}}, "loss", "'binary_crossentropy'"),
    ],
)
def test_unknown_names_fail_at_compile_with_the_closest_names(kwargs, kind, close):
    model = binary_model()
    with pytest.raises(
        UnknownObjectError, match=f"Unknown {kind}.*Did you mean.*{close}"
    ):
        model.compile(**kwargs)


@pytest.mark.parametrize("batch_size", [0, -4, 2.5, True])
def test_batch_size_must_be_a_positive_integer(batch_size):
    model = _binary()
    match = f"batch_size={batch_size!r}"
    with pytest.raises(ArgumentError, match=match):
        model.fit(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ArgumentError, match=match):
        model.evaluate(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ArgumentError, match=match):
        model.predict(X, batch_size=batch_size, verbose=0)
    with pytest.raises(ArgumentError, match=match):
        model.fit(
            X, Y, validation_data=(X, Y), validation_batch_size=batch_size, verbose=0
        )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": -1}, "epochs"),
        ({"verbose": 3}, "verbose"),
        ({"steps_per_epoch": 0}, "steps"),
        ({"validation_data": (X, Y), "validation_freq": 0}, "validation_freq"),
        ({"class_weight": {0: 1.0}}, "class_weight.*class 1"),
        ({"epoch": 2}, r"unexpected arguments: \['epoch'\]"),
    ],
)
def test_bad_fit_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        _binary().fit(X, Y, **kwargs)


def test_bad_compile_arguments():
    model = binary_model()
    with pytest.raises(ArgumentError, match="loss_weights"):
        model.compile("sgd", "mse", loss_weights={"output": "heavy"})
    with pytest.raises(ArgumentError, match="steps_per_execution"):
        model.compile("sgd", "mse", steps_per_execution=0)
    with pytest.raises(ArgumentError, match=r"unexpected arguments: \['metric'\]"):
        model.compile("sgd", "mse", metric=["mae"])


def test_y_given_with_a_generator():
    def gen():
        while True:
            yield X[:8], Y[:8]

    with pytest.raises(ArgumentError, match="`y`"):
        _binary().fit(gen(), Y, steps_per_epoch=1, verbose=0)


def test_string_data():
    with pytest.raises(ArgumentError, match="strings"):
        _binary().fit(np.array([["a"] * 4] * 40), Y, verbose=0)


def test_multi_output_target_mismatches():
    model = two_output_model()
    model.compile("sgd", ["mse", "sparse_categorical_crossentropy"])
    y_reg = np.ones((40, 2), "float32")
    with pytest.raises(ArgumentError, match=r"2 outputs \['reg', 'cls'\]"):
        model.fit(X, y_reg, verbose=0)
    with pytest.raises(ArgumentError, match=r"3 arrays.*2 outputs"):
        model.fit(X, [y_reg, CLASSES, CLASSES], verbose=0)
    with pytest.raises(ArgumentError, match=r"keys \['clss'\]"):
        model.fit(X, {"reg": y_reg, "clss": CLASSES}, verbose=0)
    with pytest.raises(ArgumentError, match=r"`loss` is a list of 3 items"):
        bad = two_output_model()
        bad.compile("sgd", ["mse", "mse", "mse"])
        bad.fit(X, [y_reg, CLASSES], verbose=0)
    # Dict keys are checked against the output names at compile.
    for what in ("loss", "loss_weights", "metrics", "weighted_metrics"):
        kwargs = {"loss": "mse", what: {"regg": "mse" if "metrics" in what else 1.0}}
        with pytest.raises(ArgumentError, match=rf"`{what}` has keys \['regg'\]"):
            two_output_model().compile("sgd", **kwargs)


def test_empty_data():
    with pytest.raises(ArgumentError, match="no batches"):
        _binary().fit(X[:0], Y[:0], verbose=0)
    with pytest.raises(ArgumentError, match="no batches"):
        _binary().evaluate(iter([]), verbose=0)
    with pytest.raises(ArgumentError, match="`x` is None"):
        _binary().fit(None, Y, verbose=0)


def test_errors_are_lamina_errors_subclassing_value_error():
    for cls in (ArgumentError, ShapeError, NotCompiledError, UnknownObjectError):
        assert issubclass(cls, ValueError)
    assert lamina.errors.ArgumentError is ArgumentError
