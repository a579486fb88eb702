"""What every application function shares: its arguments, their checks, the
input, the classification head, and the weights.

Each Keras application is a function with Keras's arguments (`application`
gives it Keras's signature and hands it the arguments as one namespace,
``args``). Its body makes the checked input (`start`), builds the
architecture layer by layer with Keras's layer names, adds the head (`head`,
`classifier` or `pooling_head`) and returns the model with its weights loaded
(`finish`): ImageNet weights from Keras's cache (`~/.keras/models`), downloaded
from Keras's address with Keras's hash check the first time (`get_file`), or a
weights file the user names.
"""

from __future__ import annotations

import inspect
import os
import textwrap
from collections.abc import Callable
from types import SimpleNamespace

from lamina import layers
from lamina.applications import imagenet_utils
from lamina.backend import image_data_format
from lamina.backend.keras_tensor import is_keras_tensor
from lamina.errors import ArgumentError
from lamina.models import Functional
from lamina.ops.function import get_source_inputs
from lamina.signatures import keras_signature
from lamina.utils.file_utils import get_file

# The arguments applications take: Keras's default, and what the docstring says.
ARGUMENTS: dict[str, tuple[object, str]] = {
    "include_top": (
        True,
        "whether to include the classification head at the top of the network.",
    ),
    "weights": (
        "imagenet",
        '`None` (random initialization), `"imagenet"` (weights pre-trained on '
        "ImageNet, read from Keras's cache `~/.keras/models` or downloaded from "
        "Keras's address) or the path of a weights file to load.",
    ),
    "input_tensor": (
        None,
        "optional Keras tensor (the output of `layers.Input()` or of layers "
        "applied to it) to use as the model's image input.",
    ),
    "input_shape": (
        None,
        "optional shape of one image, e.g. `(224, 224, 3)`; only to be given "
        "with `include_top=False`, or the default size. With ImageNet weights it "
        "must have 3 channels.",
    ),
    "pooling": (
        None,
        "pooling of the features when `include_top` is False: None keeps the 4D "
        'output of the last convolutional block, `"avg"` and `"max"` apply '
        "global average or max pooling (a 2D output).",
    ),
    "classes": (
        1000,
        "number of classes to classify images into, with `include_top=True` and "
        "no pretrained `weights` (ImageNet weights need 1000).",
    ),
    "classifier_activation": (
        "softmax",
        "activation of the top layer, a name or a callable; None returns "
        'logits. Only None and `"softmax"` go with pretrained weights. Ignored '
        "unless `include_top=True`.",
    ),
    "include_preprocessing": (
        True,
        "whether the model begins with its own input preprocessing, so that it "
        "takes images with values in [0, 255].",
    ),
    "name": (None, "the model's name."),
}

STANDARD = "include_top weights input_tensor input_shape pooling classes"


def application(
    arguments: str = STANDARD + " classifier_activation",
    *,
    name: str | None,
    doc: str | None = None,
    docs: dict[str, str] | None = None,
    **defaults,
) -> Callable:
    """Decorator: a model function with Keras's signature and documented arguments.

    The decorated ``function(args)`` receives the arguments of a call as the
    attributes of one namespace. The function the decorator returns has the
    signature (for ``inspect.signature``, ``help()`` and calls by position)
    ``arguments`` in that order, then ``name``, with Keras's defaults, and a
    docstring with the ``Args:`` and ``Returns:`` sections.

    Args:
        arguments: the argument names before ``name``, separated by spaces.
        name: the default model name.
        doc: the docstring's text before ``Args:`` (the function's own when None).
        docs: the texts of family-specific arguments (``alpha``, ...).
        **defaults: the defaults of family-specific arguments.
    """
    docs = docs or {}
    names = [*arguments.split(), "name"]
    table = {**{k: v[0] for k, v in ARGUMENTS.items()}, **defaults, "name": name}
    signature = inspect.Signature(
        [
            inspect.Parameter(
                n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=table[n]
            )
            for n in names
        ]
    )

    def decorate(function: Callable) -> Callable:
        def build(**arguments):
            return function(SimpleNamespace(**arguments))

        for attribute in ("__module__", "__name__", "__qualname__"):
            setattr(build, attribute, getattr(function, attribute))
        wrapped = keras_signature(signature)(build)
        described = [
            textwrap.fill(
                f"{n}: {docs[n] if n in docs else ARGUMENTS[n][1]}",
                width=80,
                initial_indent="    ",
                subsequent_indent="        ",
            )
            for n in names
        ]
        wrapped.__doc__ = (
            inspect.cleandoc(doc or function.__doc__ or "")
            + "\n\nArgs:\n"
            + "\n".join(described)
            + "\n\nReturns:\n    A `Model` instance.\n"
        )
        return wrapped

    return decorate


