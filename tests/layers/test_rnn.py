"""Recurrent layers: SimpleRNN, LSTM, GRU, their cells, RNN, StackedRNNCells,
Bidirectional and TimeDistributed, against Keras's numbers (tests/fixtures/
make_layers_rnn.py) and through the shared layer test."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.backend import tree
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.regularization.dropout import scaled_keep_mask
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_rnn.npz")
)
CASES = json.loads(str(FIXTURE["cases"]))
CONFIGS = json.loads(str(FIXTURE["configs"]))
X = FIXTURE["x"]


def build(spec):
    """The lamina layer for a fixture spec (mirrors the fixture script's build)."""
    kwargs = dict(spec.get("kw", {}))
    if spec["cls"] == "RNN":
        cells = [getattr(layers, c["cls"])(**c["kw"]) for c in spec["cells"]]
        return layers.RNN(cells if len(cells) > 1 else cells[0], **kwargs)
    if spec["cls"] in ("Bidirectional", "TimeDistributed"):
        inner = build(spec["inner"])
        if "backward" in spec:
            kwargs["backward_layer"] = build(spec["backward"])
        return getattr(layers, spec["cls"])(inner, **kwargs)
    return getattr(layers, spec["cls"])(**kwargs)


def run_case(name, layer=None, x=None):
    """Build the case's layer with Keras's weights; return (layer, inputs, outputs)."""
    spec = CASES[name]
    layer = layer or build(spec)
    data = FIXTURE[spec["x"]]
    x = torch.tensor(data, requires_grad=True) if x is None else x
    kwargs = {}
    if spec["mask"] is not None:
        mask = FIXTURE[f"mask_{spec['mask']}"][: data.shape[0], : data.shape[1]]
        kwargs["mask"] = torch.as_tensor(mask)
    if spec["initial_state"]:
        count = sum(1 for key in FIXTURE.files if key.startswith(f"{name}/s"))
        kwargs["initial_state"] = [
            torch.as_tensor(FIXTURE[f"{name}/s{i}"]) for i in range(count)
        ]
    if not layer.built:
        layer.build((None, *data.shape[1:]))
    count = sum(1 for key in FIXTURE.files if key.startswith(f"{name}/w"))
    layer.set_weights([FIXTURE[f"{name}/w{i}"] for i in range(count)])
    return layer, x, tree.flatten(layer(x, **kwargs))


def check_outputs(name, outputs):
    expected = [FIXTURE[f"{name}/o{i}"] for i in range(len(outputs))]
    assert f"{name}/o{len(outputs)}" not in FIXTURE.files, "missing outputs"
    for actual, want in zip(outputs, expected):
        np.testing.assert_allclose(actual.detach().numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    _, _, outputs = run_case(name)
    check_outputs(name, outputs)


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n in CASES
        if n.split("_")[0] in ("lstm", "gru", "simplernn") and "unroll" not in n
    ),
)
def test_step_loop_matches_keras(name):
    """The same cases with the fused kernels turned off (``unroll=True``)."""
    spec = CASES[name]
    layer = build({**spec, "kw": {**spec["kw"], "unroll": True}})
    _, _, outputs = run_case(name, layer)
    check_outputs(name, outputs)


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n]["grads"]))
@pytest.mark.parametrize("fused", [True, False])
def test_gradients_match_keras(name, fused):
    spec = CASES[name]
    layer = build(spec if fused else {**spec, "kw": {**spec["kw"], "unroll": True}})
    layer, x, outputs = run_case(name, layer)
    loss = sum((o**2).sum() for o in outputs)
    grads = torch.autograd.grad(loss, list(layer.weights) + [x])
    for i, grad in enumerate(grads[:-1]):
        np.testing.assert_allclose(
            grad.numpy(), FIXTURE[f"{name}/g{i}"], rtol=1e-4, atol=1e-5
        )
    np.testing.assert_allclose(
        grads[-1].numpy(), FIXTURE[f"{name}/gx"], rtol=1e-4, atol=1e-5
    )


