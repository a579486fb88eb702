"""Parity cases for ``ops.linalg`` (see cases.py).

Decompositions whose factors are only defined up to sign or order (``eig``,
``eigh``'s vectors, ``svd``'s and ``qr``'s factors) are compared through
what is unique (sorted eigenvalues, absolute values); test_linalg.py checks
the factorizations themselves (reconstruction, orthogonality)."""

from __future__ import annotations

from tests.ops.cases import Cases

CASES = Cases()
c = CASES


def _tensor(o, x):
    return o.convert_to_tensor(x)


# fmt: off
c("cholesky", "lower", lambda o, t: o.cholesky(t.spd))
c("cholesky", "upper", lambda o, t: o.cholesky(t.spd, upper=True))
c("cholesky", "batch", lambda o, t: o.cholesky(o.stack([t.spd, t.spd * 2])))
c("cholesky", "not_square", lambda o, t: o.cholesky(t.m45))
c("cholesky", "vector", lambda o, t: o.cholesky(t.v))
c("cholesky", "not_positive", lambda o, t: o.cholesky(-t.spd))
c("cholesky_inverse", "lower", lambda o, t: o.cholesky_inverse(o.cholesky(t.spd)))
c("cholesky_inverse", "upper", lambda o, t: o.cholesky_inverse(o.cholesky(t.spd, upper=True), upper=True))
c("det", "square", lambda o, t: o.det(t.sq))
c("det", "batch", lambda o, t: o.det(o.stack([t.sq, t.spd])))
c("det", "f64", lambda o, t: o.det(o.cast(t.sq, "float64")))
c("det", "not_square", lambda o, t: o.det(t.m45))
c("inv", "square", lambda o, t: o.inv(t.spd))
c("inv", "batch", lambda o, t: o.inv(o.stack([t.sq, t.spd])), rtol=1e-4, atol=1e-5)
c("eig", "values", lambda o, t: o.sort(o.real(o.eig(t.spd)[0])))
c("eig", "dtypes", lambda o, t: [o.dtype(part) for part in o.eig(t.sq)])
c("eigh", "values", lambda o, t: o.eigh(t.spd)[0])
c("eigh", "vectors_abs", lambda o, t: o.abs(o.eigh(t.spd)[1]), atol=1e-5)
c("eigh", "batch_values", lambda o, t: o.eigh(o.stack([t.spd, t.spd * 3]))[0])
c("lu_factor", "square", lambda o, t: o.lu_factor(t.sq))
c("lu_factor", "batch", lambda o, t: o.lu_factor(o.stack([t.sq, t.spd])))
c("lu_factor", "wide", lambda o, t: o.lu_factor(t.m45))
c("norm", "vector", lambda o, t: o.norm(t.v))
c("norm", "matrix", lambda o, t: o.norm(t.f))
for ord_ in (1, 2, 3, 0, float("inf"), -float("inf")):
    c("norm", f"vector_ord_{ord_}", lambda o, t, p=ord_: o.norm(t.f, ord=p, axis=1))
for ord_ in ("fro", "nuc", 1, -1, 2, -2, float("inf")):
    c("norm", f"matrix_ord_{ord_}", lambda o, t, p=ord_: o.norm(t.cube, ord=p, axis=(1, 2)), rtol=1e-4)
c("norm", "keepdims", lambda o, t: o.norm(t.cube, axis=-1, keepdims=True))
c("norm", "i32", lambda o, t: o.norm(t.i, axis=0))
c("norm", "i64", lambda o, t: o.norm(t.i64, axis=0))
c("norm", "f16", lambda o, t: o.norm(t.f16, axis=1), rtol=3e-3, atol=3e-3)
c("qr", "reduced_abs", lambda o, t: [o.abs(part) for part in o.qr(t.m45)])
c("qr", "complete_abs", lambda o, t: [o.abs(part) for part in o.qr(t.m45, mode="complete")])
c("qr", "tall_abs", lambda o, t: [o.abs(part) for part in o.qr(o.transpose(t.m45))])
c("qr", "bad_mode", lambda o, t: o.qr(t.sq, mode="raw"))
c("solve", "vector", lambda o, t: o.solve(t.spd, t.v))
c("solve", "matrix", lambda o, t: o.solve(t.spd, t.m45))
c("solve", "batch", lambda o, t: o.solve(o.stack([t.spd, t.spd * 2]), o.stack([t.m45, t.m45])))
c("solve", "mismatch", lambda o, t: o.solve(t.spd, t.f))
c("solve", "not_square", lambda o, t: o.solve(t.m45, t.v))
c("solve_triangular", "upper_vector", lambda o, t: o.solve_triangular(o.triu(t.spd), t.v))
c("solve_triangular", "lower_matrix", lambda o, t: o.solve_triangular(o.tril(t.spd), t.m45, lower=True))
c("solve_triangular", "batch", lambda o, t: o.solve_triangular(o.stack([o.triu(t.spd)] * 2), o.stack([t.v, t.w])))
c("svd", "values", lambda o, t: o.svd(t.m45, compute_uv=False))
c("svd", "full_abs", lambda o, t: [o.abs(part) for part in o.svd(t.m45)], atol=1e-5)
c("svd", "reduced_abs", lambda o, t: [o.abs(part) for part in o.svd(t.m45, full_matrices=False)], atol=1e-5)
c("svd", "batch_values", lambda o, t: o.svd(t.cube, compute_uv=False))
c("svd", "vector", lambda o, t: o.svd(t.v))
c("lstsq", "square", lambda o, t: o.lstsq(t.spd, t.v), rtol=1e-4, atol=1e-5)
c("lstsq", "tall", lambda o, t: o.lstsq(o.transpose(t.m45), o.ones((5, 2))), rtol=1e-4, atol=1e-5)
c("lstsq", "rcond", lambda o, t: o.lstsq(o.transpose(t.m45), o.ones((5, 2)), rcond=1e-3), rtol=1e-4, atol=1e-5)
c("lstsq", "vector_rhs", lambda o, t: o.lstsq(o.transpose(t.m45), o.ones((5,))), rtol=1e-4, atol=1e-5)
c("matrix_rank", "full", lambda o, t: o.matrix_rank(t.sq))
c("matrix_rank", "deficient", lambda o, t: o.matrix_rank(o.outer(t.v, t.w)))
c("matrix_rank", "tol", lambda o, t: o.matrix_rank(t.spd, tol=5.0))
c("matrix_rank", "batch", lambda o, t: o.matrix_rank(o.stack([t.sq, o.zeros((4, 4))])))
c("pinv", "square", lambda o, t: o.pinv(t.spd), rtol=1e-4, atol=1e-5)
c("pinv", "wide", lambda o, t: o.pinv(t.m45), rtol=1e-4, atol=1e-5)
c("pinv", "rcond", lambda o, t: o.pinv(o.outer(t.v, t.w), rcond=1e-3), rtol=1e-4, atol=1e-5)
c("jvp", "sin", lambda o, t: o.jvp(lambda x: o.sin(x) * x, (_tensor(o, t.v),), (_tensor(o, t.w),)))
c("jvp", "two_args", lambda o, t: o.jvp(lambda x, y: o.matmul(x, y), (_tensor(o, t.f), _tensor(o, t.m45)), (_tensor(o, t.g), _tensor(o, t.m45))))
c("jvp", "aux", lambda o, t: o.jvp(lambda x: (o.exp(x), o.sum(x)), (_tensor(o, t.v),), (_tensor(o, t.w),), has_aux=True))
# fmt: on
