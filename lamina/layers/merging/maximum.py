"""Maximum: the element-wise maximum of a list of tensors."""

from __future__ import annotations

import torch

from lamina.layers.merging.base_merge import ElementwiseExtremum, extremum_docstrings

_LAYER_DOC, _FUNCTION_DOC = extremum_docstrings("Maximum", "maximum", "largest")


class Maximum(ElementwiseExtremum):
    __doc__ = _LAYER_DOC
    _op = staticmethod(torch.maximum)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


maximum.__doc__ = _FUNCTION_DOC
