"""`Function`: the graph of calls between KerasTensors, run again on new inputs.

`map_graph` orders a graph's nodes; functional models (`lamina.Model(inputs,
outputs)`) and `Function` both build on it.
"""

from __future__ import annotations

import collections

import torch

from lamina.backend import convert_to_tensor, tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, GraphError, ShapeError
from lamina.ops.operation import Operation


def map_graph(inputs: list, outputs: list) -> tuple[list, list]:
    """Check the graph from ``inputs`` to ``outputs`` and order it.

    Args:
        inputs: the graph's input KerasTensors (flat).
        outputs: its output KerasTensors (flat).

    Returns:
        ``(nodes, operations)``: the nodes that compute the outputs, each after
        the nodes it reads from (the input nodes included), and the layers and
        operations they call, in Keras's order (from the inputs' side, by depth,
        then in the order they were reached).

    Raises:
        GraphError: a cycle, an output not computable from ``inputs`` (a
            disconnected graph), or two layers with the same name.
    """
    input_ids = {id(t) for t in inputs}
    finished: set[int] = set()
    in_progress: set[int] = set()
    ordered: list = []  # nodes from inputs to outputs
    layer_index: dict[int, int] = {}

    def visit(tensor: KerasTensor) -> None:
        history = tensor._keras_history
        if history is None:
            raise GraphError(f"Tensor {tensor} was not produced by a layer call.")
        layer, node_index, _ = history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))
            return
        if id(node) in in_progress:
            raise GraphError(
                f"Tensor {tensor} from layer '{layer.name}' is part of a cycle."
            )
        layer_index.setdefault(id(layer), len(layer_index))
        in_progress.add(id(node))
        if not node.is_input:
            for parent in node.input_tensors:
                visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)

    # Depths (output side 0), as Keras computes them, to order the layers.
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers_by_id: dict[int, object] = {}
    in_graph = {id(n) for n in ordered}
    for node in reversed(ordered):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers_by_id[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in inputs:
        layer = tensor._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_index[id(layer)] = -1
            layers_by_id[id(layer)] = layer

    # Every node's inputs must be computable from the graph's inputs.
    computable = set(input_ids)
    done_layers: list[str] = []
    for node in ordered:
        for tensor in node.input_tensors:
            if id(tensor) not in computable:
                raise GraphError(
                    f"Graph disconnected: cannot find parent for tensor {tensor} at "
                    f"layer '{node.layer.name}'. The following previous layers were "
                    f"accessed without issue: {done_layers}"
                )
        if node.is_input and not any(id(t) in input_ids for t in node.output_tensors):
            raise GraphError(
                f"Graph disconnected: the output depends on input "
                f"'{node.layer.name}', which is not one of the model's inputs "
                f"{[t.name for t in inputs]}."
            )
        done_layers.append(node.layer.name)
        computable.update(id(t) for t in node.output_tensors)

    by_depth = collections.defaultdict(list)
    for layer_id, depth in layer_depth.items():
        by_depth[depth].append(layers_by_id[layer_id])
    operations = []
    for depth in sorted(by_depth, reverse=True):
        operations.extend(sorted(by_depth[depth], key=lambda op: layer_index[id(op)]))
    names = [op.name for op in operations]
    for name in names:
        if names.count(name) > 1:
            raise GraphError(
                f'The name "{name}" is used {names.count(name)} times in the model. '
                "All layer names should be unique."
            )
    return ordered, operations


class Function(Operation):
    """The computation from some KerasTensors to others, as a callable.

    Like a functional model without the `Layer` API: no weights of its own to
    track, no training loop; calling it on tensors runs the recorded layer and
    operation calls in order.

    Example:

    >>> import torch, lamina
    >>> x = lamina.Input((3,), name="x")
    >>> y = lamina.layers.Dense(2, kernel_initializer="ones")(x)
    >>> fn = Function(inputs=x, outputs={"sum": y})
    >>> fn(torch.ones(1, 3))
    {'sum': tensor([[3., 3.]], grad_fn=<AddmmBackward0>)}

    Args:
        inputs: a KerasTensor or a structure (list, dict) of them.
        outputs: a KerasTensor or a structure of them, computable from
            ``inputs``.
        name: the function's name.
    """

    def __init__(self, inputs, outputs, name: str | None = None):
        super().__init__(name=name)
        self._inputs_struct = tree.map_structure(lambda x: x, inputs)
        self._outputs_struct = tree.map_structure(lambda x: x, outputs)
        self._inputs = tree.flatten(inputs)
        self._outputs = tree.flatten(outputs)
        for kind, flat, given in (
            ("inputs", self._inputs, inputs),
            ("outputs", self._outputs, outputs),
        ):
            if not flat:
                raise ArgumentError(
                    f"`{kind}` argument cannot be empty. Received:\n"
                    f"inputs={inputs}\noutputs={outputs}"
                )
            for x in flat:
                if not isinstance(x, KerasTensor):
                    raise ArgumentError(
                        f"All `{kind}` values must be KerasTensors. Received: "
                        f"{kind}={given} including invalid value {x!r} of type "
                        f"{type(x).__name__}."
                    )
        self._nodes, self._operations = map_graph(self._inputs, self._outputs)

    @property
    def operations(self) -> list:
        """The layers and operations the function calls (its inputs' first)."""
        return list(self._operations)

    @property
    def inputs(self) -> list:
        """The flat list of the function's input KerasTensors."""
        return self._inputs

    @property
    def outputs(self) -> list:
        """The flat list of the function's output KerasTensors."""
        return self._outputs

    def call(self, inputs):
        """The outputs for new inputs (tensors or arrays in the structure of
        `inputs`; arrays become tensors on lamina's device)."""
        self._check_inputs(inputs)
        inputs = tree.map_structure(_as_tensor, inputs)
        return self._run_through_graph(inputs, lambda op: op)

    def compute_output_spec(self, inputs):
        self._check_inputs(inputs)
        if all(
            tuple(x.shape) == tuple(ref.shape)
            for x, ref in zip(tree.flatten(inputs), self._inputs)
        ):
            return tree.map_structure(
                lambda t: KerasTensor(t.shape, t.dtype), self._outputs_struct
            )
        return self._run_through_graph(inputs, lambda op: op.compute_output_spec)

    def compute_output_shape(self, input_shape):
        specs = [
            KerasTensor(shape, ref.dtype)
            for shape, ref in zip(_flat_shapes(input_shape), self._inputs)
        ]
        outputs = self.compute_output_spec(
            tree.pack_sequence_as(self._inputs_struct, specs)
        )
        return tree.map_structure(lambda t: t.shape, outputs)

    def get_config(self) -> dict:
        raise NotImplementedError(
            "A Function has no config: its graph holds layers and operations "
            "that a config cannot name. Save a functional model instead."
        )

    def _run_through_graph(self, inputs, operation_fn):
        values = {id(ref): x for ref, x in zip(self._inputs, tree.flatten(inputs))}
        for node in self._nodes:
            if node.is_input:
                continue

            def fill(x):
                return values[id(x)] if isinstance(x, KerasTensor) else x

            args = tree.map_structure(fill, list(node.call_args))
            kwargs = tree.map_structure(fill, node.call_kwargs)
            outputs = operation_fn(node.layer)(*args, **kwargs)
            for ref, value in zip(node.output_tensors, tree.flatten(outputs)):
                values[id(ref)] = value
        return tree.pack_sequence_as(
            self._outputs_struct, [values[id(ref)] for ref in self._outputs]
        )

    def _check_inputs(self, inputs) -> None:
        flat = tree.flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ArgumentError(
                "Function was called with an invalid input structure. Expected "
                f"input structure: {self._inputs_struct}\nReceived input "
                f"structure: {inputs}"
            )
        for x, ref in zip(flat, self._inputs):
            shape = tuple(x.shape)
            if len(shape) != len(ref.shape) or any(
                d is not None and r is not None and d != r
                for d, r in zip(shape, ref.shape)
            ):
                raise ShapeError(
                    f"{type(self).__name__} was passed incompatible inputs. For "
                    f"input '{ref.name}', expected shape {ref.shape}, but received "
                    f"instead a tensor with shape {shape}."
                )


def _as_tensor(x):
    if isinstance(x, (torch.Tensor, KerasTensor)) or not hasattr(x, "shape"):
        return x
    return convert_to_tensor(x)


def _flat_shapes(shapes) -> list[tuple]:
    """The shapes in a structure of shapes (tuples, lists of ints or None)."""
    if isinstance(shapes, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in shapes
    ):
        return [tuple(shapes)]
    items = shapes.values() if isinstance(shapes, dict) else shapes
    return [s for item in items for s in _flat_shapes(item)]


def get_source_inputs(tensor) -> list:
    """The input KerasTensors a KerasTensor is computed from.

    Example:

    >>> import lamina
    >>> a, b = lamina.Input((2,), name="a"), lamina.Input((2,), name="b")
    >>> total = lamina.layers.Add()([a, b])
    >>> [t.name for t in get_source_inputs(total)]
    ['a', 'b']

    Args:
        tensor: a KerasTensor (anything else is returned as it is).

    Returns:
        The inputs (a list, in the order they are first reached).
    """
    if not hasattr(tensor, "_keras_history"):
        return tensor
    if tensor._keras_history is None:
        return [tensor]
    operation, node_index, _ = tensor._keras_history
    if not operation._inbound_nodes:
        return [tensor]
    node = operation._inbound_nodes[node_index]
    if node.is_input:
        return list(node.output_tensors)
    sources: list = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not s for s in sources):
                sources.append(source)
    return sources
