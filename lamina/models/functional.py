"""Functional models: a graph of layer calls from `Input`s to outputs."""

from __future__ import annotations

import collections
import warnings

import torch

from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, GraphError, ShapeError
from lamina.layers.core.input_layer import InputLayer
from lamina.layers.layer import Layer, _in_call, _shapes_of
from lamina.models.model import Model
from lamina.ops.function import map_graph
from lamina.serialization import (
    deserialize_keras_object,
    serialize_keras_object,
)


class Functional(Model):
    """A model defined by its inputs and outputs (``Model(inputs, outputs)``).

    Calling it runs the recorded layer calls in topological order; each step
    reads its inputs from a table of computed tensors, so the Python cost per
    layer is a dict lookup and the layer's own call.

    Args:
        inputs: a KerasTensor, or a list or dict of them, from `Input`.
        outputs: a KerasTensor, or a list or dict of them, computed from ``inputs``.
        name: the model's name (``functional``, ``functional_1``, ...).
    """

    _keras_module = "keras"

    def __init__(
        self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs
    ):
        if name is None and "name" not in kwargs:
            from lamina.backend.naming import auto_name

            name = auto_name("Functional")
        super().__init__(name=name, trainable=True, **kwargs)
        for kind, struct in (("inputs", inputs), ("outputs", outputs)):
            for x in tree.flatten(struct):
                if not isinstance(x, KerasTensor):
                    raise ArgumentError(
                        f"All `{kind}` values must be KerasTensors. Received: "
                        f"{kind}={struct} including invalid value {x!r} of type "
                        f"{type(x).__name__}."
                    )
        if isinstance(inputs, dict):
            for key, value in inputs.items():
                if key != value.name:
                    warnings.warn(
                        "When providing `inputs` as a dict, all keys in the dict must "
                        f"match the names of the corresponding tensors. Received key "
                        f"'{key}' mapping to value {value} which has name "
                        f"'{value.name}'.",
                        stacklevel=2,
                    )
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0] if not isinstance(inputs, list) else inputs
        self._inputs_struct = inputs
        # Keras unwraps a one-element list of outputs: the model returns the tensor.
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        self._outputs_struct = outputs
        self._inputs = tree.flatten(inputs)
        self._outputs = tree.flatten(outputs)
        self._map_graph()
        self._compile_steps()
        self.built = True
        self._build_shapes = _shapes_of(self._inputs_struct)
        if not trainable:
            self.trainable = False

    # ------------------------------------------------------------------ graph
    def _map_graph(self) -> None:
        """Order the nodes topologically and the layers as Keras lists them."""
        ordered, layers = map_graph(self._inputs, self._outputs)
        for op in layers:
            if not isinstance(op, Layer):
                raise GraphError(
                    f"The model's graph calls '{op.name}', a {type(op).__name__}, "
                    "which is not a layer: lamina's functional models hold layers "
                    "(torch modules) only. Wrap it in a layer, or run the graph "
                    "with lamina.Function."
                )
        self._nodes = [
            n
            for n in ordered
            if not n.is_input
            or n
            in [
                t._keras_history[0]._inbound_nodes[t._keras_history[1]]
                for t in self._inputs
            ]
        ]
        self._node_ids = {id(n) for n in self._nodes}
        self._graph_layers = layers
        # Register the layers as torch children in Keras's order.
        for index, layer in enumerate(layers):
            self._modules[f"layer_{index}"] = layer

    def _compile_steps(self) -> None:
        """Turn the nodes into a flat list of steps for `call`.

        Each tensor of the graph gets a slot in a list that `call` fills as it
        goes; a step names the slots it reads and writes, so running it costs
        list indexing and the layer's own call, no structure walk.
        """
        slots: dict[int, int] = {}

        def slot(tensor) -> int:
            return slots.setdefault(id(tensor), len(slots))

        self._input_slots = [slot(t) for t in self._inputs]
        self._steps = []
        for node in self._nodes:
            if node.is_input:
                continue
            args, kwargs = node.call_args, node.call_kwargs
            # kind 1: layer(tensor); kind 2: layer([tensors]); kind 0: anything else
            if len(args) == 1 and not kwargs and isinstance(args[0], KerasTensor):
                kind, source = 1, slot(args[0])
            elif (
                len(args) == 1
                and not kwargs
                and isinstance(args[0], list)
                and all(isinstance(t, KerasTensor) for t in args[0])
            ):
                kind, source = 2, [slot(t) for t in args[0]]
            else:
                kind = 0
                source = tree.map_structure(
                    lambda x: _Slot(slot(x)) if isinstance(x, KerasTensor) else x,
                    (args, kwargs),
                )
            out_slots = [slot(t) for t in node.output_tensors]
            self._steps.append((node.layer, kind, source, out_slots))
        self._output_slots = [slot(t) for t in self._outputs]
        self._num_slots = len(slots)
        # One input: a tensor of its rank goes in as it is (`_standardize_inputs`).
        self._input_rank = len(self._inputs[0].shape) if len(self._inputs) == 1 else -1

    # ------------------------------------------------------------------ calling
    def call(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        values = [None] * self._num_slots
        for index, x in zip(self._input_slots, flat):
            values[index] = x
        if mask is not None:
            for x, m in zip(flat, tree.flatten(mask)):
                if m is not None and isinstance(x, torch.Tensor):
                    x._keras_mask = m
        # Inside the model's own call (the usual case) a layer's step skips the
        # checks `Layer.__call__` makes for a call from outside.
        in_call = _in_call()
        for layer, kind, source, out_slots in self._steps:
            if kind == 1:
                x = values[source]
            elif kind == 2:
                x = [values[i] for i in source]
            else:
                call_args, call_kwargs = tree.map_structure(
                    lambda x: values[x.index] if isinstance(x, _Slot) else x, source
                )
                outputs = layer(*call_args, training=training, **call_kwargs)
            if kind:
                if in_call:
                    outputs = layer._call_in_graph(x, training)
                else:
                    outputs = layer(x, training=training)
            if len(out_slots) == 1:
                values[out_slots[0]] = (
                    outputs
                    if isinstance(outputs, torch.Tensor)
                    else tree.flatten(outputs)[0]
                )
            else:
                for index, value in zip(out_slots, tree.flatten(outputs)):
                    values[index] = value
        if len(self._output_slots) == 1 and isinstance(
            self._outputs_struct, KerasTensor
        ):
            return values[self._output_slots[0]]
        results = [values[i] for i in self._output_slots]
        return tree.pack_sequence_as(self._outputs_struct, results)

    def _standardize_inputs(self, inputs) -> list:
        if isinstance(inputs, torch.Tensor) and inputs.dim() == self._input_rank:
            return [inputs]
        struct = self._inputs_struct
        if isinstance(inputs, dict) and not isinstance(struct, dict):
            names = [t.name for t in self._inputs]
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ArgumentError(
                    f"Model '{self.name}' expects inputs named {names}, but the dict "
                    f"given has keys {sorted(inputs)} (missing {missing})."
                )
            flat = [inputs[n] for n in names]
        elif isinstance(struct, dict) and isinstance(inputs, dict):
            missing = [k for k in struct if k not in inputs]
            if missing:
                raise ArgumentError(
                    f"Model '{self.name}' expects inputs named {sorted(struct)}, but the "
                    f"dict given has keys {sorted(inputs)} (missing {missing})."
                )
            flat = [inputs[k] for k in sorted(struct)]
        elif isinstance(inputs, (list, tuple)) and len(self._inputs) > 1:
            flat = list(inputs)
        elif (
            isinstance(inputs, (list, tuple))
            and len(self._inputs) == 1
            and len(inputs) == 1
        ):
            flat = [inputs[0]]
        else:
            flat = [inputs]
        if len(flat) != len(self._inputs):
            raise ArgumentError(
                f"Model '{self.name}' expects {len(self._inputs)} input(s) "
                f"{[t.name for t in self._inputs]}, but it received {len(flat)} "
                "input tensors."
            )
        result = []
        for x, ref in zip(flat, self._inputs):
            if not isinstance(x, torch.Tensor):
                x = self._convert_inputs(x)
            result.append(_adjust_rank(x, ref, self.name))
        return result

    # ------------------------------------------------------------------ properties
    @property
    def layers(self) -> list[Layer]:
        # Keras lists layers, not the keras.ops nodes between them (the config
        # keeps both); lamina.applications' operation nodes are such nodes.
        return [
            layer
            for layer in self._graph_layers
            if not getattr(layer, "_keras_operation", False)
        ]

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: t.shape, self._inputs_struct)

    @property
    def output_shape(self):
        return tree.map_structure(lambda t: t.shape, self._outputs_struct)

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self._inputs]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return sorted(self._outputs_struct)
        return [t._keras_history[0].name for t in self._outputs]

    def build(self, input_shape=None) -> None:
        self.built = True

    # ------------------------------------------------------------------ config
    def _node_index_in_model(self, layer, node) -> int:
        own = [n for n in layer._inbound_nodes if id(n) in self._node_ids]
        return own.index(node)

    def _serialize_history(self, tensor: KerasTensor) -> list:
        layer, node_index, tensor_index = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        return [layer.name, self._node_index_in_model(layer, node), tensor_index]

    def get_config(self) -> dict:
        layer_configs = []
        for layer in self._graph_layers:
            entry = serialize_keras_object(layer)
            build = (
                layer.get_build_config() if not isinstance(layer, InputLayer) else None
            )
            if build is not None:
                entry["build_config"] = build
            entry["name"] = layer.name
            entry["inbound_nodes"] = []
            for node in layer._inbound_nodes:
                if id(node) not in self._node_ids or node.is_input:
                    continue
                entry["inbound_nodes"].append(
                    {
                        "args": tree.map_structure(
                            self._serialize_arg, list(node.call_args)
                        ),
                        "kwargs": tree.map_structure(
                            self._serialize_arg, node.call_kwargs
                        ),
                    }
                )
            layer_configs.append(entry)

        def layer_refs(struct):
            if isinstance(struct, KerasTensor):
                return self._serialize_history(struct)
            if isinstance(struct, dict):
                return {k: layer_refs(v) for k, v in struct.items()}
            return [layer_refs(t) for t in struct]

        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layer_configs,
            "input_layers": layer_refs(self._inputs_struct),
            "output_layers": layer_refs(self._outputs_struct),
        }

    def _serialize_arg(self, x):
        if isinstance(x, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {
                    "shape": list(x.shape),
                    "dtype": x.dtype,
                    "keras_history": self._serialize_history(x),
                },
            }
        return serialize_keras_object(x)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return functional_from_config(cls, config, custom_objects)


