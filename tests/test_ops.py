"""lamina.ops against numpy, and against real Keras 3 (tests/fixtures/ops.npz)
where numpy has no equivalent or Keras's semantics differ."""

from __future__ import annotations

import inspect
import json
import os
import pickle

import numpy as np
import pytest
import torch

import lamina
from lamina import ops
from lamina.errors import ArgumentError, ShapeError

RNG = np.random.default_rng(1)
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(3, 4)).astype("float32")
P = RNG.uniform(0.5, 2.0, size=(3, 4)).astype("float32")  # positive
V = RNG.normal(size=(4,)).astype("float32")
M = RNG.normal(size=(4, 5)).astype("float32")
SQ = RNG.normal(size=(4, 4)).astype("float32")
I = np.array([[3, -1, 0], [2, 5, 5]], dtype="int64")  # noqa: E741
BOOL = A > 0
SPECIAL = np.array([1.0, np.inf, -np.inf, np.nan, 0.0], dtype="float32")


def _t(x):
    return torch.from_numpy(np.ascontiguousarray(x))


def _close(actual, expected, rtol=1e-5, atol=1e-6):
    assert isinstance(actual, torch.Tensor), type(actual)
    actual = actual.detach().cpu().numpy()
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if expected.dtype == bool:
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# (id, lamina call on torch tensors, numpy reference)
NUMPY_CASES = [
    ("abs", lambda: ops.abs(_t(A)), lambda: np.abs(A)),
    ("absolute", lambda: ops.absolute(_t(A)), lambda: np.absolute(A)),
    ("add", lambda: ops.add(_t(A), _t(V)), lambda: A + V),
    ("add_scalar", lambda: ops.add(_t(A), 2), lambda: A + 2),
    ("all", lambda: ops.all(_t(BOOL), axis=1), lambda: np.all(BOOL, axis=1)),
    ("any", lambda: ops.any(_t(BOOL), axis=0, keepdims=True),
     lambda: np.any(BOOL, axis=0, keepdims=True)),
    ("amax", lambda: ops.amax(_t(A), axis=(0, 1)), lambda: np.amax(A, axis=(0, 1))),
    ("amin", lambda: ops.amin(_t(A), axis=0), lambda: np.amin(A, axis=0)),
    ("append", lambda: ops.append(_t(A), _t(B), axis=0),
     lambda: np.append(A, B, axis=0)),
    ("append_flat", lambda: ops.append(_t(A), _t(V)), lambda: np.append(A, V)),
    ("arange", lambda: ops.arange(2, 11, 3), lambda: np.arange(2, 11, 3)),
    ("arange_float", lambda: ops.arange(0.0, 1.0, 0.25),
     lambda: np.arange(0.0, 1.0, 0.25)),
    ("argmax", lambda: ops.argmax(_t(A), axis=1), lambda: np.argmax(A, axis=1)),
    ("argmax_flat", lambda: ops.argmax(_t(A)), lambda: np.argmax(A)),
    ("argmin_keep", lambda: ops.argmin(_t(A), axis=0, keepdims=True),
     lambda: np.argmin(A, axis=0, keepdims=True)),
    ("argsort", lambda: ops.argsort(_t(A)), lambda: np.argsort(A, axis=-1)),
    ("array", lambda: ops.array([[1.5, 2.0]]), lambda: np.array([[1.5, 2.0]])),
    ("average", lambda: ops.average(_t(A), axis=1, weights=_t(P[0])),
     lambda: np.average(A, axis=1, weights=P[0])),
    ("average_full", lambda: ops.average(_t(A), weights=_t(P)),
     lambda: np.average(A, weights=P)),
    ("broadcast_to", lambda: ops.broadcast_to(_t(V), (2, 4)),
     lambda: np.broadcast_to(V, (2, 4))),
    ("ceil", lambda: ops.ceil(_t(A)), lambda: np.ceil(A)),
    ("clip", lambda: ops.clip(_t(A), -0.5, 0.5), lambda: np.clip(A, -0.5, 0.5)),
    ("concatenate", lambda: ops.concatenate([_t(A), _t(B)], axis=1),
     lambda: np.concatenate([A, B], axis=1)),
    ("copy", lambda: ops.copy(_t(A)), lambda: np.copy(A)),
    ("cos", lambda: ops.cos(_t(A)), lambda: np.cos(A)),
    ("cosh", lambda: ops.cosh(_t(A)), lambda: np.cosh(A)),
    ("count_nonzero", lambda: ops.count_nonzero(_t(I), axis=1),
     lambda: np.count_nonzero(I, axis=1)),
    ("cumprod", lambda: ops.cumprod(_t(A), axis=1), lambda: np.cumprod(A, axis=1)),
    ("cumsum_flat", lambda: ops.cumsum(_t(A)), lambda: np.cumsum(A)),
    ("diag_vector", lambda: ops.diag(_t(V), k=1), lambda: np.diag(V, k=1)),
    ("diag_matrix", lambda: ops.diag(_t(SQ), k=-1), lambda: np.diag(SQ, k=-1)),
    ("diagonal", lambda: ops.diagonal(_t(A), offset=1),
     lambda: np.diagonal(A, offset=1)),
    ("divide", lambda: ops.divide(_t(A), _t(P)), lambda: A / P),
    ("divide_int", lambda: ops.divide(_t(I), 4), lambda: I / 4),
    ("dot_matrix", lambda: ops.dot(_t(A), _t(M)), lambda: np.dot(A, M)),
    ("dot_vector", lambda: ops.dot(_t(A), _t(V)), lambda: np.dot(A, V)),
    ("dot_nd", lambda: ops.dot(_t(A[None]), _t(M)), lambda: np.dot(A[None], M)),
    ("einsum", lambda: ops.einsum("ij,jk->ik", _t(A), _t(M)),
     lambda: np.einsum("ij,jk->ik", A, M)),
    ("equal", lambda: ops.equal(_t(I), 5), lambda: I == 5),
    ("exp", lambda: ops.exp(_t(A)), lambda: np.exp(A)),
    ("expand_dims", lambda: ops.expand_dims(_t(A), (0, -1)),
     lambda: np.expand_dims(A, (0, -1))),
    ("eye", lambda: ops.eye(3, 4, k=1), lambda: np.eye(3, 4, k=1)),
    ("eye_negative_k", lambda: ops.eye(4, k=-2), lambda: np.eye(4, k=-2)),
    ("flip", lambda: ops.flip(_t(A), axis=1), lambda: np.flip(A, axis=1)),
    ("flip_all", lambda: ops.flip(_t(A)), lambda: np.flip(A)),
    ("floor", lambda: ops.floor(_t(A)), lambda: np.floor(A)),
    ("floor_divide", lambda: ops.floor_divide(_t(I), 2), lambda: I // 2),
    ("full", lambda: ops.full((2, 3), 7.0), lambda: np.full((2, 3), 7.0)),
    ("full_like", lambda: ops.full_like(_t(I), 4), lambda: np.full_like(I, 4)),
    ("greater", lambda: ops.greater(_t(A), _t(B)), lambda: A > B),
    ("greater_equal", lambda: ops.greater_equal(_t(I), 2), lambda: I >= 2),
    ("hstack", lambda: ops.hstack([_t(A), _t(B)]), lambda: np.hstack([A, B])),
    ("hstack_1d", lambda: ops.hstack([_t(V), _t(V)]), lambda: np.hstack([V, V])),
    ("identity", lambda: ops.identity(3), lambda: np.identity(3)),
    ("isfinite", lambda: ops.isfinite(_t(SPECIAL)), lambda: np.isfinite(SPECIAL)),
    ("isinf", lambda: ops.isinf(_t(SPECIAL)), lambda: np.isinf(SPECIAL)),
    ("isnan", lambda: ops.isnan(_t(SPECIAL)), lambda: np.isnan(SPECIAL)),
    ("less", lambda: ops.less(_t(A), 0.1), lambda: A < 0.1),
    ("less_equal", lambda: ops.less_equal(_t(I), 0), lambda: I <= 0),
    ("linspace", lambda: ops.linspace(-1.0, 2.0, 7), lambda: np.linspace(-1, 2, 7)),
    ("linspace_array", lambda: ops.linspace(_t(V), _t(V + 1), 3, axis=1),
     lambda: np.linspace(V, V + 1, 3, axis=1)),
    ("log", lambda: ops.log(_t(P)), lambda: np.log(P)),
    ("log1p", lambda: ops.log1p(_t(P)), lambda: np.log1p(P)),
    ("log2", lambda: ops.log2(_t(P)), lambda: np.log2(P)),
    ("log10", lambda: ops.log10(_t(P)), lambda: np.log10(P)),
    ("logical_and", lambda: ops.logical_and(_t(BOOL), _t(B > 0)),
     lambda: BOOL & (B > 0)),
    ("logical_not", lambda: ops.logical_not(_t(BOOL)), lambda: ~BOOL),
    ("logical_or", lambda: ops.logical_or(_t(BOOL), _t(B > 0)),
     lambda: BOOL | (B > 0)),
    ("matmul", lambda: ops.matmul(_t(A), _t(M)), lambda: A @ M),
    ("matmul_batched", lambda: ops.matmul(_t(np.stack([A, B])), _t(M)),
     lambda: np.stack([A, B]) @ M),
    ("max", lambda: ops.max(_t(A), axis=1, keepdims=True),
     lambda: np.max(A, axis=1, keepdims=True)),
    ("max_initial", lambda: ops.max(_t(A), axis=1, initial=0.5),
     lambda: np.max(A, axis=1, initial=0.5)),
    ("maximum", lambda: ops.maximum(_t(A), _t(B)), lambda: np.maximum(A, B)),
    ("mean", lambda: ops.mean(_t(A), axis=0), lambda: np.mean(A, axis=0)),
    ("mean_int", lambda: ops.mean(_t(I)), lambda: np.mean(I).astype("float32")),
    ("median", lambda: ops.median(_t(A), axis=1), lambda: np.median(A, axis=1)),
    ("median_all", lambda: ops.median(_t(A)), lambda: np.median(A)),
    ("min", lambda: ops.min(_t(A)), lambda: np.min(A)),
    ("min_initial", lambda: ops.min(_t(A), axis=0, initial=-0.1),
     lambda: np.min(A, axis=0, initial=-0.1)),
    ("minimum", lambda: ops.minimum(_t(A), 0.0), lambda: np.minimum(A, 0.0)),
    ("mod", lambda: ops.mod(_t(I), 3), lambda: np.mod(I, 3)),
    ("mod_float", lambda: ops.mod(_t(A), 0.7), lambda: np.mod(A, np.float32(0.7))),
    ("moveaxis", lambda: ops.moveaxis(_t(A[None]), 0, -1),
     lambda: np.moveaxis(A[None], 0, -1)),
    ("multiply", lambda: ops.multiply(_t(A), _t(B)), lambda: A * B),
    ("negative", lambda: ops.negative(_t(A)), lambda: -A),
    ("not_equal", lambda: ops.not_equal(_t(I), 5), lambda: I != 5),
    ("ones", lambda: ops.ones((2, 3)), lambda: np.ones((2, 3))),
    ("ones_like", lambda: ops.ones_like(_t(I)), lambda: np.ones_like(I)),
    ("outer", lambda: ops.outer(_t(V), _t(A[0])), lambda: np.outer(V, A[0])),
    ("pad", lambda: ops.pad(_t(A), ((1, 0), (2, 3))),
     lambda: np.pad(A, ((1, 0), (2, 3)))),
    ("pad_value", lambda: ops.pad(_t(A), 1, constant_values=9.0),
     lambda: np.pad(A, 1, constant_values=9.0)),
    ("pad_reflect", lambda: ops.pad(_t(A), ((2, 1), (3, 2)), mode="reflect"),
     lambda: np.pad(A, ((2, 1), (3, 2)), mode="reflect")),
    ("pad_symmetric", lambda: ops.pad(_t(A), (1, 2), mode="symmetric"),
     lambda: np.pad(A, (1, 2), mode="symmetric")),
    ("pad_edge", lambda: ops.pad(_t(A), (0, 2), mode="edge"),
     lambda: np.pad(A, (0, 2), mode="edge")),
    ("pad_wrap", lambda: ops.pad(_t(A), 2, mode="wrap"),
     lambda: np.pad(A, 2, mode="wrap")),
    ("power", lambda: ops.power(_t(P), _t(B)), lambda: np.power(P, B)),
    ("prod", lambda: ops.prod(_t(P), axis=(0, 1)), lambda: np.prod(P, axis=(0, 1))),
    ("prod_keep", lambda: ops.prod(_t(P), axis=1, keepdims=True),
     lambda: np.prod(P, axis=1, keepdims=True)),
    ("quantile", lambda: ops.quantile(_t(A), [0.1, 0.9], axis=0),
     lambda: np.quantile(A, [0.1, 0.9], axis=0)),
    ("quantile_keep", lambda: ops.quantile(_t(A), 0.25, axis=1, keepdims=True),
     lambda: np.quantile(A, 0.25, axis=1, keepdims=True)),
    ("quantile_lower", lambda: ops.quantile(_t(A), 0.4, method="lower"),
     lambda: np.quantile(A, 0.4, method="lower")),
    ("ravel", lambda: ops.ravel(_t(A)), lambda: np.ravel(A)),
    ("reciprocal", lambda: ops.reciprocal(_t(P)), lambda: np.reciprocal(P)),
    ("repeat", lambda: ops.repeat(_t(A), 2, axis=0), lambda: np.repeat(A, 2, axis=0)),
    ("repeat_list", lambda: ops.repeat(_t(V), [1, 0, 2, 3]),
     lambda: np.repeat(V, [1, 0, 2, 3])),
    ("reshape", lambda: ops.reshape(_t(A), (2, -1)), lambda: np.reshape(A, (2, -1))),
    ("round", lambda: ops.round(_t(np.array([0.5, 1.5, 2.5, -0.5]))),
     lambda: np.round(np.array([0.5, 1.5, 2.5, -0.5]))),
    ("round_decimals", lambda: ops.round(_t(A), decimals=2),
     lambda: np.round(A, 2)),
    ("sign", lambda: ops.sign(_t(I)), lambda: np.sign(I)),
    ("sin", lambda: ops.sin(_t(A)), lambda: np.sin(A)),
    ("sinh", lambda: ops.sinh(_t(A)), lambda: np.sinh(A)),
    ("sort", lambda: ops.sort(_t(A)), lambda: np.sort(A, axis=-1)),
    ("sort_axis0", lambda: ops.sort(_t(A), axis=0), lambda: np.sort(A, axis=0)),
    ("sqrt", lambda: ops.sqrt(_t(P)), lambda: np.sqrt(P)),
    ("square", lambda: ops.square(_t(A)), lambda: np.square(A)),
    ("squeeze", lambda: ops.squeeze(_t(A[None, :, None])),
     lambda: np.squeeze(A[None, :, None])),
    ("squeeze_axis", lambda: ops.squeeze(_t(A[None, :, None]), axis=(0, 2)),
     lambda: np.squeeze(A[None, :, None], axis=(0, 2))),
    ("stack", lambda: ops.stack([_t(A), _t(B)], axis=1),
     lambda: np.stack([A, B], axis=1)),
    ("std", lambda: ops.std(_t(A), axis=1), lambda: np.std(A, axis=1)),
    ("subtract", lambda: ops.subtract(_t(A), _t(B)), lambda: A - B),
    ("sum", lambda: ops.sum(_t(A), axis=(0, 1), keepdims=True),
     lambda: np.sum(A, axis=(0, 1), keepdims=True)),
    ("sum_bool", lambda: ops.sum(_t(BOOL)), lambda: np.sum(BOOL)),
    ("swapaxes", lambda: ops.swapaxes(_t(A), 0, 1), lambda: np.swapaxes(A, 0, 1)),
    ("take", lambda: ops.take(_t(A), _t(I % 4 - 2), axis=1),
     lambda: np.take(A, I % 4 - 2, axis=1)),
    ("take_flat", lambda: ops.take(_t(A), [0, -1, 5]), lambda: np.take(A, [0, -1, 5])),
    ("take_along_axis", lambda: ops.take_along_axis(_t(A), _t(np.argsort(A)), axis=1),
     lambda: np.take_along_axis(A, np.argsort(A), axis=1)),
    ("take_along_axis_negative", lambda: ops.take_along_axis(
        _t(A), _t(np.array([[-1], [0], [-2]])), axis=1),
     lambda: np.take_along_axis(A, np.array([[3], [0], [2]]), axis=1)),
    ("tan", lambda: ops.tan(_t(A)), lambda: np.tan(A)),
    ("tanh", lambda: ops.tanh(_t(A)), lambda: np.tanh(A)),
    ("tensordot", lambda: ops.tensordot(_t(A), _t(M), axes=1),
     lambda: np.tensordot(A, M, axes=1)),
    ("tensordot_pairs", lambda: ops.tensordot(_t(A), _t(B), axes=([0, 1], [0, 1])),
     lambda: np.tensordot(A, B, axes=([0, 1], [0, 1]))),
    ("tile", lambda: ops.tile(_t(A), (2, 1)), lambda: np.tile(A, (2, 1))),
    ("trace", lambda: ops.trace(_t(SQ), offset=1), lambda: np.trace(SQ, offset=1)),
    ("transpose", lambda: ops.transpose(_t(A)), lambda: np.transpose(A)),
    ("transpose_axes", lambda: ops.transpose(_t(A[None]), (2, 0, 1)),
     lambda: np.transpose(A[None], (2, 0, 1))),
    ("tril", lambda: ops.tril(_t(A), k=1), lambda: np.tril(A, k=1)),
    ("triu", lambda: ops.triu(_t(A), k=-1), lambda: np.triu(A, k=-1)),
    ("true_divide", lambda: ops.true_divide(_t(A), 3.0), lambda: A / 3.0),
    ("var", lambda: ops.var(_t(A), axis=0, keepdims=True),
     lambda: np.var(A, axis=0, keepdims=True)),
    ("vstack", lambda: ops.vstack([_t(A), _t(V)]), lambda: np.vstack([A, V])),
    ("where", lambda: ops.where(_t(BOOL), _t(A), 0.0), lambda: np.where(BOOL, A, 0.0)),
    ("zeros", lambda: ops.zeros(3), lambda: np.zeros(3)),
    ("zeros_like", lambda: ops.zeros_like(_t(A)), lambda: np.zeros_like(A)),
    # nn and math ops with a plain numpy formula
    ("relu", lambda: ops.relu(_t(A)), lambda: np.maximum(A, 0)),
    ("relu6", lambda: ops.relu6(_t(A * 8)), lambda: np.clip(A * 8, 0, 6)),
    ("sigmoid", lambda: ops.sigmoid(_t(A)), lambda: 1 / (1 + np.exp(-A))),
    ("softplus", lambda: ops.softplus(_t(A)), lambda: np.log1p(np.exp(A))),
    ("softsign", lambda: ops.softsign(_t(A)), lambda: A / (1 + np.abs(A))),
    ("silu", lambda: ops.silu(_t(A)), lambda: A / (1 + np.exp(-A))),
    ("swish", lambda: ops.swish(_t(A)), lambda: A / (1 + np.exp(-A))),
    ("elu", lambda: ops.elu(_t(A), alpha=0.5),
     lambda: np.where(A > 0, A, 0.5 * np.expm1(A))),
    ("selu", lambda: ops.selu(_t(A)),
     lambda: 1.0507009873554805 * np.where(A > 0, A, 1.6732632423543772 * np.expm1(A))),
    ("softmax", lambda: ops.softmax(_t(A), axis=0),
     lambda: np.exp(A) / np.exp(A).sum(0, keepdims=True)),
    ("log_softmax", lambda: ops.log_softmax(_t(A)),
     lambda: A - np.log(np.exp(A).sum(-1, keepdims=True))),
    ("one_hot", lambda: ops.one_hot(_t(I), 6),
     lambda: (I[..., None] == np.arange(6)).astype("float32")),
    ("moments_var", lambda: ops.moments(_t(A), axes=[1])[1], lambda: np.var(A, axis=1)),
    ("erf", lambda: ops.erf(_t(A)),
     lambda: np.vectorize(__import__("math").erf)(A).astype("float32")),
    ("rsqrt", lambda: ops.rsqrt(_t(P)), lambda: 1 / np.sqrt(P)),
    ("top_k_values", lambda: ops.top_k(_t(A), 2)[0], lambda: -np.sort(-A)[:, :2]),
    ("top_k_indices", lambda: ops.top_k(_t(A), 2)[1], lambda: np.argsort(-A)[:, :2]),
    ("logsumexp_all", lambda: ops.logsumexp(_t(A)), lambda: np.log(np.exp(A).sum())),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "reference"),
    [c[1:] for c in NUMPY_CASES],
    ids=[c[0] for c in NUMPY_CASES],
)
def test_matches_numpy(call, reference):
    expected = np.asarray(reference())
    actual = call()
    if expected.dtype == bool:
        assert actual.dtype == torch.bool
    _close(actual, expected)


