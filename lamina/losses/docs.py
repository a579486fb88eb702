"""Docstring text that many losses share, written once.

A ``{key}`` in a docstring becomes the shared text (`docstring_with`), so
``help()`` shows each loss's whole documentation while the text lives in one
place.

Example:

>>> @docstring_with(common=COMMON_ARGS)
... class MyLoss:
...     \"\"\"My loss. Args: {common}\"\"\"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_Documented = TypeVar("_Documented")

# The arguments every `Loss` class takes, as its docstring's ``{common}``.
COMMON_ARGS = """reduction: How the per-sample losses become one value.
            ``"sum_over_batch_size"`` (default) and ``"mean"`` divide the
            weighted sum by the number of entries, ``"sum"`` keeps the sum,
            ``"mean_with_sample_weight"`` divides by the sum of the sample
            weights, ``"none"`` and ``None`` return the per-sample losses.
        name: Name of the loss instance (for `Loss` subclasses a unique
            snake-case name by default).
        dtype: Float type of the computation; ``backend.floatx()`` by
            default."""


def docstring_with(**texts: str) -> Callable[[_Documented], _Documented]:
    """Decorator: each ``{key}`` in the docstring becomes ``texts[key]``.

    Args:
        **texts: The shared texts by key, continuation lines indented as
            where the key stands.

    Returns:
        A decorator for a function or class, which it returns.
    """

    def decorate(obj: _Documented) -> _Documented:
        doc = obj.__doc__
        if doc is None:  # python -OO drops docstrings
            return obj
        for key, text in texts.items():
            doc = doc.replace("{" + key + "}", text)
        obj.__doc__ = doc
        return obj

    return decorate
