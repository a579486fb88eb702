"""Tests for lamina.losses: numbers against Keras 3 (fixture), API, errors."""

from __future__ import annotations

import inspect
import json
import os
import warnings

import numpy as np
import pytest
import torch

from lamina import backend, losses
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "losses.npz")
_DATA = np.load(FIXTURE)
CASES = json.loads(str(_DATA["cases"]))
INPUTS = {key[3:]: _DATA[key] for key in _DATA.files if key.startswith("in/")}
KERAS_CONFIGS = json.loads(str(_DATA["configs"]))
KERAS_SERIALIZED = json.loads(str(_DATA["serialized"]))


def _tensor(key: str) -> torch.Tensor:
    return torch.from_numpy(INPUTS[key].copy())


def _close(actual, expected, rtol=1e-5, atol=1e-6):
    actual = backend.to_numpy(actual) if torch.is_tensor(actual) else actual
    np.testing.assert_allclose(np.asarray(actual, np.float32), expected, rtol, atol)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_keras(case):
    expected = _DATA[f"out/{case['id']}"]
    y_true, y_pred = _tensor(case["true"]), _tensor(case["pred"])
    if "fn" in case:
        out = getattr(losses, case["fn"])(y_true, y_pred, **case["kwargs"])
    else:
        loss = getattr(losses, case["cls"])(**case["kwargs"])
        weight = _tensor(case["sw"]) if case["sw"] else None
        out = loss(y_true, y_pred, sample_weight=weight)
    assert tuple(out.shape) == expected.shape
    assert out.dtype == torch.float32
    _close(out, expected)


# ---------------------------------------------------------------- course losses

_y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
_logits = np.array([[0.5, 2.0, -1.0], [3.0, 0.1, 0.2], [-0.5, 0.0, 4.0]], np.float32)
_p = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.05, 0.05, 0.9]], np.float32)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


COURSE = [
    ("l1_loss", "L1Loss", _y, _p, np.abs(_y - _p).sum(-1)),
    ("l2_loss", "L2Loss", _y, _p, ((_y - _p) ** 2).sum(-1)),
    (
        "expectation_loss",
        "ExpectationLoss",
        _y,
        _logits,
        np.abs(_y - _softmax(_logits)).sum(-1),
    ),
    (
        "regularized_expectation_loss",
        "RegularizedExpectationLoss",
        _y,
        _logits,
        ((_y - _softmax(_logits)) ** 2).sum(-1),
    ),
    (
        "chebyshev_loss",
        "ChebyshevLoss",
        _y,
        _logits,
        np.abs(_softmax(_logits) - _y).max(-1),
    ),
    (
        "cubed_hinge",
        "CubedHinge",
        2 * _y - 1,
        _logits,
        (np.maximum(0, 1 - (2 * _y - 1) * _logits) ** 3).mean(-1),
    ),
    (
        "tanimoto_loss",
        "TanimotoLoss",
        _y,
        _p,
        1 - (_y * _p).sum(-1) / ((_y**2).sum(-1) + (_p**2).sum(-1) - (_y * _p).sum(-1)),
    ),
    (
        "cauchy_schwarz_divergence",
        "CauchySchwarzDivergence",
        _y,
        _p,
        -np.log((_y * _p).sum(-1) / np.sqrt((_y**2).sum(-1) * (_p**2).sum(-1))),
    ),
]


@pytest.mark.parametrize(
    "fn_name, cls_name, y_true, y_pred, expected", COURSE, ids=[c[0] for c in COURSE]
)
def test_course_losses_follow_their_formulas(
    fn_name, cls_name, y_true, y_pred, expected
):
    fn = getattr(losses, fn_name)
    _close(fn(y_true, y_pred), expected)
    loss = getattr(losses, cls_name)()
    assert loss.name == fn_name
    weights = np.array([1.0, 0.0, 2.0], np.float32)
    _close(loss(y_true, y_pred, sample_weight=weights), (expected * weights).mean())
    assert losses.get(fn_name) is fn
    assert isinstance(losses.get(cls_name), getattr(losses, cls_name))


def test_course_losses_on_softmax_outputs():
    probs = _softmax(_logits)
    for name in ("expectation_loss", "regularized_expectation_loss", "chebyshev_loss"):
        fn = getattr(losses, name)
        _close(fn(_y, probs, from_logits=False), fn(_y, _logits))


