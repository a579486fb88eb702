"""Linear algebra (Keras 3's ``keras.ops.linalg``) on torch tensors.

Every function takes batches of matrices (``(..., M, N)``) and runs one
``torch.linalg`` kernel; shapes are checked first, so a wrong input fails with
a message naming the op rather than a LAPACK error.

Example:

>>> from lamina import ops
>>> ops.linalg.det(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
tensor(6.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from lamina import backend
from lamina.backend.dtypes import result_type
from lamina.errors import ArgumentError, ShapeError
from lamina.ops.core import _is_symbolic, _symbolic_error, _tensor


def _matrices(x: Any, op: str, square: bool = True) -> torch.Tensor:
    x = _tensor(x)
    if x.ndim < 2:
        raise ShapeError(
            f"{op}: expected a matrix or a batch of matrices (rank >= 2), "
            f"received shape {tuple(x.shape)}."
        )
    if square and x.shape[-1] != x.shape[-2]:
        raise ShapeError(
            f"{op}: expected square matrices, received shape {tuple(x.shape)}."
        )
    return x


def _system(a: Any, b: Any, op: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Coefficients ``(..., M, M)`` and right-hand sides ``(..., M)`` or
    ``(..., M, N)``, checked against each other."""
    a = _matrices(a, op)
    b = _tensor(b, device=a.device)
    if b.ndim < 1:
        raise ShapeError(f"{op}: `b` must have rank >= 1, received a scalar.")
    rows = b.shape[-2] if b.ndim == a.ndim else b.shape[-1]
    if b.ndim in (a.ndim, a.ndim - 1) and rows != a.shape[-1]:
        raise ShapeError(
            f"{op}: `a` of shape {tuple(a.shape)} and `b` of shape "
            f"{tuple(b.shape)} do not match."
        )
    return a, b


def cholesky(x: Any, upper: bool = False) -> torch.Tensor:
    """The Cholesky factor ``L`` (``x = L @ L.T``) of symmetric positive-definite
    matrices; ``U = L.T`` with ``upper=True``.

    Raises:
        ArgumentError: if a matrix is not positive definite.

    Example: ``cholesky(torch.eye(2) * 4)``.
    """
    x = _matrices(x, "cholesky")
    try:
        return torch.linalg.cholesky(x, upper=upper)
    except RuntimeError as error:
        raise ArgumentError(f"cholesky: decomposition failed: {error}") from error


def cholesky_inverse(x: Any, upper: bool = False) -> torch.Tensor:
    """The inverse of ``A`` from its Cholesky factor ``x`` (lower, or upper with
    ``upper=True``).

    Example: ``cholesky_inverse(cholesky(a))``.
    """
    x = _matrices(x, "cholesky_inverse")
    try:
        return torch.cholesky_inverse(x, upper=upper)
    except RuntimeError as error:
        raise ArgumentError(f"cholesky_inverse: failed: {error}") from error


def det(x: Any) -> torch.Tensor:
    """Determinants of square matrices. Example: ``det(torch.eye(3))``."""
    return torch.linalg.det(_matrices(x, "det"))


def inv(x: Any) -> torch.Tensor:
    """Inverses of square matrices. Example: ``inv(torch.eye(2) * 2)``."""
    return torch.linalg.inv(_matrices(x, "inv"))