FIXTURE = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "ops.npz"))
KERAS_CASES = json.loads(str(FIXTURE["cases"]))


@pytest.mark.parametrize(
    ("case", "op", "args", "kwargs"), KERAS_CASES, ids=[c[0] for c in KERAS_CASES]
)
def test_matches_keras(case, op, args, kwargs):
    values = [FIXTURE[a] if isinstance(a, str) else a for a in args]
    out = getattr(ops, op)(*values, **kwargs)
    if isinstance(out, tuple):
        out = out[0]
    expected = FIXTURE[f"out/{case}"]
    _close(out, expected, rtol=1e-5, atol=1e-6)
    assert ops.dtype(out) == str(expected.dtype)


def test_every_listed_name_is_exported():
    for module in (ops.numpy, ops.nn, ops.core, ops.math):
        for name in module.__all__:
            assert getattr(ops, name) is getattr(module, name)
    assert set(ops.numpy.__all__) <= set(ops.__all__)
    assert lamina.ops is ops


# ------------------------------------------------------------------ conversion


def test_inputs_numpy_lists_and_scalars():
    out = ops.add(np.ones(3, dtype="float32"), [1.0, 2.0, 3.0])
    assert isinstance(out, torch.Tensor)
    assert out.dtype == torch.float32  # a list of Python floats is floatx
    _close(out, [2.0, 3.0, 4.0])
    # numpy arrays keep their dtype, float64 included, as in Keras.
    assert ops.add(np.ones(3), 1.0).dtype == torch.float64
    assert ops.convert_to_tensor([1, 2]).dtype == torch.int32
    assert ops.convert_to_tensor(2**40).dtype == torch.int64
    assert ops.multiply(2, 3).item() == 6
    # A Python float keeps a float32 tensor float32, as in Keras.
    assert ops.add(torch.ones(2), 1.5).dtype == torch.float32
    assert ops.add(torch.ones(2, dtype=torch.int32), 1).dtype == torch.int32


