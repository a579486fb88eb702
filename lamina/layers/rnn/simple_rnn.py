"""SimpleRNN: the fully connected recurrent layer, and its cell."""

from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.rnn import fused_kernels
from lamina.layers.rnn.base_rnn_cell import BaseRNNCell
from lamina.layers.rnn.builtin_rnn import (
    BuiltinRNN,
    docstring_tail,
    layer_parameters,
)
from lamina.layers.rnn.keras_1_arguments import rename_keras_1_arguments
from lamina.signatures import keras_signature


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

    @keras_signature(
        BaseRNNCell, drop=("recurrent_activation",), rename=rename_keras_1_arguments
    )
    def __init__(self, units, **kwargs):
        super().__init__(units, recurrent_activation=None, **kwargs)

    def build(self, input_shape) -> None:
        units = self.units
        self._add_cell_weights(
            (input_shape[-1], units), (units, units), (units,), self.bias_initializer
        )
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
        del config["recurrent_activation"]
        return config


class SimpleRNN(BuiltinRNN):
    """Fully connected RNN whose output is fed back as the next state.

    Runs on torch's fused ``rnn_tanh`` / ``rnn_relu`` kernel (cuDNN on CUDA)
    for ``activation="tanh"`` or ``"relu"`` with no recurrent dropout while
    training, ``unroll=False`` and a mask absent or right-padded; a step loop
    otherwise, with the same numbers.

    Example:
        >>> rnn = lamina.layers.SimpleRNN(4)
        >>> rnn(torch.zeros(32, 10, 8)).shape
        torch.Size([32, 4])
    """

    # The sections every built-in recurrent layer shares.
    __doc__ += docstring_tail(SimpleRNNCell, ("h",), use_cudnn=False)

    _input_rank = 3
    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    # ``units`` may be None when Keras 1's ``output_dim`` stands for it; Keras
    # lists ``seed`` after the RNN's arguments.
    @keras_signature(layer_parameters(SimpleRNNCell), rename=rename_keras_1_arguments)
    def __init__(self, units=None, *, seed=None, **kwargs):
        super().__init__(units=units, seed=seed, **kwargs)

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

    def get_config(self) -> dict:
        config = super().get_config()
        del config["seed"]  # Keras's SimpleRNN config has no seed
        return config


_FUSED = {activations.get("tanh"): "rnn_tanh", activations.get("relu"): "rnn_relu"}
