"""The convolution layers' constructor arguments: Keras's names, order and defaults.

Keras spells out every argument of every convolution constructor. Here a family
(`BaseConv`, `BaseConvTranspose`, `BaseDepthwiseConv`, `BaseSeparableConv`) names
its arguments once, in Keras's order, the defaults come from one table, and
`conv_constructor` builds the ``__init__`` that takes them, so that
``inspect.signature(Conv2D)`` and ``help(Conv2D)`` read as in Keras.
"""

from __future__ import annotations

from lamina import constraints, initializers, regularizers
from lamina.serialization import serialize_keras_object
from lamina.signatures import REQUIRED, keras_constructor

# Keras's defaults; an argument missing here (a regularizer, a constraint)
# defaults to None.
DEFAULTS = {
    "filters": REQUIRED,
    "kernel_size": REQUIRED,
    "strides": 1,
    "padding": "valid",
    "dilation_rate": 1,
    "depth_multiplier": 1,
    "groups": 1,
    "use_bias": True,
    "kernel_initializer": "glorot_uniform",
    "depthwise_initializer": "glorot_uniform",
    "pointwise_initializer": "glorot_uniform",
    "bias_initializer": "zeros",
}

# How each of a weight's ``<weight>_<kind>`` arguments is read, in Keras's order.
WEIGHT_ARGUMENT_GETTERS = {
    "initializer": initializers.get,
    "regularizer": regularizers.get,
    "constraint": constraints.get,
}


def conv_constructor(names: str, **defaults):
    """`keras_constructor` for a convolution family's arguments ``names``.

    Each argument's default comes from ``defaults``, else `DEFAULTS`, else None.
    """
    table = {name: defaults.get(name, DEFAULTS.get(name)) for name in names.split()}
    return keras_constructor(names, table)


def set_weight_arguments(layer, args, *weights: str) -> None:
    """Read each weight's ``<weight>_initializer/_regularizer/_constraint``."""
    for kind, get in WEIGHT_ARGUMENT_GETTERS.items():
        for weight in weights:
            name = f"{weight}_{kind}"
            setattr(layer, name, get(getattr(args, name)))


def weight_config(layer, weight: str) -> dict:
    """The config entries of ``weight``'s initializer, regularizer and constraint."""
    return {
        f"{weight}_{kind}": serialize_keras_object(getattr(layer, f"{weight}_{kind}"))
        for kind in WEIGHT_ARGUMENT_GETTERS
    }


# ---------------------------------------------------------------- docstrings
# What each argument means (``{rank}``: the layer's number of spatial axes); the
# ``<weight>_initializer/_regularizer/_constraint`` texts are made in
# `_describe`.
ARGUMENT_DOCS = {
    "filters": "positive int, the number of output channels.",
    "kernel_size": "int or tuple of {rank} ints, the window size.",
    "strides": "int or tuple of {rank} ints, the step between windows (1).",
    "padding": (
        '``"valid"`` (no padding) or ``"same"`` (output size ``ceil(size / '
        "stride)``; an odd padding total puts the extra element at the end, as "
        "TensorFlow)."
    ),
    "output_padding": (
        "int or tuple of {rank} ints, the extra size added at the end of each "
        "spatial axis (each less than its stride); ``None`` lets the output "
        "size be inferred."
    ),
    "data_format": (
        '``"channels_last"`` (default, ``lamina.backend.image_data_format()``) '
        'or ``"channels_first"``.'
    ),
    "dilation_rate": (
        "int or tuple of {rank} ints, for dilated (atrous) convolution; > 1 "
        "cannot be combined with strides > 1."
    ),
    "groups": (
        "positive int dividing the input channels and ``filters``; each group "
        "of channels is convolved with its own ``filters // groups`` kernels."
    ),
    "depth_multiplier": "positive int, the depthwise outputs per input channel.",
    "activation": "activation name or function (none by default).",
    "use_bias": "whether to add a bias vector.",
    "activity_regularizer": "a penalty on the layer's output, or None.",
}
_WEIGHT_NAMES = {
    "kernel": "the kernel",
    "depthwise": "the depthwise kernel",
    "pointwise": "the pointwise kernel",
    "bias": "the bias",
}
_WEIGHT_ARGUMENT_DOCS = {
    "initializer": "the initializer of {weight} ({default}).",
    "regularizer": "a penalty on {weight}, or None.",
    "constraint": "a constraint applied to {weight} after each update, or None.",
}


def _describe(name: str, texts: dict) -> str:
    if name in texts or name in ARGUMENT_DOCS:
        return texts.get(name, ARGUMENT_DOCS.get(name))
    weight, kind = name.rsplit("_", 1)
    return _WEIGHT_ARGUMENT_DOCS[kind].format(
        weight=_WEIGHT_NAMES[weight], default=f'``"{DEFAULTS.get(name)}"``'
    )


def args_doc(names: str, **texts: str) -> list[tuple[str, str]]:
    """The ``Args:`` entries of ``names`` (see `rank_docs.docstring`).

    Args:
        names: the argument names, separated by white space.
        **texts: a family's own text for an argument, instead of `ARGUMENT_DOCS`.
    """
    return [(name, _describe(name, texts)) for name in names.split()]
