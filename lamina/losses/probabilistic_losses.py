"""Probabilistic losses: the crossentropies, KL divergence, Poisson and CTC.

The crossentropy formulas themselves are `lamina.backend.nn`'s (shared with
``lamina.ops`` and ``K.binary_crossentropy``); here they get Keras's loss
behaviour: argument checks, label smoothing, the warning for a single class,
``ignore_class`` and, for the binary ones, the mean over ``axis``.

Example:

>>> loss = categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]])
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.backend import nn
from lamina.errors import ArgumentError, ShapeError
from lamina.losses.inputs import float_pair, float_tensor, label_tensor, tensor_like


def check_axis(axis, function: str) -> None:
    """Raise an `ArgumentError` naming ``function`` unless ``axis`` is an int."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ArgumentError(
            f"In {function}, `axis` must be of type `int`. "
            f"Received: axis={axis!r} of type {type(axis).__name__}"
        )


def _binary_inputs(y_true, y_pred, label_smoothing: float):
    """Float tensors, the targets squeezed towards 0.5 by ``label_smoothing``."""
    y_true, y_pred = float_pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred


def _categorical_inputs(y_true, y_pred, label_smoothing: float, axis, function: str):
    """Float tensors after Keras's checks, the targets smoothed.

    Smoothing spreads ``label_smoothing`` over the classes; as in Keras, their
    number is the last axis, whatever ``axis`` is.
    """
    check_axis(axis, function)
    y_pred = float_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    if y_pred.dim() and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {function}, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape="
            f"{tuple(y_pred.shape)}. Consider using 'binary_crossentropy' if you "
            "only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    return y_true, y_pred


def binary_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary crossentropy, averaged over ``axis``.

    ``-(y * log(p) + (1 - y) * log(1 - p))`` with ``p`` clipped to
    ``[epsilon, 1 - epsilon]``; with ``from_logits=True`` it is computed from
    the logits directly (``binary_cross_entropy_with_logits``), exact for any
    logit.

    Args:
        y_true: Targets in [0, 1], same shape as ``y_pred``.
        y_pred: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: In ``[0, 1]``; targets are squeezed towards 0.5:
            ``y_true * (1 - label_smoothing) + 0.5 * label_smoothing``.
        axis: The axis the mean is taken over. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """
    y_true, y_pred = _binary_inputs(y_true, y_pred, label_smoothing)
    return nn.binary_crossentropy(y_true, y_pred, from_logits).mean(dim=axis)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary focal crossentropy, averaged over ``axis``.

    ``(1 - p_t)^gamma * bce`` with ``p_t = y * p + (1 - y) * (1 - p)``; with
    ``apply_class_balancing`` each term is also weighted by ``alpha`` for
    class 1 and ``1 - alpha`` for class 0. ``gamma=0`` gives binary
    crossentropy.

    Args:
        y_true: Targets in [0, 1].
        y_pred: Probabilities, or logits with ``from_logits=True``.
        apply_class_balancing: Whether to weight the classes by ``alpha``.
        alpha: Weight of class 1. Defaults to 0.25.
        gamma: Focusing parameter. Defaults to 2.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in `binary_crossentropy`.
        axis: The axis the mean is taken over. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = binary_focal_crossentropy([[0, 1]], [[0.6, 0.4]], gamma=2)
    """
    y_true, y_pred = _binary_inputs(y_true, y_pred, label_smoothing)
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    nn.check_same_shape(y_true, y_pred, "binary_focal_crossentropy")
    bce = nn.binary_crossentropy(y_true, y_pred)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return focal_bce.mean(dim=axis)


def categorical_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Categorical crossentropy: ``-sum(y_true * log(p), axis)``.

    With ``from_logits=True``, ``log(p)`` is ``log_softmax(y_pred)``, which is
    exact for any logits. Otherwise ``p = y_pred / sum(y_pred)`` is clipped to
    ``[epsilon, 1 - epsilon]`` (epsilon 1e-7) before the log, so a saturated
    softmax gives at most ``-log(1e-7) ~ 16.1`` and never inf or NaN.

    Args:
        y_true: One-hot (or soft) targets, same shape as ``y_pred``.
        y_pred: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: In ``[0, 1]``; targets become
            ``y_true * (1 - label_smoothing) + label_smoothing / num_classes``.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]])
    """
    y_true, y_pred = _categorical_inputs(
        y_true, y_pred, label_smoothing, axis, "categorical_crossentropy"
    )
    return nn.categorical_crossentropy(y_true, y_pred, from_logits, axis)


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha=0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Alpha-balanced focal crossentropy for one-hot targets.

    ``sum(alpha * (1 - p)^gamma * -y_true * log(p), axis)`` where ``p`` is the
    normalised, clipped probability (``softmax(y_pred)`` with
    ``from_logits=True``). ``gamma=0`` and ``alpha=1`` give plain crossentropy.

    Args:
        y_true: One-hot targets.
        y_pred: Probabilities, or logits with ``from_logits=True``.
        alpha: Weight, a float or one float per class. Defaults to 0.25.
        gamma: Focusing parameter. Defaults to 2.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in `categorical_crossentropy`.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = categorical_focal_crossentropy([[0, 1, 0]], [[0.05, 0.9, 0.05]])
    """
    y_true, y_pred = _categorical_inputs(
        y_true, y_pred, label_smoothing, axis, "categorical_focal_crossentropy"
    )
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = backend.epsilon()
    output = (y_pred / y_pred.sum(dim=axis, keepdim=True)).clamp(eps, 1.0 - eps)
    if not isinstance(alpha, (int, float)):
        alpha = torch.as_tensor(alpha, dtype=output.dtype, device=output.device)
    focal = torch.pow(1.0 - output, gamma) * alpha * (-y_true * torch.log(output))
    return focal.sum(dim=axis)