def _strip_names(config):
    if isinstance(config, dict):
        return {k: _strip_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, list):
        return [_strip_names(v) for v in config]
    return config


def test_configs_match_keras():
    from lamina.serialization import serialize_keras_object

    ours = {
        "LSTM": layers.LSTM(3, dropout=0.1, recurrent_dropout=0.2, seed=3),
        "GRU": layers.GRU(3, reset_after=False),
        "SimpleRNN": layers.SimpleRNN(3, activation="relu"),
        "LSTMCell": layers.LSTMCell(3),
        "GRUCell": layers.GRUCell(3),
        "SimpleRNNCell": layers.SimpleRNNCell(3),
        "RNN": layers.RNN(layers.LSTMCell(3), return_sequences=True),
        "StackedRNNCells": layers.StackedRNNCells(
            [layers.GRUCell(2), layers.LSTMCell(3)]
        ),
        "Bidirectional": layers.Bidirectional(layers.GRU(2), merge_mode="sum"),
        "TimeDistributed": layers.TimeDistributed(layers.Dense(2)),
        "ConvLSTM1D": layers.ConvLSTM1D(2, 3, strides=2, padding="same"),
        "ConvLSTM2D": layers.ConvLSTM2D(
            2,
            (2, 3),
            data_format="channels_first",
            dropout=0.1,
            recurrent_dropout=0.2,
            seed=1,
        ),
        "ConvLSTM3D": layers.ConvLSTM3D(2, 2, dilation_rate=2, return_sequences=True),
    }
    for name, layer in ours.items():
        assert _strip_names(serialize_keras_object(layer)) == _strip_names(
            CONFIGS[name]
        ), name
    bidi = ours["Bidirectional"].get_config()
    assert bidi["layer"]["config"]["name"].startswith("forward_gru")
    assert bidi["backward_layer"]["config"]["name"].startswith("backward_gru")
    assert ours["LSTM"].cell.name == "lstm_cell"


# ---------------------------------------------------------------- shared layer test
@pytest.mark.parametrize(
    "cls,weights",
    [
        (layers.LSTM, [(4, 12), (3, 12), (12,)]),
        (layers.GRU, [(4, 9), (3, 9), (2, 9)]),
        (layers.SimpleRNN, [(4, 3), (3, 3), (3,)]),
    ],
)
def test_layer_basics(cls, weights):
    run_layer_test(
        cls,
        {"units": 3},
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=3,
        expected_weight_shapes=weights,
        supports_masking=True,
    )
    run_layer_test(
        cls,
        {
            "units": 3,
            "return_sequences": True,
            "go_backwards": True,
            "dropout": 0.2,
            "recurrent_dropout": 0.3,
            "seed": 1,
        },
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 5, 3),
        expected_num_trainable_weights=3,
        deterministic=True,
    )


def test_return_state_shapes():
    run_layer_test(
        layers.LSTM,
        {"units": 3, "return_state": True},
        input_shape=(2, 5, 4),
        expected_output_shape=[(2, 3)] * 3,
        expected_num_trainable_weights=3,
    )
    run_layer_test(
        layers.GRU,
        {"units": 3, "return_state": True, "return_sequences": True},
        input_shape=(2, 5, 4),
        expected_output_shape=[(2, 5, 3), (2, 3)],
        expected_num_trainable_weights=3,
    )


