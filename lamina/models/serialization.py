"""Models from configs and JSON (Keras 2 and Keras 3 forms)."""

from __future__ import annotations

import json

from lamina.errors import ArgumentError
from lamina.saving.serialization import deserialize_keras_object


def model_from_config(config: dict, custom_objects: dict | None = None):
    """Rebuild a model (or layer) from its serialized config."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ArgumentError(
            "model_from_config expects a dict with 'class_name' and 'config' keys, "
            f"received {type(config).__name__}."
        )
    if config["class_name"] in ("Model", "Functional") and config.get("module") in (
        None,
        "keras",
        "keras.models",
        "keras.src.models.functional",
    ):
        from lamina.models.functional import Functional

        return Functional.from_config(config["config"], custom_objects=custom_objects)
    return deserialize_keras_object(
        config, custom_objects=custom_objects, printable_module_name="model"
    )


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """Rebuild a model from `Model.to_json()` output (Keras 2 or 3)."""
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as err:
        raise ArgumentError(
            f"model_from_json: the string is not valid JSON ({err})."
        ) from err
    return model_from_config(config, custom_objects=custom_objects)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model saved with `Model.save` (``.keras`` or legacy ``.h5``)."""
    from lamina.saving.model_files import load_model as _load

    return _load(
        filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
    )