def test_keras_default_dtypes():
    assert ops.dtype(ops.arange(3)) == "int32"
    assert ops.dtype(ops.arange(3.0)) == "float32"
    assert ops.dtype(ops.zeros((2,))) == "float32"
    assert ops.dtype(ops.mean(torch.tensor([1, 2]))) == "float32"
    assert ops.dtype(ops.one_hot([0, 1], 2, dtype="int32")) == "int32"
    assert ops.dtype(ops.cast([1.7, -2.2], "int32")) == "int32"
    assert ops.dtype(ops.full((2,), 7)) == "float32"
    ints = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    # torch widens these to int64; Keras keeps the integer dtype.
    for result in (ops.sum(ints), ops.prod(ints, axis=1), ops.cumsum(ints)):
        assert result.dtype == torch.int32
    assert ops.dtype(ops.sum(torch.tensor([True, True]))) == "int32"


def test_std_var_are_population_statistics():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert ops.var(x).item() == pytest.approx(1.25)
    assert ops.std(x).item() == pytest.approx(1.25**0.5)


def test_gradients_flow_through_ops():
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    ops.sum(ops.square(ops.relu(w))).backward()
    _close(w.grad, np.array([2.0, 0.0, 6.0]))


def test_results_stay_on_the_input_device():
    # The "meta" device stands in for a GPU: any op that moved data to lamina's
    # default device (or to the host) would give a CPU tensor or fail.
    m = torch.ones(3, 4, device="meta")
    ids = torch.zeros(3, dtype=torch.long, device="meta")
    results = [
        ops.add(m, 1.0),
        ops.maximum(m, [1.0, 2.0, 3.0, 4.0]),
        ops.where(m > 0, m, 0.0),
        ops.take(m, [0, -1], axis=1),
        ops.take_along_axis(m, ids[:, None], axis=1),
        ops.pad(m, 1),
        ops.clip(m, 0.0, 1.0),
        ops.mean(m, axis=0),
        ops.full_like(m, 2),
        ops.one_hot(ids, 4),
        ops.binary_crossentropy(m, m * 0.5),
        ops.segment_sum(m, ids, num_segments=2),
        ops.slice_update(m, (0, 0), [[5.0]]),
    ]
    assert [r.device.type for r in results] == ["meta"] * len(results)


