"""Sequential: a plain stack of layers, one input, one output."""

from __future__ import annotations

from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, GraphError, reports_config_errors
from lamina.layers.core.input_layer import InputLayer
from lamina.layers.layer import Layer, _in_call
from lamina.models.model import Model
from lamina.serialization import deserialize_keras_object, serialize_keras_object


class Sequential(Model):
    """A model that runs its layers one after the other.

    Its input shape comes from an `Input` or `InputLayer` first, from the first
    layer's ``input_shape``/``input_dim`` (Keras 2), from `build`, or else from
    the first data it sees (a deferred build).

    Example:
        >>> model = lamina.Sequential([
        ...     lamina.Input(shape=(784,)),
        ...     lamina.layers.Dense(512, activation="relu"),
        ...     lamina.layers.Dense(10, activation="softmax"),
        ... ])
        >>> model.count_params()
        407050

    Args:
        layers: the layers, in order (`Input` tensors allowed first).
        trainable: whether the weights are updated in training.
        name: the model's name (``sequential``, ``sequential_1``...).
    """

    _keras_module = "keras"

    def __init__(
        self, layers=None, trainable: bool = True, name: str | None = None, **kwargs
    ):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack: list[Layer] = []
        self._input_tensor: KerasTensor | None = None
        self._output_tensor: KerasTensor | None = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    # ------------------------------------------------------------------ building
    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or an `Input` tensor, which becomes the InputLayer)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
            if not isinstance(layer, InputLayer):
                raise ArgumentError(
                    "Sequential.add() only accepts an `Input` tensor or a layer; the "
                    "tensor given was made by a layer call."
                )
        if not isinstance(layer, Layer):
            raise ArgumentError(
                "Only instances of `lamina.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer):
            if self._stack and isinstance(self._stack[0], InputLayer):
                raise ArgumentError(
                    f"Sequential model '{self.name}' has already been configured to use "
                    f"input shape {self._stack[0].batch_shape}. You cannot add a "
                    "different Input layer to it."
                )
            if self._stack:
                raise ArgumentError(
                    "An InputLayer (or Input) can only be the first layer of a "
                    "Sequential model."
                )
        names = [existing.name for existing in self._stack]
        if layer.name in names:
            raise GraphError(
                "All layers added to a Sequential model should have unique names. "
                f"Name '{layer.name}' is already the name of a layer in this model. "
                "Update the `name` argument to pass a unique name."
            )
        if (
            not self._stack
            and not isinstance(layer, InputLayer)
            and layer._batch_input_shape is not None
        ):
            shape = layer._batch_input_shape
            self._stack.append(InputLayer(batch_shape=shape))
        self._stack.append(layer)
        self._modules[f"layer_{len(self._stack) - 1}"] = layer
        if rebuild:
            if self._output_tensor is not None:
                self._output_tensor = layer(self._output_tensor)
            else:
                self._rebuild()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        layers = self.layers
        if not layers:
            raise ArgumentError("There are no layers in the model.")
        layer = layers[-1]
        self._stack.pop()
        self._reregister()
        self._input_tensor = self._output_tensor = None
        if rebuild:
            self._rebuild()
        return layer

    def _reregister(self) -> None:
        for key in [k for k in self._modules if k.startswith("layer_")]:
            del self._modules[key]
        for index, layer in enumerate(self._stack):
            self._modules[f"layer_{index}"] = layer

    def _rebuild(self) -> None:
        """Run the stack on the InputLayer's tensor, if there is one."""
        if not self._stack or not isinstance(self._stack[0], InputLayer):
            self.built = False
            return
        x = self._stack[0].output
        self._input_tensor = x
        for layer in self._stack[1:]:
            x = layer(x)
        self._output_tensor = x
        self.built = True
        self._build_shapes = tuple(self._input_tensor.shape)

    def build(self, input_shape=None) -> None:
        """Build the model for inputs of ``input_shape`` (batch size included)."""
        if input_shape is None:
            if self._stack and isinstance(self._stack[0], InputLayer):
                self._rebuild()
                return
            raise ArgumentError(
                f"Sequential model '{self.name}' cannot be built because it has no "
                "input shape: pass `input_shape` to build(), or start the model with "
                "an `Input`."
            )
        if (
            isinstance(input_shape, list)
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        ):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if self._stack and isinstance(self._stack[0], InputLayer):
            if self.built:
                return
            self._rebuild()
            return
        self._stack.insert(0, InputLayer(batch_shape=input_shape))
        self._reregister()
        self._rebuild()

    def _maybe_build(self, input_shapes, args=(), kwargs=None) -> None:
        if self.built:
            return
        shape = input_shapes if not isinstance(input_shapes, list) else input_shapes[0]
        # A deferred build: the batch size stays unknown, as in Keras.
        self.build((None, *tuple(shape)[1:]))

    # ------------------------------------------------------------------ calling
    def call(self, inputs, training=None, mask=None):
        x = inputs
        if _in_call():  # inside the model's own call: each layer's leaner path
            for layer in self.layers:
                x = layer._call_in_graph(x, training)
            return x
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    def compute_output_spec(self, inputs, training=None, mask=None):
        # Layer by layer, each its own way: `call` on shape-only stand-ins
        # would meet weights that are not on the meta device and fall back to
        # real arithmetic on a batch of 83 (a nested Sequential in a
        # functional model, as ConvNeXt's stem, took seconds per call).
        x = inputs
        for layer in self.layers:
            x = layer.compute_output_spec(x)
        return x

    # ------------------------------------------------------------------ properties
    @property
    def layers(self) -> list[Layer]:
        """The layers, without the InputLayer (as in Keras)."""
        if self._stack and isinstance(self._stack[0], InputLayer):
            return self._stack[1:]
        return list(self._stack)

    @property
    def _layers(self) -> list[Layer]:
        return self.layers

    def _require_graph(self, what: str):
        if self._input_tensor is None:
            raise AttributeError(
                f"Sequential model '{self.name}' has no defined {what} yet: it is not "
                "built. Give the first layer an input shape or call build()."
            )

    @property
    def inputs(self) -> list[KerasTensor]:
        self._require_graph("inputs")
        return [self._input_tensor]

    @property
    def outputs(self) -> list[KerasTensor]:
        self._require_graph("outputs")
        return [self._output_tensor]

    @property
    def input(self):
        self._require_graph("input")
        return self._input_tensor

    @property
    def output(self):
        self._require_graph("output")
        return self._output_tensor

    @property
    def input_shape(self):
        self._require_graph("input_shape")
        return self._input_tensor.shape

    @property
    def output_shape(self):
        self._require_graph("output_shape")
        return self._output_tensor.shape

    @property
    def input_names(self) -> list[str]:
        return [self._stack[0].name] if self._input_tensor is not None else []

    @property
    def output_names(self) -> list[str]:
        return [self.layers[-1].name] if self.layers else []

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        layer_configs = []
        for layer in self._stack:
            entry = serialize_keras_object(layer)
            build = None if isinstance(layer, InputLayer) else layer.get_build_config()
            if build is not None:
                entry["build_config"] = build
            layer_configs.append(entry)
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": Layer.get_config(self)["dtype"],
            "layers": layer_configs,
        }
        if self._input_tensor is not None:
            config["build_input_shape"] = list(self._input_tensor.shape)
        return config

    @classmethod
    @reports_config_errors("Sequential.from_config")
    def from_config(cls, config, custom_objects=None):
        if isinstance(config, list):  # Keras 2.0-2.1: just the list of layers
            config = {"layers": config}
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ArgumentError(
                "A Sequential config must be a dict with a 'layers' list; received "
                f"{type(config).__name__}."
            )
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            layer = deserialize_keras_object(
                layer_config,
                custom_objects=custom_objects,
                printable_module_name="layer",
            )
            model.add(layer)
        build_shape = config.get("build_input_shape")
        if not model.built and build_shape is not None:
            model.build(tuple(build_shape))
        return model
