"""Parity cases for ``ops.core`` and ``ops.math`` (see cases.py): control flow,
scatter/slice updates, casts, segment reductions, FFTs and STFTs."""

from __future__ import annotations

from tests.ops.cases import Cases

CASES = Cases()
c = CASES


def _log1pexp_with_gradient(o, t):
    """Keras's own custom_gradient example, differentiated."""

    @o.custom_gradient
    def log1pexp(x):
        e = o.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return o.multiply(upstream, 1.0 - 1.0 / o.add(1, e))

        return o.log(1 + e), grad

    x = o.convert_to_tensor(t.v)
    x.requires_grad_(True)
    y = o.sum(log1pexp(x) * 3.0)
    y.backward()
    return y.detach(), x.grad


def _scan_both(o, t):
    def step(carry, x):
        total, count = carry
        return (total + x, count + 1), {"running": total + x, "twice": x * 2}

    return o.scan(step, (o.zeros((4,)), 0), t.f)


# fmt: off
# -------------------------------------------------------------------- core
c("cast", "f32_to_i32", lambda o, t: o.cast(t.f * 3, "int32"))
c("cast", "i32_to_bool", lambda o, t: o.cast(t.i, "bool"))
c("cast", "to_f16", lambda o, t: o.cast(t.f, "float16"))
c("cast", "python", lambda o, t: o.cast([1.7, -2.2], "int8"))
c("cast", "special", lambda o, t: o.cast(t.special, "float64"))
c("saturate_cast", "f32_to_u8", lambda o, t: o.saturate_cast(t.f * 200, "uint8"))
c("saturate_cast", "i32_to_i8", lambda o, t: o.saturate_cast(t.i16, "int8"))
c("saturate_cast", "special_to_u8", lambda o, t: o.saturate_cast(t.special * 100, "uint8"))
c("saturate_cast", "f64_to_f16", lambda o, t: o.saturate_cast(t.pos64 * 1e5, "float16"))
c("saturate_cast", "to_bool", lambda o, t: o.saturate_cast(t.i, "bool"))
c("convert_to_tensor", "list", lambda o, t: o.convert_to_tensor([[1, 2], [3, 4]]))
c("convert_to_tensor", "floats", lambda o, t: o.convert_to_tensor([1.0, 2]))
c("convert_to_tensor", "bools", lambda o, t: o.convert_to_tensor([True, False]))
c("convert_to_tensor", "int", lambda o, t: o.convert_to_tensor(3))
c("convert_to_tensor", "big_int", lambda o, t: o.convert_to_tensor(2**40))
c("convert_to_tensor", "float", lambda o, t: o.convert_to_tensor(2.5))
c("convert_to_tensor", "bool", lambda o, t: o.convert_to_tensor(True))
c("convert_to_tensor", "empty", lambda o, t: o.convert_to_tensor([]))
c("convert_to_tensor", "dtype", lambda o, t: o.convert_to_tensor([1, 2], dtype="float16"))
c("convert_to_tensor", "array", lambda o, t: o.convert_to_tensor(t.i8))
c("convert_to_tensor", "sparse", lambda o, t: o.convert_to_tensor(t.f, sparse=True))
c("convert_to_numpy", "f32", lambda o, t: o.convert_to_tensor(o.convert_to_numpy(o.add(t.f, 1.0))))
c("dtype", "i8", lambda o, t: o.dtype(t.i8))
c("shape", "cube", lambda o, t: o.shape(o.convert_to_tensor(t.cube)))
c("is_tensor", "tensor", lambda o, t: o.is_tensor(o.convert_to_tensor(t.f)))
c("is_tensor", "list", lambda o, t: o.is_tensor([1.0]))
c("stop_gradient", "f32", lambda o, t: o.stop_gradient(o.convert_to_tensor(t.f)))
c("slice", "block", lambda o, t: o.slice(t.cube, (1, 0, 1), (1, 2, 3)))
c("slice", "tensor_starts", lambda o, t: o.slice(t.f, o.array([1, 2]), (2, 2)))
c("slice_update", "block", lambda o, t: o.slice_update(t.f, (1, 1), o.ones((2, 2))))
c("slice_update", "i32", lambda o, t: o.slice_update(t.i, (0, 2), t.j[:1, :2]))
c("slice_update", "tensor_starts", lambda o, t: o.slice_update(t.f, o.array([0, 1]), o.zeros((3, 2))))
c("scatter", "points", lambda o, t: o.scatter([[0, 1], [2, 3], [0, 1]], o.array([1.0, 2.0, 3.0]), (3, 4)))
c("scatter", "rows", lambda o, t: o.scatter([[0], [2]], t.f[:2], (4, 4)))
c("scatter", "nested", lambda o, t: o.scatter(o.array([[[0], [1]], [[1], [2]]]), o.ones((2, 2)), (4,)))
for reduction in (None, "add", "max", "min", "mul"):
    c("scatter_update", f"points_{reduction}", lambda o, t, r=reduction: o.scatter_update(t.f, [[0, 1], [2, 3], [1, 0]], o.array([5.0, -6.0, 7.0]), reduction=r))
    c("scatter_update", f"rows_{reduction}", lambda o, t, r=reduction: o.scatter_update(t.f, [[0], [2]], t.g[:2], reduction=r))
