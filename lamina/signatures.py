"""signatures: Keras's whole argument list for a class or function that names
only its own arguments.

Keras spells every argument out in each constructor of a family (every
convolution, recurrent layer, loss, metric and optimizer repeats the shared
ones). lamina writes a family's shared arguments once, in its base class or in
a table, and this module gives each member the signature Keras shows, for
``inspect.signature``, ``help()`` and calls by position, with the TypeError
Python words for a bad call of a plain ``def``:

- `parameters` and `parameters_of` make the shared parameters, from a table of
  defaults or from a function's own signature, and `constructor_signature`
  an ``__init__``'s signature of them;
- `keras_signature` decorates an ``__init__`` (or a function): its own
  arguments plus the shared ones, or a whole signature given;
- `keras_constructor` makes a family's ``__init__`` that hands its arguments
  to ``self._init`` as one namespace (the convolutions, lookups, ...);
- `inherit_arguments` gives a subclass's ``__init__`` its parent's arguments
  (the optimizers, for every subclass);
- `bind` is what they share: a call bound to a signature.

All of it runs when a class is made or an object constructed, never per layer
call or training step. Between the user's call and the ``__init__`` (or
``_init``) it makes there is one frame, the binding one: a warning issued
there with ``stacklevel=3`` (one more per helper between) points at the
user's line.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any

REQUIRED = inspect.Parameter.empty
_NAMED = inspect.Parameter.POSITIONAL_OR_KEYWORD
_SELF = inspect.Parameter("self", _NAMED)
_KWARGS = inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)


def parameters(
    defaults: Mapping[str, Any], names: str | None = None
) -> list[inspect.Parameter]:
    """Positional-or-keyword parameters with the defaults of a table.

    Example:
        >>> parameters({"strides": 1}, "filters strides")
        [<Parameter "filters">, <Parameter "strides=1">]

    Args:
        defaults: each argument's default; one missing here is required.
        names: the argument names in order, separated by white space; all of
            ``defaults``'s keys when None.
    """
    names = list(defaults) if names is None else names.split()
    return [
        inspect.Parameter(name, _NAMED, default=defaults.get(name, REQUIRED))
        for name in names
    ]


def parameters_of(
    function: Callable, names: str, **defaults: Any
) -> list[inspect.Parameter]:
    """``function``'s parameters called ``names``, in that order.

    Args:
        function: the function (or class) whose parameters, annotations and
            defaults included, to take.
        names: the parameter names, separated by white space.
        **defaults: defaults that differ from ``function``'s.
    """
    own = inspect.signature(function).parameters
    return [
        own[name].replace(default=defaults[name]) if name in defaults else own[name]
        for name in names.split()
    ]


def constructor_signature(
    parameters: Iterable[inspect.Parameter], *, kwargs: bool = False
) -> inspect.Signature:
    """The signature ``(self, *parameters)``, ending in ``**kwargs`` with ``kwargs``."""
    return inspect.Signature([_SELF, *parameters, *([_KWARGS] if kwargs else [])])


def bind(
    signature: inspect.Signature,
    args: tuple,
    kwargs: dict[str, Any],
    name: str,
    *,
    fill_defaults: bool = True,
) -> dict[str, Any]:
    """The arguments of a call to a function of ``signature``, by name.

    The signature's parameters are positional-or-keyword ones and perhaps a
    last ``**kwargs``, whose values join the others (after them, in the
    call's order). A bad call raises the TypeError Python raises for a plain
    ``def`` (``f() missing 1 required positional argument: 'x'``); where the
    signature starts with ``self``, it names the class of ``self``, the
    user's class (``Conv2D.__init__()``). This is ``Signature.bind`` and
    ``apply_defaults``, a few times faster (every constructor runs it).

    Args:
        signature: the signature to bind to.
        args: the positional arguments, ``self`` included.
        kwargs: the keyword arguments.
        name: the function's name (``"__init__"``).
        fill_defaults: whether the arguments not given are included, with
            their defaults.
    """
    return _binder(signature)(args, kwargs, name, fill_defaults)


def _binder(signature: inspect.Signature) -> Callable[..., dict[str, Any]]:
    """`bind` for ``signature``, its names and defaults read once (reading a
    ``Parameter``'s attributes is slow, and every constructor binds)."""
    _check_kinds(signature)
    named = [p for p in signature.parameters.values() if p.kind is _NAMED]
    names = [p.name for p in named]
    defaults = [p.default for p in named]
    takes_kwargs = len(named) < len(signature.parameters)

    def bind_call(args, kwargs, name, fill_defaults=True):
        problem = _as_python_says(names, defaults, args, kwargs, takes_kwargs)
        if problem:
            if names[:1] == ["self"] and args:
                name = f"{type(args[0]).__name__}.{name}"
            raise TypeError(f"{name}() {problem}")
        given = len(args)
        arguments = dict(zip(names, args))
        for key, default in zip(names[given:], defaults[given:]):
            if fill_defaults or key in kwargs:
                arguments[key] = kwargs.get(key, default)
        for key, value in kwargs.items():
            arguments.setdefault(key, value)
        return arguments

    return bind_call


def keras_signature(
    base: inspect.Signature | type | Iterable[inspect.Parameter],
    *,
    after: str | dict[str, str | None] | None = None,
    drop: Iterable[str] = (),
    rename: Callable[[str, dict], object] | None = None,
    fill_defaults: bool = True,
):
    """Decorator: a function (an ``__init__``) that takes Keras's whole
    argument list.

    A call binds to the signature (see `bind`), and the function receives
    every argument by keyword (``self`` too). Given a class or parameters, the signature is
    the function's own positional arguments, then the ``base`` arguments it
    does not name itself (nor in ``drop``) with its keyword-only arguments
    placed after ``after`` (last when None), then its ``**kwargs``.

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
        base: the whole signature (``self`` first for a method); or the class
            whose constructor's arguments are shared, or the shared
            parameters, in Keras's order.
        after: the base argument the keyword-only ones follow; or, where Keras
            puts them in several places, ``{first keyword-only argument of a
            run: the base argument it follows}`` (None: last).
        drop: base arguments this function does not take.
        rename: ``rename(class_name, arguments)``, run on the bound arguments
            before the function, moves deprecated names (Keras 1's) to the
            modern ones; the class is the one the function is defined in.
        fill_defaults: False passes only the arguments given, so that the
            function's (and its parent's) own defaults apply.
    """

    def decorate(function: Callable) -> Callable:
        if isinstance(base, inspect.Signature):
            signature = base
        else:
            shared = base
            if isinstance(base, type):
                shared = inspect.signature(base).parameters.values()
            signature = _spliced(function, list(shared), after, set(drop))
        owner = function.__qualname__.rpartition(".")[0]
        name = function.__name__
        bind_call = _binder(signature)

        @functools.wraps(function)
        def with_keras_signature(*args, **kwargs):
            arguments = bind_call(args, kwargs, name, fill_defaults)
            if rename is not None:
                rename(owner, arguments)
            return function(**arguments)

        with_keras_signature.__signature__ = signature
        return with_keras_signature

    return decorate


def keras_constructor(names: str, defaults: Mapping[str, Any]) -> Callable:
    """An ``__init__(self, <names>, **kwargs)`` for a family whose code is in
    its base's ``_init(args, **kwargs)``.

    The arguments pass by position or keyword as to any ``__init__``; the
    ``__init__`` hands their values, as the attributes of one namespace, with
    the remaining keyword arguments (``name``, ``dtype``, Keras 1 names, ...)
    to ``self._init(args, **kwargs)``.

    Args:
        names: the argument names in Keras's order, separated by white space.
        defaults: each argument's default; one missing here is required.
    """
    own = names.split()
    signature = constructor_signature(parameters(defaults, names), kwargs=True)
    bind_call = _binder(signature)

    def __init__(self, *args, **kwargs):  # noqa: N807 (it becomes an __init__)
        arguments = bind_call((self, *args), kwargs, "__init__")
        del arguments["self"]
        named = SimpleNamespace(**{name: arguments.pop(name) for name in own})
        self._init(named, **arguments)

    __init__.__signature__ = signature
    __init__.__doc__ = "Keras's constructor; the class docstring lists the arguments."
    return __init__


def inherit_arguments(cls: type) -> None:
    """Give ``cls``'s ``__init__`` its parent's constructor arguments after
    its own.

    Applies where the class defines an ``__init__`` whose last parameter is
    ``**kwargs`` (passed on to the parent) and the parent's other arguments
    all have defaults: its signature becomes its own arguments, then the
    parent's others in the parent's order, then ``**kwargs``. Each argument
    given reaches it by keyword; one not given keeps the default of the
    function that takes it (``fill_defaults=False``), so that an ``__init__``
    may still pass its parent an argument of its own choosing.
    """
    init = cls.__dict__.get("__init__")
    if init is None:
        return
    own = inspect.signature(init).parameters
    kinds = [parameter.kind for parameter in own.values()]
    if not kinds or kinds.pop() is not inspect.Parameter.VAR_KEYWORD:
        return
    if not set(kinds) <= {_NAMED, inspect.Parameter.KEYWORD_ONLY}:
        return  # ``*args`` or positional-only arguments: its own signature stays
    parent = inspect.signature(super(cls, cls).__init__).parameters.values()
    signature = _spliced(init, list(parent)[1:], None, set())
    inherited = [p for p in signature.parameters.values() if p.name not in own]
    if any(p.default is REQUIRED for p in inherited):
        return  # a required argument cannot follow the class's own ones
    cls.__init__ = keras_signature(signature, fill_defaults=False)(init)


def _check_kinds(signature: inspect.Signature) -> None:
    """Raise unless ``signature`` is what `bind` binds (see there)."""
    kinds = [parameter.kind for parameter in signature.parameters.values()]
    if kinds and kinds[-1] is inspect.Parameter.VAR_KEYWORD:
        kinds.pop()
    if any(kind is not _NAMED for kind in kinds):
        raise ValueError(
            "A Keras signature has positional-or-keyword parameters and perhaps "
            f"a last **kwargs. Received: {signature}"
        )


def _spliced(function, base: list, after, drop: set) -> inspect.Signature:
    own = list(inspect.signature(function).parameters.values())[1:]
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
    return constructor_signature([*leading, *parameters, own[-1]])


def _as_python_says(
    names: list[str], defaults: list, args: tuple, kwargs: dict, takes_kwargs: bool
) -> str:
    """What is wrong with a call, in the words of Python's TypeError; "" if
    nothing is."""
    given = len(args)
    if given > len(names):
        fewest = sum(default is REQUIRED for default in defaults)
        takes = f"from {fewest} to {len(names)}" if fewest < len(names) else fewest
        plural = "" if takes == 1 else "s"
        were = "was" if given == 1 else "were"
        return f"takes {takes} positional argument{plural} but {given} {were} given"
    twice = [key for key in kwargs if key in names[:given]]
    if twice:
        return f"got multiple values for argument '{twice[0]}'"
    missing = [
        f"'{key}'"
        for key, default in zip(names[given:], defaults[given:])
        if default is REQUIRED and key not in kwargs
    ]
    if missing:
        listed = " and ".join(missing)
        if len(missing) > 2:
            listed = ", ".join(missing[:-1]) + ", and " + missing[-1]
        plural = "s" if len(missing) > 1 else ""
        return f"missing {len(missing)} required positional argument{plural}: {listed}"
    unknown = [] if takes_kwargs else [key for key in kwargs if key not in names]
    if unknown:
        return f"got an unexpected keyword argument '{unknown[0]}'"
    return ""