def test_cubed_hinge_converts_binary_labels():
    _close(losses.cubed_hinge(_y, _logits), losses.cubed_hinge(2 * _y - 1, _logits))


def test_course_aliases():
    assert losses.get("l1") is losses.l1_loss
    assert losses.get("l2") is losses.l2_loss
    assert losses.get("chebyshev") is losses.chebyshev_loss
    assert losses.get("tanimoto") is losses.tanimoto_loss
    assert losses.get("cauchy_schwarz") is losses.cauchy_schwarz_divergence
    assert losses.get("regularised_expectation_loss") is (
        losses.regularized_expectation_loss
    )
    # The course's squared log, mean((log(1+p) - log(1+y))^2), is Keras's MSLE.
    assert losses.get("squared_log") is losses.mean_squared_logarithmic_error
    assert losses.squared_log is losses.mean_squared_logarithmic_error
    assert losses.SquaredLog is losses.MeanSquaredLogarithmicError
    y, p = np.abs(_logits), np.abs(_p * 3)
    _close(losses.squared_log(y, p), ((np.log1p(p) - np.log1p(y)) ** 2).mean(-1))


def test_tanimoto_and_cauchy_schwarz_stay_finite_on_zero_and_orthogonal_vectors():
    zeros = torch.zeros(1, 3)
    one_hot = torch.tensor([[0.0, 1.0, 0.0]])
    other = torch.tensor([[1.0, 0.0, 0.0]])
    assert torch.isfinite(losses.tanimoto_loss(zeros, zeros)).all()
    value = losses.cauchy_schwarz_divergence(one_hot, other)
    assert torch.isfinite(value).all() and float(value) > 10


# ------------------------------------------------------------------ reductions


def test_reduction_validation_and_keras2_auto(monkeypatch):
    with pytest.raises(ArgumentError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    monkeypatch.setattr(losses.loss, "_warned_auto_reduction", False)
    with pytest.warns(DeprecationWarning, match="sum_over_batch_size"):
        loss = losses.MeanSquaredError(reduction=losses.Reduction.AUTO)
    assert loss.reduction == "sum_over_batch_size"
    assert losses.MeanSquaredError(reduction=losses.Reduction.NONE).reduction == "none"
    assert losses.MeanSquaredError(reduction=None).reduction is None


def test_reductions_against_numpy():
    y = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]], np.float32)
    p = np.array([[1.5, 2.0], [2.0, 4.0], [0.0, 3.0]], np.float32)
    per_sample = ((y - p) ** 2).mean(-1)
    w = np.array([2.0, 0.5, 0.0], np.float32)
    expected = {
        "sum_over_batch_size": (per_sample * w).sum() / 3,
        "mean": (per_sample * w).sum() / 3,
        "sum": (per_sample * w).sum(),
        "mean_with_sample_weight": (per_sample * w).sum() / w.sum(),
        "none": per_sample * w,
        None: per_sample * w,
    }
    for reduction, value in expected.items():
        _close(
            losses.MeanSquaredError(reduction=reduction)(y, p, sample_weight=w), value
        )
    _close(losses.MeanSquaredError()(y, p, sample_weight=3.0), per_sample.mean() * 3)


def test_rank_1_targets_against_column_predictions_never_broadcast():
    y = torch.tensor([1.0, 2.0, 3.0, 4.0])
    p = torch.tensor([[1.5], [2.0], [2.0], [6.0]])
    out = losses.MeanSquaredError(reduction="none")(y, p)
    _close(out, ((y - p[:, 0]) ** 2).numpy())
    assert losses.mean_squared_error(y, p).shape == (4,)
    bce = losses.BinaryCrossentropy(reduction="none")(
        torch.tensor([0.0, 1.0, 1.0]), torch.tensor([[0.2], [0.7], [0.9]])
    )
    assert bce.shape == (3,)