for reduction in ("add", "max", "min", "mul"):
    c("scatter_update", f"repeated_{reduction}", lambda o, t, r=reduction: o.scatter_update(t.i, [[1, 1], [1, 1], [0, 0]], o.array([3, -2, 4]), reduction=r))
c("scatter_update", "bad_reduction", lambda o, t: o.scatter_update(t.f, [[0, 0]], o.array([1.0]), reduction="mean"))
c("unstack", "axis0", lambda o, t: o.unstack(o.convert_to_tensor(t.f)))
c("unstack", "axis1", lambda o, t: o.unstack(o.convert_to_tensor(t.cube), axis=1))
c("cond", "true", lambda o, t: o.cond(True, lambda: o.add(t.f, 1.0), lambda: t.f))
c("cond", "tensor", lambda o, t: o.cond(o.less(o.sum(t.f), -100.0), lambda: o.add(t.f, 1.0), lambda: o.multiply(t.f, 2.0)))
c("switch", "index", lambda o, t: o.switch(1, [lambda x: x + 1.0, lambda x: x * 2.0], o.convert_to_tensor(t.f)))
c("switch", "clipped", lambda o, t: o.switch(7, [lambda x: x + 1.0, lambda x: x * 2.0], o.convert_to_tensor(t.f)))
c("switch", "negative", lambda o, t: o.switch(-2, [lambda x, y: x + y, lambda x, y: x * y], o.convert_to_tensor(t.f), 3.0))
c("while_loop", "one", lambda o, t: o.while_loop(lambda i: i < 10, lambda i: i + 3, 0))
c("while_loop", "tuple", lambda o, t: o.while_loop(lambda i, x: i < 4, lambda i, x: (i + 1, x * 1.5), (0, o.convert_to_tensor(t.v))))
c("while_loop", "max_iterations", lambda o, t: o.while_loop(lambda x: o.sum(x) < 1e9, lambda x: x * 2.0, [o.convert_to_tensor(t.pos)], maximum_iterations=3))
c("fori_loop", "sum", lambda o, t: o.fori_loop(0, 5, lambda i, v: v + i, 0))
c("fori_loop", "tensor", lambda o, t: o.fori_loop(1, 4, lambda i, x: x * i, o.convert_to_tensor(t.f)))
c("scan", "cumulative", lambda o, t: o.scan(lambda c, x: (c + x, c * x), 0.0, t.v))
c("scan", "rows", lambda o, t: o.scan(lambda c, x: (c + x, o.sum(x)), o.zeros((4,)), t.f))
c("scan", "reverse", lambda o, t: o.scan(lambda c, x: (c + x, c), o.zeros((4,)), t.f, reverse=True))
c("scan", "length", lambda o, t: o.scan(lambda c, x: (c * 2, c), 1, length=5))
c("scan", "no_y", lambda o, t: o.scan(lambda c, x: (c + 1.0, None), o.zeros((2,)), length=3))
c("scan", "structures", _scan_both)
c("scan", "bad_unroll", lambda o, t: o.scan(lambda c, x: (c, x), 0.0, t.v, unroll=0))
c("scan", "nothing", lambda o, t: o.scan(lambda c, x: (c, x), 0.0))
c("map", "vector", lambda o, t: o.map(lambda x: x * 2, t.v))
c("map", "rows", lambda o, t: o.map(lambda row: o.sum(row), t.f))
c("map", "dict", lambda o, t: o.map(lambda x: {"a": x * 2, "b": x + 1}, t.iv))
c("map", "tuple_input", lambda o, t: o.map(lambda xy: xy[0] * xy[1], (t.f, t.g)))
c("associative_scan", "add", lambda o, t: o.associative_scan(lambda a, b: a + b, t.v))
c("associative_scan", "axis1", lambda o, t: o.associative_scan(lambda a, b: a + b, t.f, axis=1))
c("associative_scan", "reverse", lambda o, t: o.associative_scan(lambda a, b: a + b, t.f, reverse=True))
c("associative_scan", "max", lambda o, t: o.associative_scan(o.maximum, t.cube, axis=2))
c("associative_scan", "odd", lambda o, t: o.associative_scan(lambda a, b: a * b, o.convert_to_tensor(t.pos[0, :3])))
c("associative_scan", "pairs", lambda o, t: o.associative_scan(lambda a, b: (a[0] + b[0], a[1] * b[1]), (t.v, t.w)))
c("vectorized_map", "rows", lambda o, t: o.vectorized_map(lambda row: o.sum(row * 2.0), o.convert_to_tensor(t.f)))
c("vectorized_map", "pairs", lambda o, t: o.vectorized_map(lambda xy: o.matmul(xy[0], xy[1]), (o.convert_to_tensor(t.cube), o.convert_to_tensor(o.stack([t.m45, t.m45])))))
c("custom_gradient", "log1pexp", _log1pexp_with_gradient)

