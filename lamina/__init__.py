"""lamina: the Keras API, written from scratch on PyTorch.

``import lamina as keras`` and write Keras code: Sequential and functional
models, subclassing, compile/fit/evaluate/predict, Keras files. Every model is a
``torch.nn.Module``.
"""

from __future__ import annotations

import importlib

from lamina.layers import Input, InputSpec, Layer, Variable
from lamina.models import Functional, Model, Sequential
from lamina.version import __version__

_SUBMODULES = {
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "errors",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "preprocessing",
    "regularizers",
    "saving",
    "utils",
    "wrappers",
    "ops",
    "random",
    "distribute",
    "export",
}


def __getattr__(name: str):
    # Submodules load on first use: `import lamina` stays quick, and
    # `lamina.optimizers.Adam` works as `keras.optimizers.Adam` does.
    if name in _SUBMODULES:
        module = importlib.import_module(f"lamina.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lamina' has no attribute {name!r}")


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
