"""Models: `Model`, `Sequential`, `Functional`, cloning and loading."""

from lamina.models.cloning import clone_model
from lamina.models.functional import Functional
from lamina.models.model import (
    Model,
    load_model,
    model_from_config,
    model_from_json,
    save_model,
)
from lamina.models.sequential import Sequential

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_config",
    "model_from_json",
    "save_model",
]
