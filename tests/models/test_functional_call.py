"""A model's call: the functional slot plan and the layers' in-graph call path.

Each case compares the model's output with the same layers called one by one
from outside a model (the full `Layer.__call__` path), so the plan and
`Layer._call_in_graph` must give what the plain calls give: shared layers,
masks, several inputs and outputs, dicts, nested models, training flags, hooks
and losses.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.layer import Layer


@pytest.fixture(autouse=True)
def fresh_names():
    lamina.backend.clear_session()
    lamina.utils.set_random_seed(0)


def _close(a, b):
    np.testing.assert_allclose(
        torch.as_tensor(a).detach().numpy(),
        torch.as_tensor(b).detach().numpy(),
        rtol=1e-6,
        atol=1e-6,
    )


def test_shared_layer_several_inputs_and_outputs():
    a, b = lamina.Input((4,), name="a"), lamina.Input((4,), name="b")
    shared = layers.Dense(3, activation="relu")
    head = layers.Dense(2)
    joined = layers.Concatenate()([shared(a), shared(b)])
    model = lamina.Model([a, b], [head(joined), shared(a)])
    xa, xb = torch.randn(5, 4), torch.randn(5, 4)
    out = model([xa, xb])
    _close(out[0], head(torch.cat([shared(xa), shared(xb)], dim=-1)))
    _close(out[1], shared(xa))
    assert isinstance(out, list) and len(out) == 2


def test_dict_inputs_and_outputs():
    a, b = lamina.Input((2,), name="a"), lamina.Input((3,), name="b")
    dense, other = layers.Dense(2), layers.Dense(1)
    joined = dense(layers.Concatenate()([a, b]))
    model = lamina.Model(
        {"a": a, "b": b}, {"sum": layers.Add()([joined, a]), "one": other(joined)}
    )
    xa, xb = torch.randn(4, 2), torch.randn(4, 3)
    out = model({"b": xb, "a": xa})
    assert set(out) == {"sum", "one"}
    expected = dense(torch.cat([xa, xb], dim=-1))
    _close(out["sum"], expected + xa)
    _close(out["one"], other(expected))
    predicted = model.predict({"a": xa.numpy(), "b": xb.numpy()}, verbose=0)
    _close(predicted["sum"], out["sum"])
    _close(predicted["one"], out["one"])


def test_mask_from_embedding_reaches_lstm():
    tokens = lamina.Input((6,), dtype="int32")
    embed = layers.Embedding(10, 4, mask_zero=True)
    lstm = layers.LSTM(3)
    model = lamina.Model(tokens, lstm(embed(tokens)))
    x = torch.tensor([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]])
    expected = lstm(embed(x))  # the mask travels on the embedding's output
    _close(model(x), expected)
    # The padded sample's state stops at its last token: unmasked differs.
    unmasked = lstm(embed(x).clone())
    assert not np.allclose(unmasked[0].detach(), expected[0].detach())


class _MaskSetter(Layer):
    """Sets a mask in `call`, as MultiHeadAttention does."""

    def call(self, x):
        out = x * 1.0
        out._keras_mask = x[:, :, 0] > 0
        return out


class _MaskReader(Layer):
    def __init__(self):
        super().__init__()
        self.seen = []

    def call(self, x, mask=None):
        self.seen.append(mask)
        return x.sum(dim=1)


def test_mask_set_inside_call_reaches_next_layer():
    inputs = lamina.Input((3, 2))
    reader = _MaskReader()
    model = lamina.Model(inputs, reader(_MaskSetter()(inputs)))
    x = torch.tensor([[[1.0, 0.0], [-1.0, 0.0], [2.0, 1.0]]])
    model(x)
    assert reader.seen[-1] is not None
    assert reader.seen[-1].tolist() == [[True, False, True]]


def test_model_mask_argument_reaches_layers():
    inputs = lamina.Input((3, 2))
    reader = _MaskReader()
    model = lamina.Model(inputs, reader(inputs))
    mask = torch.tensor([[True, False, True]])
    model(torch.ones(1, 3, 2), mask=mask)
    assert reader.seen[-1] is mask


class _TrainingRecorder(Layer):
    def __init__(self):
        super().__init__()
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


def test_training_flags_explicit_outer_and_default():
    inner_in = lamina.Input((2,))
    recorder = _TrainingRecorder()
    inner = lamina.Model(inner_in, recorder(inner_in))
    outer_in = lamina.Input((2,))
    outer = lamina.Model(outer_in, inner(outer_in))
    x = torch.ones(1, 2)
    recorder.seen.clear()  # the symbolic calls that built the models
    outer(x, training=True)
    outer(x, training=False)
    outer(x)
    inner(x, training=True)
    assert recorder.seen == [True, False, None, True]
    outer.predict(x.numpy(), verbose=0)
    assert recorder.seen[-1] is False


def test_dropout_follows_training():
    inputs = lamina.Input((1000,))
    model = lamina.Model(inputs, layers.Dropout(0.5)(inputs))
    x = torch.ones(2, 1000)
    _close(model(x), x)
    assert float((model(x, training=True) == 0).float().mean()) > 0.3


def test_nested_functional_and_sequential():
    sub = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="tanh")])
    a = lamina.Input((4,))
    inner = lamina.Model(a, layers.Dense(2)(a))
    inputs = lamina.Input((4,))
    model = lamina.Model(inputs, layers.Concatenate()([sub(inputs), inner(inputs)]))
    x = torch.randn(3, 4)
    _close(model(x), torch.cat([sub(x), inner(x)], dim=-1))


def test_forward_hooks_and_pre_hooks_still_run():
    inputs = lamina.Input((2,))
    dense = layers.Dense(2)
    model = lamina.Model(inputs, layers.Dense(1)(dense(inputs)))
    calls = []
    handle = dense.register_forward_hook(lambda m, args, out: calls.append("hook"))
    model(torch.ones(1, 2))
    handle.remove()
    model(torch.ones(1, 2))
    assert calls == ["hook"]
    pre = dense.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    _close(model(torch.ones(1, 2)), model.layers[-1](dense(torch.zeros(1, 2))))
    pre.remove()


def test_activity_regularizer_and_add_loss_per_call():
    inputs = lamina.Input((2,))
    reg = layers.Dense(2, activity_regularizer="l2")
    model = lamina.Model(inputs, layers.ActivityRegularization(l1=1.0)(reg(inputs)))
    model(torch.ones(3, 2))
    assert len(model.losses) == 2
    model(torch.ones(3, 2))
    assert len(model.losses) == 2  # the previous call's losses are replaced


class _OwnCall(Layer):
    """A layer that overrides `__call__` keeps it inside a model."""

    calls = 0

    def __call__(self, *args, **kwargs):
        type(self).calls += 1
        return super().__call__(*args, **kwargs)


def test_layer_overriding_call_dunder_is_called():
    inputs = lamina.Input((2,))
    model = lamina.Model(inputs, _OwnCall()(inputs))
    _OwnCall.calls = 0
    model(torch.ones(1, 2))
    model.predict(np.ones((4, 2), "float32"), verbose=0)
    assert _OwnCall.calls == 2


def test_wrong_inner_shape_is_still_refused():
    inputs = lamina.Input((4,))
    model = lamina.Model(inputs, layers.Dense(2)(inputs))
    model(torch.ones(1, 4))
    with pytest.raises(Exception, match="4"):
        model.layers[-1]._call_in_graph(torch.ones(1, 5), None)


def test_float64_input_cast_and_symbolic_call():
    inputs = lamina.Input((2,))
    model = lamina.Model(inputs, layers.Dense(1)(layers.Dense(2)(inputs)))
    out = model(torch.ones(1, 2, dtype=torch.float64))
    assert out.dtype == torch.float32
    symbolic = model(lamina.Input((2,)))
    assert tuple(symbolic.shape) == (None, 1)


def test_call_outside_a_model_call_matches():
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, layers.Dense(2, activation="relu")(inputs))
    x = torch.randn(4, 3)
    _close(model.call(x), model(x))  # `call` directly: each step's full path


def test_predict_outermost_call_keeps_hooks_losses_and_overrides():
    inputs = lamina.Input((2,))
    model = lamina.Model(
        inputs, layers.ActivityRegularization(l1=1.0)(layers.Dense(2)(inputs))
    )
    x = np.ones((10, 2), "float32")
    seen = []
    handle = model.register_forward_hook(lambda m, args, out: seen.append(len(out)))
    model.predict(x, batch_size=4, verbose=0)
    handle.remove()
    assert seen == [4, 4, 2]
    assert len(model.losses) == 1  # the last batch's, as after a plain call

    class Counting(lamina.Model):
        calls = 0

        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def __call__(self, *args, **kwargs):
            type(self).calls += 1
            return super().__call__(*args, **kwargs)

    counted = Counting()
    counted.predict(x, batch_size=4, verbose=0)
    assert Counting.calls == 3


def test_sequential_layers_take_the_same_paths():
    embed = layers.Embedding(10, 4, mask_zero=True)
    lstm = layers.LSTM(3)
    recorder = _TrainingRecorder()
    model = lamina.Sequential(
        [lamina.Input((6,), dtype="int32"), embed, lstm, layers.Dropout(0.5), recorder]
    )
    x = torch.tensor([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]])
    _close(model(x), lstm(embed(x)))  # the mask reaches the LSTM; no dropout
    recorder.seen.clear()
    model(x, training=True)
    model(x)
    assert recorder.seen == [True, None]
    calls = []
    handle = lstm.register_forward_hook(lambda m, args, out: calls.append(1))
    model.predict(x.numpy(), verbose=0)
    handle.remove()
    assert calls == [1]
