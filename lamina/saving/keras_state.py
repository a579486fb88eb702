"""Model state in Keras 3's weights layout (``model.weights.h5``, ``.weights.h5``).

Keras 3 stores each object's own variables as datasets ``"0"``, ``"1"``, ...
in a ``vars`` group, at a path made of the attribute names that lead to the
object from the model: ``layers/dense_1/vars/0`` (layers of a Sequential or
functional model, named after their class, numbered per container),
``blocks/dense/vars/0`` (a list attribute of a subclassed model),
``alpha/vars/0`` (a layer attribute), ``optimizer/vars/3``. Attributes are
visited in sorted order, private ones last, and an object reached twice is
written once, at the first path. This module walks a lamina model in the same
order so that files move between lamina and Keras unchanged.

tf-keras 2 (``save_weights("x.weights.h5")``, and the weights inside its ``.keras``)
writes the same groups but visits attributes in *reverse* sorted order, so a model's
``layers`` list comes before most of its attributes: a subclassed model's layers sit
under ``layers/batch_normalization``, ``layers/dense``, except those held by an
attribute that sorts after "layers" (``proj/vars``); and an item already visited
takes no number in a container. Its optimizers store no learning-rate variable.
`walk(..., keras2=True)` follows tf-keras; loading picks the layout the file holds.

A layer whose stored layout differs from its in-memory one can define
``save_own_variables(store)`` and ``load_own_variables(store)`` (Keras's
hooks); ``store`` maps ``"0"``, ``"1"``, ... to numpy arrays.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator

import h5py
import numpy as np
import torch

from lamina.backend.naming import to_snake_case
from lamina.errors import ArgumentError, FileFormatError

# Refuse datasets declaring more elements than this before reading them: a
# hostile file can declare a huge shape that costs nothing on disk.
MAX_ELEMENTS = 1 << 32
# An array that expands more than MAX_RATIO-fold from its stored (compressed)
# bytes to over BOMB_FLOOR bytes is a decompression bomb, not weights.
BOMB_FLOOR = 16 << 20
MAX_RATIO = 100
# Internal containers of lamina's models (the layer graph and the stack), which
# Keras reaches through the `layers` attribute instead.
_INTERNAL_CONTAINERS = {"_graph_layers", "_stack", "_layers"}
_SLOT_KEY = re.compile(r"layer_\d+")
# Sublayers that tf-keras 2 holds under another attribute than Keras 3 (whose
# public names lamina registers them under), by the class that holds them.
_KERAS2_ATTRIBUTES = {
    "MultiHeadAttention": {
        name: f"_{name}"
        for name in ("query_dense", "key_dense", "value_dense", "output_dense")
    },
}


def read_array(node, where: str, expected_shape: tuple | None = None) -> np.ndarray:
    """Read one numeric dataset after checking its kind, dtype and declared size.

    Args:
        node: the h5py object found at ``where``.
        where: its path, for error messages.
        expected_shape: the shape it must have, when known.

    Returns:
        the dataset's values as a numpy array.
    """
    if not isinstance(node, h5py.Dataset):
        raise FileFormatError(
            f"Expected an array at '{where}', found {type(node).__name__}."
        )
    dtype = node.dtype
    if dtype.kind not in "biuf":
        raise FileFormatError(
            f"Array '{where}' has dtype {dtype}, expected a numeric dtype."
        )
    shape = node.shape
    if shape is None:
        raise FileFormatError(f"Array '{where}' has no data (null dataspace).")
    if expected_shape is not None and tuple(shape) != tuple(expected_shape):
        raise FileFormatError(
            f"Array '{where}' has shape {tuple(shape)}, expected "
            f"{tuple(expected_shape)}."
        )
    if int(np.prod(shape, dtype=np.float64)) > MAX_ELEMENTS:
        raise FileFormatError(
            f"Array '{where}' declares shape {tuple(shape)}, too large to load."
        )
    nbytes = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    stored = node.id.get_storage_size()
    if nbytes > BOMB_FLOOR and nbytes > MAX_RATIO * max(stored, 1):
        raise FileFormatError(
            f"Array '{where}' expands to {nbytes} bytes from {stored} stored bytes "
            f"(more than {MAX_RATIO}-fold): refusing a likely decompression bomb."
        )
    try:
        return np.asarray(node[()])
    except (OSError, ValueError, TypeError, RuntimeError) as err:
        raise FileFormatError(f"Array '{where}' could not be read: {err}") from err


class ReadStore:
    """A ``vars`` group seen as Keras's store: ``keys()`` and ``store["0"]``."""

    def __init__(self, group, where: str, expected_shapes: list | None = None):
        self.group = group
        self.where = where
        self.expected_shapes = expected_shapes

    def keys(self) -> list[str]:
        if self.group is None:
            return []
        return [
            k for k in self.group.keys() if isinstance(self.group.get(k), h5py.Dataset)
        ]

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, key) -> bool:
        return str(key) in self.keys()

    def __iter__(self):
        return iter(self.keys())

    def __getitem__(self, key: str) -> np.ndarray:
        if self.group is None or key not in self.group:
            raise FileFormatError(f"Missing array '{self.where}/{key}'.")
        expected = None
        if (
            self.expected_shapes is not None
            and str(key).isdigit()
            and int(key) < len(self.expected_shapes)
        ):
            expected = self.expected_shapes[int(key)]
        return read_array(self.group[key], f"{self.where}/{key}", expected)


