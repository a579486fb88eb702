"""The base of the image preprocessing layers: data_format, ranks, seeds, draws."""

from __future__ import annotations

import torch

from lamina import backend, random
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.random import SeedGenerator
from lamina.signatures import keras_constructor


def standardize_data_format(data_format, layer_name: str) -> str:
    """``data_format`` or lamina's default, checked."""
    if data_format is None:
        return backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            f"{layer_name}: the `data_format` argument must be one of "
            f"'channels_last', 'channels_first'. Received: data_format={data_format!r}"
        )
    return data_format


class BaseImagePreprocessingLayer(Layer):
    """Shared machinery of the image layers (not used directly).

    Images are rank 4 ``(batch, height, width, channels)`` (or
    ``(batch, channels, height, width)`` with ``data_format="channels_first"``),
    or rank 3 for a single image. A layer may also take Keras's dict
    ``{"images": ..., "labels": ..., "segmentation_masks": ...}``: every entry
    gets the same random transformation (what a mixing layer does to labels,
    a geometric one to masks).

    Random layers follow Keras's split: `get_random_transformation` draws the
    parameters (a dict with Keras's keys), `transform_images` (and
    `transform_labels`, `transform_segmentation_masks`) apply them to a batch.
    They change their input only in training: a direct call (``training``
    defaults to True, as in Keras) and ``fit``; ``predict``, ``evaluate`` and
    ``training=False`` return it (as float). Draws advance the
    layer's `SeedGenerator` (``generator``), seeded with ``seed`` (from
    Python's `random` when None, which `lamina.utils.set_random_seed` seeds),
    in Keras's order: on the CPU a seeded layer draws Keras's numbers.
    """

    # Layers that transform outside training too (AutoContrast, CLAHE,
    # RandomCrop); their `get_random_transformation` sees the `training` flag.
    _TRANSFORMS_AT_INFERENCE = False
    # Layers that change colours only: masks and bounding boxes pass unchanged.
    _COLOR_ONLY = False
    # Layers that read three channels as red, green and blue.
    _RGB_ONLY = False
    # The layer's own config entries, each the attribute of that name.
    _CONFIG_KEYS: tuple[str, ...] = ()

    def __init__(self, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, type(self).__name__)
        self.bounding_box_format = bounding_box_format

    def _init(self, args, **kwargs) -> None:
        """The base of a layer whose ``__init__`` comes from `image_constructor`:
        ``data_format``, ``seed`` and ``value_range`` where the layer takes them."""
        data_format = getattr(args, "data_format", kwargs.pop("data_format", None))
        BaseImagePreprocessingLayer.__init__(self, data_format=data_format, **kwargs)
        if hasattr(args, "seed"):
            self._init_seed(args.seed)
        if hasattr(args, "value_range"):
            self.value_range = check_value_range(type(self).__name__, args.value_range)

    # ------------------------------------------------------------ shapes
    def build(self, input_shape) -> None:
        if isinstance(input_shape, dict):
            _check_dict_keys(self, input_shape)
            input_shape = input_shape["images"]
        self._check_rank(input_shape)
        channels = input_shape[self._channel_axis(len(input_shape))]
        if self._RGB_ONLY and channels is not None and channels != 3:
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expects RGB images (3 "
                f"channels), received shape {tuple(input_shape)}"
            )
        self.built = True

    def _check_rank(self, shape) -> None:
        if len(shape) not in (3, 4):
            layout = (
                "(batch, height, width, channels)"
                if self.data_format == "channels_last"
                else "(batch, channels, height, width)"
            )
            raise ShapeError(
                f"{type(self).__name__} '{self.name}' expects a 4-D input {layout} "
                f"or a 3-D single image, received shape {tuple(shape)}"
            )

    def _spatial_axes(self, ndim: int) -> tuple[int, int]:
        offset = 1 if self.data_format == "channels_first" else 0
        return ndim - 3 + offset, ndim - 2 + offset

    def _channel_axis(self, ndim: int) -> int:
        return ndim - 3 if self.data_format == "channels_first" else ndim - 1

    def _images_of(self, data) -> tuple[torch.Tensor, int]:
        """The images of `get_random_transformation`'s ``data`` (a tensor or
        Keras's dict), and their batch size (1 for one image)."""
        images = data["images"] if isinstance(data, dict) else data
        return images, images.shape[0] if images.dim() == 4 else 1

    def _image_size(self, data) -> tuple[int, int, int]:
        """``(batch, height, width)`` of `get_random_transformation`'s ``data``."""
        images, batch = self._images_of(data)
        height_axis, width_axis = self._spatial_axes(images.dim())
        return batch, images.shape[height_axis], images.shape[width_axis]

    def _to_nchw(self, images: torch.Tensor) -> tuple[torch.Tensor, bool]:
        self._check_rank(images.shape)
        unbatched = images.dim() == 3
        if unbatched:
            images = images.unsqueeze(0)
        if self.data_format == "channels_last":
            images = images.permute(0, 3, 1, 2)
        return images, unbatched

    def _from_nchw(self, images: torch.Tensor, unbatched: bool) -> torch.Tensor:
        if self.data_format == "channels_last":
            images = images.permute(0, 2, 3, 1)
        return images.squeeze(0) if unbatched else images

    def _as_float(self, images: torch.Tensor) -> torch.Tensor:
        if images.dtype != self._compute_dtype:
            images = images.to(self._compute_dtype)
        return images

    def _transform_value_range(self, images, original, target) -> torch.Tensor:
        """``images`` mapped linearly from the ``original`` to the ``target`` range."""
        if tuple(original) == tuple(target):
            return images
        images = self._as_float(images)
        scaled = (images - float(original[0])) / (float(original[1]) - original[0])
        return scaled * (float(target[1]) - target[0]) + float(target[0])

    # ------------------------------------------------------------ randomness
    def _init_seed(self, seed) -> None:
        """Keras's ``seed`` (for the config) and ``generator`` (for the draws)."""
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _draw(self, distribution, *args, device, seed=None, **kwargs):
        """``distribution(*args, seed=...)`` from `lamina.random`, on ``device``.

        ``seed`` is what a caller of `get_random_transformation` passed (the
        generator of a layer that runs this one: RandAugment, AugMix); the
        layer's own generator by default.
        """
        seed = self.generator if seed is None else seed
        return distribution(*args, seed=seed, **kwargs).to(device)

    def _uniform(
        self, shape, low: float, high: float, device, seed=None
    ) -> torch.Tensor:
        """Uniform draws in ``[low, high)`` as float32 on ``device``."""
        return self._draw(random.uniform, shape, low, high, device=device, seed=seed)

    def _coin_flips(self, batch: int, device, seed=None) -> torch.Tensor:
        """Which images a layer with a probability ``factor`` changes: Keras's
        draws, a probability from ``factor`` then a threshold below it."""
        probability = self._uniform((batch,), *self.factor, device, seed)
        threshold = self._uniform((batch,), 0.0, 1.0, device, seed)
        return threshold < probability

    def _random_boxes(self, data, ratios: torch.Tensor, seed=None):
        """Keras's random boxes (CutMix, RandomErasing): in each image a box
        ``ratios[:, 0]`` of the width by ``ratios[:, 1]`` of the height, at a
        random place (x drawn first, then y).

        Returns:
            The boxes as a bool mask broadcastable to the images, and the
            part of each image they cover, ``(batch,)``.
        """
        images, batch = self._images_of(data)
        _, height, width = self._image_size(data)
        corners = []
        for length, ratio in ((width, ratios[:, 0]), (height, ratios[:, 1])):
            size = ratio * length
            start = self._uniform((batch,), 0.0, 1.0, images.device, seed)
            start = start * (length - size)
            corners += [start.view(-1, 1, 1), (start + size).view(-1, 1, 1)]
        x0, x1, y0, y1 = corners
        rows = torch.arange(height, dtype=x0.dtype, device=x0.device).view(-1, 1)
        cols = torch.arange(width, dtype=x0.dtype, device=x0.device)
        masks = (cols >= x0) & (cols < x1) & (rows >= y0) & (rows < y1)
        covered = (x1 - x0) * (y1 - y0) / (width * height)
        return masks.unsqueeze(self._channel_axis(4)), covered.view(-1)

    # ------------------------------------------------------------ calling
    def call(self, inputs, training=True):
        # Keras's default: a direct call augments; fit passes training=True and
        # predict/evaluate pass False, so a model augments only while training.
        if isinstance(inputs, dict):
            return self._call_on_dict(inputs, training)
        images = self._as_float(inputs)
        if not (training or self._TRANSFORMS_AT_INFERENCE):
            return images
        self._check_rank(images.shape)
        # As in Keras: the draws see the input as it is (one image draws for a
        # batch of one), the transformation runs on a batch.
        transformation = self.get_random_transformation(images, training=bool(training))
        if images.dim() == 4:
            return self.transform_images(images, transformation, training=True)
        outputs = self.transform_images(images[None], transformation, training=True)
        return outputs.squeeze(0)

    def _call_on_dict(self, data: dict, training) -> dict:
        """Keras's dict inputs: one transformation for images, labels, masks."""
        _check_dict_keys(self, data)
        if "bounding_boxes" in data and not self.bounding_box_format:
            raise ArgumentError(
                f"{type(self).__name__}: the input has 'bounding_boxes' but the "
                "layer has no `bounding_box_format` (e.g. "
                "`bounding_box_format='xyxy'`)."
            )
        data = dict(data)
        data["images"] = self._as_float(data["images"])
        self._check_rank(data["images"].shape)
        unbatched = data["images"].dim() == 3
        if training or self._TRANSFORMS_AT_INFERENCE:
            transformation = self.get_random_transformation(
                data["images"], training=bool(training)
            )
            if unbatched:
                data = {key: _add_batch_axis(value) for key, value in data.items()}
            for key, method in _DICT_TRANSFORMS.items():
                if key in data:
                    data[key] = getattr(self, method)(
                        data[key], transformation, training=True
                    )
            if unbatched:
                data = {key: _drop_batch_axis(value) for key, value in data.items()}
        return data

    def get_random_transformation(self, data, training=True, seed=None):
        """The random parameters for one call on ``data`` (None when not training)."""
        return None

    def transform_images(self, images, transformation, training=True):
        """Apply a transformation from `get_random_transformation` to ``images``."""
        return images

    def transform_labels(self, labels, transformation, training=True):
        """Labels under a transformation: unchanged, but for the mixing layers."""
        return labels

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Segmentation masks under a transformation (unchanged by colour layers)."""
        if self._COLOR_ONLY:
            return masks
        raise ArgumentError(
            f"{type(self).__name__} does not transform 'segmentation_masks' in "
            "lamina yet."
        )

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        """Bounding boxes under a transformation (unchanged by colour layers)."""
        if self._COLOR_ONLY:
            return bounding_boxes
        raise ArgumentError(
            f"{type(self).__name__} does not transform 'bounding_boxes' in lamina yet."
        )

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict):
            return dict(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({key: getattr(self, key) for key in self._CONFIG_KEYS})
        return config


# What `call` does with each entry of a dict input.
_DICT_TRANSFORMS = {
    "images": "transform_images",
    "labels": "transform_labels",
    "segmentation_masks": "transform_segmentation_masks",
    "bounding_boxes": "transform_bounding_boxes",
}


def _check_dict_keys(layer, data: dict) -> None:
    if "images" not in data or set(data) - set(_DICT_TRANSFORMS):
        raise ArgumentError(
            f"{type(layer).__name__}: a dict input has the keys 'images' and "
            "optionally 'labels', 'segmentation_masks', 'bounding_boxes'. "
            f"Received keys: {sorted(data)}"
        )


def _add_batch_axis(value):
    if isinstance(value, dict):  # bounding boxes: {"boxes": ..., "labels": ...}
        return {key: _add_batch_axis(item) for key, item in value.items()}
    return torch.as_tensor(value).unsqueeze(0)


def _drop_batch_axis(value):
    if isinstance(value, dict):
        return {key: _drop_batch_axis(item) for key, item in value.items()}
    return value.squeeze(0)


def mix_pairs(values: torch.Tensor, transformation: dict) -> torch.Tensor:
    """``w * values + (1 - w) * values[order]``, one weight per example: how
    MixUp and CutMix mix labels (and MixUp images), with the transformation's
    ``mix_weight`` and ``permutation_order``."""
    weight = transformation["mix_weight"].to(values.dtype)
    weight = weight.view(-1, *[1] * (values.dim() - 1))
    others = values[transformation["permutation_order"].long()]
    return weight * values + (1.0 - weight) * others


def check_value_range(layer_name: str, value_range) -> list:
    """``value_range`` as a sorted ``[min, max]`` list, or an ArgumentError."""
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or not all(_is_number(v) for v in value_range)
    ):
        raise ArgumentError(
            f"{layer_name}: the `value_range` argument should be a list of two "
            f"numbers. Received: value_range={value_range!r}"
        )
    return sorted(value_range)


# The arguments most image layers share, with Keras's defaults.
IMAGE_DEFAULTS = {"value_range": (0, 255), "seed": None, "data_format": None}


def image_constructor(names: str, **defaults):
    """The ``__init__`` of an image layer whose ``_init`` reads its arguments.

    Args:
        names: the layer's arguments in Keras's order, separated by white
            space; ``value_range``, ``seed`` and ``data_format`` default as in
            `IMAGE_DEFAULTS`.
        **defaults: the defaults of the layer's other arguments (an argument
            without one is required).
    """
    return keras_constructor(names, {**IMAGE_DEFAULTS, **defaults})


def factor_range(
    layer_name: str, argument: str, factor, bounds=(-1, 1)
) -> tuple[float, float]:
    """``(lower, upper)`` from a number or a pair, as Keras reads ``factor``.

    A number ``f`` means ``(-f, f)`` with the lower end clipped to ``bounds``;
    a pair is sorted. Values outside ``bounds`` raise an ArgumentError.
    """
    message = (
        f"{layer_name}: the `{argument}` argument should be a number (or a list of "
        f"two numbers) in the range [{bounds[0]}, {bounds[1]}]. Received: "
        f"{argument}={factor!r}"
    )
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(_is_number(f) for f in factor):
            raise ArgumentError(message)
        if any(f < bounds[0] or f > bounds[1] for f in factor):
            raise ArgumentError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if not _is_number(factor) or factor < bounds[0] or factor > bounds[1]:
        raise ArgumentError(message)
    factor = abs(factor)
    return max(-factor, bounds[0]), factor


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# The random affine layers' arguments after their factors, with Keras's defaults.
AFFINE_DEFAULTS = {
    "fill_mode": "reflect",
    "interpolation": "bilinear",
    "seed": None,
    "fill_value": 0.0,
    "data_format": None,
}
# The shapes section of a random layer that keeps the image size: a
# docstring's ``{shapes}``.
SAME_SHAPE_DOC = """Input shape:
        ``(batch, height, width, channels)`` (channels_last) or
        ``(batch, channels, height, width)``, or one unbatched image.

    Output shape:
        Same as the input."""
# The arguments most image layers share, and their shapes: a docstring's
# ``{image_args}``.
IMAGE_ARGS_DOC = f"""value_range: the ``(min, max)`` range of the pixel values
            (default ``(0, 255)``).
        seed: an int for reproducible draws.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {SAME_SHAPE_DOC}"""
# The random affine layers' shared arguments and their shapes: a docstring's
# ``{affine_args}``.
AFFINE_ARGS_DOC = f"""fill_mode: ``"reflect"`` (default, ``dcba|abcd|dcba``), ``"wrap"``
            (``abcd|abcd``), ``"nearest"`` (``aaaa|abcd``) or ``"constant"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: an int for reproducible draws.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {SAME_SHAPE_DOC}"""


def affine_constructor(factors: str, **defaults):
    """The ``__init__`` of a random affine layer (see `keras_constructor`).

    Args:
        factors: the layer's own arguments, separated by white space; the
            shared ones (`AFFINE_DEFAULTS`) follow.
        **defaults: the defaults of the layer's own arguments that have one.
    """
    names = f"{factors} {' '.join(AFFINE_DEFAULTS)}"
    return keras_constructor(names, {**AFFINE_DEFAULTS, **defaults})


class BaseAffineLayer(BaseImagePreprocessingLayer):
    """Shared by RandomRotation, RandomZoom and RandomTranslation: warp each image
    by a drawn affine transform, filling uncovered pixels as ``fill_mode`` says.

    A subclass's ``__init__`` comes from `affine_constructor`; its ``_init``
    calls this one, then reads its factors from ``args``.
    """

    def _init(self, args, **kwargs) -> None:
        super().__init__(data_format=args.data_format, **kwargs)
        name = type(self).__name__
        image_transforms.validate_choice(
            name, "fill_mode", args.fill_mode, image_transforms.AFFINE_FILL_MODES
        )
        image_transforms.validate_choice(
            name,
            "interpolation",
            args.interpolation,
            image_transforms.AFFINE_INTERPOLATIONS,
        )
        self.fill_mode = args.fill_mode
        self.interpolation = args.interpolation
        self._init_seed(args.seed)
        self.fill_value = args.fill_value

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return self._as_float(images)
        return self._warp(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Masks move with the images, sampled at the nearest pixel."""
        if not training or transformation is None:
            return masks
        return self._warp(masks, transformation, "nearest")

    def _matrix(self, transformation, images: torch.Tensor) -> torch.Tensor:
        """The ``(batch, 8)`` transforms of `image_transforms.affine_transform`."""
        raise NotImplementedError

    def _warp(self, images: torch.Tensor, transformation, interpolation: str):
        matrix = self._matrix(transformation, images).reshape(-1, 8)
        images, unbatched = self._to_nchw(self._as_float(images))
        warped = image_transforms.affine_transform(
            images, matrix, interpolation, self.fill_mode, self.fill_value
        )
        return self._from_nchw(warped, unbatched)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "fill_mode": self.fill_mode,
                "interpolation": self.interpolation,
                "seed": self.seed,
                "fill_value": self.fill_value,
            }
        )
        return config


class BaseRandomAdjustment(BaseImagePreprocessingLayer):
    """Shared by the colour layers that draw one ``factor`` per image
    (RandomBrightness, RandomContrast, RandomColorDegeneration, RandomHue,
    RandomSaturation, RandomSharpness, RandomPosterization): their config is
    ``factor``, ``value_range`` and ``seed``.

    A subclass's ``__init__`` (or ``_init``, with `image_constructor`) checks
    and stores ``factor`` and ``value_range`` after calling this one's.
    """

    _COLOR_ONLY = True
    _CONFIG_KEYS = ("factor", "value_range", "seed")

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._init_seed(seed)
