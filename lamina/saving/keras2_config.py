"""Keras 2 model configs read as Keras 3 configs.

tf.keras 2 writes the same model config in its ``.h5`` files (``model_config``) and
in its ``.keras`` archives (``config.json``): graph nodes as
``[[layer, node, tensor, kwargs], ...]``, a nested model's calls numbered from 1
(its node 0 is its own input node), a few keys Keras 3 does not take, and
MultiHeadAttention's input shapes in its config. `from_keras2_config` rewrites
such a config in Keras 3's form, which `lamina.models` rebuilds.
"""

from __future__ import annotations

from lamina.errors import FileFormatError


def skips_first_node(entry: dict) -> bool:
    """Keras 2 numbers a nested model's nodes from 1 when it owns an InputLayer."""
    cfg = entry.get("config", {})
    if entry.get("class_name") in ("Functional", "Model"):
        return True
    if entry.get("class_name") == "Sequential" and isinstance(cfg, dict):
        layers = cfg.get("layers") or []
        return bool(layers) and (
            layers[0].get("class_name") == "InputLayer"
            or "batch_input_shape" in layers[0].get("config", {})
        )
    return False


def from_keras2_config(config: dict) -> dict:
    """Rewrite a Keras 2 functional graph in Keras 3's node form, and undo Keras 2's
    numbering of a nested model's nodes (which starts at 1), so the graph rebuilds."""
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise FileFormatError(
            "model_config must be a JSON object with 'class_name' and 'config'."
        )
    _attention_shapes_to_build_config(config)
    _drop_keras2_only(config)
    _keras3_graph(config)
    return config


# tf.keras 2 config keys that Keras 3 (and lamina) do not take, with the value
# that means "nothing special"; a file holding that value loses the key.
_KERAS2_ONLY_DEFAULTS = {"softmax_robust_masking": False, "time_major": False}


def _drop_keras2_only(value) -> None:
    if isinstance(value, list):
        for v in value:
            _drop_keras2_only(v)
    elif isinstance(value, dict):
        for key, default in _KERAS2_ONLY_DEFAULTS.items():
            if key in value and value[key] == default:
                del value[key]
        for v in value.values():
            _drop_keras2_only(v)


def _keras3_graph(entry: dict) -> None:
    inner = entry.get("config")
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        return
    layers = inner["layers"]
    if not all(isinstance(e, dict) for e in layers):
        raise FileFormatError("model_config 'layers' must be a list of objects.")
    for sub in layers:
        _keras3_graph(sub)
    if "input_layers" not in inner:
        return
    names = {e.get("name") or (e.get("config") or {}).get("name") for e in layers}
    shifted = {
        e.get("name") or (e.get("config") or {}).get("name")
        for e in layers
        if skips_first_node(e)
    }

    def is_ref(value) -> bool:
        return (
            isinstance(value, list)
            and len(value) in (3, 4)
            and isinstance(value[0], str)
            and value[0] in names
            and isinstance(value[1], int)
            and isinstance(value[2], int)
        )

    def fix(ref):
        node = ref[1] - 1 if ref[0] in shifted and ref[1] > 0 else ref[1]
        return [ref[0], node, ref[2]]

    def tensor(ref):
        return {"class_name": "__keras_tensor__", "config": {"keras_history": fix(ref)}}

    def tensors_in(value):
        if is_ref(value):
            return tensor(value)
        if isinstance(value, dict):
            return {k: tensors_in(v) for k, v in value.items()}
        if isinstance(value, list):
            return [tensors_in(v) for v in value]
        return value

    for sub in layers:
        nodes = []
        for node in sub.get("inbound_nodes") or []:
            if isinstance(node, dict):  # already Keras 3's form
                nodes.append(node)
                continue
            if not isinstance(node, list) or not all(is_ref(r) for r in node):
                raise FileFormatError(
                    f"Malformed inbound node of layer '{sub.get('name')}': {node!r}."
                )
            kwargs = node[0][3] if node and len(node[0]) > 3 else {}
            kwargs = tensors_in(kwargs) if isinstance(kwargs, dict) else {}
            first = [tensor(r) for r in node]
            nodes.append(
                {"args": [first[0] if len(first) == 1 else first], "kwargs": kwargs}
            )
        sub["inbound_nodes"] = nodes
    for key in ("input_layers", "output_layers"):
        value = inner.get(key)
        if is_ref(value):
            inner[key] = fix(value)
        elif isinstance(value, list):
            inner[key] = [fix(r) if is_ref(r) else r for r in value]


def _attention_shapes_to_build_config(value) -> None:
    """Keras 2 keeps MultiHeadAttention's input shapes in its config; move them to
    the ``build_config`` that Keras 3 and lamina use."""
    if isinstance(value, list):
        for v in value:
            _attention_shapes_to_build_config(v)
        return
    if not isinstance(value, dict):
        return
    config = value.get("config")
    if value.get("class_name") == "MultiHeadAttention" and isinstance(config, dict):
        shapes = {
            k: config.pop(k, None) for k in ("query_shape", "value_shape", "key_shape")
        }
        if shapes["query_shape"] and shapes["value_shape"]:
            value.setdefault("build_config", {"shapes_dict": shapes})
    for v in value.values():
        _attention_shapes_to_build_config(v)