def eig(x: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues and (column) eigenvectors of square matrices, complex.

    Their order (and the eigenvectors' phases) are LAPACK's.

    Example: ``values, vectors = eig(a)``.
    """
    return tuple(torch.linalg.eig(_matrices(x, "eig")))


def eigh(x: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of
    symmetric matrices.

    Example: ``values, vectors = eigh(a)``.
    """
    return tuple(torch.linalg.eigh(_matrices(x, "eigh")))


def lu_factor(x: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """LU decomposition with partial pivoting: the packed ``LU`` matrix and the
    (0-based, int32) pivot rows.

    Example: ``lu, pivots = lu_factor(a)``.
    """
    lu, pivots = torch.linalg.lu_factor(_matrices(x, "lu_factor", square=False))
    return lu, (pivots - 1).to(torch.int32)


def norm(
    x: Any,
    ord: int | float | str | None = None,  # noqa: A002
    axis: int | tuple[int, int] | None = None,
    keepdims: bool = False,
) -> torch.Tensor:
    """Vector or matrix norm.

    Args:
        x: Input tensor.
        ord: The norm: for vectors a number (``inf``, ``-inf``, 0, 1, 2, ...);
            for matrices ``"fro"``, ``"nuc"``, ``inf``, ``-inf``, 1, -1, 2, -2.
            The 2-norm (Frobenius for matrices) by default.
        axis: One axis (vector norms), two (matrix norms), or None: all of a
            1-D or 2-D input.
        keepdims: Keep the reduced axes with size 1.

    Example:

    >>> norm(torch.tensor([3.0, 4.0]))
    tensor(5.)
    """
    x = _tensor(x)
    target = backend.floatx() if x.dtype == torch.int64 else result_type(x.dtype, float)
    x = x.to(backend.to_torch_dtype(target))
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def qr(x: Any, mode: str = "reduced") -> tuple[torch.Tensor, torch.Tensor]:
    """QR decomposition: ``Q`` with orthonormal columns and upper-triangular ``R``.

    Args:
        x: ``(..., M, N)`` matrices.
        mode: ``"reduced"`` (``Q`` is ``(M, K)``, ``K = min(M, N)``) or
            ``"complete"`` (``Q`` is ``(M, M)``).

    Example: ``q, r = qr(a)``.
    """
    if mode not in ("reduced", "complete"):
        raise ArgumentError(
            f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}."
        )
    return tuple(torch.linalg.qr(_matrices(x, "qr", square=False), mode=mode))


def solve(a: Any, b: Any) -> torch.Tensor:
    """The solution ``x`` of ``a @ x = b`` for square ``a``.

    Example: ``solve(torch.eye(2) * 2, torch.tensor([2.0, 4.0]))``.
    """
    return torch.linalg.solve(*_system(a, b, "solve"))


def solve_triangular(a: Any, b: Any, lower: bool = False) -> torch.Tensor:
    """The solution ``x`` of ``a @ x = b`` for triangular ``a`` (upper unless
    ``lower``); ``b`` may be ``(..., M)`` or ``(..., M, N)``.

    Example: ``solve_triangular(torch.eye(2), torch.tensor([1.0, 2.0]))``.
    """
    a, b = _system(a, b, "solve_triangular")
    if b.ndim == a.ndim - 1:
        column = b.unsqueeze(-1)
        return torch.linalg.solve_triangular(a, column, upper=not lower).squeeze(-1)
    return torch.linalg.solve_triangular(a, b, upper=not lower)


def svd(
    x: Any, full_matrices: bool = True, compute_uv: bool = True
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | torch.Tensor:
    """Singular value decomposition ``x = U @ diag(S) @ Vh``.

    Args:
        x: ``(..., M, N)`` matrices.
        full_matrices: Square ``U`` and ``Vh``; else ``K = min(M, N)`` columns.
        compute_uv: Return ``(U, S, Vh)``; else the singular values only.

    Example: ``u, s, vh = svd(a)``.
    """
    x = _matrices(x, "svd", square=False)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def lstsq(a: Any, b: Any, rcond: float | None = None) -> torch.Tensor:
    """The least-squares solution ``x`` minimizing ``|a @ x - b|``.

    Args:
        a: ``(M, N)`` coefficients.
        b: ``(M,)`` or ``(M, K)`` right-hand sides.
        rcond: Singular values below ``rcond`` times the largest count as zero
            (an SVD-based solve, as numpy's); by default torch's driver.

    Example: ``lstsq(a, b)``.
    """
    a = _matrices(a, "lstsq", square=False)
    b = _tensor(b, device=a.device)
    column = b.ndim == a.ndim - 1
    rhs = b.unsqueeze(-1) if column else b
    if rcond is None:
        solution = torch.linalg.lstsq(a, rhs).solution
    elif a.device.type == "cuda":  # CUDA's only driver has no cutoff
        solution = torch.linalg.pinv(a, rtol=rcond) @ rhs
    else:
        solution = torch.linalg.lstsq(a, rhs, rcond=rcond, driver="gelsd").solution
    return solution.squeeze(-1) if column else solution


def matrix_rank(x: Any, tol: float | None = None) -> torch.Tensor:
    """The rank of matrices (int32): singular values above ``tol`` (by default
    ``max(M, N) * eps * largest singular value``).

    Example: ``matrix_rank(torch.eye(3))``.
    """
    x = _matrices(x, "matrix_rank", square=False)
    return torch.linalg.matrix_rank(x, atol=tol).to(torch.int32)


def pinv(x: Any, rcond: float | None = None) -> torch.Tensor:
    """The Moore-Penrose pseudo-inverse; singular values below ``rcond`` times
    the largest count as zero.

    Example: ``pinv(a)``.
    """
    return torch.linalg.pinv(_matrices(x, "pinv", square=False), rtol=rcond)


def jvp(fun: Callable, primals: Any, tangents: Any, has_aux: bool = False) -> tuple:
    """Forward-mode derivative: ``fun(*primals)`` and its directional derivative
    along ``tangents`` (``torch.func.jvp``).

    Args:
        fun: A function of tensors.
        primals: The point, a tuple or list of tensors (one per argument).
        tangents: The direction, structured like ``primals``.
        has_aux: ``fun`` returns ``(output, aux)``; ``aux`` is returned as is.

    Returns:
        ``(output, tangent_out)``, or ``(output, tangent_out, aux)``.

    Example:

    >>> jvp(lambda x: x * x, (torch.tensor(3.0),), (torch.tensor(1.0),))
    (tensor(9.), tensor(6.))
    """
    if _is_symbolic(primals) or _is_symbolic(tangents):
        raise _symbolic_error()
    primals = tuple(_tensor(p) for p in primals)
    tangents = tuple(
        _tensor(t, dtype=p.dtype, device=p.device) for t, p in zip(tangents, primals)
    )
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)


__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "eig",
    "eigh",
    "inv",
    "jvp",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]