class WriteStore:
    """A ``vars`` group being written: ``store["0"] = array``."""

    def __init__(self, group):
        self.group = group

    def __setitem__(self, key: str, value) -> None:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        self.group.create_dataset(str(key), data=np.asarray(value))


# ---------------------------------------------------------------------- walking
def _is_saveable(obj) -> bool:
    from lamina.layers.layer import Layer
    from lamina.optimizers.optimizer import Optimizer

    return isinstance(obj, (Layer, Optimizer))


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _children(
    obj, include_optimizer: bool, keras2: bool = False
) -> Iterator[tuple[str, object]]:
    """(attribute, child) pairs in the order Keras (or tf-keras 2) visits them."""
    from lamina.layers.layer import Layer
    from lamina.models.functional import Functional
    from lamina.models.model import Model
    from lamina.models.sequential import Sequential

    if not isinstance(obj, Layer):
        return
    graph_model = isinstance(obj, (Functional, Sequential))
    if graph_model and not keras2:
        yield "layers", list(obj.layers)
    attrs: dict[str, object] = {}
    for key, module in obj._modules.items():
        if key.startswith("_tracked_"):
            name = key[len("_tracked_") :]
            if name not in _INTERNAL_CONTAINERS and name in obj.__dict__:
                attrs[name] = obj.__dict__[name]
        elif graph_model and _SLOT_KEY.fullmatch(key):
            continue
        elif isinstance(module, Layer):
            attrs[key] = module
        elif isinstance(module, (torch.nn.ModuleList, torch.nn.ModuleDict)):
            attrs[key] = (
                list(module.values())
                if isinstance(module, torch.nn.ModuleDict)
                else list(module)
            )
    if isinstance(obj, Model):
        if keras2 or not graph_model:
            attrs["layers"] = list(obj.layers)
        if include_optimizer and getattr(obj, "optimizer", None) is not None:
            attrs["optimizer"] = obj.optimizer
    if keras2:
        renamed = _KERAS2_ATTRIBUTES.get(type(obj).__name__, {})
        attrs = {renamed.get(name, name): child for name, child in attrs.items()}
    # tf-keras walks `sorted(dir(obj), reverse=True)`; Keras 3 sorts forward, with
    # private attributes last.
    order = sorted(attrs, reverse=True) if keras2 else sorted(attrs, key=_name_key)
    for name in order:
        yield name, attrs[name]