# ------------------------------------------------------------------------ core


def test_core_ops():
    x = torch.arange(12.0).reshape(3, 4)
    _close(ops.slice(x, (1, 1), (2, 2)), x.numpy()[1:3, 1:3])
    updated = ops.slice_update(x, (0, 2), torch.zeros(2, 2))
    expected = x.numpy().copy()
    expected[0:2, 2:4] = 0
    _close(updated, expected)
    assert x[0, 2] == 2.0  # the input is not modified
    _close(ops.scatter([[0, 1], [2, 3], [0, 1]], [1.0, 2.0, 3.0], (3, 4)),
           np.array([[0, 4, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2.0]]))  # fmt: skip
    assert ops.shape(x) == (3, 4)
    assert ops.dtype(x) == "float32"
    assert not ops.stop_gradient(torch.ones(2, requires_grad=True)).requires_grad
    assert ops.cond(torch.tensor(False), lambda: "t", lambda: "f") == "f"
    assert ops.is_tensor(x) and not ops.is_tensor(x.numpy())
    np.testing.assert_array_equal(ops.convert_to_numpy(x), x.numpy())
    assert ops.convert_to_tensor(np.ones(2)).dtype == torch.float64
    assert ops.convert_to_tensor([1, 2], dtype="float16").dtype == torch.float16
    parts = ops.unstack(x, axis=1)
    assert len(parts) == 4
    _close(parts[2], x.numpy()[:, 2])


