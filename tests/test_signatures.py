"""lamina.signatures: Keras's whole argument list for a class or function that
names only its own, bound with Python's own TypeError wording."""

from __future__ import annotations

import doctest
import inspect
import warnings

import pytest

from lamina import signatures


def _plain(self, units, activation="tanh", use_bias=True, **kwargs):
    """The function a signature of the same arguments stands for."""


_SIGNATURE = inspect.signature(_plain)


class _Layer:
    pass


def _python_error(call) -> str:
    with pytest.raises(TypeError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((), {}),  # missing units
        ((1, 2, 3, 4, 5), {}),  # too many
        ((1,), {"units": 2}),  # twice
        ((1, 2, 3), {"activation": "relu", "units": 4}),  # twice, in kwargs' order
    ],
)
def test_bad_calls_are_worded_as_python_words_them(args, kwargs):
    layer = _Layer()
    ours = _python_error(
        lambda: signatures.bind(_SIGNATURE, (layer, *args), kwargs, "_plain")
    )
    python = _python_error(lambda: _plain(layer, *args, **kwargs))
    assert ours == python.replace("_plain()", "_Layer._plain()")


def draw(x, rg, row_axis=1):
    """A function without ``**kwargs``."""


def three(a, b, c):
    """Three required arguments."""


def none():
    """No argument."""


@pytest.mark.parametrize(
    "function, args, kwargs",
    [
        (draw, (), {}),
        (draw, (1, 2, 3, 4), {}),
        (draw, (1, 2), {"foo": 1}),
        (three, (), {}),
        (none, (1,), {}),
    ],
)
def test_bad_calls_of_functions(function, args, kwargs):
    signature = inspect.signature(function)
    ours = _python_error(
        lambda: signatures.bind(signature, args, kwargs, function.__name__)
    )
    assert ours == _python_error(lambda: function(*args, **kwargs))


def test_bind_orders_named_arguments_then_the_others_and_fills_defaults():
    layer = _Layer()
    arguments = signatures.bind(
        _SIGNATURE, (layer, 4), {"name": "n", "use_bias": False}, "__init__"
    )
    assert list(arguments.items()) == [
        ("self", layer),
        ("units", 4),
        ("activation", "tanh"),
        ("use_bias", False),
        ("name", "n"),
    ]
    given = signatures.bind(
        _SIGNATURE, (layer, 4), {"use_bias": False}, "__init__", fill_defaults=False
    )
    assert given == {"self": layer, "units": 4, "use_bias": False}


def test_keras_signature_splices_the_shared_arguments_in():
    class Base:
        def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
            self.arguments = dict(units=units, activation=activation, **kwargs)
            self.use_bias = use_bias

    def rename(owner, arguments):
        if "output_dim" in arguments:
            arguments["units"] = arguments.pop("output_dim")
            arguments["owner"] = owner

    class Cell(Base):
        @signatures.keras_signature(Base, after="activation", rename=rename)
        def __init__(self, units, *, gates=4, **kwargs):
            super().__init__(units, **kwargs)
            self.gates = gates

    assert str(inspect.signature(Cell)) == (
        "(units, activation='tanh', gates=4, use_bias=True, **kwargs)"
    )
    cell = Cell(3, "relu", 2, False, name="c")
    assert (cell.arguments, cell.gates, cell.use_bias) == (
        {"units": 3, "activation": "relu", "name": "c"},
        2,
        False,
    )
    assert Cell(None, output_dim=5).arguments["owner"].endswith("<locals>.Cell")
    with pytest.raises(TypeError, match=r"^Cell.__init__\(\) missing 1 required"):
        Cell()


def test_keras_signature_takes_only_what_bind_binds():
    with pytest.raises(ValueError, match="positional-or-keyword"):

        @signatures.keras_signature(inspect.signature(lambda *args: None))
        def f(*args):
            pass

    with pytest.raises(ValueError, match="positional-or-keyword"):

        @signatures.keras_signature(inspect.signature(lambda a, *, b: None))
        def g(a, b):
            pass


def test_keras_constructor_hands_a_namespace_to_init():
    class Family:
        __init__ = signatures.keras_constructor("filters strides", {"strides": 1})

        def _init(self, args, **kwargs):
            self.args, self.kwargs = args, kwargs

    class Member(Family):
        pass

    assert str(inspect.signature(Member)) == "(filters, strides=1, **kwargs)"
    member = Member(8, name="m")
    assert (vars(member.args), member.kwargs) == (
        {"filters": 8, "strides": 1},
        {"name": "m"},
    )
    with pytest.raises(
        TypeError, match=r"^Member.__init__\(\) missing 1 required positional"
    ):
        Member()


def test_inherit_arguments_shows_the_parent_arguments_and_keeps_defaults():
    class Base:
        def __init__(self, learning_rate, clipnorm=None, name=None, **kwargs):
            self.clipnorm, self.name = clipnorm, name

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)
            signatures.inherit_arguments(cls)

    class Child(Base):
        def __init__(self, learning_rate=0.1, momentum=0.0, **kwargs):
            # An argument of the parent's, passed on with this class's value.
            kwargs.setdefault("name", "child")
            super().__init__(learning_rate, **kwargs)

    class Grandchild(Child):
        def __init__(self, nesterov=False, **kwargs):
            super().__init__(**kwargs)

    class Starred(Base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)

    assert str(inspect.signature(Child)) == (
        "(learning_rate=0.1, momentum=0.0, clipnorm=None, name=None, **kwargs)"
    )
    assert list(inspect.signature(Grandchild).parameters) == [
        "nesterov",
        "learning_rate",
        "momentum",
        "clipnorm",
        "name",
        "kwargs",
    ]
    assert Child().name == "child"
    assert Child(0.2, 0.9, 1.0, "n").clipnorm == 1.0
    assert Grandchild(True, 0.1, 0.9, 2.0).clipnorm == 2.0
    assert str(inspect.signature(Starred)) == "(*args, **kwargs)"
    with pytest.raises(
        TypeError, match=r"^Child.__init__\(\) takes from 1 to 5 positional"
    ):
        Child(1, 2, 3, 4, 5)


def test_a_warning_in_a_decorated_init_points_at_the_callers_line():
    class Warns:
        @signatures.keras_signature(signatures.constructor_signature([]))
        def __init__(self):
            warnings.warn("careful", stacklevel=3)  # this line, the binding one, ...

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Warns()  # the caller's line
    assert caught[0].filename == __file__


def test_docstring_examples_run():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(signatures):
        runner.run(test)
    assert runner.failures == 0