# -------------------------------------------------------------------- math
c("erf", "f32", lambda o, t: o.erf(t.f))
c("erfc", "f32", lambda o, t: o.erfc(t.f))
c("erfc", "i32", lambda o, t: o.erfc(t.i))
c("erfinv", "unit", lambda o, t: o.erfinv(t.unit))
c("erfinv", "edges", lambda o, t: o.erfinv(o.array([-1.0, 1.0, 0.0, 2.0])))
c("rsqrt", "pos", lambda o, t: o.rsqrt(t.pos))
c("logdet", "spd", lambda o, t: o.logdet(t.spd))
c("logdet", "batch", lambda o, t: o.logdet(o.stack([t.spd, t.spd * 2])))
c("logsumexp", "all", lambda o, t: o.logsumexp(t.f))
c("logsumexp", "axis_keep", lambda o, t: o.logsumexp(t.cube, axis=1, keepdims=True))
c("logsumexp", "axes", lambda o, t: o.logsumexp(t.cube, axis=(0, 2)))
c("logsumexp", "inf", lambda o, t: o.logsumexp(t.special[2:4]))
c("top_k", "default", lambda o, t: o.top_k(t.f, 2))
c("top_k", "unsorted_values", lambda o, t: o.sort(o.top_k(t.f, 3, sorted=False)[0]))
c("top_k", "i32", lambda o, t: o.top_k(t.dupes, 3)[0])
c("in_top_k", "k2", lambda o, t: o.in_top_k(t.labels, t.f, 2))
c("in_top_k", "k1", lambda o, t: o.in_top_k(t.labels, t.f, 1))
c("in_top_k", "ties", lambda o, t: o.in_top_k(o.array([0, 1]), o.array([[1.0, 1.0, 0.0], [2.0, 2.0, 2.0]]), 1))
for op in ("segment_sum", "segment_max", "segment_min", "segment_prod"):
    c(op, "rows", lambda o, t, op=op: getattr(o, op)(t.f, t.labels % 2))
    c(op, "num_segments", lambda o, t, op=op: getattr(o, op)(t.f, t.labels, num_segments=4))
    c(op, "out_of_range", lambda o, t, op=op: getattr(o, op)(t.v, o.array([0, -1, 1, 5]), num_segments=2))
    c(op, "i32", lambda o, t, op=op: getattr(o, op)(t.i, o.array([1, 0, 1])))
    c(op, "sorted", lambda o, t, op=op: getattr(o, op)(t.cube, o.array([0, 0]), sorted=True))
    c(op, "bad_ids", lambda o, t, op=op: getattr(o, op)(t.f, o.array([0, 1])))
