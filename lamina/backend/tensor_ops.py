"""Tensor helpers that losses and metrics share, so both follow one rule.

`squeeze_or_expand_to_same_rank` is Keras's rank rule for ``y_true`` against
``y_pred`` (and for sample weights against values); `divide_no_nan` and
`l2_normalize` are Keras's ``ops.divide_no_nan`` and ``ops.normalize``. They run
on every training step: pure torch ops that look only at shapes (host-side
facts) and never read tensor values back to the host.
"""

from __future__ import annotations

import torch

from lamina.backend.config import epsilon


def squeeze_or_expand_to_same_rank(
    x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """Make two tensors the same rank when they differ by a trailing axis of 1.

    This is Keras's rule: ``y_true`` of shape ``(n,)`` and ``y_pred`` of shape
    ``(n, 1)`` become ``(n, 1)`` and ``(n, 1)`` (a rank-1 tensor is expanded;
    otherwise the size-1 axis is squeezed). Any other pair is returned as is,
    so ``(n,)`` against ``(n, 1)`` never broadcasts to ``(n, n)``.

    Args:
        x1: First tensor.
        x2: Second tensor.
        expand_rank_1: Whether a rank-1 tensor is expanded rather than the
            other squeezed.

    Returns:
        The pair ``(x1, x2)``, one of them reshaped (a view) where needed.

    Example:

    >>> a, b = squeeze_or_expand_to_same_rank(torch.ones(3), torch.ones(3, 1))
    >>> tuple(a.shape), tuple(b.shape)
    ((3, 1), (3, 1))
    """
    rank1, rank2 = x1.dim(), x2.dim()
    if rank1 == rank2:
        return x1, x2
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def divide_no_nan(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    """``numerator / denominator``, with 0 wherever ``denominator`` is 0.

    Keras's ``ops.divide_no_nan``. Zero denominators are replaced by 1 before
    dividing, so the gradient stays finite too (a plain ``where`` over
    ``numerator / denominator`` would back-propagate ``0 * inf = nan``).

    Args:
        numerator: Tensor of dividends.
        denominator: Tensor of divisors; broadcasts against ``numerator``.

    Returns:
        The quotient, of the broadcast shape of both arguments.

    Example:

    >>> divide_no_nan(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 0.0]))
    tensor([0.5000, 0.0000])
    """
    nonzero = denominator != 0
    safe = torch.where(nonzero, denominator, torch.ones_like(denominator))
    return torch.where(nonzero, numerator / safe, torch.zeros_like(numerator))


def l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    """``x`` divided by its L2 norm along ``axis`` (Keras's ``ops.normalize``).

    Computed as ``x * min(rsqrt(sum(x**2)), 1 / epsilon())``: the cap keeps an
    all-zero vector at zero instead of ``nan``.

    Args:
        x: Tensor to normalize.
        axis: Axis along which the norm is taken.

    Returns:
        Tensor of ``x``'s shape.

    Example:

    >>> l2_normalize(torch.tensor([[3.0, 4.0], [0.0, 0.0]]), axis=-1)
    tensor([[0.6000, 0.8000],
            [0.0000, 0.0000]])
    """
    inv_norm = torch.rsqrt(x.square().sum(dim=axis, keepdim=True))
    return x * inv_norm.clamp_max(1.0 / epsilon())