def test_per_sample_weights_weight_whole_sequences():
    # Losses (batch, steps) with weights (batch,): each sample keeps its weight
    # on all its steps (Keras 3 would broadcast them along the steps instead).
    y = torch.randint(0, 5, (4, 4))
    logits = torch.randn(4, 4, 5)
    weights = torch.tensor([1.0, 0.0, 2.0, 0.5])
    per_step = torch.nn.functional.cross_entropy(
        logits.reshape(-1, 5), y.reshape(-1), reduction="none"
    ).reshape(4, 4)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    _close(loss(y, logits, sample_weight=weights), (per_step * weights[:, None]).mean())
    _close(
        loss(y, logits, sample_weight=weights[:, None]),
        (per_step * weights[:, None]).mean(),
    )


def test_bad_sample_weight_shape_names_both_shapes():
    with pytest.raises(ShapeError, match=r"sample_weight.*\(5,\).*\(4,\)"):
        losses.MeanSquaredError()(
            torch.ones(4, 2), torch.zeros(4, 2), sample_weight=torch.ones(5)
        )


def test_mask_on_predictions_averages_over_unmasked_entries():
    y = torch.tensor([[1.0, 2.0, 3.0]]).T.expand(3, 3).reshape(1, 3, 3)
    p = torch.zeros(1, 3, 3)
    p._keras_mask = torch.tensor([[True, True, False]])
    per_step = (y**2).mean(-1)[0]
    _close(losses.MeanSquaredError()(y, p), per_step[:2].mean())
    _close(losses.MeanSquaredError(reduction="sum")(y, p), per_step[:2].sum())


# ------------------------------------------------------------------ stability


def test_saturated_probabilities_give_finite_loss_and_gradient():
    probs = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], requires_grad=True)
    target = torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    for loss in (
        losses.CategoricalCrossentropy(),
        losses.CategoricalFocalCrossentropy(),
        losses.KLDivergence(),
    ):
        value = loss(target, probs)
        (grad,) = torch.autograd.grad(value, probs)
        assert torch.isfinite(value) and torch.isfinite(grad).all(), loss.name
    value = losses.CategoricalCrossentropy()(target, probs)
    _close(value, -np.log(1e-7) / 2, rtol=1e-4)
    sparse = losses.SparseCategoricalCrossentropy()(torch.tensor([0, 0]), probs)
    (grad,) = torch.autograd.grad(sparse, probs)
    assert torch.isfinite(sparse) and torch.isfinite(grad).all()
    binary = torch.tensor([[0.0, 1.0]], requires_grad=True)
    for loss in (losses.BinaryCrossentropy(), losses.BinaryFocalCrossentropy()):
        value = loss(torch.tensor([[1.0, 0.0]]), binary)
        (grad,) = torch.autograd.grad(value, binary)
        assert torch.isfinite(value) and torch.isfinite(grad).all(), loss.name


def test_saturated_softmax_layer_output_stays_finite():
    logits = torch.tensor([[200.0, -200.0, 0.0]], requires_grad=True)
    probs = torch.softmax(logits, dim=-1)  # exactly [1, 0, 0] in float32
    value = losses.categorical_crossentropy([[0.0, 1.0, 0.0]], probs)
    (grad,) = torch.autograd.grad(value.sum(), logits)
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()


def test_huge_logits_are_exact_with_from_logits():
    logits = torch.tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    value = losses.CategoricalCrossentropy(from_logits=True)([[0.0, 1.0, 0.0]], logits)
    (grad,) = torch.autograd.grad(value, logits)
    _close(value, 2000.0)
    assert torch.isfinite(grad).all()
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True)([1], logits)
    _close(sparse, 2000.0)
    binary = losses.BinaryCrossentropy(from_logits=True)(
        [[0.0, 1.0]], [[500.0, -500.0]]
    )
    _close(binary, 500.0)


def test_ignore_class_gives_zero_gradient_to_ignored_entries():
    logits = torch.randn(4, 3, requires_grad=True)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    value = loss(torch.tensor([0, -1, 2, -1]), logits)
    (grad,) = torch.autograd.grad(value, logits)
    assert torch.isfinite(grad).all()
    assert torch.all(grad[[1, 3]] == 0) and torch.any(grad[[0, 2]] != 0)


