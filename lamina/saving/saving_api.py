"""What the floors below reach of saving: the files a model is saved to and read from.

`lamina.models.model.saving_api()` imports this module at call time; it is the one
seam through which models reach up to saving (see ARCHITECTURE.md).
"""

from lamina.saving.export import export_model
from lamina.saving.model_files import load_model, save_model
from lamina.saving.weights_files import load_weights, save_weights

__all__ = ["export_model", "load_model", "load_weights", "save_model", "save_weights"]
