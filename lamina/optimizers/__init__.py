"""Optimizers (``lamina.optimizers``): Keras 3's optimizers on fused torch updates."""

from __future__ import annotations

import importlib as _importlib

from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adafactor import Adafactor
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lamb import Lamb
from lamina.optimizers.lion import Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from lamina.optimizers.muon import Muon
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.optimizers_api import ALL_OBJECTS as ALL_OBJECTS
from lamina.optimizers.optimizers_api import ALL_OBJECTS_DICT as ALL_OBJECTS_DICT
from lamina.optimizers.optimizers_api import deserialize, get, serialize
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from lamina.optimizers.sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

# Keras 2's `keras.optimizers.adam(lr=0.01)`, `sgd(...)`, ...: see keras2_aliases.
import sys as _sys  # noqa: E402

from lamina.optimizers import keras2_aliases as _keras2_aliases  # noqa: E402

_keras2_aliases.make_aliases_callable(_sys.modules[__name__])


def __getattr__(name: str):
    # `keras.optimizers.legacy` (Keras 2's optimizers under their old path) has no
    # module of its own: lamina.compat's KERAS2_MODULES table serves it. Looked up
    # here on first use, so the attribute exists without an import at load time.
    if name == "legacy":
        return _importlib.import_module("lamina.optimizers.legacy")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