def _container_items(
    container, skip: set | None = None
) -> Iterator[tuple[str, object]]:
    """(name, item) pairs: items named after their class, numbered per class.

    tf-keras leaves out of the numbering the items already visited (``skip``, read
    as the walk goes); Keras 3 numbers them too.
    """
    values = (
        list(container.values()) if isinstance(container, dict) else list(container)
    )
    used: dict[str, int] = {}
    for item in values:
        if not _is_saveable(item) or (skip is not None and id(item) in skip):
            continue
        name = to_snake_case(type(item).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        yield name, item


def walk(
    model, include_optimizer: bool = True, keras2: bool = False
) -> Iterator[tuple[str, object]]:
    """Every saveable object of ``model`` with its Keras path (``""`` for the model).

    With ``keras2=True``, the paths tf-keras 2 gives the same objects.
    """
    visited: set[int] = set()

    def visit(obj, path: str):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        yield path, obj
        for attr, child in _children(obj, include_optimizer, keras2):
            child_path = f"{path}/{attr}" if path else attr
            if _is_saveable(child):
                yield from visit(child, child_path)
            elif isinstance(child, (list, tuple, dict)):
                for name, item in _container_items(child, visited if keras2 else None):
                    yield from visit(item, f"{child_path}/{name}")

    yield from visit(model, "")


def own_variables(obj) -> list:
    """The variables Keras stores in ``obj``'s ``vars`` group, in Keras's order."""
    from lamina.layers.layer import Layer

    if isinstance(obj, Layer):
        if getattr(obj, "quantization_mode", None) is not None:
            # Keras's own order for a quantized layer: kernel, bias, kernel_scale...
            return obj._quantized_variables()
        return (
            obj._own_trainable()
            + obj._own_non_trainable()
            + list(obj._torch_parameters())
        )
    return list(obj.variables)


# ---------------------------------------------------------------------- save / load
def save_state(
    model, root: h5py.Group, include_optimizer: bool = True, keras2: bool = False
) -> None:
    """Write ``model``'s variables (and optimizer state) into ``root``, Keras's way.

    With ``keras2=True``, at tf-keras 2's paths and with its optimizer state.
    """
    from lamina.optimizers.optimizer import Optimizer

    for path, obj in walk(model, include_optimizer, keras2):
        group = root.require_group(f"{path}/vars" if path else "vars")
        name = getattr(obj, "name", None)
        if isinstance(name, str):
            group.attrs["name"] = name
        store = WriteStore(group)
        if keras2 and isinstance(obj, Optimizer):
            state = [
                v.detach().cpu().numpy() for v in optimizer_state(obj, keras2=True)
            ]
            state[0] = state[0].astype(np.int64)  # tf-keras's `iterations` is int64
            for i, value in enumerate(state):
                store[str(i)] = value
        elif hasattr(obj, "save_own_variables"):
            obj.save_own_variables(store)
        else:
            for i, var in enumerate(own_variables(obj)):
                store[str(i)] = var.detach().cpu().numpy()


def load_state(
    model, root, include_optimizer: bool = True, skip_mismatch: bool = False
) -> None:
    """Set ``model``'s variables from a group written by `save_state` or Keras.

    Args:
        model: a built lamina model (or layer).
        root: the h5py group holding ``layers/...``, ``vars``, ``optimizer/...``.
        include_optimizer: also restore the optimizer's state when present.
        skip_mismatch: warn and skip a layer whose stored variables do not match
            in number or shape, instead of raising.
    """
    from lamina.optimizers.optimizer import Optimizer

    if not isinstance(root, h5py.Group):
        raise FileFormatError("The weights file has no root group.")
    if not getattr(model, "built", True):
        raise ArgumentError(
            f"Model '{model.name}' is not built, so it has no weights to load into. "
            "Call it on data or call `build(input_shape)` first."
        )
    for path, obj in _walk_as_stored(model, root, include_optimizer):
        where = f"{path}/vars" if path else "vars"
        group = root.get(where)
        if group is not None and not isinstance(group, h5py.Group):
            raise FileFormatError(
                f"'{where}' should be a group of arrays, found a dataset."
            )
        if isinstance(obj, Optimizer):
            _load_optimizer(model, obj, group, where)
            continue
        if hasattr(obj, "load_own_variables"):
            if group is not None:
                obj.load_own_variables(ReadStore(group, where))
            continue
        _load_layer(obj, group, where, skip_mismatch)


def _load_layer(layer, group, where: str, skip_mismatch: bool) -> None:
    variables = own_variables(layer)
    store = ReadStore(group, where, [tuple(v.shape) for v in variables])
    keys = store.keys()
    if not variables and not keys:
        return
    expected_keys = [str(i) for i in range(len(variables))]
    if sorted(keys, key=lambda k: (len(k), k)) != expected_keys:
        message = (
            f"Layer '{layer.name}' expected {len(variables)} variables "
            f"({[v.name for v in variables]}), but the file has {len(keys)} at "
            f"'{where}'."
        )
        if skip_mismatch:
            warnings.warn(f"Skipping layer '{layer.name}': {message}", stacklevel=4)
            return
        raise FileFormatError(message)
    try:
        values = [store[k] for k in expected_keys]
    except FileFormatError as err:
        if skip_mismatch:
            warnings.warn(f"Skipping layer '{layer.name}': {err}", stacklevel=4)
            return
        raise FileFormatError(f"Layer '{layer.name}': {err}") from err
    assign(variables, values)


def assign(variables: list, values: list) -> None:
    """Copy numpy arrays into variables (shapes already checked)."""
    with torch.no_grad():
        for var, value in zip(variables, values):
            var.copy_(torch.as_tensor(value).to(dtype=var.dtype))


def _walk_as_stored(model, root, include_optimizer: bool) -> list:
    """`walk` in the layout ``root`` was written in: Keras 3's, or tf-keras 2's."""
    keras3 = list(walk(model, include_optimizer))
    keras2 = list(walk(model, include_optimizer, keras2=True))
    if {id(o): p for p, o in keras3} == {id(o): p for p, o in keras2}:
        return keras3

    def found(walked) -> int:
        groups = (root.get(f"{p}/vars" if p else "vars") for p, _ in walked)
        return sum(isinstance(g, h5py.Group) and len(g) > 0 for g in groups)

    return keras2 if found(keras2) > found(keras3) else keras3


def optimizer_state(optimizer, count: int | None = None, keras2: bool = False):
    """The optimizer variables a stored state holds, in the stored order.

    tf-keras 2's optimizers keep no learning-rate variable: its state is
    ``iterations`` and the slots. A state of ``count`` arrays, one fewer than
    ``optimizer.variables``, is read as that (the configured learning rate stays).
    """
    variables = list(optimizer.variables)
    lr = getattr(optimizer, "_lr_tensor", None)
    has_lr = len(variables) > 1 and variables[1] is lr
    if has_lr and (keras2 or count == len(variables) - 1):
        return [variables[0], *variables[2:]]
    return variables


def _load_optimizer(model, optimizer, group, where: str) -> None:
    if group is None or not len(group):
        return
    if len(group) <= 2 and not optimizer.built:
        # The file's optimizer was never built (only `iterations` and the learning
        # rate are stored): there is no training state to restore, as in Keras.
        return
    if not optimizer.built:
        optimizer.build(model._trainable_params())
    count = len(ReadStore(group, where).keys())
    targets = optimizer_state(optimizer, count)
    if count != len(targets):
        warnings.warn(
            f"Skipping the optimizer state: optimizer '{optimizer.name}' has "
            f"{len(targets)} variables but the file has {count}.",
            stacklevel=4,
        )
        return
    store = ReadStore(group, where, [tuple(v.shape) for v in targets])
    if len(targets) == len(optimizer.variables):
        optimizer.load_own_variables(store)
        return
    assign(targets, [store[str(i)] for i in range(count)])
    optimizer._sync_mirrors()
    optimizer._state_loaded()


# ---------------------------------------------------------------------- assets
def save_assets(model, root: str) -> None:
    """Let each object write its asset files under ``root/<its Keras path>``."""
    for path, obj in walk(model):
        if hasattr(obj, "save_assets"):
            folder = os.path.join(root, *path.split("/")) if path else root
            os.makedirs(folder, exist_ok=True)
            obj.save_assets(folder)


def load_assets(model, root: str) -> None:
    """Let each object read its asset files from ``root/<its Keras path>``."""
    for path, obj in walk(model):
        folder = os.path.join(root, *path.split("/")) if path else root
        if hasattr(obj, "load_assets") and os.path.isdir(folder):
            obj.load_assets(folder)