def test_cells_and_rnn_basics():
    run_layer_test(
        layers.RNN,
        {"cell": layers.LSTMCell(3)},
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=3,
    )
    run_layer_test(
        layers.RNN,
        {
            "cell": [layers.GRUCell(3), layers.SimpleRNNCell(2)],
            "return_sequences": True,
        },
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 5, 2),
        expected_num_trainable_weights=6,
    )
    cell = layers.LSTMCell(3)
    h, (h2, c2) = cell(torch.zeros(2, 4), [torch.zeros(2, 3), torch.zeros(2, 3)])
    assert h.shape == (2, 3) and h2 is h and c2.shape == (2, 3)
    # unit_forget_bias: the forget gate's bias starts at 1, the others at 0.
    bias = cell.bias.detach().numpy()
    np.testing.assert_array_equal(bias, [0] * 3 + [1] * 3 + [0] * 6)
    plain = layers.LSTMCell(3, unit_forget_bias=False, bias_initializer="ones")
    plain.build((None, 2))
    np.testing.assert_array_equal(plain.bias.detach().numpy(), np.ones(12))


def test_bidirectional_and_time_distributed_basics():
    run_layer_test(
        layers.Bidirectional,
        {"layer": layers.LSTM(3)},
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 6),
        expected_num_trainable_weights=6,
    )
    run_layer_test(
        layers.Bidirectional,
        {"layer": layers.GRU(3, return_sequences=True), "merge_mode": "ave"},
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 5, 3),
        expected_num_trainable_weights=6,
    )
    run_layer_test(
        layers.TimeDistributed,
        {"layer": layers.Dense(2)},
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 5, 2),
        expected_num_trainable_weights=2,
    )