def test_split_meshgrid_and_nonzero_where():
    x = np.arange(12).reshape(6, 2)
    for got, want in zip(ops.split(_t(x), 3), np.split(x, 3)):
        _close(got, want)
    for got, want in zip(ops.split(_t(x), [1, 4], axis=0), np.split(x, [1, 4])):
        _close(got, want)
    for got, want in zip(
        ops.meshgrid([1, 2, 3], [4, 5]), np.meshgrid([1, 2, 3], [4, 5])
    ):
        _close(got, want)
    grids = ops.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    for got, want in zip(grids, np.meshgrid([1, 2, 3], [4, 5], indexing="ij")):
        _close(got, want)
    # Keras on torch stacks the indices into one (ndim, count) tensor.
    _close(ops.where(_t(BOOL)), np.stack(np.nonzero(BOOL)))
    values, step = ops.linspace(0.0, 1.0, 5, retstep=True)
    assert step == pytest.approx(0.25)
    assert ops.empty((2, 3)).shape == (2, 3)


def test_math_ops():
    data = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    _close(ops.segment_sum(data, [2, 0, 2], num_segments=4),
           np.array([[3.0, 4.0], [0, 0], [6.0, 8.0], [0, 0]]))  # fmt: skip
    # Ids outside [0, num_segments) are dropped, as in Keras.
    _close(ops.segment_sum(data, [1, -1, 3], num_segments=2),
           np.array([[0.0, 0.0], [1.0, 2.0]]))  # fmt: skip
    _close(ops.in_top_k([1, 0], torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]]), 1),
           np.array([False, True]))  # ties with the k-th value count  # fmt: skip


