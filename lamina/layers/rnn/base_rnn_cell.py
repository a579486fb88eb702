"""What the built-in recurrent cells share: arguments, weights, config, Keras 1."""

from __future__ import annotations

import torch

from lamina import activations, constraints, initializers, regularizers
from lamina.errors import ArgumentError, warn_deprecated_once
from lamina.layers.layer import Layer
from lamina.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from lamina.serialization import serialize_keras_object

# Keras 1 argument names of the recurrent layers and cells -> Keras 2/3 names.
_KERAS_1_NAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "U_constraint": "recurrent_constraint",
    "b_constraint": "bias_constraint",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
}


def rename_keras_1_arguments(layer_name: str, kwargs: dict) -> dict:
    """Move Keras 1 argument names in ``kwargs`` to their modern names (warns once)."""
    for old, new in _KERAS_1_NAMES.items():
        if old in kwargs:
            warn_deprecated_once(
                f"{layer_name}.{old}",
                f"{layer_name}({old}=...) is deprecated; use {new}=...",
            )
            kwargs[new] = kwargs.pop(old)
    if "forget_bias_init" in kwargs:
        warn_deprecated_once(
            f"{layer_name}.forget_bias_init",
            f"{layer_name}(forget_bias_init=...) is deprecated; "
            "use unit_forget_bias=True",
        )
        kwargs["unit_forget_bias"] = kwargs.pop("forget_bias_init") == "one"
    return kwargs


def merge_keras_1_arguments(layer_name: str, args: dict, kwargs: dict) -> dict:
    """``args`` updated with the (renamed) Keras 1 arguments found in ``kwargs``,
    which are removed from ``kwargs``."""
    rename_keras_1_arguments(layer_name, kwargs)
    args.update({key: kwargs.pop(key) for key in list(kwargs) if key in args})
    return args


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
    """Base of SimpleRNNCell, LSTMCell and GRUCell: one recurrent step.

    Subclasses set ``gates`` (1, 4 or 3) and implement ``step(x_proj, states,
    training)``, where ``x_proj`` is the input already multiplied by the kernel
    (and biased). Splitting the input projection from the step lets the RNN
    layer project a whole sequence with one matrix product and loop only over
    the recurrent part, while ``call`` (one step) stays Keras's.

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
        self, input_dim: int, bias_shape: tuple | None, bias_initializer=None
    ) -> None:
        self.kernel = self.add_weight(
            shape=(input_dim, self.gates * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.gates * self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = (
            self.add_weight(
                shape=bias_shape,
                name="bias",
                initializer=bias_initializer or self.bias_initializer,
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

    def _cell_config(self) -> dict:
        return {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "recurrent_initializer": serialize_keras_object(self.recurrent_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "recurrent_regularizer": serialize_keras_object(self.recurrent_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "recurrent_constraint": serialize_keras_object(self.recurrent_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


def cell_property(name: str) -> property:
    """A read-only attribute of a recurrent layer that lives on its cell."""
    return property(
        lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``."
    )


class CellAttributes:
    """Mixin of LSTM, GRU, SimpleRNN and ConvLSTM: the cell's arguments they
    all have, as Keras's read-only layer attributes, and Keras's config.

    Each layer adds the attributes only it has (``units``, ``filters``,
    ``recurrent_activation``, ...).
    """

    activation = cell_property("activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    def get_config(self) -> dict:
        return recurrent_layer_config(self)


def constructor_arguments(local_names: dict) -> tuple[dict, dict]:
    """``(named arguments, kwargs)`` of a constructor from its ``locals()``.

    The public recurrent layers and cells write Keras's signature out (for
    ``help``) and forward their arguments with this, not name by name; it is
    their first statement, so no other local is bound yet.
    """
    arguments = {
        key: value
        for key, value in local_names.items()
        if key not in ("self", "__class__", "kwargs")
    }
    return arguments, dict(local_names.get("kwargs", {}))


# The arguments of the built-in recurrent layers that go to `RNN`, not the cell.
_RNN_ARGUMENTS = (
    "activity_regularizer",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
)


def pop_rnn_arguments(arguments: dict) -> dict:
    """Move the `RNN` arguments out of a recurrent layer's ``arguments``."""
    return {key: arguments.pop(key) for key in _RNN_ARGUMENTS if key in arguments}


def make_layer_cell(
    layer_name: str, cell_class, cell_name: str, arguments: dict, kwargs: dict
) -> BaseRNNCell:
    """The cell of an LSTM, GRU or SimpleRNN layer from the layer's cell
    ``arguments``; Keras 1 names and Keras 2's ``implementation`` are moved out
    of ``kwargs``, which then holds the layer's own arguments."""
    merge_keras_1_arguments(layer_name, arguments, kwargs)
    return cell_class(
        **arguments,
        dtype=kwargs.get("dtype"),
        trainable=kwargs.get("trainable", True),
        name=cell_name,
        implementation=kwargs.pop("implementation", 2),
    )


def check_use_cudnn(use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ArgumentError(
            "Invalid value received for argument `use_cudnn`. Expected one of "
            f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}"
        )
    return use_cudnn


def recurrent_layer_config(layer) -> dict:
    """A recurrent layer's config as Keras writes it: the RNN keys without
    ``cell``, plus the cell's arguments."""
    from lamina.layers.rnn.rnn import RNN

    config = RNN.get_config(layer)
    del config["cell"]
    cell_config = layer.cell.get_config()
    for key in ("name", "trainable", "dtype"):
        cell_config.pop(key, None)
    config.update(cell_config)
    config["activity_regularizer"] = serialize_keras_object(layer.activity_regularizer)
    return config
