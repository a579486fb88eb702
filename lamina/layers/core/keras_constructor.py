"""keras_constructor: an ``__init__`` with Keras's argument names, order and defaults.

Where Keras writes the same long constructor out on every layer of a family
(the convolutions, the random affine image layers), lamina names the
arguments once per family and builds the ``__init__`` from the names: the
family's base class holds the code (``_init``), and ``inspect.signature`` and
``help()`` show each layer's arguments as Keras does.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

REQUIRED = inspect.Parameter.empty


def keras_constructor(names: str, defaults: Mapping[str, Any]):
    """An ``__init__`` taking ``names`` (in order), then ``**kwargs``.

    The arguments are passed by position or keyword as to any function; the
    ``__init__`` hands their values, as the attributes of one namespace, with
    the remaining keyword arguments (``name``, ``dtype``, Keras 1 names, ...)
    to the layer's ``_init(args, **kwargs)``.

    Args:
        names: the argument names, separated by white space.
        defaults: each argument's default; one missing here is required.
    """
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter("self", keyword)]
    for name in names.split():
        default = defaults.get(name, REQUIRED)
        parameters.append(inspect.Parameter(name, keyword, default=default))
    parameters.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    signature = inspect.Signature(parameters)

    def __init__(self, *args, **kwargs):  # noqa: N807 (it becomes an __init__)
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            problem = _call_problem(signature, args, kwargs)
            raise TypeError(f"{type(self).__name__}.__init__() {problem}") from None
        bound.apply_defaults()
        values = bound.arguments
        del values["self"]
        rest = values.pop("kwargs")
        self._init(SimpleNamespace(**values), **rest)

    __init__.__signature__ = signature
    __init__.__doc__ = "Keras's constructor; the class docstring lists the arguments."
    return __init__


def _call_problem(signature: inspect.Signature, args: tuple, kwargs: dict) -> str:
    """What is wrong with a call, in the words Python uses for a plain ``def``."""
    names = list(signature.parameters)[1:-1]  # without self and **kwargs
    required = [n for n in names if signature.parameters[n].default is REQUIRED]
    if len(args) > len(names):
        most = len(names) + 1
        takes = (
            most
            if len(required) == len(names)
            else f"from {len(required) + 1} to {most}"
        )
        return f"takes {takes} positional arguments but {len(args) + 1} were given"
    for name in kwargs:
        if name in names[: len(args)]:
            return f"got multiple values for argument '{name}'"
    missing = [n for n in required[len(args) :] if n not in kwargs]
    plural = "s" if len(missing) > 1 else ""
    listed = " and ".join(f"'{name}'" for name in missing)
    return f"missing {len(missing)} required positional argument{plural}: {listed}"
