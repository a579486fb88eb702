"""The constructors whose shared arguments are written once (`keras_signature`):
Keras 3's argument names and order for ``inspect.signature``/``help``, calls by
position, and Python's own TypeErrors for bad calls."""

from __future__ import annotations

import inspect
import pydoc

import pytest

from lamina import layers
from lamina.layers.rnn.conv_lstm import ConvLSTMCell

_CELL = (
    "activation recurrent_activation use_bias kernel_initializer "
    "recurrent_initializer bias_initializer {ufb} kernel_regularizer "
    "recurrent_regularizer bias_regularizer {act} kernel_constraint "
    "recurrent_constraint bias_constraint dropout recurrent_dropout"
)
_RNN = "return_sequences return_state go_backwards stateful"
_CONV = "filters kernel_size strides padding data_format dilation_rate"
_NORM = (
    "epsilon center scale beta_initializer gamma_initializer {moving} "
    "beta_regularizer gamma_regularizer beta_constraint gamma_constraint"
)
_ATTENTION = (
    "sliding_window flash_attention kernel_initializer bias_initializer "
    "kernel_regularizer bias_regularizer activity_regularizer kernel_constraint "
    "bias_constraint use_gate seed"
)


def _cell(ufb="", act=""):
    return _CELL.format(ufb=ufb, act=act)


# Keras 3.15's constructor arguments (keras/src/layers/...), in order.
KERAS_ARGUMENTS = {
    layers.LSTMCell: f"units {_cell('unit_forget_bias')} seed",
    layers.GRUCell: f"units {_cell()} reset_after seed",
    layers.SimpleRNNCell: "units "
    + _cell().replace("recurrent_activation ", "")
    + " seed",
    ConvLSTMCell: f"rank {_CONV} {_cell('unit_forget_bias')} seed",
    layers.LSTM: f"units {_cell('unit_forget_bias', 'activity_regularizer')} seed "
    f"{_RNN} unroll use_cudnn",
    layers.GRU: f"units {_cell(act='activity_regularizer')} seed {_RNN} unroll "
    "reset_after use_cudnn",
    layers.SimpleRNN: "units "
    + _cell(act="activity_regularizer").replace("recurrent_activation ", "")
    + f" {_RNN} unroll seed",
    layers.ConvLSTM1D: f"{_CONV} {_cell('unit_forget_bias', 'activity_regularizer')}"
    f" seed {_RNN}",
    layers.ConvLSTM2D: f"{_CONV} {_cell('unit_forget_bias', 'activity_regularizer')}"
    f" seed {_RNN}",
    layers.ConvLSTM3D: f"{_CONV} {_cell('unit_forget_bias', 'activity_regularizer')}"
    f" seed {_RNN}",
    layers.MultiHeadAttention: "num_heads key_dim value_dim dropout use_bias "
    f"output_shape attention_axes {_ATTENTION}",
    layers.GroupQueryAttention: "head_dim num_query_heads num_key_value_heads "
    f"dropout use_bias {_ATTENTION}",
    layers.BatchNormalization: "axis momentum "
    + _NORM.format(moving="moving_mean_initializer moving_variance_initializer")
    + " renorm renorm_clipping renorm_momentum synchronized",
    layers.LayerNormalization: "axis " + _NORM.format(moving=""),
    layers.GroupNormalization: "groups axis " + _NORM.format(moving=""),
}


@pytest.mark.parametrize("cls", list(KERAS_ARGUMENTS), ids=lambda c: c.__name__)
def test_signature_lists_keras_arguments_in_keras_order(cls):
    parameters = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in parameters[:-1]] == KERAS_ARGUMENTS[cls].split()
    assert parameters[-1].kind is inspect.Parameter.VAR_KEYWORD
    text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
    assert f"{cls.__name__}({parameters[0].name}" in text


def test_signature_defaults_are_keras():
    lstm = inspect.signature(layers.LSTM).parameters
    assert lstm["units"].default is None  # Keras 1's output_dim may stand for it
    assert lstm["recurrent_initializer"].default == "orthogonal"
    assert lstm["unit_forget_bias"].default is True
    assert lstm["use_cudnn"].default == "auto"
    assert inspect.signature(layers.GRU).parameters["reset_after"].default is True
    bn = inspect.signature(layers.BatchNormalization).parameters
    assert bn["moving_variance_initializer"].default == "ones"
    assert bn["renorm_momentum"].default == 0.99


def test_arguments_by_position_follow_keras_order():
    cell = layers.LSTMCell(
        4, "relu", "hard_sigmoid", False, "zeros", "zeros", "ones", False
    )
    assert cell.unit_forget_bias is False and cell.use_bias is False
    initializers = ("glorot_uniform", "orthogonal", "zeros")
    gru = layers.GRU(
        3,
        "tanh",
        "sigmoid",
        True,
        *initializers,
        *[None] * 7,
        0.0,
        0.0,
        None,
        True,
        True,
        False,
        False,
        True,
        False,
    )
    assert gru.return_sequences and gru.return_state and gru.unroll
    assert gru.reset_after is False
    rnn = layers.SimpleRNN(
        3,
        "tanh",
        True,
        *initializers,
        *[None] * 7,
        0.0,
        0.0,
        False,
        False,
        False,
        False,
        False,
        7,
    )
    assert rnn.cell.seed == 7
    mha = layers.MultiHeadAttention(2, 4, None, 0.0, True, 6, (1,), 3)
    assert mha.get_config()["output_shape"] == (6,)
    assert mha.attention_axes == (1,) and mha.get_config()["sliding_window"] == 3
    bn = layers.BatchNormalization(1, 0.9, 1e-2, True, True, "zeros", "ones", "ones")
    assert bn.get_config()["moving_mean_initializer"]["class_name"] == "Ones"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.LSTMCell(), "missing 1 required positional argument: 'units'"),
        (
            lambda: layers.ConvLSTM2D(),
            "missing 2 required positional arguments: 'filters' and 'kernel_size'",
        ),
        (
            lambda: layers.GroupQueryAttention(),
            "missing 3 required positional arguments: 'head_dim', "
            "'num_query_heads', and 'num_key_value_heads'",
        ),
        (
            lambda: layers.LSTM(4, units=3),
            "got multiple values for argument 'units'",
        ),
        (
            lambda: layers.LayerNormalization(*[1] * 12),
            "takes from 1 to 11 positional arguments but 13 were given",
        ),
    ],
)
def test_bad_calls_raise_pythons_type_error(make, message):
    with pytest.raises(TypeError) as error:
        make()
    assert str(error.value).endswith(".__init__() " + message)


def test_layers_show_their_cells_arguments_as_attributes():
    conv = layers.ConvLSTM2D(2, 3, padding="same", recurrent_dropout=0.1)
    assert conv.padding == "same" and conv.kernel_size == (3, 3)
    assert conv.recurrent_dropout == 0.1
    for name in ("seed", "rank"):
        assert not hasattr(type(conv), name)
    with pytest.raises(AttributeError):
        conv.padding = "valid"


@pytest.mark.parametrize("cls", list(KERAS_ARGUMENTS), ids=lambda c: c.__name__)
def test_help_names_every_argument(cls):
    doc = inspect.getdoc(cls)
    for section in ("Example:", "Args:"):
        assert section in doc
    for name in KERAS_ARGUMENTS[cls].split():
        assert name in doc
