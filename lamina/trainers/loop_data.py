"""The data side of fit/evaluate/predict: batches made for a model, and checks.

`data_adapter` turns what users pass into batches of device tensors; this
module supplies what it needs to know about the model (its device, its
inputs' dtypes and names), reads `validation_data`, and holds the small
counts and checks the loops make before and during an epoch.
"""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.backend import tree
from lamina.distribution import data_parallel
from lamina.errors import ArgumentError
from lamina.trainers import data_adapter


def batches_for(model, x, y=None, sample_weight=None, purpose=None, **options):
    """`data_adapter.make_batches` for ``model``'s device and inputs.

    Args:
        model: the model whose loop reads the batches.
        x, y, sample_weight: the data as the user passed it.
        purpose: ``"train"``, ``"eval"`` or ``"predict"`` for the loops that
            run data-parallel with several processes (each then reads its
            part); None (the ``*_on_batch`` methods) reads all the data.
        **options: `make_batches`'s other arguments (``batch_size``, ``steps``,
            ``shuffle``, ``class_weight``, ``for_predict``).
    """
    if options.get("class_weight") is not None:
        data_adapter.check_class_weight(options["class_weight"], _num_classes(model))
    return data_adapter.make_batches(
        x,
        y,
        sample_weight,
        device=_device(model),
        input_dtypes=_input_dtypes(model),
        input_names=input_names(model),
        shard=None if purpose is None else data_parallel.shard_for(purpose),
        **options,
    )


def _num_classes(model) -> int | None:
    """The classes of a single-output model's last axis (1 unit: 2), if known."""
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        return None
    if not isinstance(outputs, list) or len(outputs) != 1:
        return None
    units = outputs[0].shape[-1] if len(outputs[0].shape) else None
    if not isinstance(units, int):
        return None
    return 2 if units == 1 else units


def validation_batches(model, validation_data, batch_size, steps):
    """The batches of fit's `validation_data`: ``(x, y[, w])`` arrays or a generator."""
    if isinstance(validation_data, (tuple, list)) and data_adapter.is_array_structure(
        validation_data[0]
    ):
        vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(tuple(validation_data))
        return batches_for(
            model, vx, vy, vsw, "eval", batch_size=batch_size, steps=steps
        )
    return batches_for(
        model, validation_data, purpose="eval", batch_size=batch_size, steps=steps
    )


def _device(model) -> torch.device:
    for p in model.parameters():
        return p.device
    return backend.device()


def input_names(model) -> list[str] | None:
    """The model's input names, when it knows them (a functional model)."""
    try:
        names = model.input_names
    except (AttributeError, ValueError):
        return None
    return names if isinstance(names, list) else None


def _input_dtypes(model):
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    return [backend.to_torch_dtype(t.dtype) for t in inputs]


def check_finite_inputs(batches) -> None:
    """Refuse array inputs with NaN/inf once, before a loop, with the first bad index.

    Targets are not checked (a custom loss may mask NaN labels, as in Keras):
    NaN targets give a NaN loss, which `TerminateOnNaN` stops on.
    """
    if not isinstance(batches, data_adapter.ArrayBatches):
        return  # a generator's batches are not all known in advance
    for leaf in tree.flatten(batches.x):
        if isinstance(leaf, torch.Tensor) and leaf.is_floating_point():
            # The sum is finite when every value is (one read of the data, 1 ms
            # for MNIST's test set against 34 ms for isfinite's full mask); a
            # non-finite sum (a NaN, an inf, or an overflow of large values)
            # is looked at value by value.
            if bool(torch.isfinite(leaf.sum())):
                continue
            bad = ~torch.isfinite(leaf)
            if bool(bad.any()):
                sample = int(bad.reshape(bad.shape[0], -1).any(dim=1).nonzero()[0, 0])
                kind = "NaN" if bool(torch.isnan(leaf).any()) else "infinite"
                raise ArgumentError(
                    f"Input `x` contains {kind} values (first at sample "
                    f"{sample}); clean or impute the data before training."
                )


def num_samples_of(batches) -> int | None:
    """The number of samples an array source will yield; None when unknown."""
    if isinstance(batches, data_adapter.ArrayBatches):
        return min(batches.num_samples, batches.steps * batches.batch_size)
    return None


def batch_size_of(x) -> int:
    """The number of samples in a batch of inputs (a tensor or a structure)."""
    if isinstance(x, torch.Tensor):
        return x.shape[0]
    for leaf in tree.flatten(x):
        if isinstance(leaf, torch.Tensor):
            return leaf.shape[0]
    return 1


def len_of(x) -> int:
    """The number of samples in user data (arrays or a structure of them)."""
    for leaf in tree.flatten(x):
        if hasattr(leaf, "shape") and len(leaf.shape) > 0:
            return int(leaf.shape[0])
    return 1


def pack_data(x, y, sample_weight) -> tuple:
    """A batch as Keras hands it to train_step: ``(x,)``, ``(x, y)`` or ``(x, y, w)``."""
    if sample_weight is not None:
        return (x, y, sample_weight)
    if y is not None:
        return (x, y)
    return (x,)


def check_validation_freq(validation_freq) -> None:
    if isinstance(validation_freq, (list, tuple, set, range)):
        return  # Keras 2: the (1-based) epochs to validate after
    if (
        isinstance(validation_freq, bool)
        or not isinstance(validation_freq, (int, np.integer))
        or validation_freq < 1
    ):
        raise ArgumentError(
            "`validation_freq` must be a positive integer or a collection of epochs, "
            f"received validation_freq={validation_freq!r}."
        )


def should_validate(epoch: int, validation_freq) -> bool:
    """Whether fit validates after ``epoch`` (0-based)."""
    if isinstance(validation_freq, (int, np.integer)):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq
