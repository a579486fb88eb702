"""`KerasFileEditor`: inspect, edit and resave the weights of a Keras file.

It reads a ``.keras`` archive or a ``.weights.h5`` file (Keras's or lamina's, the
same layout) into ``weights_dict``, a nested dict of numpy arrays keyed as the
file's groups are (``{"layers": {"dense": {"0": kernel, "1": bias}}}``, the
``vars`` level left out), edits that dict by name or path, and writes it back as
a ``.weights.h5`` that `Model.load_weights` takes: the way to adapt an old
weights file to a model whose architecture changed.
"""

from __future__ import annotations

import io
import math
import os

import h5py
import numpy as np

from lamina.errors import ArgumentError, FileFormatError
from lamina.io_utils import atomic_path, print_msg
from lamina.saving import keras_state, keras_zip
from lamina.saving.model_files import _as_file_format_error

# A dataset larger than this is refused rather than read into memory.
_MAX_ARRAY_BYTES = 1 << 32
_WEIGHTS_DICT_HELP = (
    "Argument `weights` should be a dict where keys are weight names (usually "
    "'0', '1', etc.) and values are NumPy arrays. Received: type(weights)={}"
)


class KerasFileEditor:
    """Inspect, edit and resave the weights of a ``.keras`` or ``.weights.h5`` file.

    Objects are named as in the file: ``"layers/dense"`` (Keras names a model's
    layers after their class, numbered: ``dense``, ``dense_1``, ...), or by their
    last part alone (``"dense_1"``) when it is unique.

    Example:
        >>> editor = lamina.saving.KerasFileEditor("my_model.weights.h5")
        >>> editor.summary()
        >>> editor.delete_object("layers/dense_2")
        >>> editor.add_object("layers/einsum_dense", weights={"0": w, "1": b})
        >>> editor.resave_weights("edited_model.weights.h5")

    Args:
        filepath: a local ``.keras`` or ``.weights.h5`` file.

    Attributes:
        weights_dict: the file's arrays, a nested dict (the edits change it).
        object_metadata: ``{"/layers/dense": {"name": "dense"}}``, the groups'
            attributes.
        config, metadata: a ``.keras`` file's ``config.json`` and
            ``metadata.json`` (None for a weights file).
    """

    def __init__(self, filepath):
        self.filepath = os.fspath(filepath)
        self.metadata = None
        self.config = None
        self.model = None
        path = self.filepath
        if path.endswith(".keras"):
            with _as_file_format_error(path):
                self.config, self.metadata, weights = keras_zip.read_archive(path)
            source = io.BytesIO(weights)
        elif path.endswith(".weights.h5"):
            source = path
        else:
            raise ArgumentError(
                "Invalid filename: expected a `.keras` `.weights.h5` extension. "
                f"Received: filepath={path}"
            )
        self.object_metadata: dict = {}
        with _as_file_format_error(path), h5py.File(source, "r") as f:
            self.weights_dict = _read_group(f, "", self.object_metadata)
        print_msg(f"Keras model file '{self.filepath}'")
        if self.metadata is not None:
            print_msg(
                f"Saved with Keras {self.metadata.get('keras_version')} - date: "
                f"{self.metadata.get('date_saved')}"
            )

    # ------------------------------------------------------------ reading
    def summary(self) -> None:
        """Print the tree of objects and weights (shapes and dtypes) in the file."""
        print_msg("Weights structure")
        lines = _tree_lines(self.weights_dict, self.object_metadata, "  ", True, "")
        for line in lines:
            print_msg(line)

    def compare(self, reference_model) -> dict:
        """List every difference between the file's weights and a model's.

        Args:
            reference_model: the model the file should fit.

        Returns:
            ``{"status": "success" | "error", "error_count": n, "match_count":
            m}``: the mismatches (objects or weights missing on either side,
            shapes that differ) and the weights that match.
        """
        print_msg("Running comparison")
        reference = _weight_spec(reference_model)
        checked: set = set()
        errors, matches = _compare(
            self.weights_dict, reference, "", "saved file", "reference model", checked
        )
        errors += _compare(
            reference, self.weights_dict, "", "reference model", "saved file", checked
        )[0]
        print_msg("─────────────────────")
        if errors == 0:
            print_msg(
                "Comparison successful: saved file is compatible with the reference "
                "model"
            )
            print_msg(f"    Found {matches} matching weight{_plural(matches)}")
        else:
            print_msg(
                f"Found {errors} error{_plural(errors)}: saved file is not "
                "compatible with the reference model"
            )
        return {
            "status": "success" if errors == 0 else "error",
            "error_count": errors,
            "match_count": matches,
        }

    # ------------------------------------------------------------ editing
    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object (a layer, the optimizer, ...).

        Args:
            object_name: its name or path (``"dense_2"``, ``"layers/dense_2"``).
            new_name: the new last part of its path (not a path).
        """
        if "/" in new_name:
            raise ArgumentError(
                "Argument `target_name` should be a leaf name, not a full path name. "
                f"Received: target_name='{new_name}'"
            )
        parent, key = self._find(object_name)
        parent[new_name] = parent.pop(key)

    def delete_object(self, object_name: str) -> None:
        """Remove an object and its weights.

        Args:
            object_name: its name or path (``"dense_2"``, ``"layers/dense_2"``).
        """
        parent, key = self._find(object_name)
        del parent[key]

    def add_object(self, object_path: str, weights: dict) -> None:
        """Add an object (a layer) with its weights.

        Args:
            object_path: its full path (``"layers/dense_2"``); the objects above
                it must exist.
            weights: ``{"0": kernel, "1": bias}``, weight names to arrays.
        """
        if not isinstance(weights, dict):
            raise ArgumentError(_WEIGHTS_DICT_HELP.format(type(weights)))
        *parents, leaf = object_path.split("/")
        node = self.weights_dict
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise ArgumentError(f"Path '{'/'.join(parents)}' not found in model.")
            node = node[part]
        node[leaf] = weights

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove one weight of an object.

        Args:
            object_name: the object's name or path.
            weight_name: the weight's name (``"0"``).
        """
        parent, key = self._find(object_name)
        weights = parent[key]
        if weight_name not in weights:
            raise ArgumentError(
                f"Weight {weight_name} not found in object {object_name}. Weights "
                f"found: {list(weights.keys())}"
            )
        del weights[weight_name]

    def add_weights(self, object_name: str, weights: dict) -> None:
        """Add weights to an existing object.

        Args:
            object_name: the object's name or path.
            weights: ``{"2": array}``, weight names to arrays.
        """
        if not isinstance(weights, dict):
            raise ArgumentError(_WEIGHTS_DICT_HELP.format(type(weights)))
        parent, key = self._find(object_name)
        parent[key].update(weights)

    def _find(self, object_name: str) -> tuple[dict, str]:
        """(the dict holding the object, its key), from a path or a unique name."""
        if "/" in object_name:
            *parents, leaf = object_name.split("/")
            node = self.weights_dict
            for part in parents:
                if not isinstance(node.get(part), dict):
                    raise ArgumentError(f"Path '{object_name}' not found in model.")
                node = node[part]
            if leaf not in node:
                raise ArgumentError(f"Path '{object_name}' not found in model.")
            return node, leaf
        found = list(_holders(self.weights_dict, object_name))
        if len(found) > 1:
            raise ArgumentError(
                f"Name '{object_name}' occurs more than once in the model; try "
                "passing a complete path"
            )
        if not found:
            raise ArgumentError(
                f"Source name '{object_name}' does not appear in the model. Use "
                "`editor.summary()` to list all objects."
            )
        return found[0], object_name

    # ------------------------------------------------------------ writing
    def save(self, filepath) -> None:
        """Write the (edited) weights to a ``.weights.h5`` file, atomically.

        Args:
            filepath: the destination, a name ending in ``.weights.h5``.
        """
        filepath = os.fspath(filepath)
        if not str(filepath).endswith(".weights.h5"):
            raise ArgumentError(
                "Invalid `filepath` argument: expected a `.weights.h5` extension. "
                f"Received: filepath={filepath}"
            )
        with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
            _write_group(f, self.weights_dict, "")

    def resave_weights(self, filepath) -> None:
        """The same as `save`."""
        self.save(filepath)


