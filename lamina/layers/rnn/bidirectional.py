"""Bidirectional: run a recurrent layer forwards and backwards and merge the two."""

from __future__ import annotations

import copy

import torch

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.rnn.rnn import shapes_to_specs
from lamina.serialization import deserialize_keras_object, serialize_keras_object

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Bidirectional wrapper for recurrent layers.

    The wrapped layer is copied twice (from its config, so the copies share no
    weights with it): ``forward_<name>`` reads the sequence forwards and
    ``backward_<name>`` (``go_backwards=True``) backwards; with
    ``return_sequences`` the backward outputs are flipped back into time order
    before merging. The weights are the forward layer's, then the backward's.

    Example:
        >>> layer = lamina.layers.Bidirectional(lamina.layers.LSTM(4))
        >>> layer(torch.zeros(2, 5, 3)).shape
        torch.Size([2, 8])

    Args:
        layer: a recurrent layer (`RNN`, `LSTM`, `GRU`, `SimpleRNN`, or any
            layer with ``go_backwards``, ``return_sequences``,
            ``return_state`` and ``stateful``).
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or
            None (a list of the two outputs).
        weights: Keras 2: initial weights, the forward half then the backward.
        backward_layer: an explicit backward layer (it must have
            ``go_backwards`` opposite to ``layer``'s).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        sequences, initial_state (forward states then backward states), mask,
        training: as for the wrapped layer.
    """

    def __init__(
        self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs
    ):
        _check_recurrent("layer", layer)
        if backward_layer is not None:
            _check_recurrent("backward_layer", backward_layer)
        if merge_mode not in _MERGE_MODES:
            raise ArgumentError(
                f"Invalid merge mode. Received: merge_mode={merge_mode!r}. Merge mode "
                'should be one of {"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, "forward_", None)
        self.backward_layer = (
            backward_layer
            if backward_layer is not None
            else _copy_layer(layer, "backward_", True)
        )
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ArgumentError(
                "Forward layer and backward layer should have different "
                "`go_backwards` value. Received: forward_layer.go_backwards="
                f"{self.forward_layer.go_backwards}, backward_layer.go_backwards="
                f"{self.backward_layer.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            forward, backward = (
                getattr(self.forward_layer, attr),
                getattr(self.backward_layer, attr),
            )
            if forward != backward:
                raise ArgumentError(
                    "Forward layer and backward layer are expected to have the same "
                    f'value for attribute "{attr}", got "{forward}" for forward layer '
                    f'and "{backward}" for backward layer'
                )
        for sub in (self.forward_layer, self.backward_layer):
            # Merged sequences need 0 (not a repeated output) at masked steps.
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
            if hasattr(layer, "use_cudnn"):
                sub.use_cudnn = layer.use_cudnn
        self.merge_mode = merge_mode
        self._pending_weights = list(weights) if weights else None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def build(self, sequences_shape) -> None:
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub._maybe_build(tuple(sequences_shape))
        if self._pending_weights is not None:
            weights, self._pending_weights = self._pending_weights, None
            half = len(weights) // 2
            self.forward_layer.set_weights(weights[:half])
            self.backward_layer.set_weights(weights[half:])
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if self.forward_layer._call_takes_training:
            kwargs["training"] = training
        if self.forward_layer._call_takes_mask:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        output = self._merge(y, y_rev)
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def _merge(self, y, y_rev):
        mode = self.merge_mode
        if mode == "concat":
            return torch.cat([y, y_rev], dim=-1)
        if mode == "sum":
            return y + y_rev
        if mode == "ave":
            return (y + y_rev) / 2
        if mode == "mul":
            return y * y_rev
        return (y, y_rev)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes = []
        if self.return_state:
            shape, state_shapes = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = (*shape[:-1], shape[-1] * 2)
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return outputs + state_shapes + state_shapes
        return outputs if self.merge_mode is None else shape

    def compute_output_spec(
        self, sequences, initial_state=None, mask=None, training=None, **kwargs
    ):
        return shapes_to_specs(
            self.compute_output_shape(sequences.shape), self.compute_dtype
        )

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            states = (
                len(self.forward_layer.state_size) * 2
                if hasattr(self.forward_layer, "state_size")
                else 0
            )
            return masks + [None] * states
        return masks if self.merge_mode is None else output_mask

    @property
    def states(self):
        forward, backward = self.forward_layer.states, self.backward_layer.states
        if forward and backward:
            return tuple(forward) + tuple(backward)
        return None

    def reset_state(self, states=None) -> None:
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful.")
        if states is None:
            self.forward_layer.reset_state()
            self.backward_layer.reset_state()
            return
        half = len(states) // 2
        self.forward_layer.reset_state(states[:half])
        self.backward_layer.reset_state(states[half:])

    def reset_states(self, states=None) -> None:
        """Keras 2 name of `reset_state`."""
        self.reset_state(states)

    def get_config(self) -> dict:
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(
            config["layer"], custom_objects=custom_objects
        )
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_keras_object(
                config["backward_layer"], custom_objects=custom_objects
            )
        return super().from_config(config)


def _check_recurrent(argument: str, layer) -> None:
    if not isinstance(layer, Layer):
        raise ArgumentError(
            f"Bidirectional: `{argument}` must be a lamina Layer instance (a recurrent "
            f"layer such as LSTM or GRU). Received: {argument}={layer!r}"
        )
    missing = [
        a
        for a in ("go_backwards", "return_sequences", "return_state", "stateful")
        if not hasattr(layer, a)
    ]
    if missing:
        raise ArgumentError(
            f"Bidirectional: `{argument}` must be a recurrent layer (RNN, LSTM, GRU, "
            f"SimpleRNN, ...) with a `go_backwards` argument; received "
            f"{type(layer).__name__} layer '{layer.name}', which has no "
            f"{', '.join(missing)}."
        )


def _copy_layer(layer, prefix: str, go_backwards):
    """A fresh copy of ``layer`` from its config, named ``prefix + name``."""
    config = serialize_keras_object(layer)
    name = layer.name[len(prefix) :] if layer.name.startswith(prefix) else layer.name
    config["config"]["name"] = prefix + name
    if go_backwards is not None:
        config["config"]["go_backwards"] = go_backwards
    return deserialize_keras_object(config)
