"""Dense: the densely connected layer, ``activation(inputs @ kernel + bias)``."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import activations, constraints, initializers, regularizers
from lamina.errors import ArgumentError, ShapeError, warn_deprecated_once
from lamina.layers.core.quantizable import quantization_config_of, take_quantized_dtype
from lamina.layers.core.quantized_kernel import QuantizedKernel
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer, frozen_weights_generation
from lamina.serialization import serialize_keras_object


class Dense(QuantizedKernel, Layer):
    """Densely connected layer: ``output = activation(dot(input, kernel) + bias)``.

    The kernel is stored in Keras layout ``(input_dim, units)``, which is also
    what ``torch.addmm`` wants, so no transpose happens in the forward pass.

    Example:
        >>> layer = lamina.layers.Dense(32, activation="relu")
        >>> layer(torch.zeros(4, 16)).shape
        torch.Size([4, 32])

    Args:
        units: positive integer, the output size.
        activation: activation name or function (none by default).
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer: initializers
            (``glorot_uniform`` / ``zeros``).
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties.
        kernel_constraint / bias_constraint: constraints applied after updates.
        quantization_config: a `lamina.quantizers.QuantizationConfig`, used by a
            layer made with a quantized ``dtype`` (``"int8_from_float32"``);
            `quantize` quantizes a built layer.
        init: Keras 1 name of ``kernel_initializer`` (deprecated).
        output_dim: Keras 1 name of ``units`` (deprecated).

    Input shape:
        N-D tensor ``(batch_size, ..., input_dim)``.

    Output shape:
        N-D tensor ``(batch_size, ..., units)``.
    """

    def __init__(
        self,
        units=None,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        quantization_config=None,
        **kwargs,
    ):
        if "init" in kwargs:
            warn_deprecated_once(
                "Dense.init",
                "Dense(init=...) is deprecated; use kernel_initializer=...",
            )
            kernel_initializer = kwargs.pop("init")
        if "output_dim" in kwargs:
            warn_deprecated_once(
                "Dense.output_dim", "Dense(output_dim=...) is deprecated; use units=..."
            )
            units = kwargs.pop("output_dim")
        for key in ("lora_rank", "lora_alpha"):
            if kwargs.get(key) is not None:
                raise ArgumentError(f"Dense: `{key}` is not supported by lamina.")
            kwargs.pop(key, None)
        quantization = take_quantized_dtype(kwargs)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._quantization = quantization
        self.quantization_config = quantization_config_of(quantization_config)
        if isinstance(units, float) and units.is_integer():
            units = int(units)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ArgumentError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units!r}"
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self._linear = activations.get(None) is self.activation

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ShapeError(
                f"Layer '{self.name}': the last dimension of the inputs to a Dense "
                f"layer should be defined. Found None. Full input shape: {input_shape}"
            )
        self._input_dim = input_dim
        if self._quantization is not None:  # a quantized layer being loaded
            self._build_quantized()
        if self.quantization_mode not in ("int8", "int4"):
            self.kernel = self.add_weight(
                name="kernel",
                shape=(input_dim, self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
                constraint=self.kernel_constraint,
            )
        self.bias = (
            self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
            if self.use_bias
            else None
        )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        generation = frozen_weights_generation()
        if generation is not None and not torch.is_grad_enabled():
            # predict/evaluate: torch's CPU GEMM is faster with the weight stored
            # (out, in), F.linear's layout (2 threads, batch 128: 784->512 560 vs
            # 603 us, 512->10 21 vs 40 us), while training is faster with Keras's
            # (in, out). So inference uses a transposed copy, made once per
            # predict/evaluate call (weights cannot change inside one).
            x = F.linear(
                inputs, self._inference_kernel(generation), self._parameters.get("bias")
            )
        elif inputs.dim() == 2 and self.bias is not None:
            x = torch.addmm(self.bias, inputs, self.kernel)
        else:
            x = torch.matmul(inputs, self.kernel)
            if self.bias is not None:
                x = x + self.bias
        return x if self._linear else self.activation(x)

    def _inference_kernel(self, generation: int) -> torch.Tensor:
        # Read from `_parameters` directly: `self.kernel` goes through
        # Module.__getattr__ (0.6 us, a tenth of a small layer's call). A new
        # storage (another dtype or device, or a replaced tensor) has a new
        # data_ptr, so the key also catches a kernel changed under the cache.
        kernel = self._parameters["kernel"]
        cached = self.__dict__.get("_kernel_t")
        if cached is None or cached[0] != generation or cached[1] != kernel.data_ptr():
            with torch.inference_mode(False), torch.no_grad():
                cached = (
                    generation,
                    kernel.data_ptr(),
                    kernel.detach().t().contiguous(),
                )
            self._kernel_t = cached
        return cached[2]

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    # The geometry of the quantized computations (`QuantizedKernel`).
    def _product(self, x, kernel):
        return torch.matmul(x, kernel)

    def _input_gradient(self, upstream, kernel):
        return torch.matmul(upstream, kernel.t())

    def _kernel_shape(self) -> tuple:
        return (self._input_dim, self.units)

    def _kernel_reduced_axes(self) -> tuple:
        return (0,)

    def _inputs_reduced_axes(self) -> tuple:
        return (-1,)

    def _kernel_scale_shape(self, kernel_shape) -> tuple:
        return (self.units,)

    def _stored_kernel_scale(self, scale):
        return scale.squeeze(0)

    def _kernel_scale_for_kernel(self, scale):
        return scale

    def _inputs_scale_for_output(self, scale):
        return scale

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_keras_object(self.kernel_initializer),
                "bias_initializer": serialize_keras_object(self.bias_initializer),
                "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
                "bias_regularizer": serialize_keras_object(self.bias_regularizer),
                "kernel_constraint": serialize_keras_object(self.kernel_constraint),
                "bias_constraint": serialize_keras_object(self.bias_constraint),
            }
        )
        return self._quantized_get_config(config)
