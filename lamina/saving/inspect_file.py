"""Describe a model or weights file without building the model or running its code.

Used by ``python -m lamina inspect FILE``: the format, the Keras version that
wrote it, the layers listed in its config and every stored array's shape.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import h5py

from lamina.errors import FileFormatError
from lamina.saving import keras_zip, legacy_h5
from lamina.saving.model_files import _as_file_format_error, sniff_format


def _layer_rows(config) -> list[tuple[str, str, str]]:
    """(indent + name, class, inbound layers) for each layer in a model config."""
    rows = []

    def visit(entry, depth: int):
        if not isinstance(entry, dict):
            return
        inner = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        name = entry.get("name") or inner.get("name") or "?"
        inbound = []
        for node in entry.get("inbound_nodes") or []:
            text = json.dumps(node)
            for part in text.split('"keras_history": [')[1:]:
                inbound.append(part.split('"')[1])
            if isinstance(node, list):
                inbound.extend(str(r[0]) for r in node if isinstance(r, list) and r)
        rows.append(
            (
                "  " * depth + str(name),
                str(entry.get("class_name", "?")),
                ", ".join(dict.fromkeys(inbound)),
            )
        )
        for sub in inner.get("layers") or []:
            visit(sub, depth + 1)

    inner = config.get("config") if isinstance(config, dict) else None
    if isinstance(inner, list):  # Keras 2.0 Sequential: the list of layers
        inner = {"layers": inner}
    for entry in (inner or {}).get("layers") or []:
        visit(entry, 0)
    return rows


def _arrays(group) -> list[tuple[str, tuple, str]]:
    found = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found.append((name, tuple(obj.shape or ()), str(obj.dtype)))

    group.visititems(visit)
    return found


def _written_by(lamina_version) -> str:
    return f" (written by lamina {lamina_version})" if lamina_version else ""


def describe(filepath) -> str:
    """A readable description of a ``.keras``, ``.h5`` or ``.weights.h5`` file.

    Example:
        >>> print(describe("model.keras"))

    Args:
        filepath: the file.

    Returns:
        the text, several lines.
    """
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such file: {path!r}.")
    with _as_file_format_error(path):
        kind = sniff_format(path)
        if kind == "keras":
            config, metadata, weights = keras_zip.read_archive(path)
            with zipfile.ZipFile(path) as zf:
                members = zf.namelist()
            with h5py.File(io.BytesIO(weights), "r") as f:
                arrays = _arrays(f)
            header = [
                f"format: Keras 3 .keras archive ({', '.join(members)})",
                f"keras_version: {(metadata or {}).get('keras_version', '?')}"
                + _written_by((metadata or {}).get("lamina_version")),
                f"model: {config.get('class_name')} "
                f"'{(config.get('config') or {}).get('name', '?')}'",
                f"compiled: {'yes' if config.get('compile_config') else 'no'}",
            ]
        elif kind == "h5":
            with h5py.File(path, "r") as f:
                version = legacy_h5._text_attr(f, "keras_version") or (
                    legacy_h5._text_attr(f["model_weights"], "keras_version")
                    if isinstance(f.get("model_weights"), h5py.Group)
                    else None
                )
                text = legacy_h5._text_attr(f, "model_config")
                training = legacy_h5._text_attr(f, "training_config")
                backend = legacy_h5._text_attr(f, "backend")
                writer = legacy_h5._text_attr(f, "lamina_version")
                arrays = _arrays(f)
                layout = (
                    "legacy HDF5 model (Keras 2 layout)"
                    if text
                    else "legacy HDF5 weights (Keras 2 layout)"
                    if "layer_names" in f.attrs
                    else "HDF5 weights (Keras 3 .weights.h5 layout)"
                )
            config = json.loads(text) if text else None
            header = [
                f"format: {layout}",
                f"keras_version: {version or '?'}" + _written_by(writer),
                f"backend: {backend or '?'}",
            ]
            if config is not None:
                header.append(
                    f"model: {config.get('class_name')} "
                    f"'{(config.get('config') or {}).get('name', '?')}'"
                    if isinstance(config.get("config"), dict)
                    else f"model: {config.get('class_name')}"
                )
                header.append(f"compiled: {'yes' if training else 'no'}")
        else:
            raise FileFormatError(f"{path!r} is neither a .keras nor an HDF5 file.")
    lines = header
    rows = _layer_rows(config) if config else []
    if rows:
        lines.append("")
        lines.append(f"{'Layer':<32} {'Class':<24} Inbound")
        lines.extend(f"{n:<32} {c:<24} {i}" for n, c, i in rows)
    lines.append("")
    total = 0
    lines.append(f"{'Array':<64} {'Shape':<18} dtype")
    for name, shape, dtype in arrays:
        size = 1
        for d in shape:
            size *= d
        total += size
        lines.append(f"{name:<64} {str(shape):<18} {dtype}")
    lines.append(f"{len(arrays)} arrays, {total:,} values")
    return "\n".join(lines)
