"""Utilities: array helpers, seeds, datasets of batches, the progress bar."""

from lamina.backend import set_random_seed
from lamina.utils.history_plot import plot_history
from lamina.utils.model_visualization import model_to_dot, plot_model
from lamina.utils.numerical import normalize, to_categorical
from lamina.utils.progbar import Progbar
from lamina.utils.py_dataset import PyDataset, Sequence

__all__ = ["Progbar", "model_to_dot", "plot_history", "plot_model", "PyDataset", "Sequence", "normalize", "set_random_seed",
           "to_categorical"]