def test_symbolic_shapes_and_initial_state_in_functional_model():
    inputs = lamina.Input(shape=(5, 4))
    h0, c0 = lamina.Input(shape=(3,)), lamina.Input(shape=(3,))
    seq, h, c = layers.LSTM(3, return_sequences=True, return_state=True)(
        inputs, initial_state=[h0, c0]
    )
    assert seq.shape == (None, 5, 3) and h.shape == (None, 3) and c.shape == (None, 3)
    both = layers.Bidirectional(layers.GRU(2), merge_mode=None)(inputs)
    assert [t.shape for t in both] == [(None, 2), (None, 2)]
    model = lamina.Model([inputs, h0, c0], layers.Dense(1)(h))
    x = np.zeros((2, 5, 4), "float32")
    zero = model.predict(
        [x, np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32")], verbose=0
    )
    ones = model.predict(
        [x, np.ones((2, 3), "float32"), np.ones((2, 3), "float32")], verbose=0
    )
    assert zero.shape == (2, 1) and not np.allclose(zero, ones)


# ---------------------------------------------------------------- masking
def test_embedding_mask_zero_is_respected():
    """Padding from Embedding(mask_zero=True) changes nothing: the padded and the
    unpadded sequences give the same final output."""
    lamina.utils.set_random_seed(0)
    embed = layers.Embedding(10, 4, mask_zero=True)
    for lstm in (
        layers.LSTM(3),
        layers.LSTM(3, unroll=True),
        layers.Bidirectional(layers.GRU(3)),
    ):
        short = lstm(embed(torch.tensor([[4, 5, 6]])))
        for padded in ([[0, 0, 4, 5, 6]], [[4, 5, 6, 0, 0]]):
            out = lstm(embed(torch.tensor(padded)))
            torch.testing.assert_close(out, short, rtol=1e-5, atol=1e-6)


def test_masking_layer_and_sequence_mask_output():
    x = torch.tensor(X)
    x[1, 3:] = 0.0
    masked = layers.Masking()(x)
    layer = layers.GRU(3, return_sequences=True)
    out = layer(masked)
    assert out._keras_mask.tolist() == masked._keras_mask.tolist()
    # masked steps repeat the previous output
    torch.testing.assert_close(out[1, 3], out[1, 2])
    torch.testing.assert_close(out[1, 4], out[1, 2])


# ---------------------------------------------------------------- dropout
def _lstm_reference(x, kernel, rkernel, bias, in_masks, rec_masks):
    """Keras's LSTM "implementation 1": one input and one state mask per gate."""
    units = rkernel.shape[0]
    h = np.zeros((x.shape[0], units), "float32")
    c = np.zeros_like(h)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    for t in range(x.shape[1]):
        z = [
            (x[:, t] * in_masks[g]) @ kernel[:, g * units : (g + 1) * units]
            + bias[g * units : (g + 1) * units]
            + (h * rec_masks[g]) @ rkernel[:, g * units : (g + 1) * units]
            for g in range(4)
        ]
        c = sig(z[1]) * c + sig(z[0]) * np.tanh(z[2])
        h = sig(z[3]) * np.tanh(c)
    return h


def test_recurrent_dropout_uses_one_mask_per_gate_for_all_steps():
    layer = layers.LSTM(3, dropout=0.4, recurrent_dropout=0.3, seed=7)
    x = torch.tensor(X)
    inference = layer(x)
    trained = layer(x, training=True)
    assert not torch.allclose(inference, trained)
    # The masks the layer drew: its seeded generator, input masks first.
    gen = torch.Generator().manual_seed(7)
    in_masks = scaled_keep_mask((4, 3, 4), 0.4, x, gen)
    rec_masks = scaled_keep_mask((4, 3, 3), 0.3, x, gen)
    kernel, rkernel, bias = layer.get_weights()
    expected = _lstm_reference(
        X, kernel, rkernel, bias, in_masks.numpy(), rec_masks.numpy()
    )
    np.testing.assert_allclose(trained.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_input_dropout_fused_equals_step_loop(cls):
    fused = cls(3, dropout=0.5, seed=3, return_sequences=True)
    loop = cls(3, dropout=0.5, seed=3, return_sequences=True, unroll=True)
    x = torch.tensor(X)
    fused(x)
    loop(x)
    loop.set_weights(fused.get_weights())
    torch.testing.assert_close(
        fused(x, training=True), loop(x, training=True), rtol=1e-5, atol=1e-6
    )


# ---------------------------------------------------------------- stateful
def test_stateful_carries_states_and_resets():
    x = torch.tensor(X)
    layer = layers.LSTM(3, stateful=True, return_state=True)
    plain = layers.LSTM(3, return_state=True)
    _, h1, c1 = layer(x[:, :2])
    plain(x)
    plain.set_weights(layer.get_weights())
    out2 = layer(x[:, 2:])[0]
    whole = plain(x)[0]
    torch.testing.assert_close(out2, whole, rtol=1e-5, atol=1e-6)
    layer.reset_states()
    torch.testing.assert_close(layer(x)[0], whole, rtol=1e-5, atol=1e-6)
    layer.reset_state(states=[np.ones((3, 3)), np.zeros((3, 3))])
    assert np.allclose(layer.states[0].numpy(), 1.0)
    with pytest.raises(ShapeError, match="batch size"):
        layer(x[:2])
    with pytest.raises(AttributeError, match="stateful"):
        plain.reset_states()


def test_time_major_keras_2_argument():
    layer = layers.GRU(3, return_sequences=True, time_major=True)
    x = torch.tensor(X)
    out = layer(x.transpose(0, 1))
    batch_major = layers.GRU(3, return_sequences=True)
    batch_major(x)
    batch_major.set_weights(layer.get_weights())
    torch.testing.assert_close(out.transpose(0, 1), batch_major(x))
    assert layer.get_config()["time_major"] is True


def test_keras_1_and_2_arguments():
    with pytest.warns(DeprecationWarning):
        layer = layers.LSTM(
            output_dim=4,
            inner_activation="hard_sigmoid",
            dropout_U=0.1,
            implementation=1,
        )
    assert layer.units == 4 and layer.recurrent_dropout == 0.1
    assert layer.get_config()["recurrent_activation"] == "hard_sigmoid"
    layers.GRU(2, implementation=2, reset_after=False)(torch.zeros(1, 2, 3))


# ---------------------------------------------------------------- custom cells
class MinimalRNNCell(lamina.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), name="kernel"
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), name="recurrent_kernel"
        )

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]


