"""keras_signature: Keras's whole constructor signature for a class whose shared
arguments are written once.

Keras spells every argument out in each constructor (``LSTMCell``, ``LSTM``,
``MultiHeadAttention``, ``LayerNormalization``, ...). Here a family writes the
arguments its members share once, as its base's signature (`BaseRNNCell`,
`BaseMultiHeadAttention`, `BaseNormalization`; a cell's signature for its
layer), each class's ``__init__`` names only its own, and `keras_signature`
gives that ``__init__`` the whole list in Keras's order, for
``inspect.signature``, ``help()`` and calls by position. It serves the
recurrent, attention and normalization families alike.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable

_NAMED = inspect.Parameter.POSITIONAL_OR_KEYWORD
_SELF = inspect.Parameter("self", _NAMED)


def keras_signature(
    base: type | Iterable[inspect.Parameter],
    *,
    after: str | dict[str, str | None] | None = None,
    drop: Iterable[str] = (),
    rename: Callable[[str, dict, dict], object] | None = None,
):
    """Decorator: an ``__init__`` that takes Keras's whole argument list.

    The signature is the function's own positional arguments, then the
    ``base`` arguments it does not name itself (nor in ``drop``) with its
    keyword-only arguments placed after ``after`` (last when None), then its
    ``**kwargs``. A call binds to that signature (a bad call raises the
    TypeError Python gives for a plain ``def``), the defaults are filled in,
    and the function receives every argument by keyword.

    Example:
        >>> class Base:
        ...     def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        ...         self.arguments = dict(units=units, activation=activation, **kwargs)
        >>> class Cell(Base):
        ...     @keras_signature(Base, after="activation")
        ...     def __init__(self, units, *, gates=4, **kwargs):
        ...         super().__init__(units, **kwargs)
        >>> inspect.signature(Cell)
        <Signature (units, activation='tanh', gates=4, use_bias=True, **kwargs)>

    Args:
        base: the class whose constructor's arguments are shared, or the
            shared parameters, in Keras's order.
        after: the base argument the keyword-only ones follow; or, where Keras
            puts them in several places, ``{first keyword-only argument of a
            run: the base argument it follows}`` (None: last).
        drop: base arguments this class does not take.
        rename: ``rename(class_name, arguments, kwargs)``, run before the
            function, moves deprecated names (Keras 1's) from ``kwargs`` into
            ``arguments``.
    """

    def decorate(init):
        shared = base
        if isinstance(base, type):
            shared = inspect.signature(base).parameters.values()
        signature = _spliced_signature(init, list(shared), after, set(drop))
        class_name = init.__qualname__.rpartition(".")[0]

        @functools.wraps(init)
        def keras_init(self, *args, **kwargs):
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError:
                problem = _bad_call(signature, 1 + len(args), kwargs)
                raise TypeError(f"{type(self).__name__}.__init__() {problem}") from None
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            del arguments["self"]
            extra = arguments.pop(next(reversed(signature.parameters)))
            if rename is not None:
                rename(class_name, arguments, extra)
            init(self, **arguments, **extra)

        keras_init.__signature__ = signature
        return keras_init

    return decorate


def _spliced_signature(init, base: list, after, drop: set):
    own = list(inspect.signature(init).parameters.values())[1:]
    taken = drop | {p.name for p in own}
    parameters = [p for p in base if p.name not in taken and p.kind is _NAMED]
    # The keyword-only arguments, in runs that each follow one base argument.
    runs: list[tuple[str | None, list]] = []
    for p in own:
        if p.kind is not p.KEYWORD_ONLY:
            continue
        if not runs or (isinstance(after, dict) and p.name in after):
            runs.append((after.get(p.name) if isinstance(after, dict) else after, []))
        runs[-1][1].append(p.replace(kind=_NAMED))
    for anchor, run in runs:
        names = [p.name for p in parameters]
        at = len(parameters) if anchor is None else names.index(anchor) + 1
        parameters[at:at] = run
    leading = [p for p in own if p.kind is _NAMED]
    return inspect.Signature([_SELF, *leading, *parameters, own[-1]])


def _bad_call(signature: inspect.Signature, given: int, kwargs: dict) -> str:
    """What is wrong with a call of ``given`` positional arguments (``self``
    included), in the words of Python's own TypeError."""
    named = [p for p in signature.parameters.values() if p.kind is _NAMED]
    if given > len(named):
        fewest = sum(p.default is p.empty for p in named)
        return (
            f"takes from {fewest} to {len(named)} positional arguments but "
            f"{given} were given"
        )
    twice = [p.name for p in named[:given] if p.name in kwargs]
    if twice:
        return f"got multiple values for argument '{twice[0]}'"
    missing = [
        f"'{p.name}'"
        for p in named[given:]
        if p.default is p.empty and p.name not in kwargs
    ]
    listed = " and ".join(missing)
    if len(missing) > 2:
        listed = ", ".join(missing[:-1]) + ", and " + missing[-1]
    plural = "s" if len(missing) > 1 else ""
    return f"missing {len(missing)} required positional argument{plural}: {listed}"
