"""Legacy HDF5 model and weights files (Keras 2 / tf.keras ``.h5``).

A model file has root attributes ``keras_version``, ``backend``,
``model_config`` (JSON) and ``training_config`` (JSON), a ``model_weights``
group and, when compiled, an ``optimizer_weights`` group. Each layer with
weights has a group named after it whose ``weight_names`` attribute lists its
datasets (``dense/kernel:0``) in the order of
``layer.trainable_weights + layer.non_trainable_weights``; the group listing the
layers carries a ``layer_names`` attribute. A weights-only file is that group
at the root.

lamina writes the model config in Keras 2's spelling (``batch_input_shape``,
``inbound_nodes`` as ``[[layer, node, tensor, kwargs]]``, dtypes as strings), so
tf.keras 2 reads the file, and Keras 3 reads it through its own Keras 2
conversion. Reading accepts both spellings and repairs what Keras 3 itself
trips on: node indices of a nested model (Keras 2 counts the nested model's
own first node) and metric/loss names such as ``"mse"``.
"""

from __future__ import annotations

import json
import warnings

import h5py
import numpy as np

from lamina.errors import FileFormatError
from lamina.io_utils import atomic_path
from lamina.saving.keras2_config import from_keras2_config, skips_first_node
from lamina.saving.keras_state import assign, optimizer_state, read_array
from lamina.serialization import (
    custom_object_scope,
    safe_mode_scope,
    serialize_keras_object,
)
from lamina.version import __version__

# Written as the file's `keras_version`: a Keras 2 file, as far as readers go.
LEGACY_KERAS_VERSION = "2.15.0"
# HDF5 object headers hold at most 64 KiB of attributes: long lists are split.
_ATTR_CHUNK_BYTES = 64000
# Keras 3-only config keys that Keras 2 constructors refuse; dropped when unset.
_KERAS3_ONLY_KEYS = {
    "quantization_config",
    "lora_rank",
    "lora_alpha",
    "input_axes",
    "output_axes",
    "optional",
    "use_cudnn",
    "loss_scale_factor",
    "gradient_accumulation_steps",
    "use_gate",
    "sliding_window",
    "seed",
    "rms_scaling",
}