def sparse_categorical_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> torch.Tensor:
    """Crossentropy with integer class labels: ``-log(p[y_true])``.

    ``p`` is ``softmax(y_pred)`` (computed as one fused log-softmax) with
    ``from_logits=True``; otherwise ``y_pred / sum(y_pred)`` clipped to
    ``[epsilon, 1 - epsilon]``. No one-hot matrix is built.

    Args:
        y_true: Class indices, shape ``y_pred.shape`` without the class axis
            (a trailing axis of size 1 is accepted).
        y_pred: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``y_pred`` holds logits.
        ignore_class: A label whose entries get loss 0 and are left out of the
            average (e.g. -1 or 255 for "void" pixels). ``None`` keeps all.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with the class axis removed.

    Example:

    >>> probs = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    >>> loss = sparse_categorical_crossentropy([1, 2], probs)
    """
    y_pred = float_tensor(y_pred)
    y_true = label_tensor(y_true, y_pred)
    if ignore_class is None:
        return nn.sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)
    valid = y_true != ignore_class
    y_true = torch.where(valid, y_true, torch.zeros_like(y_true))
    result = nn.sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)
    # The labels' class axis of size 1, if any, goes as in the crossentropy.
    valid = valid.reshape(result.shape)
    result = torch.where(valid, result, torch.zeros_like(result))
    result._keras_mask = valid
    return result


def categorical_generalized_cross_entropy(
    y_true, y_pred, q: float = 0.5
) -> torch.Tensor:
    """Generalized crossentropy (noise-robust): ``(1 - p^q) / q``.

    ``p`` is the predicted probability of the true class. ``q -> 0`` behaves
    like crossentropy, ``q = 1`` like mean absolute error.

    Args:
        y_true: Integer labels, shape ``(batch,)`` or ``(batch, 1)``.
        y_pred: Probabilities, shape ``(batch, num_classes)``.
        q: Noise parameter in ``(0, 1)``. Defaults to 0.5.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = categorical_generalized_cross_entropy([0, 1], [[0.7, 0.3], [0.2, 0.8]])
    """
    y_pred = float_tensor(y_pred)
    y_true = label_tensor(y_true, y_pred)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    p = y_pred.gather(-1, y_true.unsqueeze(-1)).squeeze(-1)
    return (1.0 - torch.pow(p, q)) / q


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """Kullback-Leibler divergence: ``sum(y_true * log(y_true / y_pred), axis=-1)``.

    Both inputs are clipped to ``[epsilon, 1]`` first.

    Args:
        y_true: Target distributions.
        y_pred: Predicted distributions.

    Returns:
        Tensor with the last axis reduced.

    Example:

    >>> loss = kl_divergence([[0.0, 1.0]], [[0.4, 0.6]])
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    eps = backend.epsilon()
    y_true = y_true.clamp(eps, 1.0)
    y_pred = y_pred.clamp(eps, 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.

    Args:
        y_true: Ground truth counts, shape ``(batch, d0, ..., dN)``.
        y_pred: Predicted rates, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> loss = poisson([[1.0, 0.0]], [[1.0, 0.5]])
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + backend.epsilon())).mean(dim=-1)


def ctc(y_true, y_pred) -> torch.Tensor:
    """Connectionist Temporal Classification loss, one value per sequence.

    Label 0 is the blank and also pads ``y_true``: a sequence's label length is
    its number of non-zero entries; every input sequence is used in full.

    Args:
        y_true: Integer labels, shape ``(batch, max_label_length)``.
        y_pred: Logits (not softmaxed), shape ``(batch, time, num_classes)``.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = ctc([[1, 2, 0]], torch.randn(1, 5, 4))
    """
    y_pred = float_tensor(y_pred)
    y_true = label_tensor(y_true, y_pred)
    if y_true.dim() != 2:
        raise ShapeError(
            "Targets `y_true` are expected to be a tensor of shape "
            "`(batch_size, max_length)` in integer format. "
            f"Received: y_true.shape={tuple(y_true.shape)}"
        )
    if y_pred.dim() != 3:
        raise ShapeError(
            "Logits `y_pred` are expected to be a tensor of shape "
            "`(batch_size, max_length, num_classes)`. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    input_length = torch.full((batch,), steps, dtype=torch.long, device=y_pred.device)
    label_length = (y_true != 0).sum(dim=-1)
    log_probs = torch.log_softmax(y_pred.transpose(0, 1), dim=-1)
    # torch's CTC kernels read the lengths on the host: this loss synchronises.
    return F.ctc_loss(
        log_probs, y_true, input_length, label_length, blank=0, reduction="none"
    )


__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "ctc",
    "kl_divergence",
    "poisson",
    "sparse_categorical_crossentropy",
]