def test_crossentropies_match_formulas():
    y = np.array([[0.0, 1.0, 1.0]], dtype="float32")
    p = np.array([[0.2, 0.7, 0.9]], dtype="float32")
    _close(ops.binary_crossentropy(y, p), -(y * np.log(p) + (1 - y) * np.log(1 - p)))
    onehot = np.array([[0.0, 1.0, 0.0]], dtype="float32")
    _close(ops.categorical_crossentropy(onehot, p / p.sum()),
           -np.log(p[:, 1] / p.sum()))  # fmt: skip
    _close(ops.sparse_categorical_crossentropy([1], A[:1], from_logits=True),
           -(A[0, 1] - np.log(np.exp(A[0]).sum()))[None])  # fmt: skip


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call",
    [
        lambda x: ops.mean(x),
        lambda x: ops.add(torch.ones(3), x),
        lambda x: ops.concatenate([x, x]),
        lambda x: ops.softmax(x),
        lambda x: ops.shape(x),
        lambda x: ops.logsumexp(x),
    ],
    ids=["mean", "add", "concatenate", "softmax", "shape", "logsumexp"],
)
def test_keras_tensor_is_refused_with_lambda_hint(call):
    x = lamina.Input((3,))
    with pytest.raises(ArgumentError, match="real torch tensors") as info:
        call(x)
    assert "lamina.layers.Lambda" in str(info.value)


