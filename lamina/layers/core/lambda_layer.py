"""Lambda: wrap an arbitrary expression (a Python function) as a layer."""

from __future__ import annotations

import builtins
import codecs
import inspect
import marshal
import types

import numpy as np
import torch

from lamina import serialization
from lamina.backend import tree
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer, _is_shape, run_symbolically

_UNSAFE_LAMBDA_MESSAGE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python "
    "lambda. This carries a potential risk of arbitrary code execution and thus it "
    "is disallowed by default. If you trust the source of the artifact, you can "
    "override this error by passing `safe_mode=False` to the loading function, or "
    "calling `keras.config.enable_unsafe_deserialization()."
)


def func_dump(fn: types.FunctionType) -> tuple[str, tuple | None, tuple | None]:
    """Keras's form of a Python function: base64 of its marshalled code."""
    code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def func_load(code: str, defaults=None, closure=None) -> types.FunctionType:
    """Rebuild a function written by `func_dump` (or by Keras)."""
    if isinstance(code, (list, tuple)):  # Keras 2 stored (code, defaults, closure)
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    if closure is not None:
        closure = tuple(types.CellType(value) for value in closure)
    raw = codecs.decode(code.encode("ascii"), "base64")
    code_object = marshal.loads(raw)
    import lamina

    # Names a saved lambda may use: Keras code says `keras.ops...` or `K...`.
    globs = {
        "__builtins__": builtins,
        "keras": lamina,
        "lamina": lamina,
        "np": np,
        "torch": torch,
    }
    return types.FunctionType(
        code_object, globs, name=code_object.co_name, argdefs=defaults, closure=closure
    )


class Lambda(Layer):
    """Wraps a function of the inputs as a layer, for quick experiments.

    The function is stored in configs as Keras does: a named function by name,
    a Python ``lambda`` as its marshalled bytecode, which loads only with safe
    mode off (it could run arbitrary code). Prefer a `Layer` subclass for
    anything that must be saved and shared.

    Example:
        >>> x = lamina.Input(shape=(4,))
        >>> lamina.layers.Lambda(lambda t: t ** 2)(x).shape
        (None, 4)

    Args:
        function: the function, called as ``function(inputs, **arguments)``
            (plus ``mask=``/``training=`` if it takes them).
        output_shape: the output shape without the batch size, or a function
            of the input shape; inferred by running the function when None.
        mask: the output mask, or a function ``mask(inputs, previous_mask)``.
        arguments: extra keyword arguments for `function`.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(
        self, function, output_shape=None, mask=None, arguments=None, **kwargs
    ):
        for key in (
            "function_type",
            "module",
            "output_shape_type",
            "output_shape_module",
        ):
            kwargs.pop(key, None)  # Keras 2 config keys
        super().__init__(**kwargs)
        if not callable(function):
            raise ArgumentError(
                f"Lambda: `function` must be callable. Received: {function!r}"
            )
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            parameters = {}
        self._fn_takes_training = "training" in parameters
        self._fn_takes_mask = "mask" in parameters
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            # Run the function on stand-ins: right shapes and dtypes at once.
            return self._infer(run_symbolically, self._call_for_spec, args, kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._infer(super().compute_output_shape, input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = tree.flatten(input_shape)[0] if input_shape else None
        if _is_shape(self._output_shape):
            return (batch, *self._output_shape)
        return [(batch, *shape) for shape in self._output_shape]

    def _infer(self, fn, *args):
        try:
            return fn(*args)
        except (ShapeError, ArgumentError):
            raise
        except Exception as err:
            raise ArgumentError(
                f"Layer '{self.name}': we could not automatically infer the shape of "
                f"the Lambda's output ({type(err).__name__}: {err}). Please specify "
                "the `output_shape` argument for this Lambda layer."
            ) from err

    def get_config(self) -> dict:
        config = super().get_config()
        config["function"] = _function_to_config(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (
                _function_to_config(self._output_shape)
                if callable(self._output_shape)
                else self._output_shape
            )
        if self.mask is not None:
            config["mask"] = (
                _function_to_config(self.mask)
                if callable(self.mask)
                else serialization.serialize_keras_object(self.mask)
            )
        config["arguments"] = serialization.serialize_keras_object(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        """Rebuild a Lambda; Python lambdas need safe mode off (see `Lambda`)."""
        config = dict(config)
        if safe_mode is None:
            safe_mode = serialization.in_safe_mode()
        safe = safe_mode is not False
        legacy = config.pop("function_type", None)
        shape_legacy = config.pop("output_shape_type", None)
        config["function"] = _function_from_config(
            config["function"], custom_objects, safe, legacy == "lambda"
        )
        if config.get("output_shape") is not None:
            value = config["output_shape"]
            if (
                shape_legacy == "lambda"
                or _is_lambda_config(value)
                or (isinstance(value, dict) and "class_name" in value)
            ):
                value = _function_from_config(
                    value, custom_objects, safe, shape_legacy == "lambda"
                )
            elif isinstance(value, list) and all(
                isinstance(d, (int, type(None))) for d in value
            ):
                value = tuple(value)
            config["output_shape"] = value
        if config.get("mask") is not None and (
            _is_lambda_config(config["mask"]) or isinstance(config["mask"], dict)
        ):
            config["mask"] = _function_from_config(
                config["mask"], custom_objects, safe, False
            )
        if "arguments" in config:
            config["arguments"] = serialization.deserialize_keras_object(
                config["arguments"], custom_objects=custom_objects
            )
        return super().from_config(config)


def _is_lambda_config(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__lambda__"


def _function_to_config(fn):
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code, defaults, closure = func_dump(fn)
        return {
            "class_name": "__lambda__",
            "config": {"code": code, "defaults": defaults, "closure": closure},
        }
    if callable(fn):
        return serialization.serialize_keras_object(fn)
    raise ArgumentError(
        f"Invalid input type for serialization. Received: {fn!r} of type {type(fn)}."
    )


def _function_from_config(value, custom_objects, safe: bool, legacy_lambda: bool):
    if legacy_lambda or _is_lambda_config(value):
        if safe:
            raise ArgumentError(_UNSAFE_LAMBDA_MESSAGE)
        if legacy_lambda:
            return func_load(value)
        inner = value["config"]
        return func_load(inner["code"], inner.get("defaults"), inner.get("closure"))
    from lamina import activations

    # Named functions: the registry first, then lamina's activations by name.
    known = {
        k: v
        for k, v in vars(activations).items()
        if callable(v) and not k.startswith("_")
    }
    return serialization.deserialize_keras_object(
        value,
        custom_objects=custom_objects,
        module_objects=known,
        printable_module_name="Lambda function",
    )
