"""Models: `Model`, `Sequential`, `Functional`, cloning and loading."""

from lamina.models.cloning import clone_model
from lamina.models.functional import Functional
from lamina.models.model import Model
from lamina.models.sequential import Sequential
from lamina.models.serialization import load_model, model_from_config, model_from_json
from lamina.saving.model_files import save_model

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model",
           "model_from_config", "model_from_json", "save_model"]
