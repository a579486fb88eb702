"""BuiltinRNN: the base of LSTM, GRU, SimpleRNN and ConvLSTM, an RNN that makes
its built-in cell from its own constructor's arguments."""

from __future__ import annotations

import inspect
import textwrap

from lamina.errors import ArgumentError
from lamina.layers.rnn.rnn import RNN
from lamina.serialization import serialize_keras_object

# The arguments of the built-in layers that go to `RNN`, in Keras's order
# (``activity_regularizer`` stands among the cell's, after ``bias_regularizer``).
_RNN_ARGUMENTS = (
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
)
_ACTIVITY_REGULARIZER = inspect.Parameter(
    "activity_regularizer", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None
)

# Cell arguments that Keras's layers do not show as attributes.
_NOT_LAYER_ATTRIBUTES = ("rank", "seed")


def cell_arguments(cell_class) -> list[str]:
    """The names of ``cell_class``'s constructor arguments (its Keras signature)."""
    parameters = inspect.signature(cell_class).parameters.values()
    return [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]


def layer_parameters(cell_class) -> list[inspect.Parameter]:
    """Keras's arguments of the layer around ``cell_class``: the cell's, with
    ``activity_regularizer`` after ``bias_regularizer``, then the RNN's.

    The base of a layer's `keras_signature`; the layer's own arguments (such as
    ``use_cudnn``) come last.
    """
    parameters = []
    for parameter in inspect.signature(cell_class).parameters.values():
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            parameters.append(parameter)
        if parameter.name == "bias_regularizer":
            parameters.append(_ACTIVITY_REGULARIZER)
    rnn = inspect.signature(RNN).parameters
    return parameters + [rnn[name] for name in _RNN_ARGUMENTS]


_DOCSTRING_TAIL = """
    Args:
        units: positive int, the size of the output.
{cell_arguments}
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in
            `RNN`.{use_cudnn}
        **kwargs: standard layer arguments; Keras 2's ``implementation`` and
            ``time_major`` and Keras 1's names (``output_dim``,
            ``inner_activation``, ``dropout_W``, ...) are accepted.

    Call arguments:
        inputs: ``(batch, timesteps, features)``.
        mask: boolean ``(batch, timesteps)`` (from ``Embedding(mask_zero=True)``).
        training: whether dropout is active.
        initial_state: ``[{states}]``, {state_shape}.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, units)``, or ``(batch, timesteps, units)`` with
        ``return_sequences``; with ``return_state`` also the final {finals}.
    """
_USE_CUDNN_DOC = """
        use_cudnn: ``"auto"`` (fused kernel when possible), True (same here) or
            False (always the step loop)."""


def docstring_tail(cell_class, states: tuple[str, ...], use_cudnn: bool) -> str:
    """The ``Args:``, ``Call arguments:`` and shape sections of the docstring of
    the LSTM, GRU or SimpleRNN layer around ``cell_class``, whose states are
    ``states``; ``use_cudnn``: whether the layer takes that argument."""
    names = [name for name in cell_arguments(cell_class) if name != "units"]
    listed = textwrap.fill(
        ", ".join(names) + f": as in `{cell_class.__name__}`.",
        width=84,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
    )
    quoted = [f"``{state}``" for state in states]
    return _DOCSTRING_TAIL.format(
        cell_arguments=listed,
        use_cudnn=_USE_CUDNN_DOC if use_cudnn else "",
        states=", ".join(states),
        state_shape=("each " if len(states) > 1 else "") + "``(batch, units)``",
        finals=" and ".join(quoted),
    )


def check_use_cudnn(use_cudnn):
    """``use_cudnn`` if it is one of Keras's values, else an ArgumentError."""
    if use_cudnn not in ("auto", True, False):
        raise ArgumentError(
            "Invalid value received for argument `use_cudnn`. Expected one of "
            f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}"
        )
    return use_cudnn


def _cell_property(name: str) -> property:
    return property(
        lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``."
    )


class BuiltinRNN(RNN):
    """Base of LSTM, GRU, SimpleRNN and ConvLSTM (not exported).

    A subclass sets ``_cell_class`` (and ``_cell_name``); its constructor, given
    Keras's signature by `keras_signature` over `layer_parameters`, passes every
    argument here: the cell's arguments make the cell, the others go to `RNN`.
    Every cell argument (but ``rank`` and ``seed``) becomes a read-only
    attribute of the layer, as in Keras, and the config lists the cell's
    arguments in place of the cell.
    """

    _cell_class: type
    _cell_name: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_cell_class" not in cls.__dict__:
            return
        for name in cell_arguments(cls._cell_class):
            if name not in _NOT_LAYER_ATTRIBUTES and name not in cls.__dict__:
                setattr(cls, name, _cell_property(name))

    def __init__(self, **arguments):
        rnn_arguments = {
            key: arguments.pop(key)
            for key in ("activity_regularizer", *_RNN_ARGUMENTS)
            if key in arguments
        }
        cell = self._make_cell(
            {
                key: arguments.pop(key)
                for key in cell_arguments(self._cell_class)
                if key in arguments
            },
            arguments,
        )
        super().__init__(cell, **rnn_arguments, **arguments)

    def _make_cell(self, arguments: dict, kwargs: dict):
        """The cell from its ``arguments``; Keras 2's ``implementation`` is
        taken out of the layer's ``kwargs``."""
        return self._cell_class(
            **arguments,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name=self._cell_name,
            implementation=kwargs.pop("implementation", 2),
        )

    def get_config(self) -> dict:
        """Keras's config: the RNN's keys without ``cell``, plus the cell's
        arguments."""
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = serialize_keras_object(
            self.activity_regularizer
        )
        return config
