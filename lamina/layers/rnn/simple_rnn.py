"""SimpleRNN: the fully connected recurrent layer, and its cell."""

from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.rnn import fused_kernels
from lamina.layers.rnn.base_rnn_cell import (
    BaseRNNCell,
    cell_property,
    merge_keras_1_arguments,
    recurrent_layer_config,
)
from lamina.layers.rnn.rnn import RNN


class SimpleRNNCell(BaseRNNCell):
    """One step of a fully connected RNN: ``h' = activation(x @ kernel + h @
    recurrent_kernel + bias)``; the output is ``h'``.

    Example:
        >>> cell = lamina.layers.SimpleRNNCell(4)
        >>> out, [h] = cell(torch.zeros(2, 3), [torch.zeros(2, 4)])
        >>> out.shape
        torch.Size([2, 4])

    Args:
        units: positive int, the size of the output and state.
        activation: ``tanh`` by default.
        use_bias: whether to add a bias.
        kernel_initializer / recurrent_initializer / bias_initializer:
            ``glorot_uniform`` / ``orthogonal`` / ``zeros``.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: penalties.
        kernel_constraint / recurrent_constraint / bias_constraint: constraints.
        dropout / recurrent_dropout: fractions of inputs / state to drop.
        seed: seed of the dropout masks.
        **kwargs: standard layer arguments.
    """

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
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
        args = dict(
            units=units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
        )
        merge_keras_1_arguments("SimpleRNNCell", args, kwargs)
        super().__init__(recurrent_activation=None, **args, **kwargs)

    def build(self, input_shape) -> None:
        self._add_cell_weights(input_shape[-1], (self.units,))
        self.built = True

    def step(self, x_proj, states, training=None):
        """One step from the projected input ``x @ kernel + bias``."""
        h = states[0] if isinstance(states, (list, tuple)) else states
        dropped = self._recurrent_inputs(h, training)
        output = torch.addmm(
            x_proj, h if dropped is None else dropped, self.recurrent_kernel
        )
        output = self.activation(output)
        return output, [output] if isinstance(states, (list, tuple)) else output

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._cell_config())
        del config["recurrent_activation"]
        return config


class SimpleRNN(RNN):
    """Fully connected RNN whose output is fed back as the next state.

    Runs on torch's fused ``rnn_tanh`` / ``rnn_relu`` kernel (cuDNN on CUDA)
    for ``activation="tanh"`` or ``"relu"`` with no recurrent dropout while
    training, ``unroll=False`` and a mask absent or right-padded; a step loop
    otherwise, with the same numbers.

    Example:
        >>> rnn = lamina.layers.SimpleRNN(4)
        >>> rnn(torch.zeros(32, 10, 8)).shape
        torch.Size([32, 4])

    Args:
        units: positive int, the size of the output.
        activation, use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, kernel_regularizer, recurrent_regularizer,
        bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: as in
            `SimpleRNNCell`.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in
            `RNN`.
        **kwargs: standard layer arguments; Keras 2's ``time_major`` and Keras
            1's argument names are accepted.

    Call arguments:
        inputs: ``(batch, timesteps, features)``.
        mask: boolean ``(batch, timesteps)``.
        training: whether dropout is active.
        initial_state: ``[h]``, ``(batch, units)``.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, units)`` or ``(batch, timesteps, units)``; with
        ``return_state`` also the final state.
    """

    _input_rank = 3

    def __init__(
        self,
        units=None,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed=None,
        **kwargs,
    ):
        args = dict(
            units=units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
        )
        merge_keras_1_arguments("SimpleRNN", args, kwargs)
        kwargs.pop("implementation", None)
        cell = SimpleRNNCell(
            **args,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )

    def _fused_call(self, sequences, states, mask, training):
        cell = self.cell
        kind = _FUSED.get(cell.activation)
        if kind is None or (training and cell.recurrent_dropout > 0):
            return None
        return self._run_fused(
            kind,
            fused_kernels.simple_rnn_weights(cell),
            sequences,
            states,
            mask,
            training,
        )

    units = cell_property("units")
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
        config = recurrent_layer_config(self)
        del config["seed"]  # Keras's SimpleRNN config has no seed
        return config


_FUSED = {activations.get("tanh"): "rnn_tanh", activations.get("relu"): "rnn_relu"}
