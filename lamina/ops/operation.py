"""`Operation`: a computation that runs on tensors and records itself on KerasTensors."""

from __future__ import annotations

import inspect

from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.backend.naming import auto_name
from lamina.backend.symbolic_scope import run_symbolically
from lamina.errors import ArgumentError
from lamina.ops.node import Node

_PLAIN = (str, int, float, bool, type(None))


class Operation:
    """Keras's base of graph computations: ``call`` on tensors, a node on KerasTensors.

    A subclass implements ``call(*args, **kwargs)`` on torch tensors. Called on
    real tensors, an operation runs ``call``; called on KerasTensors, it
    computes the output's shape and dtype (`compute_output_spec`, by default a
    run of ``call`` on shape-only stand-ins) and records the call in the graph,
    so the result can feed layers, `lamina.Function` and functional models'
    graphs. lamina's layers are not `Operation` subclasses (each is a
    `torch.nn.Module`); both kinds of node live in the same graph.

    Example:

    >>> import torch, lamina
    >>> class Double(Operation):
    ...     def call(self, x):
    ...         return x * 2
    >>> x = lamina.Input((3,))
    >>> Double()(x).shape
    (None, 3)
    >>> Double()(torch.ones(3))
    tensor([2., 2., 2.])

    Args:
        name: the operation's name; by default made from the class name.
    """

    def __new__(cls, *args, **kwargs):
        # As Keras: remember the constructor's arguments when they are plain
        # values, so that `get_config` works without being written.
        instance = super().__new__(cls)
        instance._auto_config = _plain_arguments(cls, args, kwargs)
        return instance

    def __init__(self, name: str | None = None):
        if name is None:
            name = auto_name(type(self).__name__)
        if not isinstance(name, str) or "/" in name:
            raise ArgumentError(
                "Argument `name` must be a string and cannot contain character "
                f"`/`. Received: name={name} (of type {type(name)})"
            )
        self.name = name
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []

    def __call__(self, *args, **kwargs):
        if any(isinstance(x, KerasTensor) for x in tree.flatten((args, kwargs))):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        """The output KerasTensors of a call on KerasTensors; records the call."""
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def call(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(self, *args, **kwargs)."
        )

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors with the shapes and dtypes ``call`` would return."""
        try:
            return run_symbolically(self.call, args, kwargs)
        except Exception as err:
            cls = type(self).__name__
            raise type(err)(
                f"Could not automatically infer the output shape / dtype of "
                f"'{self.name}' (of type {cls}). Either the `{cls}.call()` method "
                f"is incorrect, or you need to implement the "
                f"`{cls}.compute_output_spec() / compute_output_shape()` method. "
                f"Error encountered:\n\n{err}"
            ).with_traceback(err.__traceback__) from None

    def get_config(self) -> dict:
        """The constructor's arguments: ``name``, plus those it was given when
        they are plain values (strings, numbers, booleans, None, lists of them)."""
        config = {"name": self.name}
        if type(self).get_config is not Operation.get_config:
            return config  # a subclass's get_config extends this one
        if self._auto_config is None:
            raise NotImplementedError(
                f"{type(self).__name__} was created with arguments that are not "
                "plain values (or with *args), so it must implement get_config() "
                "(and from_config() if needed) to be serializable."
            )
        config.update(self._auto_config)
        parameters = inspect.signature(type(self).__init__).parameters
        takes_name = "name" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )
        if not takes_name:
            config.pop("name")
        return config

    @classmethod
    def from_config(cls, config: dict):
        try:
            return cls(**config)
        except Exception as err:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using "
                f"config={config}.\n\nException encountered: {err}"
            ) from err

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    def _single_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise AttributeError(
                f"The operation '{self.name}' has never been called and thus has "
                f"no defined {what}."
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"The operation '{self.name}' has multiple inbound nodes, hence "
                f'the notion of "{what}" is ill-defined.'
            )
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The input of the operation's only call on KerasTensors."""
        return self._single_node("input").input

    @property
    def output(self):
        """The output of the operation's only call on KerasTensors."""
        return self._single_node("output").output


def _plain_arguments(cls, args, kwargs) -> dict | None:
    """The constructor's arguments by name (defaults filled in, ``name`` left
    out), or None when some are not plain values or are given as *args."""
    init = cls.__init__
    try:
        bound = inspect.signature(init).bind(None, *args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(inspect.signature(init).parameters)))  # self
    for name, parameter in inspect.signature(init).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            if arguments.pop(name, ()):
                return None
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(arguments.pop(name, {}))
        elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            return None
    arguments.pop("name", None)
    if not all(isinstance(v, _PLAIN) for v in tree.flatten(arguments)):
        return None
    return arguments