c("cdist", "rows", lambda o, t: o.cdist(t.f, t.g[:2]))
c("cdist", "batched", lambda o, t: o.cdist(t.cube, t.cube))
c("cdist", "rank", lambda o, t: o.cdist(t.v, t.w))
c("extract_sequences", "frames", lambda o, t: o.extract_sequences(t.signal, 8, 4))
c("extract_sequences", "no_overlap", lambda o, t: o.extract_sequences(t.f, 2, 2))
c("fft", "pair", lambda o, t: o.fft((t.f, t.g)))
c("fft", "signal", lambda o, t: o.fft((t.signal, o.zeros_like(t.signal))))
c("fft", "not_pair", lambda o, t: o.fft(t.f))
c("fft2", "pair", lambda o, t: o.fft2((t.cube, o.zeros_like(t.cube))))
c("ifft2", "pair", lambda o, t: o.ifft2((t.f, t.g)))
c("ifft2", "roundtrip", lambda o, t: o.ifft2(o.fft2((t.f, t.g))))
c("rfft", "default", lambda o, t: o.rfft(t.signal))
c("rfft", "length", lambda o, t: o.rfft(t.f, fft_length=6))
c("irfft", "roundtrip", lambda o, t: o.irfft(o.rfft(t.signal)))
c("irfft", "length", lambda o, t: o.irfft((t.f, t.g), fft_length=5))
c("view_as_complex", "pairs", lambda o, t: o.view_as_real(o.view_as_complex(o.reshape(t.f, (3, 2, 2)))))
c("view_as_complex", "dtype", lambda o, t: o.dtype(o.view_as_complex(o.reshape(t.f, (6, 2)))))
c("view_as_complex", "bad_shape", lambda o, t: o.view_as_complex(t.cube))
c("view_as_real", "roundtrip", lambda o, t: o.view_as_real(o.view_as_complex(o.reshape(t.f, (6, 2)))))
c("view_as_real", "polar", lambda o, t: o.view_as_real(o.polar(t.pos, t.f)))
for window in ("hann", "hamming", None):
    c("stft", f"{window}", lambda o, t, w=window: o.stft(t.signal, 8, 4, 8, window=w))
    c("stft", f"{window}_padded_fft", lambda o, t, w=window: o.stft(t.signal, 6, 3, 8, window=w))
    c("stft", f"{window}_no_center", lambda o, t, w=window: o.stft(t.signal, 8, 2, 16, window=w, center=False))
    c("istft", f"{window}", lambda o, t, w=window: o.istft(o.stft(t.signal, 8, 4, 8, window=w), 8, 4, 8, window=w), atol=1e-5)
    c("istft", f"{window}_padded_fft", lambda o, t, w=window: o.istft(o.stft(t.signal, 6, 3, 8, window=w), 6, 3, 8, window=w), atol=1e-5)
    c("istft", f"{window}_no_center", lambda o, t, w=window: o.istft(o.stft(t.signal, 8, 2, 16, window=w, center=False), 8, 2, 16, window=w, center=False), atol=1e-5)
c("stft", "window_tensor", lambda o, t: o.stft(t.signal, 8, 4, 8, window=o.hanning(8)))
c("stft", "batch", lambda o, t: o.stft(o.reshape(t.signal, (2, 1, 32)), 8, 4, 8))
c("stft", "int_signal", lambda o, t: o.stft(t.i, 2, 1, 2))
c("stft", "bad_fft", lambda o, t: o.stft(t.signal, 8, 4, 4))
c("stft", "bad_stride", lambda o, t: o.stft(t.signal, 8, 0, 8))
c("istft", "length", lambda o, t: o.istft(o.stft(t.signal, 8, 4, 8), 8, 4, 8, length=20), atol=1e-5)
c("istft", "length_padded_fft", lambda o, t: o.istft(o.stft(t.signal, 6, 3, 8), 6, 3, 8, length=25), atol=1e-5)
# fmt: on