def test_loss_calls_do_not_read_values_on_the_host(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("host synchronisation in a loss call")

    for method in (
        "item",
        "tolist",
        "numpy",
        "cpu",
        "__bool__",
        "__float__",
        "__int__",
        "__index__",
    ):
        monkeypatch.setattr(torch.Tensor, method, forbidden)
    skip = {"CTC", "Circle", "CategoricalGeneralizedCrossEntropy"}
    checked = 0
    for case in CASES:
        if "cls" not in case or case["cls"] in skip:
            continue
        loss = getattr(losses, case["cls"])(**case["kwargs"])
        weight = _tensor(case["sw"]) if case["sw"] else None
        loss(_tensor(case["true"]), _tensor(case["pred"]), sample_weight=weight)
        checked += 1
    assert checked > 500


# --------------------------------------------------------- configs and lookup


_KERAS_EXTRA_KEYS = {
    "Huber": {"delta"},
    "CosineSimilarity": {"axis"},
    "SparseCategoricalCrossentropy": {"axis"},
}


@pytest.mark.parametrize("name", sorted(KERAS_CONFIGS))
def test_default_config_matches_keras(name):
    config = getattr(losses, name)().get_config()
    keras_config = KERAS_CONFIGS[name]
    assert {k: v for k, v in config.items() if k in keras_config} == keras_config
    assert set(config) - set(keras_config) == _KERAS_EXTRA_KEYS.get(name, set())
    assert list(keras_config) == [k for k in config if k in keras_config]


def test_every_keras_class_and_function_exists():
    for name in KERAS_CONFIGS:
        assert isinstance(getattr(losses, name)(), losses.Loss)
    for name in (
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "cosine_similarity",
        "huber",
        "log_cosh",
        "hinge",
        "squared_hinge",
        "categorical_hinge",
        "kl_divergence",
        "poisson",
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "sparse_categorical_crossentropy",
        "ctc",
        "dice",
        "tversky",
        "circle",
        "categorical_generalized_cross_entropy",
    ):
        assert losses.get(name) is getattr(losses, name)


def test_config_round_trip_keeps_options():
    loss = losses.BinaryFocalCrossentropy(
        apply_class_balancing=True,
        alpha=0.4,
        gamma=3.0,
        from_logits=True,
        label_smoothing=0.1,
        reduction="sum",
        name="focal",
    )
    clone = losses.BinaryFocalCrossentropy.from_config(loss.get_config())
    assert clone.get_config() == loss.get_config()
    assert clone.gamma == 3.0 and clone.from_logits is True
    huber = losses.deserialize(losses.serialize(losses.Huber(delta=2.5)))
    assert huber.delta == 2.5
    dice = losses.deserialize(
        json.loads(json.dumps(losses.serialize(losses.Dice(axis=(1, 2)))))
    )
    assert dice.axis == (1, 2)


def test_serialize_matches_keras():
    assert losses.serialize(losses.mean_squared_error) == KERAS_SERIALIZED["function"]
    assert losses.serialize(losses.mse) == KERAS_SERIALIZED["function"]
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert losses.serialize(loss) == KERAS_SERIALIZED["BinaryCrossentropy"]
    assert losses.deserialize(KERAS_SERIALIZED["function"]) is losses.mean_squared_error
    restored = losses.deserialize(KERAS_SERIALIZED["BinaryCrossentropy"])
    assert isinstance(restored, losses.BinaryCrossentropy) and restored.from_logits


def test_keras2_configs_load():
    config = {
        "class_name": "SparseCategoricalCrossentropy",
        "config": {
            "reduction": "auto",
            "name": "sparse_categorical_crossentropy",
            "from_logits": True,
            "ignore_class": None,
            "fn": "sparse_categorical_crossentropy",
        },
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        loss = losses.get(config)
    assert isinstance(loss, losses.SparseCategoricalCrossentropy)
    assert loss.reduction == "sum_over_batch_size" and loss.from_logits is True


def test_loss_function_wrapper_round_trip():
    wrapper = losses.LossFunctionWrapper(
        losses.categorical_crossentropy, name="x", from_logits=True
    )
    config = wrapper.get_config()
    assert config["fn"]["config"] == "categorical_crossentropy"
    clone = losses.LossFunctionWrapper.from_config(config)
    y, logits = np.eye(3, dtype=np.float32), _logits
    _close(clone(y, logits), wrapper(y, logits))
    assert clone.fn is losses.categorical_crossentropy and clone.name == "x"


@pytest.mark.parametrize(
    "alias, target",
    [
        ("mse", "mean_squared_error"),
        ("MSE", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("MAE", "mean_absolute_error"),
        ("mape", "mean_absolute_percentage_error"),
        ("MAPE", "mean_absolute_percentage_error"),
        ("msle", "mean_squared_logarithmic_error"),
        ("MSLE", "mean_squared_logarithmic_error"),
        ("kld", "kl_divergence"),
        ("KLD", "kl_divergence"),
        ("kullback_leibler_divergence", "kl_divergence"),
        ("bce", "binary_crossentropy"),
        ("BCE", "binary_crossentropy"),
        ("logcosh", "log_cosh"),
        ("huber_loss", "huber"),
        ("cosine_proximity", "cosine_similarity"),
    ],
)
def test_string_aliases(alias, target):
    assert losses.get(alias) is getattr(losses, target)
    assert getattr(losses, alias) is getattr(losses, target)


def test_get_accepts_every_identifier_form():
    assert losses.get(None) is None
    instance = losses.Hinge()
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.Hinge), losses.Hinge)
    assert losses.get(losses.hinge) is losses.hinge
    loss = losses.get(
        {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    )
    assert isinstance(loss, losses.CategoricalCrossentropy) and loss.from_logits


def test_unknown_name_lists_closest_names():
    with pytest.raises(UnknownObjectError, match="categorical_crossentropy"):
        losses.get("categorical_crossentropi")
    with pytest.raises(ArgumentError, match="Could not interpret"):
        losses.get(42)


def test_names_and_dtype():
    assert losses.Huber().name == "huber_loss"
    assert losses.LogCosh().name == "log_cosh"
    assert losses.MeanSquaredError().dtype == "float32"
    loss = losses.MeanSquaredError(dtype="float64")
    assert loss.dtype == "float64"
    assert loss([[1.0]], [[0.5]]).dtype == torch.float64


def test_constructors_take_keras_arguments_in_keras_order():
    assert str(inspect.signature(losses.Dice)) == (
        "(reduction='sum_over_batch_size', name='dice', axis=None, dtype=None)"
    )
    assert list(inspect.signature(losses.SparseCategoricalCrossentropy).parameters) == [
        "from_logits",
        "ignore_class",
        "reduction",
        "axis",
        "name",
        "dtype",
    ]
    assert inspect.signature(losses.Huber).parameters["name"].default == "huber_loss"
    dice = losses.Dice("sum", "my_dice", [1, 2])
    assert (dice.reduction, dice.name, dice.axis) == ("sum", "my_dice", (1, 2))
    assert losses.Hinge(name=None).name.startswith("hinge")
    with pytest.raises(
        TypeError, match=r"Hinge.__init__\(\) got an unexpected keyword"
    ):
        losses.Hinge(delta=1.0)
    with pytest.raises(TypeError, match="takes from 1 to 4 positional arguments"):
        losses.Hinge("sum", "hinge", None, 1)


def test_custom_subclass():
    class MyScaledError(losses.Loss):
        def call(self, y_true, y_pred):
            return (y_pred - y_true).abs().sum(dim=-1)

    first, second = MyScaledError(), MyScaledError()
    assert first.name == "my_scaled_error" and second.name == "my_scaled_error_1"
    _close(MyScaledError(reduction="sum")([[1.0, 2.0]], [[0.0, 0.0]]), 3.0)
    assert MyScaledError.from_config(first.get_config()).name == "my_scaled_error"


def test_custom_loss_receives_structures():
    class PairLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return (y_pred["a"] - y_true[0]).square().mean(-1) + y_pred["b"].mean(-1)

    value = PairLoss()([np.ones((2, 2))], {"a": np.zeros((2, 2)), "b": np.ones((2, 3))})
    _close(value, 2.0)


def test_argument_validation():
    with pytest.raises(ArgumentError, match="label_smoothing"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(ArgumentError, match="axis"):
        losses.CategoricalCrossentropy(axis=True)
    with pytest.raises(ArgumentError, match="axis"):
        losses.categorical_crossentropy(_y, _p, axis=True)
    with pytest.raises(ArgumentError, match="ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class=0.5)
    with pytest.raises(ArgumentError, match="q"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.0)


def test_mismatched_crossentropy_shapes_raise_shape_error():
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(2, 4\)"):
        losses.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)) / 4)
    with pytest.raises(ShapeError, match="y_true.shape"):
        losses.binary_crossentropy(np.ones(3), np.ones((3, 1)) / 2)
    with pytest.raises(ShapeError, match=r"expected y_true.shape=\(2,\)"):
        losses.sparse_categorical_crossentropy(np.zeros((2, 2)), np.ones((2, 3)) / 3)
    with pytest.raises(ShapeError, match="batch_size, max_length"):
        losses.ctc(np.zeros((2, 3, 1)), np.zeros((2, 4, 5)))


# ------------------------------------------------------------ validate_targets


def test_validate_targets_accepts_good_batches():
    probs = torch.softmax(torch.randn(4, 3), -1)
    for loss in (
        "sparse_categorical_crossentropy",
        losses.sparse_categorical_crossentropy,
        losses.SparseCategoricalCrossentropy(),
    ):
        losses.validate_targets(loss, np.array([0, 2, 1, 2]), probs)
        losses.validate_targets(loss, torch.tensor([[0], [2], [1], [2]]), probs)
    losses.validate_targets("categorical_crossentropy", np.eye(3)[[0, 1, 2, 0]], probs)
    losses.validate_targets("mse", np.zeros(4), np.zeros((4, 1)))
    losses.validate_targets(
        losses.SparseCategoricalCrossentropy(ignore_class=255),
        np.array([0, 255, 1, 2]),
        probs,
    )

    class Custom(losses.Loss):
        def call(self, y_true, y_pred):
            return y_pred.sum(-1)

    losses.validate_targets(Custom(), np.zeros((4, 7)), probs)


@pytest.mark.parametrize(
    "loss",
    [
        "sparse_categorical_crossentropy",
        losses.sparse_categorical_crossentropy,
        losses.SparseCategoricalCrossentropy(from_logits=True),
    ],
)
def test_validate_targets_rejects_out_of_range_labels(loss):
    probs = torch.rand(4, 3)
    with pytest.raises(ArgumentError, match=r"\[0, 2\].*3 classes.*\[3\]"):
        losses.validate_targets(loss, np.array([0, 3, 1, 2]), probs)
    with pytest.raises(ArgumentError, match=r"\[-1\]"):
        losses.validate_targets(loss, np.array([0, -1, 1, 2]), probs)
    with pytest.raises(ArgumentError, match="non-integer"):
        losses.validate_targets(loss, np.array([0.0, 0.5, 1.0, 2.0]), probs)


def test_validate_targets_rejects_one_hot_for_sparse():
    with pytest.raises(
        ArgumentError,
        match="use loss='categorical_crossentropy'|Use loss='categorical_crossentropy'",
    ):
        losses.validate_targets(
            "sparse_categorical_crossentropy", np.eye(3), torch.rand(3, 3)
        )


def test_validate_targets_rejects_class_indices_for_categorical():
    for loss in (
        "categorical_crossentropy",
        losses.CategoricalCrossentropy(),
        losses.categorical_focal_crossentropy,
    ):
        with pytest.raises(ArgumentError, match="sparse_categorical_crossentropy"):
            losses.validate_targets(loss, np.array([0, 2, 1]), torch.rand(3, 4))
        with pytest.raises(ArgumentError, match="sparse_categorical_crossentropy"):
            losses.validate_targets(loss, np.array([[0], [2], [1]]), torch.rand(3, 4))


def test_validate_targets_rejects_unmatched_shapes():
    for loss in (
        "mse",
        losses.MeanSquaredError(),
        losses.mean_absolute_error,
        "binary_crossentropy",
    ):
        with pytest.raises(ShapeError, match=r"\(8, 3\).*\(8, 5\)"):
            losses.validate_targets(loss, np.zeros((8, 3)), torch.zeros(8, 5))
    with pytest.raises(ShapeError, match=r"\(4,\).*\(4, 4\)"):
        losses.validate_targets("mse", np.zeros(4), torch.zeros(4, 4))
    with pytest.raises(ShapeError, match=r"y_true of shape \(4,\)"):
        losses.validate_targets(
            "sparse_categorical_crossentropy", np.zeros(5), torch.rand(4, 3)
        )