# ------------------------------------------------------------ checks and input


def check_weights(weights, include_top, classes) -> None:
    """Keras's two checks of ``weights``: a known value or an existing file, and
    1000 classes for ImageNet's classifier."""
    if not (weights in {"imagenet", None} or os.path.exists(weights)):
        raise ArgumentError(
            "The `weights` argument should be either `None` (random initialization), "
            "'imagenet' (pre-training on ImageNet), or the path to the weights file "
            f"to be loaded.  Received: weights={weights}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ArgumentError(
            "If using `weights='imagenet'` with `include_top=True`, `classes` should "
            f"be 1000.  Received classes={classes}"
        )


def start(args, default_size: int, min_size: int):
    """The checks every family makes (`check_arguments`), then the image input."""
    check_arguments(args, default_size, min_size)
    return image_input(args.input_tensor, args.input_shape)


def check_arguments(args, default_size: int, min_size: int) -> None:
    """`check_weights`, then ``args.input_shape`` becomes the checked shape of
    one image (see `imagenet_utils.obtain_input_shape`)."""
    check_weights(args.weights, args.include_top, args.classes)
    args.input_shape = imagenet_utils.obtain_input_shape(
        args.input_shape,
        default_size=default_size,
        min_size=min_size,
        data_format=image_data_format(),
        require_flatten=args.include_top,
        weights=args.weights,
    )


def channels_last_only(family: str) -> None:
    if image_data_format() == "channels_first":
        raise ArgumentError(
            f"{family} does not support the `channels_first` image data format. "
            "Switch to `channels_last` by editing your local config file at "
            "~/.keras/keras.json"
        )


def image_input(input_tensor, input_shape):
    """The model's image input: a new `Input`, or the given tensor."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def bn_axis() -> int:
    """The channel axis of 4D image batches (3, or 1 for channels_first)."""
    return 1 if image_data_format() == "channels_first" else 3


def channel_axis() -> int:
    """The channel axis counted from the end where Keras writes it so (-1)."""
    return 1 if image_data_format() == "channels_first" else -1


# --------------------------------------------------------------------- the head


def pooling_head(x, pooling, avg_name=None, max_name=None):
    """``include_top=False``: global average or max pooling, or none."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def dense_predictions(x, args, **dense_kwargs):
    """The ``predictions`` Dense layer (``dense_kwargs``: its initializers)."""
    imagenet_utils.validate_activation(args.classifier_activation, args.weights)
    return layers.Dense(
        args.classes,
        activation=args.classifier_activation,
        name="predictions",
        **dense_kwargs,
    )(x)


def classifier(x, args, pool_name="avg_pool"):
    """Global average pooling, then the ``predictions`` Dense layer."""
    x = layers.GlobalAveragePooling2D(name=pool_name)(x)
    return dense_predictions(x, args)


def head(x, args, pool_name="avg_pool", named_pooling=False):
    """`classifier` with ``include_top``, else `pooling_head`, whose layers are
    ``avg_pool``/``max_pool`` when ``named_pooling``."""
    if args.include_top:
        return classifier(x, args, pool_name)
    if named_pooling:
        return pooling_head(x, args.pooling, "avg_pool", "max_pool")
    return pooling_head(x, args.pooling)


# ------------------------------------------------------------------ the weights


def finish(args, img_input, outputs, imagenet_file=None):
    """The model from the input to ``outputs``, with its weights loaded.

    Args:
        args: the call's arguments: with an ``input_tensor``, the model starts
            at the `Input` tensors it comes from.
        img_input: the input the layers were applied to.
        outputs: the model's output.
        imagenet_file: with ``weights="imagenet"``, ``(file name, URL, hash)``
            of Keras's weights file for this model (hash None: no check).
    """
    if args.input_tensor is not None:
        inputs = get_source_inputs(args.input_tensor)
    else:
        inputs = img_input
    model = Functional(inputs, outputs, name=args.name)
    if args.weights == "imagenet":
        file_name, url, file_hash = imagenet_file
        path = get_file(file_name, url, cache_subdir="models", file_hash=file_hash)
        model.load_weights(path)
    elif args.weights is not None:
        model.load_weights(args.weights)
    return model


def weights_file(
    file_name: str, base_url: str, file_hash: str | None = None
) -> tuple[str, str, str | None]:
    """``(file name, URL, hash)`` of a weights file under Keras's ``base_url``."""
    return file_name, base_url + file_name, file_hash


def tf_kernels_file(family: str, base_url: str, hashes, include_top: bool):
    """Keras's ``{family}_weights_tf_dim_ordering_tf_kernels[_notop].h5``."""
    suffix = "" if include_top else "_notop"
    return weights_file(
        f"{family}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
        base_url,
        hashes[0 if include_top else 1],
    )
