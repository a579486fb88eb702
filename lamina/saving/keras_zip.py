"""The Keras 3 ``.keras`` format: a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``.

``config.json`` is the model serialized as Keras does (``module``,
``class_name``, ``config``, ``registered_name``, plus ``build_config`` and
``compile_config``); ``model.weights.h5`` holds the variables in Keras's layout
(see `lamina.saving.keras_state`). tf-keras 2 writes the same archive around a
Keras 2 model config (graph nodes as lists, a nested model's calls numbered from
1), which is read as in a legacy ``.h5`` file. The loader reads only these named
members, never extracts paths from the archive, and never runs code from it
unless ``safe_mode=False`` (a `Lambda` layer's Python bytecode).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import tempfile
import warnings
import zipfile
import zlib

import h5py

from lamina.errors import FileFormatError
from lamina.io_utils import atomic_path
from lamina.saving import keras_state
from lamina.serialization import (
    custom_object_scope,
    safe_mode_scope,
    serialize_keras_object,
)

# The Keras version whose file layout lamina writes.
KERAS_VERSION = "3.15.1"
CONFIG_FILE = "config.json"
METADATA_FILE = "metadata.json"
WEIGHTS_FILE = "model.weights.h5"
ASSETS_DIR = "assets"
# Assets (vocabularies) are extracted to a temporary folder: cap their total size.
_MAX_ASSET_BYTES = 4 << 30
# config.json and metadata.json are small; refuse absurd declared sizes (zip bombs).
_MAX_JSON_BYTES = 256 << 20
# Keras and lamina write .keras files uncompressed, and weights barely compress:
# a member that inflates more than MAX_RATIO-fold to over BOMB_FLOOR bytes is a
# zip bomb. Reading a file thus needs at most max(BOMB_FLOOR, MAX_RATIO x its
# size) bytes per member, checked from the zip directory before inflating.
_BOMB_FLOOR = keras_state.BOMB_FLOOR
_MAX_RATIO = keras_state.MAX_RATIO


def serialize_model(model) -> dict:
    """The ``config.json`` content for ``model``, in Keras 3's form."""
    config = serialize_keras_object(model)
    _use_keras_functional_module(config)
    build = model.get_build_config() if hasattr(model, "get_build_config") else None
    config["build_config"] = build
    compile_config = (
        model.get_compile_config() if getattr(model, "compiled", False) else None
    )
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def _use_keras_functional_module(config) -> None:
    """Keras finds `Functional` only under its source module; write it that way."""
    if isinstance(config, dict):
        if config.get("class_name") == "Functional" and config.get("module") == "keras":
            config["module"] = "keras.src.models.functional"
            config["registered_name"] = "Functional"
        for value in config.values():
            _use_keras_functional_module(value)
    elif isinstance(config, list):
        for value in config:
            _use_keras_functional_module(value)


def save_model(
    model, filepath: str | os.PathLike, include_optimizer: bool = True
) -> None:
    """Write ``model`` to a ``.keras`` file (atomically).

    Example:
        >>> save_model(model, "model.keras")

    Args:
        model: the lamina model.
        filepath: destination path.
        include_optimizer: also store the optimizer's state.
    """
    config = serialize_model(model)
    from lamina.version import __version__

    metadata = {
        "keras_version": KERAS_VERSION,
        "lamina_version": __version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        keras_state.save_state(model, f, include_optimizer=include_optimizer)
    with tempfile.TemporaryDirectory() as assets, atomic_path(filepath) as tmp:
        keras_state.save_assets(model, assets)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_FILE, json.dumps(metadata))
            zf.writestr(CONFIG_FILE, json.dumps(config))
            zf.writestr(WEIGHTS_FILE, weights.getvalue())
            for folder, _, files in sorted(os.walk(assets)):
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    relative = os.path.relpath(full, assets).replace(os.sep, "/")
                    zf.write(full, f"{ASSETS_DIR}/{relative}")


def check_members(zf: zipfile.ZipFile) -> None:
    """Refuse archives with absolute or ``..`` member paths."""
    for info in zf.infolist():
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise FileFormatError(f"The archive has an unsafe member path: {name!r}.")


def read_json_member(zf: zipfile.ZipFile, name: str, required: bool = True):
    """Parse one JSON member of the archive (None if absent and not required)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        if required:
            raise FileFormatError(
                f"Not a Keras model archive: it has no '{name}' (members: "
                f"{zf.namelist()[:10]})."
            ) from None
        return None
    if info.file_size > _MAX_JSON_BYTES:
        raise FileFormatError(f"'{name}' declares {info.file_size} bytes; too large.")
    _check_not_a_bomb(info)
    try:
        return json.loads(read_member(zf, info).decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise FileFormatError(f"'{name}' is not valid JSON: {err}") from err


def extract_assets(filepath, folder: str) -> None:
    """Copy the archive's ``assets/`` members into ``folder`` (paths checked)."""
    with zipfile.ZipFile(filepath) as zf:
        check_members(zf)
        members = [
            info
            for info in zf.infolist()
            if info.filename.startswith(f"{ASSETS_DIR}/") and not info.is_dir()
        ]
        if sum(info.file_size for info in members) > _MAX_ASSET_BYTES:
            raise FileFormatError("The archive's assets declare too many bytes.")
        for info in members:
            _check_not_a_bomb(info)
        root = os.path.realpath(folder)
        for info in members:
            target = os.path.realpath(os.path.join(root, info.filename))
            if not target.startswith(root + os.sep):
                raise FileFormatError(f"Unsafe asset path: {info.filename!r}.")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)