# ---------------------------------------------------------------- attributes
def save_attributes(group, name: str, values: list[str]) -> None:
    """Write a list of strings as attribute ``name`` (chunked past 64 KiB, as Keras)."""
    data = (
        np.array([v.encode("utf8") for v in values], dtype="S")
        if values
        else np.array([], dtype="S1")
    )
    chunks = max(1, -(-data.nbytes // _ATTR_CHUNK_BYTES))
    if chunks == 1:
        group.attrs[name] = data
        return
    for i, chunk in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = chunk


def load_attributes(group, name: str) -> list[str]:
    """Read a string-list attribute written by `save_attributes` or Keras."""
    if name in group.attrs:
        raw = [group.attrs[name]]
    else:
        raw = []
        while f"{name}{len(raw)}" in group.attrs:
            raw.append(group.attrs[f"{name}{len(raw)}"])
        if not raw:
            raise FileFormatError(f"Group '{group.name}' has no '{name}' attribute.")
    values = []
    for chunk in raw:
        for item in np.atleast_1d(np.asarray(chunk)).tolist():
            if isinstance(item, bytes):
                item = item.decode("utf8")
            if not isinstance(item, str):
                raise FileFormatError(
                    f"Attribute '{name}' of '{group.name}' holds a "
                    f"{type(item).__name__}, expected strings."
                )
            values.append(item)
    return values


def _text_attr(f, name: str) -> str | None:
    if name not in f.attrs:
        return None
    value = f.attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf8")
    if not isinstance(value, str):
        raise FileFormatError(
            f"Root attribute '{name}' should be text, found {type(value).__name__}."
        )
    return value


# ---------------------------------------------------------------- weights
def _legacy_weights(layer) -> list:
    return list(layer.trainable_weights) + [
        w
        for w in layer.non_trainable_weights
        if not any(w is t for t in layer.trainable_weights)
    ]


def _weight_names(layer, weights) -> list[str]:
    names, seen = [], set()
    for w in weights:
        base = getattr(w, "path", None) or f"{layer.name}/{getattr(w, 'name', 'w')}"
        name, i = f"{base}:0", 1
        while name in seen:
            name, i = f"{base}_{i}:0", i + 1
        seen.add(name)
        names.append(name)
    return names


def save_weights_to_group(group, model) -> None:
    """Write the layers' weights into ``group`` (Keras 2's layout)."""
    layers = list(model.layers)
    save_attributes(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = "tensorflow"
    group.attrs["keras_version"] = LEGACY_KERAS_VERSION
    for layer in layers:
        sub = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = _weight_names(layer, weights)
        save_attributes(sub, "weight_names", names)
        for name, w in zip(names, weights):
            sub.create_dataset(name, data=w.detach().cpu().numpy())


def _stored_layers(group) -> list[tuple[str, list[str]]]:
    """(layer name, weight names) of the layers that have weights in ``group``."""
    result = []
    for name in load_attributes(group, "layer_names"):
        sub = group.get(name)
        if not isinstance(sub, h5py.Group):
            raise FileFormatError(
                f"Layer '{name}' is listed in '{group.name}' but has no group."
            )
        weight_names = load_attributes(sub, "weight_names")
        if weight_names:
            result.append((name, weight_names))
    return result


def _read_layer(group, layer_name, weight_names, weights) -> list[np.ndarray]:
    sub = group[layer_name]
    values = []
    for wname, w in zip(weight_names, weights):
        if wname not in sub:
            raise FileFormatError(
                f"Weight '{wname}' of layer '{layer_name}' is listed but missing."
            )
        values.append(read_array(sub[wname], f"{sub.name}/{wname}", tuple(w.shape)))
    return values


def load_weights_from_group(group, model, skip_mismatch: bool = False) -> None:
    """Load weights by topological order: the n-th stored layer with weights goes
    to the n-th model layer with weights (Keras's rule)."""
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    stored = _stored_layers(group)
    if len(stored) != len(layers):
        raise FileFormatError(
            f"Layer count mismatch when loading weights from file. Model expected "
            f"{len(layers)} layers with weights, found {len(stored)} saved layers with "
            f"weights ({[n for n, _ in stored]})."
        )
    pending = []
    for layer, (name, weight_names) in zip(layers, stored):
        weights = _legacy_weights(layer)
        try:
            if len(weight_names) != len(weights):
                raise FileFormatError(
                    f"Layer '{layer.name}' expects {len(weights)} weights, but the "
                    f"saved layer '{name}' has {len(weight_names)}."
                )
            pending.append((weights, _read_layer(group, name, weight_names, weights)))
        except FileFormatError as err:
            if not skip_mismatch:
                raise
            warnings.warn(
                f"Skipping loading weights for layer '{layer.name}': {err}",
                stacklevel=3,
            )
    _load_top_level(group, model, skip_mismatch, pending)
    for weights, values in pending:
        assign(weights, values)


def _load_top_level(group, model, skip_mismatch, pending) -> None:
    """Keras 3's ``top_level_model_weights``: the model's own variables."""
    sub = group.get("top_level_model_weights")
    own = list(getattr(model, "_own_weights", []))
    if not isinstance(sub, h5py.Group) or not own:
        return
    names = load_attributes(sub, "weight_names")
    if len(names) == len(own):
        pending.append(
            (
                own,
                [
                    read_array(sub[n], f"{sub.name}/{n}", tuple(w.shape))
                    for n, w in zip(names, own)
                ],
            )
        )
    elif not skip_mismatch:
        raise FileFormatError(
            f"The model has {len(own)} own weights; the file stores {len(names)}."
        )


def load_weights_by_name(group, model, skip_mismatch: bool = False) -> None:
    """Load into the layers whose names match a stored layer; others are left alone."""
    stored = dict(_stored_layers(group))
    pending = []
    for layer in _flat_layers(model):
        if layer.name not in stored:
            continue
        weights = _legacy_weights(layer)
        weight_names = stored[layer.name]
        try:
            if len(weight_names) != len(weights):
                raise FileFormatError(
                    f"Layer '{layer.name}' expects {len(weights)} weights, but the "
                    f"saved layer has {len(weight_names)} element(s)."
                )
            pending.append(
                (weights, _read_layer(group, layer.name, weight_names, weights))
            )
        except FileFormatError as err:
            if not skip_mismatch:
                raise
            warnings.warn(
                f"Skipping loading weights for layer '{layer.name}': {err}",
                stacklevel=3,
            )
    for weights, values in pending:
        assign(weights, values)


def _flat_layers(model) -> list:
    return [layer for layer in model._flatten_layers(include_self=False)]


def save_weights(model, filepath) -> None:
    """Write a legacy ``.h5`` weights file (atomically)."""
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        save_weights_to_group(f, model)


def load_weights(
    model, filepath, by_name: bool = False, skip_mismatch: bool = False
) -> None:
    """Load a legacy ``.h5`` weights or model file into ``model``."""
    with _open(filepath) as f:
        group = f["model_weights"] if "model_weights" in f else f
        if not isinstance(group, h5py.Group):
            raise FileFormatError("'model_weights' should be a group.")
        if by_name:
            load_weights_by_name(group, model, skip_mismatch)
        else:
            load_weights_from_group(group, model, skip_mismatch)


def _open(filepath):
    try:
        return h5py.File(filepath, "r")
    except OSError as err:
        raise FileFormatError(
            f"{filepath!r} is not a readable HDF5 file: {err}"
        ) from err


# ---------------------------------------------------------------- configs
def to_keras2_config(model) -> dict:
    """The model's config in Keras 2's spelling: ``{"class_name", "config"}``."""
    config = _keras2(serialize_keras_object(model))
    if config.get("class_name") == "Functional" or "input_layers" in config.get(
        "config", {}
    ):
        layers_by_name = {
            layer.name: layer for layer in model._flatten_layers(include_self=False)
        }
        _keras2_functional(config["config"], layers_by_name)
    return config


def _keras2(value, layer_entry: bool = True):
    """Keras 2 spelling of a serialized config.

    Layer entries of a model (and the model itself) lose Keras 3's ``module``
    and ``registered_name``; objects nested inside a layer's config
    (initializers, the layer a `Bidirectional` wraps) keep them: Keras 3
    resolves those with its new deserializer, which needs the module, and
    tf.keras 2.13+ reads both forms.
    """
    if isinstance(value, list):
        return [_keras2(v, layer_entry) for v in value]
    if not isinstance(value, dict):
        return value
    if "class_name" in value and "module" in value:
        class_name = value["class_name"]
        if class_name == "DTypePolicy":
            return value.get("config", {}).get("name", "float32")
        config = value.get("config")
        if isinstance(config, dict):
            config = {
                k: _keras2(v, k == "layers")
                for k, v in config.items()
                if not (k in _KERAS3_ONLY_KEYS and v in (None, False))
            }
        if not layer_entry:
            return {**value, "config": config}
        registered = value.get("registered_name")
        if registered and registered != class_name and ">" in registered:
            class_name = registered
        out = {"class_name": class_name, "config": config}
        for key in ("name", "inbound_nodes"):
            if key in value:
                out[key] = value[key]
        if isinstance(config, dict):
            _keras2_layer_config(class_name, config, value.get("build_config"))
        return out
    return {
        k: _keras2(v, layer_entry)
        for k, v in value.items()
        if not (k in _KERAS3_ONLY_KEYS and v in (None, False))
    }


def _keras2_layer_config(class_name: str, config: dict, build_config) -> None:
    if class_name == "InputLayer" and "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    elif class_name == "Sequential":
        _keras2_sequential(config)
    elif class_name == "MultiHeadAttention":
        # tf.keras 2 rebuilds attention weights from these shapes in from_config.
        shapes = (build_config or {}).get("shapes_dict") or {}
        config["query_shape"] = shapes.get("query_shape")
        config["value_shape"] = shapes.get("value_shape")
        config["key_shape"] = shapes.get("key_shape") or shapes.get("value_shape")


def _keras2_sequential(config: dict) -> None:
    config.pop("dtype", None)
    layers = config.get("layers", [])
    if (
        layers
        and layers[0].get("class_name") != "InputLayer"
        and config.get("build_input_shape")
    ):
        layers[0]["config"]["batch_input_shape"] = config["build_input_shape"]


def _keras2_functional(config: dict, layers_by_name: dict) -> None:
    """Keras 2 graph: nodes as ``[[layer, node, tensor, kwargs], ...]``."""
    for entry in config["layers"]:
        if entry.get("class_name") == "Sequential":
            _defer_nested_sequential(entry["config"])
    shifted = {
        e.get("name") or e["config"]["name"]
        for e in config["layers"]
        if skips_first_node(e)
    }

    def ref(history):
        name, node, tensor = history[0], history[1], history[2]
        return [name, node + (1 if name in shifted else 0), tensor]

    def as_refs(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return ref(value["config"]["keras_history"])
        if isinstance(value, dict):
            return {k: as_refs(v) for k, v in value.items()}
        if isinstance(value, list):
            return [as_refs(v) for v in value]
        return value

    for entry in config["layers"]:
        name = entry.get("name") or entry["config"].get("name")
        layer = layers_by_name.get(name)
        nodes = []
        for node in entry.get("inbound_nodes", []):
            if not isinstance(node, dict):
                nodes.append(node)
                continue
            args = list(node.get("args") or [])
            kwargs = {
                k: v for k, v in (node.get("kwargs") or {}).items() if v is not None
            }
            # tf.keras passes every argument after the first by name.
            if len(args) > 1:
                names = _call_arg_names(layer)[1:]
                kwargs.update(zip(names, args[1:]))
            tensors = []
            _collect_tensors(args[:1], tensors)
            kwargs = as_refs(kwargs)
            nodes.append([[*ref(h), kwargs] for h in tensors])
        entry["inbound_nodes"] = nodes
        entry.pop("build_config", None)
        if entry.get("class_name") in ("Functional", "Model"):
            _keras2_functional(entry["config"], layers_by_name)
    for key in ("input_layers", "output_layers"):
        value = config[key]
        if isinstance(value, dict):
            value = list(value.values())
        if value and isinstance(value[0], str):
            value = [value]
        config[key] = [ref(v) for v in value]


def _call_arg_names(layer) -> list[str]:
    import inspect

    if layer is None:
        return []
    params = inspect.signature(layer.call).parameters.values()
    return [
        p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _defer_nested_sequential(config: dict) -> None:
    """Write a nested Sequential without its input, built on its first call.

    Keras 2 numbers the nodes of a nested model that owns an InputLayer from 1,
    and Keras 3 reading such a file fails on that index; a Sequential without an
    input is numbered from 0 by both, and builds itself when the graph calls it.
    """
    layers = config.get("layers") or []
    if layers and layers[0].get("class_name") == "InputLayer":
        layers.pop(0)
    if layers and isinstance(layers[0].get("config"), dict):
        layers[0]["config"].pop("batch_input_shape", None)
    config.pop("build_input_shape", None)


def _collect_tensors(value, out: list) -> None:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        out.append(value["config"]["keras_history"])
    elif isinstance(value, dict):
        for v in value.values():
            _collect_tensors(v, out)
    elif isinstance(value, list):
        for v in value:
            _collect_tensors(v, out)


# ---------------------------------------------------------------- training config
def _training_config(model) -> dict | None:
    config = model.get_compile_config() if getattr(model, "compiled", False) else None
    if config is None:
        return None
    config = _keras2(dict(config))
    config["loss"] = _canonical_names(config.get("loss"))
    config["metrics"] = _canonical_names(config.get("metrics"))
    optimizer = config.pop("optimizer", None)
    if isinstance(optimizer, dict):
        inner = dict(optimizer["config"])
        # tf.keras 2 reloads with its legacy optimizers, which refuse Keras 3's
        # extra arguments: drop them while they hold their defaults.
        if not inner.get("use_ema"):
            for key in ("use_ema", "ema_momentum", "ema_overwrite_frequency"):
                inner.pop(key, None)
        for key in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue"):
            if inner.get(key) is None:
                inner.pop(key, None)
        config["optimizer_config"] = {
            "class_name": optimizer["class_name"],
            "config": inner,
        }
    return config


# Short names that Keras 3 cannot read back from a legacy file ("could not
# deserialize keras.metrics.mse"); the long names work in Keras 2 and Keras 3.
_LONG_NAMES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "logcosh": "log_cosh",
}


def _canonical_names(value):
    if isinstance(value, str):
        return _LONG_NAMES.get(value, value)
    if isinstance(value, list):
        return [_canonical_names(v) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _canonical_names(v) for k, v in value.items()}
    return value


def _compile_from_training_config(model, config: dict) -> None:
    from lamina.saving.keras_zip import compile_from_config

    if not isinstance(config, dict):
        raise FileFormatError("training_config must be a JSON object.")
    compile_config = {
        k: config.get(k)
        for k in ("loss", "metrics", "weighted_metrics", "loss_weights")
    }
    compile_config["loss"] = _legacy_losses(compile_config["loss"])
    compile_config["metrics"] = _legacy_metrics(compile_config["metrics"])
    compile_config["weighted_metrics"] = _legacy_metrics(
        compile_config["weighted_metrics"]
    )
    optimizer = config.get("optimizer_config")
    if isinstance(optimizer, dict):
        compile_config["optimizer"] = _legacy_optimizer(optimizer)
    compile_from_config(model, compile_config)


def _legacy_optimizer(config: dict):
    from lamina import optimizers

    class_name = str(config.get("class_name", "RMSprop"))
    if class_name.startswith("Custom>"):  # tf.keras 2.11+ writes its new optimizers so
        class_name = class_name[len("Custom>") :]
    inner = dict(config.get("config") or {})
    for key in ("is_legacy_optimizer", "jit_compile"):
        inner.pop(key, None)
    if inner.get("decay") in (0, 0.0, None):
        inner.pop("decay", None)
    if "lr" in inner and "learning_rate" not in inner:
        inner["learning_rate"] = inner.pop("lr")
    cls = optimizers.ALL_OBJECTS_DICT.get(
        class_name
    ) or optimizers.ALL_OBJECTS_DICT.get(class_name.lower())
    if cls is None:
        return optimizers.deserialize({"class_name": class_name, "config": inner})
    return cls.from_config(inner)


def _legacy_losses(value):
    if isinstance(value, dict) and "class_name" in value:
        cfg = dict(value.get("config") or {})
        if cfg.get("reduction") in ("auto", "sum_over_batch_size", None):
            cfg.pop("reduction", None)
        return {"class_name": value["class_name"], "config": cfg}
    if isinstance(value, dict):
        return {k: _legacy_losses(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_legacy_losses(v) for v in value]
    return value


def _legacy_metrics(value):
    if isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper":
        from lamina import metrics

        config = value.get("config") or {}
        for key in ("name", "fn"):
            name = config.get(key)
            if isinstance(name, str):
                try:
                    metrics.get(name)
                    return name
                except ValueError:
                    continue
        return value
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _legacy_metrics(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_legacy_metrics(v) for v in value]
    return value


# ---------------------------------------------------------------- models
def save_model(model, filepath, include_optimizer: bool = True) -> None:
    """Write ``model`` to a legacy ``.h5`` file that Keras 2 and Keras 3 read."""
    model_config = json.dumps(to_keras2_config(model))
    training_config = _training_config(model) if include_optimizer else None
    optimizer = getattr(model, "optimizer", None)
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["keras_version"] = LEGACY_KERAS_VERSION
        f.attrs["backend"] = "tensorflow"
        f.attrs["lamina_version"] = __version__
        f.attrs["model_config"] = model_config
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config)
        save_weights_to_group(f.create_group("model_weights"), model)
        if include_optimizer and optimizer is not None and optimizer.built:
            group = f.create_group("optimizer_weights")
            variables = list(optimizer.variables)
            names = [
                f"{getattr(v, 'path', None) or f'{optimizer.name}/var_{i}'}:0"
                for i, v in enumerate(variables)
            ]
            save_attributes(group, "weight_names", names)
            for name, v in zip(names, variables):
                group.create_dataset(name, data=v.detach().cpu().numpy())


def load_model(
    filepath,
    custom_objects=None,
    compile=True,  # noqa: A002
    safe_mode=True,
):
    """Rebuild a model from a legacy ``.h5`` file (Keras 2 or 3, tf.keras, lamina)."""
    from lamina.models.model import model_from_config

    with _open(filepath) as f:
        text = _text_attr(f, "model_config")
        if text is None:
            raise FileFormatError(
                f"No model config found in {filepath!r}: it is a weights-only file. "
                "Build the model and use `model.load_weights()`."
            )
        try:
            config = json.loads(text)
        except json.JSONDecodeError as err:
            raise FileFormatError(f"model_config is not valid JSON: {err}") from err
        config = from_keras2_config(config)
        with safe_mode_scope(safe_mode), custom_object_scope(custom_objects):
            model = model_from_config(config, custom_objects=custom_objects)
            training = _text_attr(f, "training_config")
            if compile and training is not None:
                try:
                    training_config = json.loads(training)
                except json.JSONDecodeError as err:
                    raise FileFormatError(
                        f"training_config is not valid JSON: {err}"
                    ) from err
                _compile_from_training_config(model, training_config)
        group = f.get("model_weights")
        if not isinstance(group, h5py.Group):
            raise FileFormatError(f"{filepath!r} has no 'model_weights' group.")
        load_weights_from_group(group, model)
        if compile and getattr(model, "compiled", False) and "optimizer_weights" in f:
            _load_optimizer_weights(model, f["optimizer_weights"])
    return model


def _load_optimizer_weights(model, group) -> None:
    optimizer = model.optimizer
    if not isinstance(group, h5py.Group):
        raise FileFormatError("'optimizer_weights' should be a group.")
    names = load_attributes(group, "weight_names")
    if names and names[0].split("/")[-1] == "iter:0":
        # tf.keras < 2.11 (optimizer_v2) orders slots by kind, not by variable;
        # a positional copy could silently mix them up.
        warnings.warn(
            "The optimizer state in this file comes from a Keras 2 legacy optimizer "
            "(tf.keras < 2.11) and is not restored; the optimizer starts from a fresh "
            "state.",
            stacklevel=3,
        )
        return
    if not optimizer.built:
        optimizer.build(model._trainable_params())
    # tf.keras 2 optimizers store no learning-rate variable: keep the configured one.
    targets = optimizer_state(optimizer, len(names))
    if len(names) != len(targets):
        warnings.warn(
            "Error in loading the saved optimizer state: the optimizer has "
            f"{len(targets)} variables, the file stores {len(names)}. The optimizer "
            "starts from a fresh state.",
            stacklevel=3,
        )
        return
    try:
        values = [
            read_array(
                group[n] if n in group else None,
                f"optimizer_weights/{n}",
                tuple(v.shape),
            )
            for n, v in zip(names, targets)
        ]
    except FileFormatError as err:
        warnings.warn(
            f"Error in loading the saved optimizer state: {err}. The "
            "optimizer starts from a fresh state.",
            stacklevel=3,
        )
        return
    assign(targets, values)
    optimizer._sync_mirrors()
    optimizer._state_loaded()