def test_lambda_layer_runs_ops_in_a_functional_model():
    inputs = lamina.Input((3,))
    outputs = lamina.layers.Lambda(lambda t: ops.sum(ops.square(t), axis=-1))(inputs)
    model = lamina.Model(inputs, outputs)
    _close(model(torch.from_numpy(A[:, :3])), np.sum(A[:, :3] ** 2, axis=-1))


def test_bad_arguments_raise_lamina_errors():
    with pytest.raises(ShapeError, match=r"size 4, expected size 1"):
        ops.squeeze(torch.zeros(1, 4), axis=1)
    with pytest.raises(ArgumentError, match="axis"):
        ops.sum(torch.zeros(2, 2), axis=2)
    with pytest.raises(ArgumentError, match="3 equal sections"):
        ops.split(torch.zeros(4), 3)
    with pytest.raises(ArgumentError, match="mode"):
        ops.pad(torch.zeros(2), 1, mode="mean")
    with pytest.raises(ArgumentError, match="method"):
        ops.quantile(torch.zeros(2), 0.5, method="bad")
    with pytest.raises(ArgumentError, match="order"):
        ops.normalize(torch.zeros(2), order=0)
    with pytest.raises(ArgumentError, match="sparse"):
        ops.one_hot([0], 2, sparse=True)
    with pytest.raises(ArgumentError, match="start_indices"):
        ops.slice(torch.zeros(2, 2), (0,), (1, 1))
    with pytest.raises(ArgumentError, match="segment_ids"):
        ops.segment_sum(torch.zeros(3), [0, 1])


