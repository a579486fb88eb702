"""Keras's constructor signatures for metric families that vary one base.

Keras writes out the whole constructor of every member of a family (`MeanIoU`,
`OneHotIoU`, ..., `SensitivityAtSpecificity`, `PrecisionAtRecall`, ...). Here
a member's ``__init__`` takes what differs and ``**kwargs``, and `with_signature`
gives it the member's full Keras signature, picked from its base's: so
``inspect.signature(MeanIoU)`` and ``help(MeanIoU)`` read as in Keras, and the
arguments pass by position or by keyword as Keras's do.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
from collections.abc import Callable


def parameters_of(
    function: Callable, names: str, **defaults
) -> list[inspect.Parameter]:
    """``function``'s parameters called ``names``, in that order.

    Args:
        function: the function whose parameters (annotations, defaults) to take.
        names: the parameter names, separated by white space.
        **defaults: defaults that differ from ``function``'s.
    """
    parameters = inspect.signature(function).parameters
    return [
        parameters[name].replace(default=defaults[name])
        if name in defaults
        else parameters[name]
        for name in names.split()
    ]


def with_signature(parameters: list[inspect.Parameter]):
    """Give an ``__init__(self, ..., **kwargs)`` the signature ``(self, *parameters)``.

    The decorated ``__init__`` receives every argument by keyword, defaults
    included, after Python's own checks against that signature.
    """
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = inspect.Signature([self_parameter, *parameters])

    def decorate(init: Callable) -> Callable:
        @functools.wraps(init)
        def __init__(self, *args, **kwargs):  # noqa: N807 (it is an __init__)
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError as error:  # as Python words it, naming the class
                raise TypeError(f"{type(self).__name__}.__init__() {error}") from None
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            del arguments["self"]
            init(self, **arguments)

        __init__.__signature__ = signature
        return __init__

    return decorate


def constructor_config(metric) -> dict:
    """The arguments of ``metric``'s constructor, in its order, read back."""
    return {
        key: getattr(metric, key) for key in inspect.signature(type(metric)).parameters
    }


def document_arguments(glossary: dict[str, str]):
    """Class decorator: list the constructor's arguments where the docstring says.

    The docstring's ``{arguments}`` line becomes one Google-style line per
    argument of the class's signature, in its order, described by ``glossary``
    (the family's one text for what each argument means).
    """

    def decorate(cls: type) -> type:
        entries = [
            textwrap.fill(
                f"{name}: {glossary[name]}",
                width=88,
                initial_indent=_ARGS_INDENT,
                subsequent_indent=_ARGS_INDENT + "    ",
            )
            for name in inspect.signature(cls).parameters
        ]
        cls.__doc__ = cls.__doc__.replace(
            _ARGS_INDENT + "{arguments}", "\n".join(entries)
        )
        return cls

    return decorate


# Where a class docstring's Args lines start.
_ARGS_INDENT = " " * 8
