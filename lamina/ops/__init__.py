"""Tensor operations with Keras 3's ``keras.ops`` names, on torch tensors.

For custom layers' ``call``, losses and metrics: ``ops.mean``, ``ops.matmul``,
``ops.softmax``, ... take torch tensors, numpy arrays, Python scalars or lists
and return torch tensors on the input's device. Symbolic KerasTensors (the
functional API's placeholders) are refused with a hint: wrap such code in a
`lamina.layers.Lambda` layer.

The functions live in ``lamina.ops.numpy``, ``lamina.ops.nn``,
``lamina.ops.linalg``, ``lamina.ops.core``, ``lamina.ops.math`` and
``lamina.ops.einops``, as in Keras, and are all re-exported here; the image
functions stay in ``lamina.ops.image`` (``ops.image.resize``), as Keras's do.
Results have the dtypes Keras gives on its torch backend
(`lamina.backend.result_type` is its promotion rule).

Example:

>>> import torch
>>> from lamina import ops
>>> ops.sum(ops.square(torch.tensor([1.0, 2.0])))
tensor(5.)
"""

from __future__ import annotations

from lamina.ops import core, einops, image, linalg, math, nn, numpy
from lamina.ops.core import *  # noqa: F403
from lamina.ops.core import __all__ as _core_all
from lamina.ops.einops import *  # noqa: F403
from lamina.ops.einops import __all__ as _einops_all
from lamina.ops.linalg import *  # noqa: F403
from lamina.ops.linalg import __all__ as _linalg_all
from lamina.ops.math import *  # noqa: F403
from lamina.ops.math import __all__ as _math_all
from lamina.ops.nn import *  # noqa: F403
from lamina.ops.nn import __all__ as _nn_all
from lamina.ops.numpy import *  # noqa: F403
from lamina.ops.numpy import __all__ as _numpy_all

_FUNCTIONS = (
    set(_core_all)
    | set(_einops_all)
    | set(_linalg_all)
    | set(_math_all)
    | set(_nn_all)
    | set(_numpy_all)
)
__all__ = sorted(_FUNCTIONS) + [
    "core",
    "einops",
    "image",
    "linalg",
    "math",
    "nn",
    "numpy",
]
