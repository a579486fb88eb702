"""ImageNet helpers shared by the applications: input preprocessing, decoding
predictions into class names, and the checks of input shapes and heads.

`preprocess_input(x, mode=...)` has Keras's three modes:

- ``"caffe"``: RGB to BGR, then each channel zero-centred on ImageNet's mean
  pixel (103.939, 116.779, 123.68 in BGR order), without scaling;
- ``"tf"``: pixels scaled to [-1, 1] (``x / 127.5 - 1``);
- ``"torch"``: pixels scaled to [0, 1], then each channel normalised with
  ImageNet's mean (0.485, 0.456, 0.406) and standard deviation (0.229, 0.224,
  0.225).

`decode_predictions` reads Keras's class index, `imagenet_class_index.json`,
from Keras's cache (`~/.keras/models`), downloading it from Keras's address
the first time (`lamina.utils.get_file`).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import torch

from lamina import activations
from lamina.backend import floatx, image_data_format
from lamina.errors import ArgumentError
from lamina.utils.file_utils import get_file

CLASS_INDEX = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/"
    "data/imagenet_class_index.json"
)
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a tensor or NumPy array encoding a batch of images.

    Example:
        >>> x = np.full((1, 2, 2, 3), 255.0, dtype="float32")
        >>> preprocess_input(x, mode="tf")[0, 0, 0]
        array([1., 1., 1.], dtype=float32)

    Args:
        x: a float NumPy array or torch tensor, 3D or 4D with 3 colour
            channels, values in [0, 255]. A float array is preprocessed in
            place where its dtype allows (``numpy.copy(x)`` avoids that); an
            integer array is converted to floatx first.
        data_format: ``"channels_last"`` or ``"channels_first"``; None means
            `lamina.backend.image_data_format()`.
        mode: ``"caffe"``, ``"tf"`` or ``"torch"`` (see the module docstring).
            Defaults to ``"caffe"``.

    Returns:
        The preprocessed array or tensor, float.

    Raises:
        ValueError: for an unknown ``mode`` or ``data_format``.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ArgumentError(
            "Expected mode to be one of `caffe`, `tf` or `torch`. "
            f"Received: mode={mode}"
        )
    if data_format is None:
        data_format = image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ArgumentError(
            "Expected data_format to be one of `channels_first` or "
            f"`channels_last`. Received: data_format={data_format}"
        )
    if isinstance(x, np.ndarray):
        if not issubclass(x.dtype.type, np.floating):
            x = x.astype(floatx(), copy=False)
        return _preprocess(x, data_format, mode, np)
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x, dtype=floatx()))
    elif not x.is_floating_point():
        x = x.to(getattr(torch, floatx()))
    return _preprocess(x, data_format, mode, torch)


def _preprocess(x, data_format: str, mode: str, xp):
    """Keras's arithmetic, in place (``xp`` is numpy or torch)."""
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    channel = -1 if data_format == "channels_last" else x.ndim - 3
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        # RGB -> BGR: a copy, as Keras makes (a reversed view in NumPy).
        x = xp.flip(x, (channel,)) if xp is torch else np.flip(x, channel)
        mean, std = _CAFFE_MEAN, None
    shape = [1] * x.ndim
    shape[channel] = 3
    x -= xp.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x /= xp.asarray(std, dtype=x.dtype).reshape(shape)
    return x


def decode_predictions(preds, top=5):
    """Decodes the predictions of an ImageNet model.

    Example:
        >>> decode_predictions(model.predict(images), top=3)  # doctest: +SKIP
        [[('n02123045', 'tabby', 0.57), ('n02124075', 'Egyptian_cat', 0.21), ...]]

    Args:
        preds: NumPy array (or tensor) of a batch of predictions, shape
            ``(samples, 1000)``.
        top: how many top guesses to return per sample. Defaults to 5.

    Returns:
        One list per sample of ``(class_name, class_description, score)``
        tuples, best first.

    Raises:
        ValueError: if ``preds`` is not of shape ``(samples, 1000)``.
    """
    global CLASS_INDEX
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ArgumentError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D array "
            f"of shape (samples, 1000)). Received array with shape: {preds.shape}"
        )
    if CLASS_INDEX is None:
        path = get_file(
            CLASS_INDEX_FILE,
            CLASS_INDEX_PATH,
            cache_subdir="models",
            file_hash=CLASS_INDEX_HASH,
        )
        with open(path, encoding="utf-8") as f:
            CLASS_INDEX = json.load(f)
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().cpu().numpy()
    results = []
    for pred in np.asarray(preds):
        best = pred.argsort()[-top:][::-1]
        row = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        row.sort(key=lambda entry: entry[2], reverse=True)
        results.append(row)
    return results


