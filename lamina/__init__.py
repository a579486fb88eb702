"""lamina: the Keras API, written from scratch on PyTorch.

``import lamina as keras`` and write Keras code: Sequential and functional
models, subclassing, compile/fit/evaluate/predict, Keras files. Every model is a
``torch.nn.Module``.
"""

from __future__ import annotations

import importlib

from lamina import compat
from lamina.layers import Input, InputSpec, Layer, Variable
from lamina.models import Functional, Model, Sequential
from lamina.version import __version__

compat.install_keras2_paths()

# The public submodules, imported on first use. A Keras 3 module lamina does
# not have is not listed, so `hasattr` is False for it, as for any missing
# attribute.
_SUBMODULES = {
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distillation",
    "distribution",
    "dtype_policies",
    "errors",
    "export",
    "initializers",
    "layers",
    "legacy",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "quantizers",
    "random",
    "regularizers",
    "saving",
    "tree",
    "utils",
    "visualization",
    "wrappers",
}


# Keras 3's top-level names for base classes and scopes, from the module that
# defines each (with the name there, when it differs).
_TOP_LEVEL = {
    "Loss": "lamina.losses",
    "Metric": "lamina.metrics",
    "Optimizer": "lamina.optimizers",
    "Initializer": "lamina.initializers",
    "Regularizer": "lamina.regularizers",
    "Constraint": "lamina.constraints",
    "KerasTensor": "lamina.backend.keras_tensor",
    "Quantizer": "lamina.quantizers",
    "DTypePolicy": "lamina.dtype_policies",
    "FloatDTypePolicy": "lamina.dtype_policies",
    "Operation": "lamina.ops.operation",
    "Function": "lamina.ops.function",
    "StatelessScope": "lamina.backend.stateless_scope",
    "SymbolicScope": "lamina.backend.symbolic_scope",
    "RematScope": "lamina.backend.remat",
    "remat": "lamina.backend.remat",
    "name_scope": "lamina.backend.name_scope",
    "device": ("lamina.backend.config", "device_scope"),
}


def __getattr__(name: str):
    # Submodules load on first use: `import lamina` stays quick, and
    # `lamina.optimizers.Adam` works as `keras.optimizers.Adam` does.
    if name in _SUBMODULES:
        module = importlib.import_module(f"lamina.{name}")
        globals()[name] = module
        return module
    if name in _TOP_LEVEL:
        module, attribute = _TOP_LEVEL[name], name
        if isinstance(module, tuple):
            module, attribute = module
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(
        f"module 'lamina' has no attribute {name!r} (if Keras has `keras.{name}`, "
        "lamina does not have it yet)"
    )


def version() -> str:
    return __version__


__all__ = [
    "Functional",
    "Input",
    "InputSpec",
    "Layer",
    "Model",
    "Sequential",
    "Variable",
    "__version__",
]
