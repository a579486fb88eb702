"""The optimizers' constructors: Keras 3's signatures, Args text and positional calls.

Each optimizer's ``__init__`` names only its own arguments; `optimizer_arguments`
gives the classes the signatures Keras spells out, checked here against Keras
3.15's (names, order and defaults).
"""

from __future__ import annotations

import inspect
import pickle
import re

import pytest

from lamina import optimizers

# Keras 3.15's base arguments, after each optimizer's own ones.
BASE = [
    ("weight_decay", None),
    ("clipnorm", None),
    ("clipvalue", None),
    ("global_clipnorm", None),
    ("use_ema", False),
    ("ema_momentum", 0.99),
    ("ema_overwrite_frequency", None),
    ("loss_scale_factor", None),
    ("gradient_accumulation_steps", None),
    ("name", None),
]
ADAM_OWN = [("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-7)]
KERAS_SIGNATURES = {
    "SGD": [("learning_rate", 0.01), ("momentum", 0.0), ("nesterov", False)] + BASE,
    "Adam": [("learning_rate", 0.001), *ADAM_OWN, ("amsgrad", False)] + BASE,
    "AdamW": [("learning_rate", 0.001), ("weight_decay", 0.004), *ADAM_OWN]
    + [("amsgrad", False)]
    + BASE[1:],
    "Adamax": [("learning_rate", 0.001), *ADAM_OWN] + BASE,
    "Nadam": [("learning_rate", 0.001), *ADAM_OWN] + BASE,
    "RMSprop": [("learning_rate", 0.001), ("rho", 0.9), ("momentum", 0.0)]
    + [("epsilon", 1e-7), ("centered", False)]
    + BASE,
    "Adadelta": [("learning_rate", 0.001), ("rho", 0.95), ("epsilon", 1e-7)] + BASE,
    "Adagrad": [("learning_rate", 0.001), ("initial_accumulator_value", 0.1)]
    + [("epsilon", 1e-7)]
    + BASE,
    "Ftrl": [
        ("learning_rate", 0.001),
        ("learning_rate_power", -0.5),
        ("initial_accumulator_value", 0.1),
        ("l1_regularization_strength", 0.0),
        ("l2_regularization_strength", 0.0),
        ("l2_shrinkage_regularization_strength", 0.0),
        ("beta", 0.0),
    ]
    + BASE,
    "Lion": [("learning_rate", 0.001), ("beta_1", 0.9), ("beta_2", 0.99)] + BASE,
    "Adafactor": [
        ("learning_rate", 0.001),
        ("beta_2_decay", -0.8),
        ("epsilon_1", 1e-30),
        ("epsilon_2", 0.001),
        ("clip_threshold", 1.0),
        ("relative_step", True),
    ]
    + BASE,
    "Lamb": [("learning_rate", 0.001), *ADAM_OWN] + BASE,
    "Muon": [
        ("learning_rate", 0.001),
        ("adam_beta_1", 0.9),
        ("adam_beta_2", 0.999),
        ("adam_weight_decay", 0.004),
        ("epsilon", 1e-7),
        ("weight_decay", 0.004),
    ]
    + BASE[1:]
    + [
        ("exclude_layers", None),
        ("exclude_embeddings", True),
        ("muon_a", 3.4445),
        ("muon_b", -4.775),
        ("muon_c", 2.0315),
        ("adam_lr_ratio", 1),
        ("momentum", 0.95),
        ("ns_steps", 5),
        ("nesterov", True),
        ("rms_rate", 0.2),
    ],
    "ScheduleFreeAdamW": [
        ("learning_rate", 0.0025),
        ("beta_1", 0.9),
        ("beta_2", 0.999),
        ("epsilon", 1e-8),
        ("warmup_steps", 0),
    ]
    + BASE,
    "MultiOptimizer": [
        ("optimizer_map", inspect.Parameter.empty),
        ("loss_scale_factor", None),
        ("name", None),
    ],
    "LossScaleOptimizer": [
        ("inner_optimizer", inspect.Parameter.empty),
        ("initial_scale", 2.0**15),
        ("dynamic_growth_steps", 2000),
        ("name", None),
    ],
}


WRAPPERS = {"LossScaleOptimizer", "MultiOptimizer"}


def _arguments(cls) -> list[tuple[str, object]]:
    parameters = inspect.signature(cls).parameters.values()
    return [
        (p.name, p.default) for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD
    ]


@pytest.mark.parametrize("name", sorted(KERAS_SIGNATURES))
def test_signature_is_keras(name):
    cls = getattr(optimizers, name)
    assert _arguments(cls) == KERAS_SIGNATURES[name]
    # Keras's MultiOptimizer alone takes no **kwargs.
    last = list(inspect.signature(cls).parameters)[-1]
    assert last == ("name" if name == "MultiOptimizer" else "kwargs")


@pytest.mark.parametrize("name", sorted(set(KERAS_SIGNATURES) - WRAPPERS))
def test_docstring_lists_every_argument_with_its_default(name):
    cls = getattr(optimizers, name)
    doc = inspect.getdoc(cls)
    assert "{arguments}" not in doc
    section = doc[doc.index("Args:") :]
    entries = re.findall(r"^    (\w+): (.*(?:\n        .*)*)", section, re.MULTILINE)
    assert [a for a, _ in entries] == [a for a, _ in KERAS_SIGNATURES[name]]
    for (argument, default), (_, text) in zip(KERAS_SIGNATURES[name], entries):
        assert f"Defaults to {default!r}." in " ".join(text.split()), argument


def test_base_arguments_bind_by_position_as_in_keras():
    opt = optimizers.Adam(0.1, 0.8, 0.9, 1e-6, True, 0.01, 1.0)
    assert (opt.beta_1, opt.amsgrad, opt.weight_decay, opt.clipnorm) == (
        0.8,
        True,
        0.01,
        1.0,
    )
    adamw = optimizers.AdamW(0.1, 0.02, 0.8, 0.9, 1e-6, False, 2.0)
    assert (adamw.weight_decay, adamw.beta_1, adamw.clipnorm) == (0.02, 0.8, 2.0)
    assert optimizers.SGD(0.1, 0.5, True, None, None, None, None, True).use_ema


def test_wrong_calls_raise_pythons_type_errors():
    with pytest.raises(TypeError, match=r"takes from 1 to 16 positional arguments"):
        optimizers.Adam(*range(16))
    with pytest.raises(TypeError, match="multiple values for argument 'weight_decay'"):
        optimizers.Adam(0.1, 0.9, 0.999, 1e-7, False, 0.01, weight_decay=0.1)
    with pytest.raises(TypeError, match="multiple values for argument 'beta_1'"):
        optimizers.Adam(0.1, 0.9, beta_1=0.5)


def test_subclass_passing_kwargs_on_shows_its_parents_arguments():
    class Custom(optimizers.SGD):
        def __init__(self, foo=1, **kwargs):
            super().__init__(**kwargs)
            self.foo = foo

    assert [name for name, _ in _arguments(Custom)] == ["foo"] + [
        name for name, _ in KERAS_SIGNATURES["SGD"]
    ]
    opt = Custom(2, 0.5, 0.9)
    assert (opt.foo, float(opt.learning_rate), opt.momentum) == (2, 0.5, 0.9)

    class Own(optimizers.Optimizer, inherit_arguments=False):
        def __init__(self, rate=0.1, **kwargs):
            super().__init__(learning_rate=rate, **kwargs)

    assert _arguments(Own) == [("rate", 0.1)]


def test_constructors_pickle_and_round_trip_configs():
    for name in sorted(set(KERAS_SIGNATURES) - WRAPPERS):
        cls = getattr(optimizers, name)
        opt = cls(name="o")
        assert pickle.loads(pickle.dumps(cls)) is cls
        assert cls.from_config(opt.get_config()).get_config() == opt.get_config()


def test_loss_scale_optimizer_finds_its_inner_optimizer_by_any_spelling():
    for inner in (
        {"class_name": "adam", "config": {"beta_1": 0.5}},
        {"class_name": "Adam", "config": {"beta_1": 0.5}},
        {"module": "keras.optimizers", "class_name": "Adam", "config": {"beta_1": 0.5}},
    ):
        opt = optimizers.LossScaleOptimizer.from_config({"inner_optimizer": inner})
        assert isinstance(opt.inner_optimizer, optimizers.Adam)
        assert opt.inner_optimizer.beta_1 == 0.5


# Keras 3.15's learning rate schedules (keras.optimizers.schedules).
REQUIRED = inspect.Parameter.empty
KERAS_SCHEDULES = {
    "CosineDecay": [
        ("initial_learning_rate", REQUIRED),
        ("decay_steps", REQUIRED),
        ("alpha", 0.0),
        ("name", "CosineDecay"),
        ("warmup_target", None),
        ("warmup_steps", 0),
    ],
    "CosineDecayRestarts": [
        ("initial_learning_rate", REQUIRED),
        ("first_decay_steps", REQUIRED),
        ("t_mul", 2.0),
        ("m_mul", 1.0),
        ("alpha", 0.0),
        ("name", "SGDRDecay"),
    ],
    "ExponentialDecay": [
        ("initial_learning_rate", REQUIRED),
        ("decay_steps", REQUIRED),
        ("decay_rate", REQUIRED),
        ("staircase", False),
        ("name", "ExponentialDecay"),
    ],
    "InverseTimeDecay": [
        ("initial_learning_rate", REQUIRED),
        ("decay_steps", REQUIRED),
        ("decay_rate", REQUIRED),
        ("staircase", False),
        ("name", "InverseTimeDecay"),
    ],
    "PiecewiseConstantDecay": [
        ("boundaries", REQUIRED),
        ("values", REQUIRED),
        ("name", "PiecewiseConstant"),
    ],
    "PolynomialDecay": [
        ("initial_learning_rate", REQUIRED),
        ("decay_steps", REQUIRED),
        ("end_learning_rate", 0.0001),
        ("power", 1.0),
        ("cycle", False),
        ("name", "PolynomialDecay"),
    ],
}


def test_schedules_are_keras_schedules():
    public = {name for name in dir(optimizers.schedules) if not name.startswith("_")}
    assert public >= {*KERAS_SCHEDULES, "LearningRateSchedule"}
    assert {"deserialize", "serialize"} <= public
    for name, arguments in KERAS_SCHEDULES.items():
        assert _arguments(getattr(optimizers.schedules, name)) == arguments, name


def test_optimizers_namespace_is_keras():
    keras_names = {
        "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl",
        "Lamb", "Lion", "LossScaleOptimizer", "MultiOptimizer", "Muon", "Nadam",
        "Optimizer", "OptimizerMap", "RMSprop", "SGD", "ScheduleFreeAdamW",
        "deserialize", "get", "schedules", "serialize",
    }  # fmt: skip
    assert keras_names <= set(dir(optimizers))