def preprocessor(mode: str | None, module: str):
    """A family's ``preprocess_input(x, data_format=None)``: ``mode``'s
    preprocessing, or none (the model rescales its inputs itself)."""
    if mode is None:

        def family_preprocess(x, data_format=None):
            return x

        family_preprocess.__doc__ = _PLACEHOLDER_DOC
    else:

        def family_preprocess(x, data_format=None):
            return preprocess_input(x, data_format=data_format, mode=mode)

        family_preprocess.__doc__ = _FAMILY_DOC.format(mode=mode)
    family_preprocess.__module__ = module
    family_preprocess.__name__ = family_preprocess.__qualname__ = "preprocess_input"
    return family_preprocess


_FAMILY_DOC = """Preprocesses a batch of images as this family's ImageNet weights expect.

    Mode ``{mode!r}`` of `lamina.applications.imagenet_utils.preprocess_input`.

    Args:
        x: a NumPy array or tensor of images, 3D or 4D, values in [0, 255].
        data_format: ``"channels_last"`` or ``"channels_first"``; None means
            `lamina.backend.image_data_format()`.

    Returns:
        The preprocessed images, float.
    """

_PLACEHOLDER_DOC = """A placeholder: this family's models preprocess their inputs themselves.

    Returns ``x`` unchanged, as Keras's does; pass images with values in
    [0, 255] to the model.

    Args:
        x: a batch of images.
        data_format: ignored (Keras's argument).

    Returns:
        ``x``.
    """


# ------------------------------------------------- checks the applications share


def obtain_input_shape(
    input_shape, default_size, min_size, data_format, require_flatten, weights=None
):
    """The model's input shape: ``input_shape`` checked, or the default.

    Args:
        input_shape: None, or the user's shape of one image (3 entries).
        default_size: the architecture's default width and height.
        min_size: the smallest width and height it accepts.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        require_flatten: whether a classifier head follows (then the shape
            must be static, and ImageNet weights need the default size).
        weights: the ``weights`` argument (ImageNet weights need 3 channels).

    Raises:
        ValueError: for a shape the architecture cannot take.
    """
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, it was "
                f"passed an input_shape with {channels} input channels.",
                stacklevel=4,
            )
        default_shape = (
            (input_shape[0], default_size, default_size)
            if first
            else (default_size, default_size, input_shape[-1])
        )
    else:
        default_shape = (
            (3, default_size, default_size)
            if first
            else (default_size, default_size, 3)
        )
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ArgumentError(
                "When setting `include_top=True` and loading `imagenet` weights, "
                f"`input_shape` should be {default_shape}.  Received: "
                f"input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ArgumentError("`input_shape` must be a tuple of three integers.")
        channels = input_shape[0] if first else input_shape[-1]
        if channels != 3 and weights == "imagenet":
            raise ArgumentError(
                f"The input must have 3 channels; Received `input_shape={input_shape}`"
            )
        sizes = input_shape[1:] if first else input_shape[:2]
        if any(size is not None and size < min_size for size in sizes):
            raise ArgumentError(
                f"Input size must be at least {min_size}x{min_size}; Received: "
                f"input_shape={input_shape}"
            )
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ArgumentError(
            "If `include_top` is True, you should specify a static `input_shape`. "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def correct_pad(inputs, kernel_size):
    """The zero padding before a strided convolution, as TensorFlow's "same" pads.

    Args:
        inputs: the (symbolic) tensor to pad.
        kernel_size: the convolution's kernel size, an int or two.

    Returns:
        ``((top, bottom), (left, right))``.
    """
    first = 2 if image_data_format() == "channels_first" else 1
    size = inputs.shape[first : first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return (correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1])


def validate_activation(classifier_activation, weights):
    """Pretrained weights allow only a softmax or linear (None) classifier.

    Raises:
        ValueError: for another activation with ``weights`` not None.
    """
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ArgumentError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights, with "
            f"`include_top=True`; Received: classifier_activation={activation}"
        )
