"""Quantization configs: which quantizers `quantize` uses for weights and inputs.

``layer.quantize("int8")`` is ``layer.quantize(config=Int8QuantizationConfig())``;
a config can name its own weight quantizer, leave the inputs unquantized
(``activation_quantizer=None``: weight-only), or, for int4, choose the group
size. A quantized layer's dtype policy records the mode (``"int8_from_float32"``,
``"int4/128_from_float32"``, ``"float8_from_float32"``), which is how a saved
layer knows to build quantized weights; `quantized_policy` reads it and
`quantized_policy_config` writes it in Keras's form.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lamina.errors import ArgumentError
from lamina.quantizers.quantizers import AbsMaxQuantizer
from lamina.serialization import deserialize_keras_object, serialize_keras_object

# Keras's modes; lamina quantizes with the first three.
QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
SUPPORTED_MODES = ("int8", "float8", "int4")
DEFAULT_AMAX_HISTORY_LENGTH = 1024


class QuantizationConfig:
    """Base class of quantization configs: a weight and an activation quantizer.

    Subclasses define `mode`.

    Args:
        weight_quantizer: the quantizer of the weights (None: the mode's default).
        activation_quantizer: the quantizer of the inputs (None: none).
    """

    _keras_module = "keras.quantizers"

    def __init__(self, weight_quantizer=None, activation_quantizer=None):
        self.weight_quantizer = weight_quantizer
        self.activation_quantizer = activation_quantizer

    @property
    def mode(self) -> str:
        raise NotImplementedError(
            "Subclasses must implement this property. Do not instantiate "
            "QuantizationConfig directly."
        )

    def get_config(self) -> dict:
        return {
            "weight_quantizer": serialize_keras_object(self.weight_quantizer),
            "activation_quantizer": serialize_keras_object(self.activation_quantizer),
        }

    @classmethod
    def from_config(cls, config: dict):
        return cls(**_quantizers_from_config(config))

    @staticmethod
    def weight_quantizer_or_default(config, default):
        """``config``'s weight quantizer, or ``default`` when it has none."""
        if config is not None and config.weight_quantizer is not None:
            return config.weight_quantizer
        return default

    @staticmethod
    def activation_quantizer_or_default(config, default):
        """``config``'s activation quantizer (None included), or ``default``
        when there is no config."""
        if config is not None:
            return config.activation_quantizer
        return default


class Int8QuantizationConfig(QuantizationConfig):
    """Int8 quantization: int8 weights with a scale per output unit; by default the
    inputs too are quantized per row (`AbsMaxQuantizer`) and the product is an
    integer one.

    Args:
        weight_quantizer: a quantizer with ``output_dtype="int8"``.
        activation_quantizer: ``"default"`` (`AbsMaxQuantizer`) or None
            (weight-only).
    """

    _keras_module = "keras.quantizers"

    def __init__(self, weight_quantizer=None, activation_quantizer="default"):
        if activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        if weight_quantizer is not None and weight_quantizer.output_dtype != "int8":
            raise ArgumentError(
                "Int8QuantizationConfig requires a weight_quantizer with "
                f"output_dtype='int8'. Received: output_dtype={weight_quantizer.output_dtype}"
            )

    @property
    def mode(self) -> str:
        return "int8"


class Int4QuantizationConfig(QuantizationConfig):
    """Int4 quantization: weights in ``[-8, 7]``, two to a byte.

    Args:
        weight_quantizer: a quantizer with ``value_range=(-8, 7)`` (per-channel
            quantization only).
        activation_quantizer: ``"default"`` (None: weight-only) or a quantizer
            (per-channel quantization only).
        block_size: rows per group for sub-channel quantization, each group
            with its own scale and zero point (128); None or -1: one scale per
            output unit.
    """

    _keras_module = "keras.quantizers"

    def __init__(
        self, weight_quantizer=None, activation_quantizer="default", block_size=128
    ):
        if activation_quantizer == "default":
            activation_quantizer = None
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and block_size != -1 and block_size <= 0:
            raise ArgumentError(
                "block_size must be None, -1, or a positive integer. "
                f"Received: block_size={block_size}"
            )
        self.block_size = block_size
        custom = weight_quantizer is not None or self.activation_quantizer is not None
        if block_size is not None and block_size > 0 and custom:
            raise ArgumentError(
                "Int4 sub-channel quantization (block_size > 0) does not support "
                "custom quantizers. Either set block_size to None or -1 for "
                "per-channel quantization, or remove the custom quantizer "
                f"arguments. Received: block_size={block_size}"
            )
        if weight_quantizer is not None:
            if tuple(weight_quantizer.value_range) != (-8, 7):
                raise ArgumentError(
                    "Int4QuantizationConfig requires a weight_quantizer with "
                    f"value_range=(-8, 7). Received: value_range={weight_quantizer.value_range}"
                )
            if weight_quantizer.output_dtype != "int8":
                raise ArgumentError(
                    "Int4QuantizationConfig requires a weight_quantizer with "
                    f"output_dtype='int8'. Received: output_dtype={weight_quantizer.output_dtype}"
                )

    @property
    def mode(self) -> str:
        return "int4"

    def get_config(self) -> dict:
        return {**super().get_config(), "block_size": self.block_size}

    @classmethod
    def from_config(cls, config: dict):
        # Files from before block_size existed were per-channel.
        block_size = config.get("block_size")
        return cls(**_quantizers_from_config(config), block_size=block_size)


class Float8QuantizationConfig(QuantizationConfig):
    """Float8 training (delayed scaling); takes no custom quantizers."""

    _keras_module = "keras.quantizers"

    def __init__(self):
        super().__init__(None, None)

    @property
    def mode(self) -> str:
        return "float8"

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls()


def _quantizers_from_config(config: dict) -> dict:
    return {
        key: deserialize_keras_object(
            config.get(key), printable_module_name="quantizer"
        )
        for key in ("weight_quantizer", "activation_quantizer")
    }


_DEFAULT_CONFIGS = {
    "int8": Int8QuantizationConfig,
    "int4": Int4QuantizationConfig,
    "float8": Float8QuantizationConfig,
}


def validate_and_resolve_config(mode, config) -> QuantizationConfig:
    """The config ``quantize(mode, config)`` means, after Keras's checks.

    A mode alone gives its default config; a config alone gives its mode; both
    must agree. (A string ``config`` is read as the mode, as Keras does.)
    """
    if isinstance(config, str):
        mode, config = config, None
    _check_mode(mode)
    if config is None:
        if mode in ("gptq", "awq"):
            raise ArgumentError(
                f"For {mode.upper()}, you must pass a `{mode.upper()}Config` object "
                "in the `config` argument."
            )
        if mode is None:
            raise ArgumentError(
                "You must provide either `mode` or `config` to `quantize`."
            )
        config = _DEFAULT_CONFIGS[mode]()
    elif not isinstance(config, QuantizationConfig):
        raise ArgumentError(
            "Argument `config` must be an instance of `QuantizationConfig`. "
            f"Received: config={config} (of type {type(config)})"
        )
    if mode is not None and config.mode != mode:
        raise ArgumentError(
            f"Contradictory arguments: mode='{mode}' but config.mode='{config.mode}'"
        )
    _check_mode(config.mode)
    return config


def _check_mode(mode) -> None:
    if mode is not None and mode not in QUANTIZATION_MODES:
        raise ArgumentError(
            "Invalid quantization mode. Expected one of "
            f"{QUANTIZATION_MODES}. Received: mode={mode}"
        )


def should_quantize_layer(layer, filters) -> bool:
    """Whether ``model.quantize(..., filters=filters)`` quantizes ``layer``.

    Args:
        layer: a layer.
        filters: None (all layers), a regular expression searched in the
            layer's name, a list of them (any matches), or a callable
            ``filters(layer) -> bool``.
    """
    if filters is None:
        return True
    if isinstance(filters, str):
        return re.search(filters, layer.name) is not None
    if isinstance(filters, (list, tuple)):
        return any(re.search(pattern, layer.name) for pattern in filters)
    return bool(filters(layer))


class QuantizedPolicy(NamedTuple):
    """What a quantized dtype policy says: the mode and its one parameter.

    ``block_size``: int4's group size (None: per-channel). ``amax_history_length``:
    float8's history length.
    """

    mode: str
    source: str
    block_size: int | None = None
    amax_history_length: int = DEFAULT_AMAX_HISTORY_LENGTH


def quantized_policy(dtype) -> QuantizedPolicy | None:
    """The quantization a layer's ``dtype`` argument asks for, or None.

    Reads Keras's quantized policies: a name (``"int8_from_float32"``,
    ``"int4/64_from_mixed_bfloat16"``), a config dict (``QuantizedDTypePolicy``,
    ``Int4DTypePolicy``, ``QuantizedFloat8DTypePolicy``) or a policy object
    with a ``quantization_mode``.
    """
    history = DEFAULT_AMAX_HISTORY_LENGTH
    if isinstance(dtype, dict):
        config = dtype.get("config") or {}
        if "mode" not in config:
            return None
        name = f"{config['mode']}_from_{config.get('source_name') or 'float32'}"
        history = config.get("amax_history_length", history)
    elif isinstance(dtype, str):
        name = dtype
    elif getattr(dtype, "quantization_mode", None) is not None:
        name = dtype.name
        history = getattr(dtype, "amax_history_length", history)
    else:
        return None
    if "_from_" not in name or not name.startswith(QUANTIZATION_MODES):
        return None
    mode, source = name.split("_from_", 1)
    block_size = None
    if mode.startswith("int4/"):
        mode, size = mode.split("/", 1)
        block_size = None if int(size) == -1 else int(size)
    if mode not in SUPPORTED_MODES:
        raise ArgumentError(
            f"Quantization mode '{mode}' ({name}) is not supported by lamina; "
            f"it quantizes with {SUPPORTED_MODES}."
        )
    return QuantizedPolicy(mode, source, block_size, int(history))


def quantized_policy_config(policy: QuantizedPolicy) -> dict:
    """Keras's serialized dtype policy of a quantized layer."""
    config = {"mode": policy.mode, "source_name": policy.source}
    class_name = "QuantizedDTypePolicy"
    if policy.mode == "int4":
        size = -1 if policy.block_size is None else policy.block_size
        config["mode"] = f"int4/{size}"
        class_name = "Int4DTypePolicy"
    elif policy.mode == "float8":
        config["amax_history_length"] = policy.amax_history_length
        class_name = "QuantizedFloat8DTypePolicy"
    return {
        "module": "keras.dtype_policies",
        "class_name": class_name,
        "config": config,
        "registered_name": None,
    }