def test_custom_cell_follows_keras_cell_api():
    cell = MinimalRNNCell(3)
    layer = layers.RNN(cell, return_sequences=True, return_state=True)
    seq, state = layer(torch.tensor(X))
    kernel, recurrent = (w.detach().numpy() for w in cell.weights)
    h = np.zeros((3, 3), "float32")
    for t in range(X.shape[1]):
        h = X[:, t] @ kernel + h @ recurrent
        np.testing.assert_allclose(seq[:, t].detach().numpy(), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state.detach().numpy(), h, rtol=1e-5, atol=1e-6)
    stacked = layers.RNN([MinimalRNNCell(3), MinimalRNNCell(2)])
    assert stacked(torch.tensor(X)).shape == (3, 2)
    assert len(stacked.trainable_weights) == 4


def test_training_step_with_fit():
    lamina.utils.set_random_seed(1)
    model = lamina.Sequential(
        [
            lamina.Input(shape=(6,), dtype="int64"),
            layers.Embedding(20, 8, mask_zero=True),
            layers.LSTM(4, dropout=0.2, recurrent_dropout=0.2),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam")
    x = np.random.default_rng(0).integers(0, 20, (16, 6))
    y = (x[:, -1] > 10).astype("float32")[:, None]
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_two_dimensional_input_is_rejected(cls):
    with pytest.raises(ShapeError, match=r"expects a 3-D input .*\(4, 5\)"):
        cls(3, name="rec")(torch.zeros(4, 5))
    with pytest.raises(ShapeError, match=r"3-D input"):
        cls(3)(lamina.Input(shape=(5,)))


@pytest.mark.parametrize("units", [0, -2, 1.5, "3", None])
@pytest.mark.parametrize(
    "cls",
    [
        layers.LSTM,
        layers.GRU,
        layers.SimpleRNN,
        layers.LSTMCell,
        layers.GRUCell,
        layers.SimpleRNNCell,
    ],
)
def test_invalid_units(cls, units):
    with pytest.raises(ArgumentError, match=f"units={units!r}"):
        cls(units)


def test_bidirectional_rejects_non_recurrent_layers():
    with pytest.raises(ArgumentError, match=r"recurrent layer.*Dense layer 'd'"):
        layers.Bidirectional(layers.Dense(3, name="d"))
    with pytest.raises(ArgumentError, match="Layer instance"):
        layers.Bidirectional("lstm")
    with pytest.raises(ArgumentError, match="merge_mode='max'"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ArgumentError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))


def test_other_bad_arguments():
    with pytest.raises(ArgumentError, match="state_size"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(ArgumentError, match="use_cudnn"):
        layers.LSTM(3, use_cudnn="yes")
    with pytest.raises(ArgumentError, match="dropout"):
        layers.GRU(3, dropout="high")
    with pytest.raises(ShapeError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(torch.zeros(2, 3))
    with pytest.raises(ShapeError, match="expects 2 initial states, but it received 1"):
        layers.LSTM(3)(torch.tensor(X), initial_state=[torch.zeros(3, 3)])


# ---------------------------------------------------------------- ConvLSTM
def test_conv_lstm_basics():
    run_layer_test(
        layers.ConvLSTM2D,
        {"filters": 2, "kernel_size": 3, "padding": "same"},
        input_shape=(2, 3, 5, 4, 2),
        expected_output_shape=(2, 5, 4, 2),
        expected_num_trainable_weights=3,
        expected_weight_shapes=[(3, 3, 2, 8), (3, 3, 2, 8), (8,)],
        supports_masking=True,
    )
    run_layer_test(
        layers.ConvLSTM1D,
        {
            "filters": 2,
            "kernel_size": 2,
            "return_sequences": True,
            "return_state": True,
            "dropout": 0.3,
            "recurrent_dropout": 0.3,
            "seed": 2,
        },
        input_shape=(2, 3, 6, 2),
        expected_output_shape=[(2, 3, 5, 2), (2, 5, 2), (2, 5, 2)],
        expected_num_trainable_weights=3,
    )


def test_conv_lstm_dropout_changes_training_outputs_only():
    layer = layers.ConvLSTM3D(2, 2, dropout=0.5, recurrent_dropout=0.5, seed=4)
    x = torch.tensor(FIXTURE["x3"])
    inference = layer(x)
    torch.testing.assert_close(layer(x), inference)
    assert not torch.allclose(layer(x, training=True), inference)


def test_conv_lstm_bad_input():
    with pytest.raises(ShapeError, match=r"5-D input \(batch, time, rows, cols, "):
        layers.ConvLSTM2D(2, 3)(torch.zeros(2, 3, 5, 2))
    with pytest.raises(ShapeError, match="larger than the input"):
        layers.ConvLSTM2D(2, 7)(torch.zeros(2, 3, 5, 5, 2))
    with pytest.raises(ArgumentError, match="filters=0"):
        layers.ConvLSTM1D(0, 3)
    with pytest.raises(ArgumentError, match="kernel_size"):
        layers.ConvLSTM2D(2, (3, 0))
    with pytest.raises(ArgumentError, match="padding"):
        layers.ConvLSTM2D(2, 3, padding="full")
    with pytest.raises(ArgumentError, match="data_format"):
        layers.ConvLSTM2D(2, 3, data_format="NHWC")
    with pytest.raises(ArgumentError, match="dilation_rate"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)


def test_bidirectional_keras_2_weights_and_stateful_reset():
    source = layers.Bidirectional(layers.GRU(2))
    source(torch.tensor(X))
    weights = source.get_weights()
    copy = layers.Bidirectional(layers.GRU(2), weights=weights)
    torch.testing.assert_close(copy(torch.tensor(X)), source(torch.tensor(X)))
    stateful = layers.Bidirectional(layers.LSTM(2, stateful=True))
    first = stateful(torch.tensor(X))
    assert len(stateful.states) == 4
    assert not torch.allclose(stateful(torch.tensor(X)), first)
    stateful.reset_states()
    torch.testing.assert_close(stateful(torch.tensor(X)), first)


def test_time_distributed_keeps_the_mask_and_matches_a_step_loop():
    x = torch.tensor(X)
    x[0, 2:] = 0.0
    masked = layers.Masking()(x)
    dense = layers.Dense(2)
    out = layers.TimeDistributed(dense)(masked)
    assert out._keras_mask.tolist() == masked._keras_mask.tolist()
    for t in range(X.shape[1]):
        torch.testing.assert_close(out[:, t], dense(masked[:, t]))


def test_keras_saved_model_loads_and_round_trips(tmp_path):
    """A Keras-saved model with Bidirectional LSTM, GRU, TimeDistributed and
    stacked cells predicts as in Keras, and again after lamina saves it."""
    path = os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_rnn_model.keras"
    )
    model = lamina.models.load_model(path)
    expected = FIXTURE["model_y"]
    np.testing.assert_allclose(
        model.predict(FIXTURE["model_x"], verbose=0), expected, rtol=1e-5, atol=1e-6
    )
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(
        again.predict(FIXTURE["model_x"], verbose=0), expected, rtol=1e-5, atol=1e-6
    )


def test_regularizers_and_constraints_reach_the_cell_weights():
    layer = layers.LSTM(
        3,
        kernel_regularizer="l2",
        recurrent_regularizer=lamina.regularizers.L1(0.1),
        bias_regularizer="l1",
        activity_regularizer="l2",
        kernel_constraint="non_neg",
        recurrent_constraint="unit_norm",
    )
    layer(torch.tensor(X))
    assert len(layer.losses) == 4  # three weight penalties and the activity one
    kernel, recurrent, bias = layer.weights
    expected = 0.1 * recurrent.detach().abs().sum()
    assert any(torch.allclose(loss, expected) for loss in layer.losses)
    assert kernel.constraint is not None and recurrent.constraint is not None
    assert bias.constraint is None
