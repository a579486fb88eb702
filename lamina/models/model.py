"""Model: a Layer that can be trained, saved and summarized."""

from __future__ import annotations

import json
import warnings

from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, reports_config_errors
from lamina.layers.layer import Layer, run_symbolically
from lamina.quantizers.quantization_config import should_quantize_layer
from lamina.serialization import deserialize_keras_object, serialize_keras_object
from lamina.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """A model: layers plus training (`compile`, `fit`, ...) and saving.

    Three ways to make one, as in Keras:

    - functional: ``Model(inputs, outputs)`` with tensors from `Input`;
    - `Sequential`: a plain stack of layers;
    - subclassing: define the layers in ``__init__`` and the computation in
      ``call``; weights are created on the first call.

    Example:
        >>> inputs = lamina.Input(shape=(8,))
        >>> outputs = lamina.layers.Dense(1)(inputs)
        >>> model = lamina.Model(inputs, outputs)
    """

    _keras_module = "keras"

    def __new__(cls, *args, **kwargs):
        if cls is Model and (
            len(args) >= 2 or "inputs" in kwargs or (args and "outputs" in kwargs)
        ):
            from lamina.models.functional import Functional

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # A subclass calling super().__init__(inputs, outputs): functional.
            from lamina.models.functional import Functional

            if not isinstance(self, Functional):
                # "Functional subclassing": class M(Model) calling
                # super().__init__(inputs, outputs). Make the instance a Functional
                # too, as Keras does, so the graph runs as its `call`.
                cls = type(self)
                self.__class__ = type(
                    cls.__name__, (cls, Functional), {"__module__": cls.__module__}
                )
                Functional.__init__(self, *args, **kwargs)
                return
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self) -> list[Layer]:
        """The model's direct sublayers, in the order they were assigned."""
        return self._layers

    def reset_states(self) -> None:
        """Reset the state of every stateful layer (Keras 2's `Model.reset_states`)."""
        for layer in self._flatten_layers(include_self=False):
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in `layers`."""
        if index is not None and name is not None:
            raise ArgumentError(
                "Provide only a layer name or a layer index. Received: "
                f"index={index}, name={name}."
            )
        if isinstance(name, int) and index is None:
            name, index = None, name
        if index is not None:
            if len(self.layers) <= index:
                raise ArgumentError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ArgumentError(
                f"No such layer: {name}. Existing layers are: "
                f"{[layer.name for layer in self.layers]}."
            )
        raise ArgumentError(
            "Provide either a layer name or layer index at `get_layer`."
        )

    def build(self, input_shape=None) -> None:
        """Build a subclassed model by calling it on a symbolic input of that shape."""
        if self.built:
            return
        if input_shape is None:
            raise ArgumentError(f"Model '{self.name}': build() needs an input_shape.")
        if isinstance(input_shape, dict):
            spec = {k: KerasTensor(tuple(v)) for k, v in input_shape.items()}
        elif (
            isinstance(input_shape, list)
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        ):
            spec = [KerasTensor(tuple(s)) for s in input_shape]
        else:
            spec = KerasTensor(tuple(input_shape))
        self.built = True
        run_symbolically(self._call_for_spec, (spec,), {})
        self._build_shapes = (
            input_shape
            if not isinstance(input_shape, list)
            or (input_shape and isinstance(input_shape[0], (list, tuple)))
            else tuple(input_shape)
        )

    def quantize(self, mode=None, config=None, filters=None, **kwargs) -> None:
        """Quantize the weights of the model's Dense, EinsumDense and Embedding layers.

        The model must be built. Layers that cannot be quantized are left as they
        are, with a warning, as in Keras.

        Example:
            >>> model = lamina.Sequential([lamina.Input((10,)), lamina.layers.Dense(4)])
            >>> model.quantize("int8")
            >>> [w.name for w in model.weights]
            ['bias', 'kernel', 'kernel_scale']

        Args:
            mode: ``"int8"``, ``"int4"`` or ``"float8"`` (optional with ``config``).
            config: a `lamina.quantizers.QuantizationConfig` (custom weight or
                input quantizers, weight-only int8, the int4 block size).
            filters: which layers: a regular expression searched in their names,
                a list of them, or a callable ``filters(layer) -> bool``.
            **kwargs: ``type_check=False`` also quantizes subclasses of those layers.
        """
        type_check = kwargs.pop("type_check", True)
        if kwargs:
            raise ArgumentError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        if filters is not None and not (
            isinstance(filters, (str, list, tuple)) or callable(filters)
        ):
            raise ArgumentError(
                "The `filters` argument must be a regex string, a list of regex "
                f"strings, or a callable. Received: {type(filters)}"
            )
        for layer in self._flatten_layers():
            if not should_quantize_layer(layer, filters) or layer._layers:
                continue
            if not hasattr(layer, "quantize"):
                warnings.warn(
                    f"Layer {type(layer).__name__} does not have a `quantize` "
                    "method implemented.",
                    stacklevel=2,
                )
                continue
            try:
                layer.quantize(mode, type_check=type_check, config=config)
            except NotImplementedError as err:
                warnings.warn(str(err), stacklevel=2)

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
        style="keras3",
    ):
        """Print a table of the model's layers, output shapes and parameter counts.

        Args:
            line_length: total width of the table.
            positions: relative or absolute column positions.
            print_fn: called with each line (or the whole table); print by default.
            expand_nested: also list the layers of nested models.
            show_trainable: add a column telling whether each layer is trainable.
            layer_range: ``[first_name, last_name]`` to print a slice of the layers.
            style: ``"keras3"`` (box table) or ``"keras2"`` (plain text).

        Returns:
            None, as in Keras (``print(model.summary())`` prints ``None`` last).
        """
        from lamina.models.summary import print_summary

        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
            style=style,
        )

    def save(
        self, filepath, overwrite: bool = True, include_optimizer: bool = True, **kwargs
    ) -> None:
        """Save the whole model: ``.keras`` (Keras 3) or ``.h5`` (Keras 2 layout).

        Args:
            filepath: ``*.keras``, ``*.h5`` or ``*.hdf5``.
            overwrite: when False, refuse to replace an existing file.
            include_optimizer: also save the optimizer's state.
        """
        saving_api().save_model(
            self,
            filepath,
            overwrite=overwrite,
            include_optimizer=include_optimizer,
            **kwargs,
        )

    def save_weights(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save the weights to ``*.weights.h5`` (Keras 3) or ``*.h5`` (Keras 2)."""
        kwargs.pop("save_format", None)
        kwargs.pop("options", None)
        saving_api().save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(
        self, filepath, skip_mismatch: bool = False, by_name: bool = False, **kwargs
    ) -> None:
        """Load weights from a weights file or a whole-model file (Keras or lamina).

        Args:
            filepath: ``.weights.h5``, legacy ``.h5``, or a ``.keras`` file.
            skip_mismatch: warn and skip layers whose weights do not match.
            by_name: (legacy ``.h5``) match layers by name instead of by order.
        """
        saving_api().load_weights(
            self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs
        )

    def export(self, filepath, format: str = "onnx", **kwargs):  # noqa: A002
        """Export for inference: ``format="onnx"`` (an ``.onnx`` file) or
        ``"torch"`` (a `torch.export` program saved as ``.pt2``).

        Args:
            filepath: the destination file.
            format: ``"onnx"`` or ``"torch"`` (``"torch_export"``).
            **kwargs: ``input_signature`` (shapes or arrays), ``verbose``,
                ``opset_version`` (ONNX).
        """
        return saving_api().export_model(self, filepath, format=format, **kwargs)

    def to_json(self, **kwargs) -> str:
        """The model's architecture as a JSON string (Keras's format)."""
        config = serialize_keras_object(self)
        return json.dumps(config, **kwargs)

    @classmethod
    @reports_config_errors("Model.from_config")
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild a model; functional configs go through the graph rebuilder."""
        from lamina.models.functional import Functional, functional_from_config

        if isinstance(config, dict) and "layers" in config and "input_layers" in config:
            target = Functional if cls is Model else cls
            return functional_from_config(target, config, custom_objects)
        return super().from_config(config)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("batch_input_shape", None)
        return config


def saving_api():
    """The one seam from models up to saving (see ARCHITECTURE.md).

    Saving builds on models (it rebuilds them from configs), so models sit on the
    floor below and reach it only here, at call time: `Model.save`,
    `save_weights`, `load_weights`, `export` and `lamina.models.load_model` /
    `save_model` go through this function, as Keras's `Model.save` delegates to
    `keras.saving.saving_api`.
    """
    from lamina.saving import saving_api as api

    return api


@reports_config_errors("model_from_config")
def model_from_config(config: dict, custom_objects: dict | None = None):
    """Rebuild a model (or layer) from its serialized config."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ArgumentError(
            "model_from_config expects a dict with 'class_name' and 'config' keys, "
            f"received {type(config).__name__}."
        )
    if config["class_name"] in ("Model", "Functional") and config.get("module") in (
        None,
        "keras",
        "keras.models",
        "keras.src.models.functional",
    ):
        from lamina.models.functional import Functional

        return Functional.from_config(config["config"], custom_objects=custom_objects)
    return deserialize_keras_object(
        config, custom_objects=custom_objects, printable_module_name="model"
    )


@reports_config_errors("model_from_json")
def model_from_json(json_string: str, custom_objects: dict | None = None):
    """Rebuild a model from `Model.to_json()` output (Keras 2 or 3)."""
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as err:
        raise ArgumentError(
            f"model_from_json: the string is not valid JSON ({err})."
        ) from err
    return model_from_config(config, custom_objects=custom_objects)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Load a model saved with `Model.save` (``.keras`` or legacy ``.h5``)."""
    return saving_api().load_model(
        filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
    )


def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """Save ``model`` to ``filepath`` (``.keras`` or ``.h5``); see `Model.save`."""
    saving_api().save_model(model, filepath, overwrite=overwrite, **kwargs)
