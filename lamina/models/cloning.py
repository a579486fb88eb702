"""clone_model: a new model with the same architecture and fresh weights."""

from __future__ import annotations

from lamina.errors import ArgumentError


def clone_model(
    model,
    input_tensors=None,
    clone_function=None,
    call_function=None,
    recursive=False,
    **kwargs,
):
    """A copy of ``model``'s architecture with newly initialized weights.

    Args:
        model: a Sequential or functional model.
        input_tensors: optional new `Input` tensors (functional models).
        clone_function: ``fn(layer) -> layer`` used to copy each layer;
            by default a layer is rebuilt from its config.
        call_function: accepted for Keras compatibility; only None is supported.
        recursive: also clone nested models with ``clone_function``.

    Returns:
        the new, unbuilt-weights-equal-architecture model.
    """
    from lamina.layers.core.input_layer import InputLayer
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if call_function is not None:
        raise ArgumentError("clone_model: `call_function` is not supported by lamina.")

    def default_clone(layer):
        return type(layer).from_config(layer.get_config())

    clone_function = clone_function or default_clone
    if isinstance(model, Sequential):
        layers = []
        if (
            model._stack
            and isinstance(model._stack[0], InputLayer)
            and input_tensors is None
        ):
            layers.append(
                InputLayer(
                    batch_shape=model._stack[0].batch_shape, dtype=model._stack[0].dtype
                )
            )
        elif input_tensors is not None:
            layers.append(
                input_tensors[0]
                if isinstance(input_tensors, (list, tuple))
                else input_tensors
            )
        for layer in model.layers:
            if recursive and isinstance(layer, (Sequential, Functional)):
                layers.append(
                    clone_model(layer, clone_function=clone_function, recursive=True)
                )
            else:
                layers.append(clone_function(layer))
        return Sequential(layers, name=model.name, trainable=model.trainable)
    if isinstance(model, Functional):
        config = model.get_config()
        clones = {}
        for layer in model.layers:
            if isinstance(layer, InputLayer):
                continue
            if recursive and isinstance(layer, (Sequential, Functional)):
                clones[layer.name] = clone_model(
                    layer, clone_function=clone_function, recursive=True
                )
            else:
                clones[layer.name] = clone_function(layer)
        entries = []
        for entry in config["layers"]:
            if entry["name"] in clones:
                entry = dict(entry)
                entry["__clone__"] = clones[entry["name"]]
            entries.append(entry)
        config["layers"] = entries
        return _functional_from_clones(config, input_tensors)
    raise ArgumentError(
        "clone_model only works with Sequential and functional models; for a "
        f"subclassed model ({type(model).__name__}) create a new instance instead."
    )


def _functional_from_clones(config, input_tensors):
    from lamina.models.functional import Functional, functional_from_config

    # Substitute each layer entry with its clone through custom objects.
    layers = []
    objects = {}
    for entry in config["layers"]:
        clone = entry.pop("__clone__", None)
        if clone is not None:
            key = f"__clone_{len(objects)}"
            objects[key] = _ConstantFactory(clone)
            entry = dict(entry, registered_name=key, class_name=key, module=None)
        layers.append(entry)
    config = dict(config, layers=layers)
    model = functional_from_config(Functional, config, custom_objects=objects)
    if input_tensors is not None:
        inputs = (
            input_tensors
            if isinstance(input_tensors, (list, tuple))
            else [input_tensors]
        )
        outputs = model(inputs if len(inputs) > 1 else inputs[0])
        return Functional(inputs, outputs, name=model.name)
    return model


class _ConstantFactory:
    """Stands in for a class in `custom_objects`: from_config returns the clone."""

    def __init__(self, layer):
        self.layer = layer

    def from_config(self, config):
        return self.layer