# ----------------------------------------------------------------- in training


class _ScaledSoftmaxNorm(lamina.layers.Layer):
    """A custom layer written with ops only, as Keras tutorials do."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        centered = ops.subtract(inputs, ops.mean(inputs, axis=-1, keepdims=True))
        scaled = ops.multiply(ops.normalize(centered), self.scale)
        return ops.concatenate([scaled, ops.expand_dims(ops.max(inputs, -1), -1)], -1)


def test_custom_layer_using_ops_trains_with_fit():
    lamina.backend.set_random_seed(0)
    x = RNG.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > x[:, 1]).astype("int64")

    def loss(y_true, y_pred):
        return ops.mean(ops.sparse_categorical_crossentropy(y_true, y_pred, True))

    model = lamina.Sequential(
        [lamina.Input((4,)), _ScaledSoftmaxNorm(), lamina.layers.Dense(2)]
    )
    model.compile(optimizer="adam", loss=loss)
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 15
    assert history.history["loss"][-1] < before
    assert model.evaluate(x, y, verbose=0) < before


# The elementwise ops the numpy module builds from one table line each.
TABLE_OPS = (
    "abs negative sign square isfinite isinf isnan logical_not ceil floor sqrt "
    "reciprocal exp log log1p log2 log10 sin cos tan sinh cosh tanh add subtract "
    "multiply divide power maximum minimum equal not_equal greater "
    "greater_equal less less_equal logical_and logical_or matmul"
).split()


@pytest.mark.parametrize("name", TABLE_OPS)
def test_table_ops_are_named_documented_picklable_functions(name):
    fn = getattr(ops, name)
    assert fn is getattr(ops.numpy, name)
    assert (fn.__name__, fn.__qualname__, fn.__module__) == (
        name,
        name,
        "lamina.ops.numpy",
    )
    assert f"``{name}(" in fn.__doc__
    assert list(inspect.signature(fn).parameters) in (["x"], ["x1", "x2"])
    assert pickle.loads(pickle.dumps(fn)) is fn
