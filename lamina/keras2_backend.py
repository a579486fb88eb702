"""Keras 2's graph-building backend functions: ``K.function`` and ``K.placeholder``.

They build functional-API objects (a model, an ``Input``), so they live on the top
floor; `lamina.compat`'s `KERAS2_MODULES` table serves them as
``lamina.backend.function`` and ``lamina.backend.placeholder`` (``K.function``).
The tensor math of ``K`` (``K.mean``, ``K.gradients``, ...) is in
`lamina.backend.math_ops`.
"""

from __future__ import annotations

import torch

from lamina.backend import tree
from lamina.backend.config import floatx
from lamina.errors import ArgumentError, warn_deprecated_once
from lamina.layers.core.input_layer import Input
from lamina.models.functional import Functional


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2's ``K.function``: input arrays in, the ``outputs``' values out.

    ``inputs`` and ``outputs`` are KerasTensors of a functional graph (e.g.
    ``model.input`` and ``model.layers[2].output``). The returned function takes
    one array per input (a list, or the array alone for one input) and returns
    numpy arrays, in ``outputs``' structure, computed in inference mode. As in
    tf.keras 2, it is a functional model: ``keras.Model(inputs, outputs)`` is the
    modern spelling.

    Example:

    >>> import numpy as np, lamina
    >>> x = lamina.Input((3,))
    >>> hidden = lamina.layers.Dense(2, kernel_initializer="ones")(x)
    >>> get_hidden = function([x], [hidden])
    >>> get_hidden([np.ones((1, 3))])
    [array([[3., 3.]], dtype=float32)]

    Raises:
        ArgumentError: for ``updates`` (eager code assigns variables itself).
    """
    warn_deprecated_once(
        "K.function",
        "`keras.backend.function` is Keras 2's; use `keras.Model(inputs, outputs)` "
        "and call it (or its `predict`).",
    )
    if kwargs:
        raise ArgumentError(
            f"Invalid argument(s) passed to `K.function`: {sorted(kwargs)}."
        )
    if updates:
        raise ArgumentError(
            "`K.function(..., updates=...)` is graph-mode Keras 2: lamina runs "
            "eagerly. Apply updates yourself, with `variable.assign(...)` or "
            "`optimizer.apply(grads, variables)`."
        )
    model = Functional(inputs, outputs, name=name)
    single_input = not isinstance(inputs, (list, tuple, dict))
    wrap_outputs = isinstance(outputs, list) and len(outputs) == 1

    def run(values):
        if single_input and isinstance(values, (list, tuple)) and len(values) == 1:
            values = values[0]
        elif not single_input and not isinstance(values, (list, tuple, dict)):
            values = [values]
        with torch.no_grad():
            result = model(values)
        if wrap_outputs:
            result = [result]
        return tree.map_structure(lambda t: t.detach().cpu().numpy(), result)

    return run


def placeholder(
    shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False
):
    """Keras 2's ``K.placeholder``: a symbolic input, ``keras.Input(batch_shape=...)``.

    Args:
        shape: The full shape, batch dimension included (``(None, 28, 28)``).
        ndim: Instead of ``shape``: the rank, every size unknown.
        dtype: The dtype (default `floatx()`).
        sparse, ragged: Not supported (lamina's inputs are dense tensors).
        name: The input's name.
    """
    warn_deprecated_once(
        "K.placeholder",
        "`keras.backend.placeholder` is Keras 2's; use "
        "`keras.Input(batch_shape=shape)`.",
    )
    if sparse or ragged:
        raise ArgumentError(
            "`K.placeholder`: sparse and ragged placeholders are not supported; "
            "lamina's inputs are dense tensors."
        )
    if shape is None:
        if ndim is None:
            raise ArgumentError("`K.placeholder` needs `shape` or `ndim`.")
        shape = (None,) * int(ndim)
    return Input(batch_shape=tuple(shape), dtype=dtype or floatx(), name=name)
