"""Objects to configs and back, in Keras's format.

A serialized object is ``{"module", "class_name", "config", "registered_name"}``
exactly as Keras 3 writes it, with Keras's module names (``"keras.layers"``), so
configs and files move between lamina and Keras unchanged. Plain values (numbers,
strings, lists, dicts) pass through as they are.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from lamina.errors import ArgumentError, UnknownObjectError

# Objects registered with `register_keras_serializable`, by "package>name".
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_SCOPE = threading.local()

# lamina module -> the module name Keras writes in configs. The longest prefix wins.
_KERAS_MODULES = {
    "lamina.layers": "keras.layers",
    "lamina.models": "keras.models",
    "lamina.initializers": "keras.initializers",
    "lamina.regularizers": "keras.regularizers",
    "lamina.constraints": "keras.constraints",
    "lamina.activations": "keras.activations",
    "lamina.losses": "keras.losses",
    "lamina.metrics": "keras.metrics",
    "lamina.optimizers.schedules": "keras.optimizers.schedules",
    "lamina.optimizers": "keras.optimizers",
    "lamina.callbacks": "keras.callbacks",
}


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator that registers a class or function under ``package>name``.

    Registered objects are found by name when a config or file is loaded, with
    no `custom_objects` needed.
    """

    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if hasattr(obj, "get_config") is False and isinstance(obj, type):
            raise ArgumentError(
                f"Cannot register {obj.__name__}: a class must define get_config()."
            )
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


register_serializable = register_keras_serializable


