"""Metric-learning losses on embeddings: the circle loss.

Example:

>>> emb = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
>>> loss = circle([0, 0, 1, 1], emb)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.losses.inputs import float_tensor, label_tensor, tensor_like


def circle(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> torch.Tensor:
    """Circle loss for metric learning on L2-normalised embeddings.

    With cosine distances ``d = maximum(1 - y_pred @ ref_embeddings.T, 0)``,
    positives (same label) and negatives (other labels):
    ``softplus(logsumexp(-gamma * relu(margin + d) * (margin - d))  [positives]
    + logsumexp(gamma * relu(1 + margin - d) * (1 - margin - d)))  [negatives]``.
    Samples with zero loss are left out of the average (Keras's mask).

    Args:
        y_true: Integer labels, shape ``(batch,)``.
        y_pred: L2-normalised embeddings, shape ``(batch, dim)``.
        ref_labels: Labels of the reference embeddings; ``y_true`` by default.
        ref_embeddings: Reference embeddings; ``y_pred`` by default.
        remove_diagonal: Whether a sample is not its own positive.
        gamma: Scale. Defaults to 80.
        margin: Relaxation margin. Defaults to 0.4.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> emb = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
    >>> loss = circle([0, 0, 1, 1], emb)
    """
    y_pred = float_tensor(y_pred)
    y_true = label_tensor(y_true, y_pred).reshape(-1, 1)
    ref_embeddings = (
        y_pred if ref_embeddings is None else tensor_like(ref_embeddings, y_pred)
    )
    ref_labels = y_true if ref_labels is None else label_tensor(ref_labels, y_pred)
    ref_labels = ref_labels.reshape(-1, 1)

    distances = (1.0 - y_pred @ ref_embeddings.T).clamp_min(0.0)
    positive = y_true == ref_labels.T
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~torch.eye(
            *positive.shape, dtype=torch.bool, device=positive.device
        )
    pos_weights = ((margin + distances) * positive).clamp_min(0.0)
    neg_weights = ((1.0 + margin - distances) * negative).clamp_min(0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1.0 - margin) - distances)
    minus_inf = torch.tensor(
        float("-inf"), dtype=distances.dtype, device=distances.device
    )
    p_loss = torch.logsumexp(torch.where(positive, pos_logits, minus_inf), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_logits, minus_inf), dim=1)
    loss = F.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss


__all__ = [
    "circle",
]
