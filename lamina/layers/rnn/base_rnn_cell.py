"""BaseRNNCell: what the built-in recurrent cells share: their arguments, weights,
dropout masks and config."""

from __future__ import annotations

import torch

from lamina import activations, constraints, initializers, regularizers
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from lamina.serialization import serialize_keras_object


def check_units(layer_name: str, units) -> int:
    """``units`` as a positive int, or an ArgumentError naming the layer."""
    if isinstance(units, float) and units.is_integer():
        units = int(units)
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ArgumentError(
            f"{layer_name}: received an invalid value for argument `units`, expected "
            f"a positive integer, got units={units!r}."
        )
    return units


def check_rate(layer_name: str, name: str, rate) -> float:
    """A dropout rate clipped to [0, 1] as Keras does; non-numbers are errors."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise ArgumentError(
            f"{layer_name}: `{name}` must be a float between 0 and 1, received "
            f"{name}={rate!r}."
        )
    return min(1.0, max(0.0, float(rate)))


class BaseRNNCell(Layer, DropoutRNNCell):
    """Base of SimpleRNNCell, LSTMCell, GRUCell and ConvLSTMCell: one recurrent step.

    Subclasses set ``gates`` (1, 4 or 3) and implement ``step(x_proj, states,
    training)``, where ``x_proj`` is the input already multiplied by the kernel
    (and biased). Splitting the input projection from the step lets the RNN
    layer project a whole sequence with one matrix product and loop only over
    the recurrent part, while ``call`` (one step) stays Keras's.

    This constructor's arguments are those the cells share, in Keras's order
    and with Keras's defaults; a cell names only its own and takes these
    through `keras_signature`.

    Args:
        units: positive int, the size of the state.
        activation / recurrent_activation: the output and gate activations.
        use_bias: whether to add biases.
        kernel_initializer / recurrent_initializer / bias_initializer: weights'
            initializers.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: penalties.
        kernel_constraint / recurrent_constraint / bias_constraint: constraints.
        dropout / recurrent_dropout: rates in [0, 1] for the inputs and states.
        seed: int seed of the dropout masks.
        **kwargs: standard layer arguments; Keras 2's ``implementation`` is
            accepted and has no effect.
    """

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        name = type(self).__name__
        self.implementation = kwargs.pop("implementation", 2)  # Keras 2; no effect
        super().__init__(**kwargs)
        self.units = check_units(name, units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(name, "dropout", dropout)
        self.recurrent_dropout = check_rate(
            name, "recurrent_dropout", recurrent_dropout
        )
        # Keras draws one mask per gate when recurrent dropout is on ("implementation
        # 1"), a single input mask otherwise.
        if self.recurrent_dropout > 0 and self.gates > 1:
            self.dropout_mask_count = self.gates
        self.seed = seed
        self.output_size = self.units

    @property
    def state_size(self):
        return self.units

    def _add_cell_weights(
        self, kernel_shape: tuple, recurrent_shape: tuple, bias_shape: tuple, bias_init
    ) -> None:
        """The ``kernel``, ``recurrent_kernel`` and (with ``use_bias``) ``bias``
        weights, in Keras's order."""
        self.kernel = self.add_weight(
            shape=kernel_shape,
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=recurrent_shape,
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = (
            self.add_weight(
                shape=bias_shape,
                name="bias",
                initializer=bias_init,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
            if self.use_bias
            else None
        )

    # Keras applies dropout only while training and for rates strictly between
    # 0 and 1; these are the masks of this call under that rule, or None.
    def _training_dropout_mask(self, step_input: torch.Tensor, training):
        if training and 0.0 < self.dropout < 1.0:
            return self.get_dropout_mask(step_input)
        return None

    def _training_recurrent_dropout_mask(self, state: torch.Tensor, training):
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return self.get_recurrent_dropout_mask(state)
        return None

    def _input_bias(self):
        return self.bias

    def project_inputs(self, inputs: torch.Tensor, training=None) -> torch.Tensor:
        """``inputs @ kernel + bias`` for a step ``(batch, in)`` or a sequence
        ``(batch, time, in)``, with this call's input dropout mask."""
        mask = self._training_dropout_mask(
            inputs[:, 0] if inputs.dim() == 3 else inputs, training
        )
        bias = self._input_bias()
        if mask is None:
            proj = torch.matmul(inputs, self.kernel)
        elif mask.dim() == 2:  # one mask for all gates
            seq = inputs.dim() == 3
            proj = torch.matmul(inputs * (mask[:, None] if seq else mask), self.kernel)
        else:  # one mask per gate: (gates, batch, in)
            proj = self._per_gate_projection(inputs, mask)
        return proj if bias is None else proj + bias

    def _per_gate_projection(self, inputs, mask):
        gates, units = self.gates, self.units
        kernel = self.kernel.view(-1, gates, units).transpose(0, 1)  # (g, in, u)
        if inputs.dim() == 3:
            x = inputs.unsqueeze(0) * mask[:, :, None, :]  # (g, b, t, in)
            proj = torch.matmul(x, kernel.unsqueeze(1))  # (g, b, t, u)
            return proj.permute(1, 2, 0, 3).reshape(*inputs.shape[:2], gates * units)
        proj = torch.bmm(inputs.unsqueeze(0) * mask, kernel)  # (g, b, u)
        return proj.transpose(0, 1).reshape(inputs.shape[0], gates * units)

    def _recurrent_inputs(self, h: torch.Tensor, training) -> torch.Tensor | None:
        """The per-gate dropped-out states ``(gates, batch, units)``, or None
        when there is no recurrent dropout in this call."""
        mask = self._training_recurrent_dropout_mask(h, training)
        if mask is None:
            return None
        return h * mask if mask.dim() == 2 else h.unsqueeze(0) * mask

    def call(self, inputs, states, training=None):
        return self.step(self.project_inputs(inputs, training), states, training)

    def get_initial_state(self, batch_size=None):
        dtype = self._compute_dtype
        sizes = (
            self.state_size
            if isinstance(self.state_size, (list, tuple))
            else [self.state_size]
        )
        device = self.kernel.device if self.built else None
        return [torch.zeros((batch_size, d), dtype=dtype, device=device) for d in sizes]

    def get_config(self) -> dict:
        config = super().get_config()
        config["units"] = self.units
        config["activation"] = activations.serialize(self.activation)
        config["recurrent_activation"] = activations.serialize(
            self.recurrent_activation
        )
        config["use_bias"] = self.use_bias
        for kind in ("initializer", "regularizer", "constraint"):
            for weight in ("kernel", "recurrent", "bias"):
                name = f"{weight}_{kind}"
                config[name] = serialize_keras_object(getattr(self, name))
        config["dropout"] = self.dropout
        config["recurrent_dropout"] = self.recurrent_dropout
        config["seed"] = self.seed
        return config
