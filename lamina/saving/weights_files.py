"""`save_weights` and `load_weights`: Keras 3 ``.weights.h5`` and legacy ``.h5``.

``.weights.h5`` uses Keras 3's layout (``layers/dense/vars/0``, with the
optimizer's state under ``optimizer/vars``), or with ``layout="keras2"`` the one
tf-keras 2 gives that name (see `lamina.saving.keras_state`); any other ``.h5`` /
``.hdf5`` name gets Keras 2's legacy layout (``layer_names``, ``weight_names``),
which loads in topological order or, with ``by_name=True``, by layer name. Loading
looks at the file's content, not its name (either ``.weights.h5`` layout is
recognised), and also accepts a whole ``.keras`` or ``.h5`` model file.
"""

from __future__ import annotations

import io
import os

import h5py

from lamina.distribution import model_parallel
from lamina.errors import ArgumentError, FileFormatError, ModelFileNotFoundError
from lamina.io_utils import atomic_path
from lamina.saving import keras_state, legacy_h5
from lamina.saving.model_files import _as_file_format_error, sniff_format


def save_weights(
    model, filepath, overwrite: bool = True, layout: str | None = None
) -> None:
    """Save the model's weights (and optimizer state, for ``.weights.h5``).

    Example:
        >>> model.save_weights("model.weights.h5")
        >>> model.save_weights("model.weights.h5", layout="keras2")  # for tf-keras

    Args:
        model: the model.
        filepath: ``*.weights.h5`` (Keras 3) or ``*.h5`` / ``*.hdf5`` (Keras 2).
        overwrite: when False, refuse to replace an existing file.
        layout: ``"keras3"`` (the default for ``*.weights.h5``) or ``"keras2"``:
            the ``*.weights.h5`` that tf-keras 2 writes and reads (its group paths,
            its optimizer state without a learning-rate variable). Other ``*.h5``
            names always get Keras 2's legacy layout.
    """
    path = os.fspath(filepath)
    if layout not in (None, "keras2", "keras3"):
        raise ArgumentError(
            f"layout must be 'keras3' or 'keras2'; received layout={layout!r}."
        )
    if not overwrite and os.path.exists(path):
        raise ArgumentError(f"File {path!r} exists and overwrite=False.")
    with model_parallel.whole(model, optimizer=True):  # every process
        lower = path.lower()
        if lower.endswith(".weights.h5"):
            with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
                keras_state.save_state(
                    model, f, include_optimizer=True, keras2=layout == "keras2"
                )
        elif layout == "keras3":
            raise ArgumentError(
                f"layout='keras3' needs a filename ending in `.weights.h5`; received "
                f"filepath={path}"
            )
        elif lower.endswith((".h5", ".hdf5")):
            legacy_h5.save_weights(model, path)
        else:
            raise ArgumentError(
                "The filename must end in `.weights.h5` (or `.h5` for the Keras 2 "
                f"layout). Received: filepath={path}"
            )


def load_weights(
    model, filepath, skip_mismatch: bool = False, by_name: bool = False, **kwargs
) -> None:
    """Load weights saved by `save_weights` (lamina, Keras 3 or Keras 2).

    Example:
        >>> model.load_weights("model.weights.h5")

    Args:
        model: a built model.
        filepath: a weights file, or a whole ``.keras`` / ``.h5`` model file.
        skip_mismatch: warn and skip layers whose weights do not match in
            number or shape, instead of raising.
        by_name: (legacy ``.h5`` only) match layers by name; unmatched layers
            keep their weights.
    """
    kwargs.pop("options", None)
    if kwargs:
        raise ArgumentError(
            f"load_weights() got unexpected arguments: {sorted(kwargs)}."
        )
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise ModelFileNotFoundError(f"No such file: {path!r}.")
    if not getattr(model, "built", True):
        raise ArgumentError(
            f"Model '{model.name}' is not built, so it has no weights to load into. "
            "Call it on data or call `build(input_shape)` first."
        )
    with _as_file_format_error(path):
        kind = sniff_format(path)
        keras2 = False
        if kind == "h5":
            with h5py.File(path, "r") as f:
                keras2 = "layer_names" in f.attrs or "model_weights" in f
        elif kind != "keras":
            raise FileFormatError(f"{path!r} is not an HDF5 weights file.")
    if by_name and not keras2:
        raise ArgumentError(
            f"by_name=True needs a legacy Keras 2 `.h5` weights file; {path!r} uses "
            "Keras 3's layout, which matches weights by position in the model."
        )
    with model_parallel.whole(model, optimizer=True):  # every process
        with _as_file_format_error(path):
            if keras2:
                legacy_h5.load_weights(
                    model, path, by_name=by_name, skip_mismatch=skip_mismatch
                )
            elif kind == "keras":
                from lamina.saving import keras_zip

                _, _, weights = keras_zip.read_archive(path)
                with h5py.File(io.BytesIO(weights), "r") as f:
                    keras_state.load_state(model, f, skip_mismatch=skip_mismatch)
            else:
                with h5py.File(path, "r") as f:
                    keras_state.load_state(model, f, skip_mismatch=skip_mismatch)
