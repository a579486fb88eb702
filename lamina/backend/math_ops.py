"""Keras 2's ``keras.backend`` functions (``K.mean``, ``K.square``, ``K.function``...).

Old tutorials write custom losses and metrics with them, e.g.
``K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))``; here they are thin
wrappers over torch with Keras's argument names (``axis``, ``keepdims``).

Three of Keras 2's graph-building functions work as tf.keras 2 runs them
eagerly, each warning once with the modern spelling: `function` (a functional
graph's inputs to outputs, as numpy), `placeholder` (an `Input`) and
`gradients` (through torch autograd, on tensors computed eagerly; a symbolic
loss is refused with the eager alternative).
"""

from __future__ import annotations

import numpy as np
import torch

from lamina.backend import nn
from lamina.backend.config import device, epsilon, floatx, to_torch_dtype
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, warn_deprecated_once


def _t(x) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


def _reduce(fn, x, axis, keepdims):
    x = _t(x)
    if axis is None:
        return fn(x)
    return fn(x, dim=axis, keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    return _reduce(
        torch.mean,
        _t(x).float() if not _t(x).is_floating_point() else x,
        axis,
        keepdims,
    )


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    return _reduce(torch.sum, x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    return _reduce(torch.prod, x, axis, keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(torch.amax, x, axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(torch.amin, x, axis, keepdims)


def std(x, axis=None, keepdims=False):
    return _reduce(lambda t, **k: torch.std(t, unbiased=False, **k), x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    return _reduce(lambda t, **k: torch.var(t, unbiased=False, **k), x, axis, keepdims)


def square(x):
    return torch.square(_t(x))


def sqrt(x):
    return torch.sqrt(_t(x))


def abs(x):  # noqa: A001
    return torch.abs(_t(x))


def exp(x):
    return torch.exp(_t(x))


def log(x):
    return torch.log(_t(x))


def pow(x, a):  # noqa: A001
    return torch.pow(_t(x), a)


def sign(x):
    return torch.sign(_t(x))


def round(x):  # noqa: A001
    return torch.round(_t(x))


def clip(x, min_value, max_value):
    return torch.clamp(_t(x), min_value, max_value)


def maximum(x, y):
    return torch.maximum(_t(x), _t(y))


def minimum(x, y):
    return torch.minimum(_t(x), _t(y))


def equal(x, y):
    return torch.eq(_t(x), _t(y))


def argmax(x, axis=-1):
    return torch.argmax(_t(x), dim=axis)


def argmin(x, axis=-1):
    return torch.argmin(_t(x), dim=axis)


def cast(x, dtype):
    return _t(x).to(to_torch_dtype(dtype))


def dot(x, y):
    return torch.matmul(_t(x), _t(y))


def sigmoid(x):
    return torch.sigmoid(_t(x))


def tanh(x):
    return torch.tanh(_t(x))


def relu(x):
    return torch.relu(_t(x))


def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def _loss_inputs(target, output) -> tuple[torch.Tensor, torch.Tensor]:
    """``output`` as a float tensor, ``target`` in its dtype and on its device.

    As the loss functions take them: arrays become floatx tensors on lamina's
    device, integer outputs become floatx.
    """
    if not isinstance(output, torch.Tensor):
        output = _t(output).to(device())
        if output.dtype == torch.float64:
            output = output.to(to_torch_dtype(floatx()))
    if not output.is_floating_point():
        output = output.to(to_torch_dtype(floatx()))
    return _t(target).to(device=output.device, dtype=output.dtype), output


def binary_crossentropy(target, output, from_logits=False):
    """Binary crossentropy averaged over the last axis, as the loss function.

    Keras 2's ``K.binary_crossentropy`` is elementwise; lamina's has always
    returned the loss function's value (``lamina.ops.binary_crossentropy`` is
    the elementwise one).
    """
    target, output = _loss_inputs(target, output)
    return nn.binary_crossentropy(target, output, from_logits).mean(dim=-1)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _loss_inputs(target, output)
    return nn.categorical_crossentropy(target, output, from_logits, axis)


def ones_like(x):
    return torch.ones_like(_t(x))


def zeros_like(x):
    return torch.zeros_like(_t(x))


def expand_dims(x, axis=-1):
    return torch.unsqueeze(_t(x), axis)


def squeeze(x, axis):
    return torch.squeeze(_t(x), axis)


def reshape(x, shape):
    return torch.reshape(_t(x), tuple(shape))


def flatten(x):
    return torch.reshape(_t(x), (-1,))


def batch_flatten(x):
    x = _t(x)
    return torch.reshape(x, (x.shape[0], -1))


def concatenate(tensors, axis=-1):
    return torch.cat([_t(t) for t in tensors], dim=axis)


def stack(tensors, axis=0):
    return torch.stack([_t(t) for t in tensors], dim=axis)


def transpose(x):
    x = _t(x)
    return x.permute(*reversed(range(x.dim())))


def int_shape(x):
    """The static shape as a tuple of ints (None where unknown)."""
    return tuple(x.shape)


def shape(x):
    return tuple(_t(x).shape)


def ndim(x):
    return len(x.shape)


def get_value(x):
    """A tensor, variable or number as numpy (Keras 2's ``K.get_value``)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def set_value(x, value) -> None:
    """Write ``value`` into the tensor ``x`` in place (e.g. ``optimizer.lr``)."""
    with torch.no_grad():
        x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))


def constant(value, dtype=None):
    return torch.as_tensor(np.asarray(value), dtype=to_torch_dtype(dtype))


def variable(value, dtype=None, name=None):
    from lamina.backend.variables import Variable

    data = torch.as_tensor(np.asarray(value), dtype=to_torch_dtype(dtype))
    return Variable(data, trainable=True, name=name or "variable")


# ------------------------------------------------- Keras 2's graph functions


def gradients(loss, variables):
    """Keras 2's ``K.gradients``: the gradients of ``loss`` with respect to ``variables``.

    Computed eagerly by torch autograd, so ``loss`` must be a tensor computed
    from ``variables`` after they required gradients: layer weights,
    `K.variable`s, ``keras.Variable``s, or tensors after ``requires_grad_()``.
    As ``tf.gradients``, a non-scalar loss (or a list of losses) is summed, the
    result is one gradient per variable, ``None`` where the loss does not depend
    on it, and the gradients can be differentiated again (a gradient penalty).
    The modern spelling is ``torch.autograd.grad(loss, variables)``.

    Example:

    >>> v = variable([1.0, 2.0])
    >>> gradients((v * v).sum(), [v])[0].tolist()
    [2.0, 4.0]

    Raises:
        ArgumentError: for symbolic KerasTensors (graph-mode Keras 2: build the
            loss from real values instead), or a variable that records no
            gradients.
    """
    warn_deprecated_once(
        "K.gradients",
        "`keras.backend.gradients` is Keras 2's (graph mode); in eager code use "
        "`torch.autograd.grad(loss, variables)`.",
    )
    losses = list(loss) if isinstance(loss, (list, tuple)) else [loss]
    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if any(isinstance(x, KerasTensor) for x in losses + variables):
        raise ArgumentError(
            "`K.gradients` got a symbolic KerasTensor: differentiating a graph "
            "before it runs is graph-mode Keras 2. lamina runs eagerly: compute the "
            "loss from values, then differentiate, e.g. `x = keras.Variable(image); "
            "loss = K.mean(model(x)[..., 0]); grads = K.gradients(loss, [x])` (or "
            "`torch.autograd.grad(loss, [x])`)."
        )
    for i, v in enumerate(variables):
        if not isinstance(v, torch.Tensor) or not v.requires_grad:
            raise ArgumentError(
                f"`K.gradients`: variable {i} ({getattr(v, 'path', type(v).__name__)}) "
                "records no gradients. torch differentiates only with respect to "
                "tensors that required gradients before the loss was computed: use a "
                "`keras.Variable`/`K.variable`, or call `x.requires_grad_()` first."
            )
    tracked = [_t(x) for x in losses if _t(x).requires_grad]
    if not tracked:
        return [None] * len(variables)
    total = tracked[0].sum()
    for x in tracked[1:]:
        total = total + x.sum()
    return list(
        torch.autograd.grad(
            total,
            variables,
            retain_graph=True,
            create_graph=True,
            allow_unused=True,
        )
    )


__all__ = [
    "abs",
    "argmax",
    "argmin",
    "batch_flatten",
    "binary_crossentropy",
    "cast",
    "categorical_crossentropy",
    "clip",
    "concatenate",
    "constant",
    "dot",
    "epsilon",
    "equal",
    "exp",
    "expand_dims",
    "flatten",
    "get_value",
    "gradients",
    "int_shape",
    "log",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "ndim",
    "ones_like",
    "pow",
    "prod",
    "relu",
    "reshape",
    "round",
    "set_value",
    "shape",
    "sigmoid",
    "sign",
    "softmax",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sum",
    "tanh",
    "transpose",
    "var",
    "variable",
    "zeros_like",
]
