"""StackedRNNCells: several recurrent cells that act as one."""

from __future__ import annotations

import torch

from lamina.backend import tree
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.serialization import deserialize_keras_object, serialize_keras_object


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that they behave as one cell.

    At each step the output of cell ``k`` is the input of cell ``k + 1``; the
    states are a list with one entry per cell.

    Example:
        >>> cells = [lamina.layers.LSTMCell(8), lamina.layers.LSTMCell(4)]
        >>> layer = lamina.layers.RNN(lamina.layers.StackedRNNCells(cells))
        >>> layer(torch.zeros(2, 5, 3)).shape
        torch.Size([2, 4])

    Args:
        cells: list of RNN cells.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        if not cells:
            raise ArgumentError("StackedRNNCells needs at least one cell, received [].")
        for cell in cells:
            if "call" not in dir(cell):
                raise ArgumentError(
                    "All cells must have a `call` method. Received cell without a "
                    f"`call` method: {cell!r}"
                )
            if "state_size" not in dir(cell):
                raise ArgumentError(
                    "All cells must have a `state_size` attribute. Received cell "
                    f"without a `state_size`: {cell!r}"
                )
        self.cells = cells

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if isinstance(last.state_size, (list, tuple)):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(
                    torch.zeros(
                        (batch_size, cell.state_size), dtype=self._compute_dtype
                    )
                )
            else:
                states.append(
                    [
                        torch.zeros((batch_size, d), dtype=self._compute_dtype)
                        for d in cell.state_size
                    ]
                )
        return states

    def build(self, input_shape) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(tuple(input_shape))
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = tree.flatten(cell.state_size)[0]
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=None):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if is_list else [cell_states]
            takes_training = isinstance(cell, Layer) and cell._call_takes_training
            kwargs = {"training": training} if takes_training else {}
            inputs, cell_states = (cell if isinstance(cell, Layer) else cell.call)(
                inputs, cell_states, **kwargs
            )
            if not tree.is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not is_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self) -> dict:
        config = super().get_config()
        config["cells"] = [serialize_keras_object(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cells = [
            deserialize_keras_object(c, custom_objects=custom_objects)
            for c in config.pop("cells")
        ]
        return super().from_config({**config, "cells": cells})