class _Slot:
    """Where a step of `Functional.call` reads a graph tensor in a general call."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def _adjust_rank(x, ref: KerasTensor, model_name: str):
    """Squeeze or expand a trailing size-1 axis as Keras does; else raise."""
    if not isinstance(x, torch.Tensor):
        return x
    rank, ref_rank = x.dim(), len(ref.shape)
    if rank == ref_rank:
        return x
    if rank == ref_rank + 1 and x.shape[-1] == 1:
        return x.squeeze(-1)
    if rank == ref_rank - 1 and ref.shape[-1] == 1:
        return x.unsqueeze(-1)
    raise ShapeError(
        f"Model '{model_name}': invalid input shape for input '{ref.name}'. Expected "
        f"shape {ref.shape}, but the input has incompatible shape {tuple(x.shape)}."
    )


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuild a functional model from a Keras 2 or Keras 3 config."""
    if not isinstance(config, dict) or "layers" not in config:
        raise ArgumentError(
            "A functional model config must be a dict with a 'layers' list; received "
            f"{type(config).__name__}."
        )
    created: dict[str, Layer] = {}
    # Outputs of each layer call, in the order the calls are made here.
    node_outputs: dict[str, list] = collections.defaultdict(list)
    # Each layer's calls still to make, in the order the config numbers them.
    unmade: dict[str, collections.deque] = {}

    for layer_data in config["layers"]:
        name = layer_data.get("name") or layer_data["config"]["name"]
        layer = deserialize_keras_object(
            layer_data, custom_objects=custom_objects, printable_module_name="layer"
        )
        if not isinstance(layer, Layer):
            raise ArgumentError(f"Config entry '{name}' is not a layer: {layer!r}.")
        created[name] = layer
        if isinstance(layer, InputLayer):
            node_outputs[name].append(layer.output)
        build = layer_data.get("build_config")
        if build and not layer.built and not isinstance(layer, Model):
            try:
                layer.build_from_config(build)
            except (ValueError, TypeError):
                pass  # built again on its first call below
        unmade[name] = collections.deque(layer_data.get("inbound_nodes", []))

    def resolve(ref):
        """A KerasTensor from ``[layer_name, node_index, tensor_index]`` if ready."""
        layer_name, node_index, tensor_index = ref[0], ref[1], ref[2]
        outputs = node_outputs.get(layer_name, [])
        if node_index >= len(outputs):
            raise LookupError(layer_name)
        flat = tree.flatten(outputs[node_index])
        return flat[tensor_index]

    def resolve_args(node_data):
        if isinstance(node_data, dict):  # Keras 3: {"args": [...], "kwargs": {...}}

            def walk(x):
                if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                    return resolve(x["config"]["keras_history"])
                if isinstance(x, dict) and "class_name" in x:
                    return deserialize_keras_object(x, custom_objects)
                if isinstance(x, dict):
                    return {k: walk(v) for k, v in x.items()}
                if isinstance(x, list):
                    return [walk(v) for v in x]
                return x

            return walk(node_data.get("args", [])), walk(node_data.get("kwargs", {}))
        # Keras 2: [[layer_name, node_index, tensor_index, kwargs], ...]
        tensors, kwargs = [], {}
        for entry in node_data:
            tensors.append(resolve(entry))
            if len(entry) > 3 and entry[3]:
                kwargs.update(entry[3])
        args = [tensors[0]] if len(tensors) == 1 else [tensors]
        return args, kwargs

    # Make the calls in graph order, whatever the order of the config's layers: a
    # layer's next call is made once its inputs exist, and never before the calls
    # numbered earlier (node k of a shared layer or nested model is its k-th call).
    progress = True
    while progress:
        progress = False
        for name, nodes in unmade.items():
            while nodes:
                try:
                    args, kwargs = resolve_args(nodes[0])
                except LookupError:
                    break
                nodes.popleft()
                kwargs = {k: v for k, v in kwargs.items() if k != "training"}
                node_outputs[name].append(created[name](*args, **kwargs))
                progress = True
    for name, nodes in unmade.items():
        if nodes:
            raise GraphError(
                f"Could not rebuild the model graph: layer '{name}' needs the output "
                f"of a layer that is never computed ({nodes[0]})."
            )

    def refs(struct):
        if isinstance(struct, dict):
            return {k: refs(v) for k, v in struct.items()}
        if struct and isinstance(struct[0], str):
            return resolve(struct)
        return [refs(s) for s in struct]

    inputs = refs(config["input_layers"])
    outputs = refs(config["output_layers"])
    kwargs = {"name": config.get("name")}
    model = cls.__new__(cls)
    cls.__init__(model, inputs, outputs, **kwargs)
    if config.get("trainable") is False:
        model.trainable = False
    return model
