"""`keras.utils`: array helpers, seeds, datasets of batches, files, the progress
bar, and the public names of helpers that live where they are used."""

from lamina.backend import clear_session, set_random_seed, standardize_dtype
from lamina.backend.keras_tensor import is_keras_tensor
from lamina.callbacks.progbar import Progbar
from lamina.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from lamina.legacy import saving as legacy
from lamina.ops.function import get_source_inputs
from lamina.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from lamina.trainers.data_adapter import (
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)
from lamina.trainers.py_dataset import PyDataset, Sequence
from lamina.utils import bounding_boxes
from lamina.utils.audio_dataset_utils import audio_dataset_from_directory
from lamina.utils.config import Config
from lamina.utils.dataset_utils import split_dataset
from lamina.utils.feature_space import FeatureSpace
from lamina.utils.file_utils import get_file
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
    "Config",
    "CustomObjectScope",
    "FeatureSpace",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "audio_dataset_from_directory",
    "bounding_boxes",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "image_dataset_from_directory",
    "img_to_array",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "legacy",
    "load_img",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "register_keras_serializable",
    "save_img",
    "serialize_keras_object",
    "set_random_seed",
    "smart_resize",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
