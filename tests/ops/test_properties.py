"""Property tests for the ops whose results Keras does not pin down: random
ones (``elastic_transform``), uninitialised ones (``empty``), ones defined up
to order or sign (``eig``, ``eigh``, ``svd``, ``qr``, ``argpartition``), and
checks of the math itself (CTC beam search against brute force, attention
against its formula, gradients, devices)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from lamina import ops
from lamina.errors import ArgumentError

RNG = np.random.default_rng(3)


def _t(x):
    return torch.from_numpy(np.ascontiguousarray(x))


# ------------------------------------------------------------ decompositions


def test_eig_is_an_eigendecomposition():
    a = _t(RNG.normal(size=(2, 4, 4)).astype("float32"))
    values, vectors = ops.eig(a)
    assert values.dtype == vectors.dtype == torch.complex64
    left = a.to(torch.complex64) @ vectors
    torch.testing.assert_close(
        left, vectors * values.unsqueeze(-2), rtol=1e-4, atol=1e-4
    )


def test_eigh_is_an_orthonormal_eigendecomposition():
    m = RNG.normal(size=(4, 4))
    a = _t((m + m.T).astype("float32"))
    values, vectors = ops.eigh(a)
    assert torch.all(values[1:] >= values[:-1])
    torch.testing.assert_close(a @ vectors, vectors * values, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(vectors.T @ vectors, torch.eye(4), atol=1e-5, rtol=0)


@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd_reconstructs(full_matrices):
    a = _t(RNG.normal(size=(3, 5)).astype("float32"))
    u, s, vh = ops.svd(a, full_matrices=full_matrices)
    k = min(a.shape)
    torch.testing.assert_close(u[:, :k] * s @ vh[:k], a, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(u.T @ u, torch.eye(u.shape[1]), atol=1e-5, rtol=0)
    torch.testing.assert_close(ops.svd(a, compute_uv=False), s)


@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_reconstructs(mode):
    a = _t(RNG.normal(size=(5, 3)).astype("float32"))
    q, r = ops.qr(a, mode=mode)
    torch.testing.assert_close(q @ r, a, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(q.T @ q, torch.eye(q.shape[1]), atol=1e-5, rtol=0)
    assert torch.equal(r, torch.triu(r))


def test_argpartition_partitions():
    x = _t(RNG.normal(size=(4, 9)).astype("float32"))
    for kth in (0, 4, 8):
        index = ops.argpartition(x, kth)
        assert index.dtype == torch.int32
        parts = torch.take_along_dim(x, index.long(), dim=-1)
        pivot = torch.sort(x, dim=-1).values[:, kth : kth + 1]
        assert torch.equal(parts[:, kth : kth + 1], pivot)
        assert torch.all(parts[:, :kth] <= pivot) and torch.all(parts[:, kth:] >= pivot)


def test_unique_results_fit_together():
    x = _t(RNG.integers(0, 5, size=20).astype("int32"))
    values, first, inverse, counts = ops.unique(
        x, return_index=True, return_inverse=True, return_counts=True
    )
    assert torch.equal(values[inverse], x)
    assert torch.equal(x[first], values)
    assert int(counts.sum()) == x.numel()
    assert torch.all(values[1:] > values[:-1])


def test_empty_has_the_shape_and_dtype():
    assert ops.empty((2, 3)).shape == (2, 3) and ops.empty(2).dtype == torch.float32
    like = ops.empty_like(torch.zeros(3, 1, dtype=torch.int8))
    assert like.shape == (3, 1) and like.dtype == torch.int8
    assert ops.empty_like(torch.zeros(2), dtype="int32").dtype == torch.int32


# ---------------------------------------------------------- elastic_transform

IMAGES = _t(RNG.uniform(size=(2, 12, 10, 3)).astype("float32"))


def test_elastic_transform_keeps_shape_and_dtype():
    out = ops.image.elastic_transform(IMAGES, seed=1)
    assert out.shape == IMAGES.shape and out.dtype == IMAGES.dtype
    single = ops.image.elastic_transform(IMAGES[0], seed=1)
    assert single.shape == IMAGES[0].shape
    ints = ops.image.elastic_transform((IMAGES * 255).to(torch.uint8), seed=1)
    assert ints.dtype == torch.uint8


def test_elastic_transform_without_displacement_is_the_identity():
    for interpolation in ("nearest", "bilinear"):
        out = ops.image.elastic_transform(
            IMAGES, alpha=0.0, interpolation=interpolation
        )
        torch.testing.assert_close(out, IMAGES)


def test_elastic_transform_seeds():
    first = ops.image.elastic_transform(IMAGES, alpha=5.0, sigma=2.0, seed=7)
    again = ops.image.elastic_transform(IMAGES, alpha=5.0, sigma=2.0, seed=7)
    other = ops.image.elastic_transform(IMAGES, alpha=5.0, sigma=2.0, seed=8)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert not torch.equal(first, IMAGES)


def test_elastic_transform_data_formats_agree():
    last = ops.image.elastic_transform(IMAGES, seed=3, data_format="channels_last")
    first = ops.image.elastic_transform(
        IMAGES.permute(0, 3, 1, 2), seed=3, data_format="channels_first"
    )
    torch.testing.assert_close(first.permute(0, 2, 3, 1), last)


def test_elastic_transform_displaces_smoothly():
    # A ramp stays a ramp, displaced by at most a few pixels: constant images
    # stay constant under any displacement with "nearest" filling.
    flat = torch.full((1, 16, 16, 1), 0.5)
    out = ops.image.elastic_transform(flat, alpha=30.0, fill_mode="nearest", seed=2)
    torch.testing.assert_close(out, flat)


# ----------------------------------------------------------------- CTC, attention


def _collapse(path, blank):
    labels = [k for k, _ in itertools.groupby(path)]
    return tuple(k for k in labels if k != blank)


def test_ctc_beam_search_finds_the_most_probable_labelling():
    logits = _t(RNG.normal(size=(1, 4, 3)).astype("float32") * 2)
    log_probs = torch.log_softmax(logits[0], dim=-1).double().numpy()
    totals: dict[tuple, float] = {}
    for path in itertools.product(range(3), repeat=4):
        score = sum(log_probs[t, k] for t, k in enumerate(path))
        key = _collapse(path, blank=0)
        totals[key] = np.logaddexp(totals.get(key, -np.inf), score)
    best = sorted(totals.items(), key=lambda item: -item[1])[:3]
    paths, scores = ops.ctc_decode(
        logits, [4], strategy="beam_search", beam_width=50, top_paths=3
    )
    for rank, (labels, score) in enumerate(best):
        decoded = tuple(int(v) for v in paths[rank, 0] if v >= 0)
        assert decoded == labels
        assert scores[0, rank].item() == pytest.approx(score, abs=1e-4)


def test_ctc_loss_is_the_negative_log_likelihood():
    logits = _t(RNG.normal(size=(1, 3, 3)).astype("float32"))
    log_probs = torch.log_softmax(logits[0], dim=-1).double().numpy()
    target = (1, 2)
    total = -np.inf
    for path in itertools.product(range(3), repeat=3):
        if _collapse(path, blank=0) == target:
            total = np.logaddexp(
                total, sum(log_probs[t, k] for t, k in enumerate(path))
            )
    loss = ops.ctc_loss(
        torch.tensor([[1, 2]]), logits, torch.tensor([2]), torch.tensor([3])
    )
    assert loss.item() == pytest.approx(-total, rel=1e-5)


def test_dot_product_attention_is_softmax_attention():
    q, k, v = (RNG.normal(size=(1, 3, 2, 4)).astype("float32") for _ in range(3))
    out = ops.dot_product_attention(_t(q), _t(k), _t(v), scale=0.5)
    logits = np.einsum("bqhd,bkhd->bhqk", q, k) * 0.5
    weights = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = np.einsum("bhqk,bkhd->bqhd", weights, v)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_flash_attention_runs_torchs_flash_kernel_or_says_why():
    q = torch.randn(1, 4, 2, 8)
    try:
        flash = ops.dot_product_attention(q, q, q, flash_attention=True)
    except ArgumentError as error:  # no flash kernel for these inputs here
        assert "flash" in str(error)
    else:
        torch.testing.assert_close(flash, ops.dot_product_attention(q, q, q))


# --------------------------------------------------------- gradients, devices


def test_gradients_flow_through_new_ops():
    x = torch.randn(2, 5, 5, 3, requires_grad=True)
    kernel = torch.randn(3, 3, 3, 2, requires_grad=True)
    y = ops.conv(x, kernel, padding="same")
    y = ops.layer_normalization(y, axis=-1)
    y = ops.max_pool(y, 2, padding="same")
    y = ops.image.resize(y, (4, 4))
    ops.sum(ops.square(y)).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert kernel.grad is not None and torch.isfinite(kernel.grad).all()


def test_new_ops_keep_the_input_device():
    # The "meta" device stands in for a GPU: an op that made tensors on
    # lamina's default device (or the host) would fail or give a CPU tensor.
    m = torch.ones(2, 4, 4, 3, device="meta")
    v = torch.ones(4, device="meta")
    results = [
        ops.conv(m, torch.ones(3, 3, 3, 2, device="meta"), padding="same"),
        ops.average_pool(m, 2, strides=1, padding="same"),
        ops.image.pad_images(m, 1, 1, 1, 1),
        ops.image.affine_transform(m, torch.zeros(2, 8, device="meta")),
        ops.hypot(v, 2.0),
        ops.cumsum(v),
        ops.where(v > 0, v, 0.0),
        ops.logaddexp(v, v),
        ops.matmul(m, torch.ones(3, 2, device="meta")),
        ops.segment_max(v, torch.zeros(4, dtype=torch.long, device="meta"), 2),
        ops.scatter_update(v, [[1]], torch.ones(1, device="meta")),
    ]
    assert [r.device.type for r in results] == ["meta"] * len(results)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_ops_on_cuda_match_the_cpu():
    x = _t(RNG.normal(size=(2, 6, 6, 3)).astype("float32"))
    k = _t(RNG.normal(size=(3, 3, 3, 4)).astype("float32"))
    i = _t(RNG.integers(-5, 5, size=(3, 4)).astype("int32"))
    calls = [
        lambda x, k, i: ops.conv(x, k, strides=2, padding="same"),
        lambda x, k, i: ops.conv_transpose(x, k.permute(0, 1, 3, 2), 2, "same"),
        lambda x, k, i: ops.image.resize(x, (9, 5), interpolation="bicubic"),
        lambda x, k, i: ops.image.affine_transform(x, torch.tensor([[1.0, 0.2, 0.5, 0.1, 0.9, 0.0, 0, 0]] * 2, device=x.device)),
        lambda x, k, i: ops.image.map_coordinates(x[0, :, :, 0], [x[0, :, :, 1] * 5, x[0, :, :, 2] * 5], 1),
        lambda x, k, i: ops.matmul(i, i.T),
        lambda x, k, i: ops.einsum("ij,kj->ik", i.to(torch.int8), i.to(torch.int8)),
        lambda x, k, i: ops.histogram(x.reshape(-1), bins=5)[0],
        lambda x, k, i: ops.ctc_decode(x[:, 0], torch.tensor([6, 4], device=x.device))[0],
        lambda x, k, i: ops.dot_product_attention(x[..., None], x[..., None], x[..., None]),
        lambda x, k, i: ops.segment_prod(x[:, 0, 0], torch.tensor([0, 1], device=x.device)),
        lambda x, k, i: ops.unique(i),
    ]  # fmt: skip
    for call in calls:
        on_cpu = call(x, k, i)
        on_gpu = call(x.cuda(), k.cuda(), i.cuda())
        assert on_gpu.device.type == "cuda"
        assert on_gpu.dtype == on_cpu.dtype
        torch.testing.assert_close(on_gpu.cpu(), on_cpu, rtol=1e-4, atol=1e-4)


def test_math_constants_in_windows():
    # numpy's windows, for the functions without Keras cases of other lengths.
    for n in (2, 7):
        np.testing.assert_allclose(ops.hanning(n).numpy(), np.hanning(n), atol=1e-6)
        np.testing.assert_allclose(
            ops.kaiser(n, 3.0).numpy(), np.kaiser(n, 3.0), atol=1e-5
        )
    assert ops.bartlett(1).tolist() == [1.0] and not math.isnan(ops.blackman(1)[0])
