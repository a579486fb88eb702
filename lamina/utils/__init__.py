"""Utilities: array helpers, seeds, datasets of batches, the progress bar."""

from lamina.backend import set_random_seed
from lamina.callbacks.progbar import Progbar
from lamina.trainers.py_dataset import PyDataset, Sequence
from lamina.utils.dataset_utils import split_dataset
from lamina.utils.history_plot import plot_history
from lamina.utils.image_dataset_utils import image_dataset_from_directory
from lamina.utils.image_utils import (
    array_to_img,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
)
from lamina.utils.model_visualization import model_to_dot, plot_model
from lamina.utils.numerical import normalize, to_categorical
from lamina.utils.sequence_utils import pad_sequences
from lamina.utils.text_dataset_utils import text_dataset_from_directory
from lamina.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = [
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "save_img",
    "set_random_seed",
    "smart_resize",
    "split_dataset",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
]