def get_registered_name(obj) -> str:
    """The name under which ``obj`` is registered, else its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def get_registered_object(name: str, custom_objects=None, module_objects=None):
    """Look ``name`` up in the scope, custom objects, registry, then a module dict."""
    for table in (
        _scope_objects(),
        custom_objects or {},
        _GLOBAL_CUSTOM_OBJECTS,
        module_objects or {},
    ):
        if name in table:
            return table[name]
    return None


def get_object(
    identifier: Any,
    kind: str,
    module_objects: dict[str, Any],
    deserialize: Callable,
    expected: str = "None, a name, a config dict or a callable",
) -> Any:
    """What a family's ``get`` (activations, initializers, ...) returns for a name,
    a config dict, a class (instantiated with its defaults) or a callable.

    Args:
        identifier: What the user passed (not None: each family treats None its way).
        kind: The family's singular, for messages (``"constraint"``).
        module_objects: The family's built-in ``{name: object}``.
        deserialize: The family's ``deserialize``, for config dicts.
        expected: What the family accepts, for the error message.

    Raises:
        UnknownObjectError: for an unknown name, listing the closest valid ones.
        ArgumentError: when the result is not callable.
    """
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, None, module_objects)
        if obj is None:
            raise UnknownObjectError.for_name(kind, identifier, module_objects)
    elif isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if not callable(obj):
        raise ArgumentError(
            f"Could not interpret {kind} identifier: expected {expected}, received "
            f"{type(identifier).__name__}: {identifier!r}"
        )
    return obj


def family_deserializer(kind: str, module_objects: dict[str, Any]) -> Callable:
    """A family's ``deserialize(config, custom_objects=None)`` (constraints, ...).

    Args:
        kind: The family's singular, for messages and the docstring.
        module_objects: The family's built-in ``{name: object}``.
    """

    def deserialize(config, custom_objects: dict[str, Any] | None = None):
        return deserialize_keras_object(
            config,
            custom_objects=custom_objects,
            module_objects=module_objects,
            printable_module_name=kind,
        )

    deserialize.__doc__ = (
        f"The {kind} a config (from `serialize`) or a name stands for.\n\n"
        "    Args:\n"
        "        config: A serialized config dict or a built-in name.\n"
        "        custom_objects: Extra ``{name: object}`` to search first.\n"
    )
    return deserialize


def get_custom_objects() -> dict[str, Any]:
    """The global registry (a live dict, as in Keras)."""
    return _GLOBAL_CUSTOM_OBJECTS


class custom_object_scope:  # noqa: N801 - Keras's name
    """Context manager inside which the given objects are found by name.

    Args:
        custom_objects: ``{name: class_or_function}`` (None for none).
    """

    def __init__(self, custom_objects: dict[str, Any] | None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        stack = _scope_stack()
        stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope_stack().pop()


CustomObjectScope = custom_object_scope


def _scope_stack() -> list[dict]:
    if not hasattr(_SCOPE, "stack"):
        _SCOPE.stack = []
    return _SCOPE.stack


def _scope_objects() -> dict:
    merged = {}
    for objects in _scope_stack():
        merged.update(objects)
    return merged


def keras_module_name(cls) -> str:
    """The module Keras writes for ``cls``: ``keras.layers`` for lamina's layers."""
    explicit = cls.__dict__.get("_keras_module")
    if explicit:
        return explicit
    module = cls.__module__
    for prefix in sorted(_KERAS_MODULES, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return _KERAS_MODULES[prefix]
    if module.startswith("lamina"):
        return "keras"
    return module


def serialize_keras_object(obj) -> Any:
    """Serialize ``obj`` into Keras's config format (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, type):
        raise ArgumentError(f"Cannot serialize the class {obj!r}; pass an instance.")
    if callable(obj) and not hasattr(obj, "get_config"):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise ArgumentError(f"Cannot serialize {obj!r}: it has no get_config() method.")
    cls = type(obj)
    registered = _GLOBAL_CUSTOM_NAMES.get(cls)
    config = obj.get_config()
    result = {
        "module": keras_module_name(cls),
        "class_name": cls.__name__,
        "config": serialize_keras_object(config),
        "registered_name": registered,
    }
    if registered is None and not cls.__module__.startswith("lamina"):
        result["registered_name"] = cls.__name__
    extra = getattr(obj, "_serialization_extras", None)
    if extra is not None:
        result.update(extra())
    return result


def _serialize_function(fn: Callable) -> Any:
    registered = _GLOBAL_CUSTOM_NAMES.get(fn)
    module = getattr(fn, "__module__", "") or ""
    if registered is None and module.startswith("lamina."):
        # Built-in functions (activations, losses, metrics) are written by name.
        return fn.__name__
    return {
        "module": keras_module_name_for_function(fn),
        "class_name": "function",
        "config": fn.__name__,
        "registered_name": registered or fn.__name__,
    }


def keras_module_name_for_function(fn) -> str:
    module = fn.__module__ or ""
    for prefix in sorted(_KERAS_MODULES, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return _KERAS_MODULES[prefix]
    return module


def _lamina_module_for(keras_module: str):
    """Import the lamina module that stands for a Keras module name, or None."""
    if not keras_module:
        return None
    if keras_module.split(".")[0] not in ("keras", "lamina"):
        # Never import a module a file names: only Keras's own (mapped to lamina's).
        # Custom classes come from registration or `custom_objects`, as in Keras.
        return None
    if keras_module.startswith("keras.src."):
        parts = keras_module.split(".")[2:]
        candidates = [
            ".".join(["lamina", *parts[:n]]) for n in range(len(parts), 0, -1)
        ]
    else:
        candidates = (
            ["lamina" + keras_module[len("keras") :]]
            if keras_module.startswith("keras")
            else [keras_module]
        )
    for name in candidates:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def deserialize_keras_object(
    config: Any,
    custom_objects: dict[str, Any] | None = None,
    safe_mode: bool = True,
    **kwargs,
) -> Any:
    """Rebuild an object from `serialize_keras_object`'s output (or a plain name).

    Args:
        config: a config dict, a name string, or a plain value.
        custom_objects: extra ``{name: class_or_function}`` to search first.
        safe_mode: refuse to load Python code (a `Lambda`'s lambda) from the
            config; an enclosing `safe_mode_scope` (a `load_model` in progress)
            decides instead when it set the flag.
        **kwargs: lamina's and Keras's: ``module_objects`` (the ``{name:
            object}`` table of the calling module: ``lamina.activations``
            passes its functions, ...) and ``printable_module_name`` (what to
            call the object in error messages).
    """
    module_objects = kwargs.pop("module_objects", None)
    printable_module_name = kwargs.pop("printable_module_name", "object")
    if in_safe_mode() is None and safe_mode is not True:
        with safe_mode_scope(safe_mode):
            return deserialize_keras_object(
                config,
                custom_objects,
                module_objects=module_objects,
                printable_module_name=printable_module_name,
            )
    if config is None:
        return None
    if isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        return [
            deserialize_keras_object(
                c,
                custom_objects,
                module_objects=module_objects,
                printable_module_name=printable_module_name,
            )
            for c in config
        ]
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise UnknownObjectError.for_name(
                printable_module_name, config, (module_objects or {}).keys()
            )
        return obj() if isinstance(obj, type) else obj
    if not isinstance(config, dict):
        raise ArgumentError(
            f"Could not deserialize {printable_module_name}: expected a dict or "
            f"a string, received {type(config).__name__}: {config!r}"
        )
    if "class_name" not in config:
        return config  # a plain dict value
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__tensor__" or class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner.get("dtype"))
    if class_name == "function":
        name = config.get("registered_name") or inner
        fn = get_registered_object(name, custom_objects, module_objects)
        if fn is None and isinstance(inner, str):
            fn = get_registered_object(inner, custom_objects, module_objects)
        if fn is None:
            module = _lamina_module_for(config.get("module", ""))
            fn = getattr(module, inner, None) if module is not None else None
        if fn is None:
            raise UnknownObjectError.for_name(
                f"{printable_module_name} function", name, (module_objects or {}).keys()
            )
        return fn
    cls = resolve_class(config, custom_objects, module_objects, printable_module_name)
    if not isinstance(inner, dict):
        raise ArgumentError(
            f"Could not deserialize {class_name}: its 'config' must be a dict, "
            f"received {type(inner).__name__}."
        )
    if hasattr(cls, "from_config"):
        with custom_object_scope(custom_objects):
            return cls.from_config(inner)
    return cls(**inner)


def resolve_class(
    config: dict,
    custom_objects=None,
    module_objects=None,
    printable_module_name: str = "object",
):
    """Find the class a serialized config names."""
    class_name = config["class_name"]
    registered = config.get("registered_name")
    for name in (registered, class_name):
        if name:
            obj = get_registered_object(name, custom_objects, module_objects)
            if obj is not None:
                return obj
    module = _lamina_module_for(config.get("module") or "")
    obj = getattr(module, class_name, None) if module is not None else None
    if obj is None:
        # Keras 2 configs carry no module; try the packages lamina exports.
        for name in ("lamina.layers", "lamina.models", "lamina"):
            obj = getattr(importlib.import_module(name), class_name, None)
            if obj is not None:
                break
    if obj is None:
        raise UnknownObjectError.for_name(
            printable_module_name, class_name, (module_objects or {}).keys()
        )
    return obj


# ---------------------------------------------------------------- safe mode
# Loading Python code from a file (a `Lambda`'s marshalled lambda) runs
# arbitrary code, so it is refused unless the caller turns safe mode off, as in
# Keras: `safe_mode_scope(False)` around a load, or
# `enable_unsafe_deserialization()` for the whole process.
_SAFE_MODE = threading.local()
_UNSAFE_GLOBALLY = False


def in_safe_mode() -> bool | None:
    """The safe-mode flag in force: True/False, or None when nobody set it (safe)."""
    value = getattr(_SAFE_MODE, "value", None)
    if value is None and _UNSAFE_GLOBALLY:
        return False
    return value


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool | None = True):
    """Context manager that sets the safe-mode flag for the loads inside it.

    Example:
        >>> with safe_mode_scope(False):
        ...     layer = lamina.layers.Lambda.from_config(config)

    Args:
        safe_mode: False allows loading Python lambdas; None leaves it unset.
    """
    previous = getattr(_SAFE_MODE, "value", None)
    _SAFE_MODE.value = safe_mode
    try:
        yield
    finally:
        _SAFE_MODE.value = previous


SafeModeScope = safe_mode_scope


def enable_unsafe_deserialization() -> None:
    """Allow loading Python lambdas everywhere in this process (Keras's switch)."""
    global _UNSAFE_GLOBALLY
    _UNSAFE_GLOBALLY = True