# ---------------------------------------------------------------- reading files
def _read_group(group, path: str, metadata: dict) -> dict:
    """A group's arrays and sub-objects as a dict; a ``vars`` group's arrays are
    the object's own weights (Keras's editor keeps only them when an object has
    both; here its sub-objects are kept too, so nested layers survive a resave)."""
    if group.attrs:
        metadata[path] = dict(group.attrs)
    result: dict = {}
    for key in group.keys():
        link = group.get(key, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise FileFormatError(f"Not allowed: H5 file with {link.__name__}")
        value = group[key]
        child_path = f"{path}/{key}"
        if isinstance(value, h5py.Group):
            if key == "vars":
                if value.attrs:
                    metadata[path] = dict(value.attrs)
                result.update(_read_group(value, path, {}))
            elif len(value):
                child = _read_group(value, child_path, metadata)
                if child:
                    result[key] = child
        elif isinstance(value, h5py.Dataset):
            result[key] = _read_dataset(value, child_path)
    return result


def _read_dataset(dataset, path: str) -> np.ndarray:
    """The array of a dataset, after refusing external, virtual or huge ones."""
    if dataset.external:
        raise FileFormatError(
            f"Not allowed: H5 file Dataset with external links: {dataset.external}"
        )
    if dataset.is_virtual:
        raise FileFormatError(f"Not allowed: H5 file with virtual Dataset at {path}")
    shape = dataset.shape or ()
    if len(shape) > 64:
        raise FileFormatError(
            "Malformed HDF5 dataset shape encountered in .keras file; tensor rank "
            "exceeds safety limit."
        )
    size = math.prod(shape) * dataset.dtype.itemsize
    if size > _MAX_ARRAY_BYTES:
        raise FileFormatError(
            f"HDF5 dataset too large to load safely ({size} bytes; limit is "
            f"{_MAX_ARRAY_BYTES})."
        )
    return dataset[()]


def _weight_spec(model) -> dict:
    """The weights a file saved from ``model`` holds, as `_read_group` reads them."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        keras_state.save_state(model, f, include_optimizer=True)
    with h5py.File(buffer, "r") as f:
        return _read_group(f, "", {})


# ---------------------------------------------------------------- writing files
def _write_group(group, weights: dict, path: str) -> None:
    """Write arrays under ``path/vars`` and sub-objects below ``path``."""
    arrays = {k: v for k, v in weights.items() if not isinstance(v, dict)}
    if arrays:
        target = group.require_group(f"{path}/vars" if path else "vars")
        for name, value in arrays.items():
            target.create_dataset(name, data=np.asarray(value))
    for name, value in weights.items():
        if isinstance(value, dict) and value:
            _write_group(group, value, f"{path}/{name}" if path else name)


# ---------------------------------------------------------------- helpers
def _holders(weights: dict, name: str):
    """Every dict in the tree (``weights`` included) that has the key ``name``."""
    if name in weights:
        yield weights
    for value in weights.values():
        if isinstance(value, dict):
            yield from _holders(value, name)


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _compare(
    target: dict, reference: dict, path: str, target_name: str, ref_name: str, checked
) -> tuple[int, int]:
    """(errors, matches) of ``target`` against ``reference``, printing each error."""
    errors = matches = 0
    for key, ref_value in reference.items():
        inner = f"{path}/{key}"
        if inner in checked:
            continue
        if key not in target:
            errors += 1
            checked.add(inner)
            kind = "Object" if isinstance(ref_value, dict) else "Weight"
            print_msg(
                f"...{kind} {inner} present in {ref_name}, missing from {target_name}"
            )
            if isinstance(ref_value, dict):
                print_msg(
                    f"    In {ref_name}, {inner} contains the following keys: "
                    f"{list(ref_value.keys())}"
                )
        elif isinstance(ref_value, dict):
            more_errors, more_matches = _compare(
                target[key], ref_value, inner, target_name, ref_name, checked
            )
            errors, matches = errors + more_errors, matches + more_matches
        elif target[key].shape != ref_value.shape:
            errors += 1
            checked.add(inner)
            print_msg(
                f"...Weight shape mismatch for {inner}\n"
                f"    In {ref_name}: shape={ref_value.shape}\n"
                f"    In {target_name}: shape={target[key].shape}"
            )
        else:
            matches += 1
    return errors, matches


def _tree_lines(weights: dict, metadata: dict, prefix: str, first: bool, path: str):
    """The lines of `summary`: ``> `` for the very first entry, then ``├─ ``/``└─ ``;
    an object's name follows its key when the file records one (lamina's files)."""
    items = list(weights.items())
    for i, (key, value) in enumerate(items):
        last = i == len(items) - 1
        connector = "> " if first else "└─ " if last else "├─ "
        first = False
        if isinstance(value, dict):
            inner = f"{path}/{key}"
            name = metadata.get(inner, {}).get("name")
            yield f"{prefix}{connector}{key}" + (f" ('{name}')" if name else "")
            yield from _tree_lines(
                value, metadata, prefix + ("    " if last else "│   "), False, inner
            )
        else:
            yield f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}"