_CHUNK = 1 << 20


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, inflated a chunk at a time.

    ``zf.read`` inflates a whole deflate stream before cutting it to the
    declared size, so a member that lies about its size could fill memory;
    chunked reads stop at the declared size (and the CRC check then fails).
    """
    chunks = []
    with zf.open(info) as member:
        while chunk := member.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _check_not_a_bomb(info: zipfile.ZipInfo) -> None:
    """Refuse a member that would inflate to far more than its compressed size.

    zipfile never inflates past a member's declared size (a member that lies
    fails its CRC), so checking the declared sizes bounds the memory used.
    """
    if info.file_size > _BOMB_FLOOR and info.file_size > _MAX_RATIO * max(
        info.compress_size, 1
    ):
        raise FileFormatError(
            f"'{info.filename}' declares {info.file_size} bytes from "
            f"{info.compress_size} compressed bytes (more than {_MAX_RATIO}-fold): "
            "refusing to inflate a likely zip bomb. Keras and lamina write .keras "
            "files uncompressed; if you compressed this file yourself, store it "
            "uncompressed (zip -0) and load it again."
        )


def read_archive(filepath) -> tuple[dict, dict | None, bytes]:
    """(config, metadata, weights bytes) of a ``.keras`` file, validated."""
    try:
        with zipfile.ZipFile(filepath) as zf:
            check_members(zf)
            config = read_json_member(zf, CONFIG_FILE)
            metadata = read_json_member(zf, METADATA_FILE, required=False)
            if WEIGHTS_FILE not in zf.namelist():
                raise FileFormatError(f"The archive has no '{WEIGHTS_FILE}'.")
            _check_not_a_bomb(zf.getinfo(WEIGHTS_FILE))
            weights = read_member(zf, zf.getinfo(WEIGHTS_FILE))
    except (zipfile.BadZipFile, EOFError, zlib.error) as err:
        # EOFError, zlib.error: a member's compressed data is cut short or corrupt.
        raise FileFormatError(f"Not a valid .keras (zip) file: {err}") from err
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("class_name"), str)
        or not isinstance(config.get("config"), (dict, list))
    ):
        raise FileFormatError(
            "config.json must be a dict with 'class_name' (a string) and 'config'; "
            f"received {type(config).__name__}."
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise FileFormatError("metadata.json must be a JSON object.")
    return config, metadata, weights


def written_by_keras2(config: dict, metadata: dict | None) -> bool:
    """Whether a ``.keras`` archive comes from tf-keras 2 (its version, or, without
    metadata, graph nodes in Keras 2's ``[[layer, node, tensor, kwargs]]`` form)."""
    if metadata is not None and "keras_version" in metadata:
        return str(metadata["keras_version"]).startswith("2.")
    layers = config.get("config", {}).get("layers") if isinstance(config, dict) else ()
    return any(
        isinstance(entry, dict)
        and any(isinstance(node, list) for node in entry.get("inbound_nodes") or [])
        for entry in (layers if isinstance(layers, list) else ())
    )


def load_model(
    filepath,
    custom_objects=None,
    compile=True,  # noqa: A002
    safe_mode=True,
):
    """Rebuild a model from a ``.keras`` file (written by Keras 3, tf-keras 2 or
    lamina)."""
    from lamina.models.model import model_from_config

    config, metadata, weights = read_archive(filepath)
    if written_by_keras2(config, metadata):
        from lamina.saving.keras2_config import from_keras2_config

        # tf-keras's .keras holds the same model config as its .h5 files.
        config = from_keras2_config(config)
    with safe_mode_scope(safe_mode), custom_object_scope(custom_objects):
        model = model_from_config(config, custom_objects=custom_objects)
        build_config = config.get("build_config")
        if not model.built and isinstance(build_config, dict):
            model.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile and isinstance(compile_config, dict):
            compile_from_config(model, compile_config)
    try:
        with h5py.File(io.BytesIO(weights), "r") as f:
            keras_state.load_state(model, f, include_optimizer=bool(compile))
    except OSError as err:
        raise FileFormatError(
            f"'{WEIGHTS_FILE}' is not a valid HDF5 file: {err}"
        ) from err
    with tempfile.TemporaryDirectory() as folder:
        extract_assets(filepath, folder)
        keras_state.load_assets(model, os.path.join(folder, ASSETS_DIR))
    return model


def compile_from_config(model, config: dict) -> None:
    """Compile ``model`` from a saved compile config; warn and skip on failure."""
    from lamina import losses, metrics, optimizers

    def each(value, getter):
        # Names stay names (so logs keep Keras's keys, "mae"); configs become objects.
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list):
            return [each(v, getter) for v in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: each(v, getter) for k, v in value.items()}
        return getter(value)

    def per_output(value):
        # Keras 2 writes one metric list per output: [[...]] for a single output.
        outputs = getattr(model, "outputs", None) or []
        if (
            isinstance(value, list)
            and len(value) == 1
            and isinstance(value[0], list)
            and len(outputs) <= 1
        ):
            return value[0]
        return value

    try:
        optimizer = config.get("optimizer", "rmsprop")
        optimizer = (
            optimizers.deserialize(optimizer)
            if isinstance(optimizer, dict)
            else optimizers.get(optimizer)
        )
        model.compile(
            optimizer=optimizer,
            loss=each(config.get("loss"), losses.get),
            loss_weights=config.get("loss_weights"),
            metrics=each(per_output(config.get("metrics")), metrics.get),
            weighted_metrics=each(
                per_output(config.get("weighted_metrics")), metrics.get
            ),
        )
    except (ValueError, TypeError, KeyError) as err:
        warnings.warn(
            f"Could not compile the loaded model from its saved compile config "
            f"({type(err).__name__}: {err}); it is returned uncompiled. Call "
            "`model.compile()` yourself.",
            stacklevel=3,
        )
