"""Node: one call of a layer or operation on symbolic tensors, an edge of the graph."""

from __future__ import annotations

from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor


class Node:
    """Records ``outputs = layer(*call_args, **call_kwargs)`` on KerasTensors.

    ``layer`` is a `Layer` or an `Operation`. The node is appended to
    ``layer._inbound_nodes`` and to the ``_outbound_nodes`` of the layers that
    produced its inputs; each output KerasTensor gets
    ``_keras_history = (layer, node_index, tensor_index)``.
    """

    def __init__(self, layer, call_args: tuple, call_kwargs: dict, outputs):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs)
        self.outputs = outputs
        self.input_tensors = [
            x
            for x in tree.flatten((self.call_args, self.call_kwargs))
            if isinstance(x, KerasTensor)
        ]
        self.output_tensors = [
            x for x in tree.flatten(outputs) if isinstance(x, KerasTensor)
        ]
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for tensor_index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, tensor_index)
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                tensor._keras_history[0]._outbound_nodes.append(self)

    @property
    def operation(self):
        """Keras 3's name for the layer or operation called."""
        return self.layer

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that produced this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                layer, node_index, _ = tensor._keras_history
                parent = layer._inbound_nodes[node_index]
                if parent not in parents:
                    parents.append(parent)
        return parents

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    # Keras-style accessors used by Layer.input / output / *_shape.
    @property
    def input(self):
        if self.is_input:
            return self.outputs
        args = self.call_args
        return args[0] if len(args) == 1 else list(args)

    @property
    def output(self):
        return self.outputs

    @property
    def input_shape(self):
        return tree.map_structure(
            lambda t: t.shape if isinstance(t, KerasTensor) else t, self.input
        )

    @property
    def output_shape(self):
        return tree.map_structure(
            lambda t: t.shape if isinstance(t, KerasTensor) else t, self.outputs
        )
