"""Minimum: the element-wise minimum of a list of tensors."""

from __future__ import annotations

import torch

from lamina.layers.merging.base_merge import ElementwiseExtremum, extremum_docstrings

_LAYER_DOC, _FUNCTION_DOC = extremum_docstrings("Minimum", "minimum", "smallest")


class Minimum(ElementwiseExtremum):
    __doc__ = _LAYER_DOC
    _op = staticmethod(torch.minimum)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


minimum.__doc__ = _FUNCTION_DOC
