"""`save_model` and `load_model`: one entry point for every model file format.

The format is chosen from the file itself (a zip is ``.keras``, an HDF5 file is
legacy ``.h5``), so a misnamed file still loads. Anything wrong with the file
(corrupt, truncated, another format, hostile content) raises
`lamina.errors.FileFormatError`; an unknown custom class raises
`UnknownObjectError`, and refused Python code names ``safe_mode=False``.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
import zlib

from lamina.distribution import model_parallel
from lamina.errors import (
    ArgumentError,
    FileFormatError,
    ModelFileNotFoundError,
    UnknownObjectError,
)

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def sniff_format(filepath) -> str:
    """``"keras"`` (zip), ``"h5"`` (HDF5) or ``"unknown"``, from the file's bytes."""
    if hasattr(filepath, "read"):
        return "keras" if zipfile.is_zipfile(filepath) else "unknown"
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head == _HDF5_SIGNATURE:
        return "h5"
    if head[:2] == b"PK":
        return "keras"
    # HDF5 allows a user block: the signature may sit at 512, 1024, 2048, ...
    with open(filepath, "rb") as f:
        offset = 512
        size = os.fstat(f.fileno()).st_size
        while offset < size:
            f.seek(offset)
            if f.read(8) == _HDF5_SIGNATURE:
                return "h5"
            offset *= 2
    return "unknown"


def save_model(
    model, filepath, overwrite: bool = True, include_optimizer: bool = True, **kwargs
) -> None:
    """Save a whole model: ``.keras`` (Keras 3) or ``.h5`` / ``.hdf5`` (Keras 2).

    Example:
        >>> lamina.saving.save_model(model, "model.keras")

    Args:
        model: the model to save.
        filepath: ``*.keras``, ``*.h5`` or ``*.hdf5``.
        overwrite: when False, refuse to replace an existing file.
        include_optimizer: also save the optimizer's state.
        **kwargs: ``save_format`` (Keras 2: ``"h5"`` or ``"keras"``).
    """
    save_format = kwargs.pop("save_format", None)
    for key in ("options", "signatures", "save_traces"):  # TensorFlow-only arguments
        kwargs.pop(key, None)
    if kwargs.pop("zipped", True) is False:
        raise ArgumentError(
            "zipped=False (an unzipped model folder) is not supported; "
            "save to a `.keras` file."
        )
    if kwargs:
        raise ArgumentError(f"save_model() got unexpected arguments: {sorted(kwargs)}.")
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise ArgumentError(f"File {path!r} exists and overwrite=False.")
    with model_parallel.whole(model, optimizer=include_optimizer):  # every process
        lower = path.lower()
        if save_format in ("h5", "hdf5") or lower.endswith((".h5", ".hdf5")):
            if lower.endswith(".weights.h5"):
                raise ArgumentError(
                    f"{path!r} names a weights file; use `model.save_weights()` for it, "
                    "or save the model to a `.keras` or `.h5` file."
                )
            from lamina.saving import legacy_h5

            legacy_h5.save_model(model, path, include_optimizer=include_optimizer)
        elif save_format in (None, "keras") and lower.endswith(".keras"):
            from lamina.saving import keras_zip

            keras_zip.save_model(model, path, include_optimizer=include_optimizer)
        else:
            raise ArgumentError(
                "Invalid filepath extension for saving. Please add either a `.keras` "
                "extension for the native Keras format (recommended) or a `.h5` "
                f"extension. Received: filepath={path}."
            )


def load_model(
    filepath,
    custom_objects: dict | None = None,
    compile: bool = True,  # noqa: A002
    safe_mode: bool = True,
):
    """Load a model from a ``.keras`` or legacy ``.h5`` file (Keras or lamina).

    Example:
        >>> model = lamina.models.load_model("model.keras")

    Args:
        filepath: the file.
        custom_objects: ``{name: class_or_function}`` for custom layers, losses...
        compile: compile the model with the saved training configuration and
            restore the optimizer's state.
        safe_mode: refuse to load Python code (a `Lambda`'s bytecode).

    Returns:
        the model.
    """
    path = os.fspath(filepath) if not hasattr(filepath, "read") else filepath
    if isinstance(path, str) and not os.path.exists(path):
        raise ModelFileNotFoundError(
            f"File not found: filepath={path}. Please ensure the file is an "
            "accessible `.keras` zip file (or a Keras 2 `.h5` file)."
        )
    if isinstance(path, str) and os.path.isdir(path):
        raise FileFormatError(
            f"{path!r} is a folder (a TensorFlow SavedModel?); lamina loads `.keras` "
            "and `.h5` files."
        )
    with _as_file_format_error(path):
        kind = sniff_format(path)
        if kind == "keras":
            from lamina.saving import keras_zip

            return keras_zip.load_model(
                path,
                custom_objects=custom_objects,
                compile=compile,
                safe_mode=safe_mode,
            )
        if kind == "h5":
            from lamina.saving import legacy_h5

            return legacy_h5.load_model(
                path,
                custom_objects=custom_objects,
                compile=compile,
                safe_mode=safe_mode,
            )
        raise FileFormatError(
            f"{path!r} is neither a .keras (zip) nor an HDF5 (.h5) model file."
        )


@contextlib.contextmanager
def _as_file_format_error(path):
    """Turn whatever a malformed file provokes into one FileFormatError."""
    try:
        yield
    except FileFormatError as err:
        if isinstance(path, str) and path not in str(err):
            raise FileFormatError(f"Could not load {path!r}: {err}") from err
        raise
    except (UnknownObjectError, FileNotFoundError, MemoryError):
        raise
    except ArgumentError as err:
        if "safe_mode" in str(err):
            raise
        raise FileFormatError(f"Could not load {path!r}: {err}") from err
    except (
        ValueError,
        TypeError,
        LookupError,
        AttributeError,
        OSError,
        RuntimeError,
        RecursionError,
        UnicodeError,
        zipfile.BadZipFile,
        EOFError,
        zlib.error,
        OverflowError,
        AssertionError,
    ) as err:
        raise FileFormatError(
            f"Could not load {path!r}: {type(err).__name__}: {err}"
        ) from err
