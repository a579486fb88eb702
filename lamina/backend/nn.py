"""The crossentropy tensor math, as Keras's ``keras.src.backend.torch.nn``.

One implementation of each formula for everything above: the loss functions
(`lamina.losses`, which add label smoothing, warnings and the mean over an
axis), ``lamina.ops`` and Keras 2's ``K.binary_crossentropy``. The arguments
are torch tensors of one dtype and device (integer labels for the sparse
crossentropy); callers convert their inputs first.

With ``from_logits=True`` the formulas work on the logits directly (a fused
log-softmax or ``binary_cross_entropy_with_logits``), exact for any logit.
Otherwise probabilities are clipped to ``[epsilon, 1 - epsilon]`` before the
log, so a saturated softmax gives at most ``-log(1e-7) ~ 16.1``, never inf.

Example:

>>> binary_crossentropy(torch.tensor([1.0, 0.0]), torch.tensor([0.9, 0.2]))
tensor([0.1054, 0.2231])
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.backend.config import epsilon
from lamina.errors import ArgumentError, ShapeError


def check_same_shape(target: torch.Tensor, output: torch.Tensor, function: str) -> None:
    """Raise a `ShapeError` naming ``function`` unless both tensors have one shape.

    Args:
        target: The targets (``y_true``).
        output: The predictions (``y_pred``).
        function: The name the message gives, e.g. ``"binary_crossentropy"``.

    Example:

    >>> check_same_shape(torch.ones(2), torch.ones(2), "binary_crossentropy")
    """
    if target.shape != output.shape:
        raise ShapeError(
            f"In {function}, `y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={tuple(target.shape)}, "
            f"y_pred.shape={tuple(output.shape)}"
        )


def binary_crossentropy(
    target: torch.Tensor, output: torch.Tensor, from_logits: bool = False
) -> torch.Tensor:
    """Elementwise binary crossentropy ``-(y * log(p) + (1 - y) * log(1 - p))``.

    Args:
        target: Targets in [0, 1].
        output: Probabilities, or logits with ``from_logits=True``; the shape
            of ``target``.
        from_logits: Whether ``output`` holds logits.

    Returns:
        Tensor of ``output``'s shape (no mean over any axis).

    Raises:
        ShapeError: ``target`` and ``output`` differ in shape.

    Example:

    >>> binary_crossentropy(torch.tensor([1.0]), torch.tensor([0.0]), True)
    tensor([0.6931])
    """
    check_same_shape(target, output, "binary_crossentropy")
    # reduction="none": torch's default would sum over every axis.
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = epsilon()
    try:
        return F.binary_cross_entropy(
            output.clamp(eps, 1.0 - eps), target, reduction="none"
        )
    except RuntimeError as err:  # torch checks the targets; free when they fit
        if bool(((target >= 0) & (target <= 1)).all()):
            raise
        raise ArgumentError(
            "binary_crossentropy: `y_true` must hold values in [0, 1] (0/1 labels "
            f"or probabilities), received values from {float(target.min()):g} to "
            f"{float(target.max()):g}."
        ) from err


def categorical_crossentropy(
    target: torch.Tensor, output: torch.Tensor, from_logits: bool = False, axis=-1
) -> torch.Tensor:
    """Crossentropy ``-sum(target * log(p), axis)`` of one-hot (or soft) targets.

    ``log(p)`` is ``log_softmax(output)`` with ``from_logits=True``; otherwise
    ``p = output / sum(output)`` clipped to ``[epsilon, 1 - epsilon]``.

    Args:
        target: One-hot or soft targets.
        output: Probabilities, or logits with ``from_logits=True``; the shape
            of ``target``.
        from_logits: Whether ``output`` holds logits.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Raises:
        ShapeError: ``target`` and ``output`` differ in shape.

    Example:

    >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
    tensor([0.6931])
    """
    check_same_shape(target, output, "categorical_crossentropy")
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        eps = epsilon()
        probs = output / output.sum(dim=axis, keepdim=True)
        log_prob = torch.log(probs.clamp(eps, 1.0 - eps))
    return -(target * log_prob).sum(dim=axis)


def sparse_categorical_crossentropy(
    target: torch.Tensor, output: torch.Tensor, from_logits: bool = False, axis=-1
) -> torch.Tensor:
    """Crossentropy ``-log(p[target])`` of integer class labels.

    ``p`` is ``softmax(output)`` (one fused log-softmax) with
    ``from_logits=True``, else ``output / sum(output)`` clipped to
    ``[epsilon, 1 - epsilon]``. No one-hot matrix is built.

    Args:
        target: int64 class indices, of ``output``'s shape without the class
            axis (a class axis of size 1 is accepted).
        output: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``output`` holds logits.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor of ``output``'s shape without the class axis.

    Raises:
        ShapeError: ``output`` is a scalar, or ``target`` has another shape.

    Example:

    >>> sparse_categorical_crossentropy(torch.tensor([1]), torch.tensor([[0.5, 0.5]]))
    tensor([0.6931])
    """
    class_axis = _class_axis(output, axis)
    target = _labels_without_class_axis(target, output, class_axis)
    if class_axis != output.dim() - 1:
        output = output.movedim(class_axis, -1)
    num_classes = output.shape[-1]
    try:  # torch checks the label range on the CPU: free when the labels fit
        if from_logits:
            flat = F.cross_entropy(
                output.reshape(-1, num_classes), target.reshape(-1), reduction="none"
            )
            return flat.reshape(target.shape)
        # Pick the target's probability before the log: the same numbers as
        # normalising, clipping and logging the whole row, in one pass less.
        picked = output.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    except (IndexError, RuntimeError) as err:
        error = label_range_error(
            "sparse_categorical_crossentropy", target, num_classes
        )
        if error is None:
            raise
        raise error from err
    eps = epsilon()
    prob = picked / output.sum(dim=-1)
    return -torch.log(prob.clamp(eps, 1.0 - eps))


def label_range_error(
    function: str, labels: torch.Tensor, num_classes: int
) -> ArgumentError | None:
    """The error for class labels outside ``[0, num_classes)``; None when every
    label fits (torch's error was about something else). Called only once torch
    has raised, so the happy path reads nothing back from the device."""
    labels = labels.reshape(-1).long()
    bad = labels[(labels < 0) | (labels >= num_classes)].unique()[:5].tolist()
    if not bad:
        return None
    return ArgumentError(
        f"{function}: class labels must be in [0, {num_classes - 1}] for y_pred "
        f"with {num_classes} classes, but y_true holds {bad}. Check the number "
        "of units of the output layer, or the labels (1-based labels need y - 1)."
    )


def _class_axis(output: torch.Tensor, axis: int) -> int:
    if output.dim() < 1:
        raise ShapeError(
            "In sparse_categorical_crossentropy, `y_pred` must be at least rank 1. "
            f"Received: y_pred.shape={tuple(output.shape)}"
        )
    return axis % output.dim()


def _labels_without_class_axis(
    target: torch.Tensor, output: torch.Tensor, class_axis: int
) -> torch.Tensor:
    if target.dim() == output.dim() and target.shape[class_axis] == 1:
        target = target.squeeze(class_axis)
    expected = output.shape[:class_axis] + output.shape[class_axis + 1 :]
    if target.shape != expected:
        raise ShapeError(
            "In sparse_categorical_crossentropy, `y_true` must have the shape of "
            "`y_pred` without its class axis: expected y_true.shape="
            f"{tuple(expected)}, received y_true.shape={tuple(target.shape)} "
            f"(y_pred.shape={tuple(output.shape)})."
        )
    return target
