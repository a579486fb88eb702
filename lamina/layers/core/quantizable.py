"""What Dense, EinsumDense and Embedding share to be quantized (Keras's ``quantize``).

``layer.quantize(mode)`` replaces the float weights by quantized ones, named as
Keras names them (``kernel`` in int8, ``kernel_scale``, ...), and points the
layer's ``call`` at the quantized computation (``_int8_call``, ...). ``call``
becomes an instance attribute only then, so a layer that is not quantized runs
its own ``call`` without a single check: quantization costs float layers
nothing per call.

A layer made with a quantized dtype policy (Keras's ``"int8_from_float32"``,
or the ``QuantizedDTypePolicy`` config of a saved layer) builds its quantized
weights directly, ready to load Keras's values.
"""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.quantizers import deserialize
from lamina.quantizers.quantization_config import (
    QuantizedPolicy,
    quantized_policy,
    quantized_policy_config,
    validate_and_resolve_config,
)
from lamina.serialization import serialize_keras_object


class Quantizable:
    """A layer mixin: Keras's ``quantize`` and the quantized layer's bookkeeping.

    The layer defines:

    - ``_QUANTIZED_VARIABLES``: by mode, the attribute names of its variables in
      the order Keras saves them (``None`` entries, such as a missing bias, are
      skipped);
    - ``_quantized_values(config)``: the quantized values, from its float weights;
    - ``_build_quantized()``: create the mode's variables (zeros), as Keras's
      ``quantized_build``;
    - ``_int8_call``, ``_int4_call``, ``_float8_call``: the quantized computations.
    """

    _quantization: QuantizedPolicy | None = None
    _QUANTIZED_VARIABLES: dict[str, tuple[str, ...]] = {}
    # The float weights a quantization replaces (re-created in their new dtype).
    _REPLACED: dict[str, tuple[str, ...]] = {}

    @property
    def quantization_mode(self) -> str | None:
        """``"int8"``, ``"int4"`` or ``"float8"`` once quantized, else None."""
        return None if self._quantization is None else self._quantization.mode

    def quantize(self, mode=None, type_check: bool = True, config=None) -> None:
        """Quantize the weights in place: ``"int8"``, ``"int4"`` or ``"float8"``.

        Args:
            mode: the mode (optional when ``config`` gives it).
            type_check: refuse subclasses, whose computation may differ (Keras's).
            config: a `lamina.quantizers.QuantizationConfig` (custom quantizers,
                weight-only int8, int4 block size).
        """
        config = self._check_quantize(mode, config, type_check)
        values = self._quantized_values(config)
        device = self._own_weights[0].device  # where the layer lives now
        for name in self._REPLACED.get(config.mode, ()):
            self._drop_weight(name)
        self.quantization_config = config
        self._quantization = _policy_of(config, self.dtype)
        self._build_quantized()
        with torch.no_grad():
            for variable in self._own_weights:
                variable.data = variable.data.to(device)
            for name, value in values.items():
                getattr(self, name).copy_(value)

    def _check_quantize(self, mode, config, type_check: bool):
        """Keras's checks before quantizing; the config ``(mode, config)`` means."""
        if type_check and not _mixes_in_quantization(type(self)):
            raise NotImplementedError(
                f"Layer {type(self).__name__} does not have a `quantize` method "
                "implemented."
            )
        config = validate_and_resolve_config(mode, config)
        if not self.built:
            raise ArgumentError(
                f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' "
                f"(of type '{type(self).__name__}') is not built yet."
            )
        if self._quantization is not None:
            raise ArgumentError(
                f"Layer '{self.name}' is already quantized with dtype_policy="
                f"'{_policy_name(self._quantization)}'. Received: mode={config.mode}"
            )
        if config.mode not in self._QUANTIZED_VARIABLES:
            raise NotImplementedError(
                f"Invalid quantization mode. Expected one of "
                f"{tuple(self._QUANTIZED_VARIABLES)}. Received: "
                f"quantization_mode={config.mode}"
            )
        if config.mode == "int8" and self.dtype == "float16":
            raise ArgumentError(
                f"Quantization mode='{config.mode}' doesn't work well with "
                "compute_dtype='float16'. Consider loading model/layer with another "
                "dtype policy such as 'mixed_bfloat16' or 'mixed_float16' before "
                "calling `quantize()`."
            )
        return config

    def _drop_weight(self, name: str) -> None:
        variable = self._parameters.pop(name)
        self._own_weights = [w for w in self._own_weights if w is not variable]
        self.__dict__.pop("_kernel_t", None)  # Dense's inference copy

    def _add_frozen(self, name: str, shape, dtype=None):
        """A non-trainable quantized variable: integers start at 0, scales at 1."""
        return self.add_weight(
            name=name,
            shape=shape,
            initializer="zeros" if dtype else "ones",
            dtype=dtype,
            trainable=False,
        )

    def _use_quantized_call(self) -> None:
        """Point ``call`` at the mode's computation (they all take ``training``)."""
        self.call = getattr(self, f"_{self._quantization.mode}_call")
        self._call_takes_training = True

    def _quantized_variables(self) -> list:
        """The variables in the order Keras saves them (``.keras``, ``.weights.h5``)."""
        names = self._QUANTIZED_VARIABLES[self._quantization.mode]
        found = (getattr(self, name, None) for name in names)
        return [v for v in found if v is not None]

    def _quantized_get_config(self, config: dict) -> dict:
        """``config`` with the quantized dtype policy and the quantization config."""
        if self._quantization is not None:
            config["dtype"] = quantized_policy_config(self._quantization)
        config["quantization_config"] = serialize_keras_object(self.quantization_config)
        return config


def take_quantized_dtype(kwargs: dict) -> QuantizedPolicy | None:
    """The quantized policy in a layer's ``dtype`` argument, if any; ``kwargs``'s
    dtype becomes the policy's source dtype (what the layer computes in)."""
    policy = quantized_policy(kwargs.get("dtype"))
    if policy is not None:
        kwargs["dtype"] = policy.source
    return policy


def quantization_config_of(config):
    """A layer's ``quantization_config`` argument: a config, a serialized one or None."""
    return deserialize(config) if isinstance(config, dict) else config


def group_index(length: int, block_size: int) -> torch.Tensor:
    """Keras's ``g_idx``: the group of each row, as floats."""
    return torch.div(
        torch.arange(length, dtype=torch.float32), block_size, rounding_mode="floor"
    )


def _mixes_in_quantization(cls) -> bool:
    """Whether ``cls`` is a quantizable layer class itself (Dense), not a subclass
    of one: its bases include the mixin (`Quantizable` or a subclass)."""
    return any(
        issubclass(base, Quantizable) and not hasattr(base, "build")
        for base in cls.__bases__
    )


def _policy_of(config, dtype: str) -> QuantizedPolicy:
    block_size = getattr(config, "block_size", None)
    if block_size == -1:
        block_size = None
    return QuantizedPolicy(config.mode, dtype, block_size)


def _policy_name(policy: QuantizedPolicy) -> str:
    mode = policy.mode
    if mode == "int4":
        mode = f"int4/{-1 if policy.block_size is None else policy.block_size}"
    return f"{mode}_from_{policy.source}"
