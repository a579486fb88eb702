"""The base of the image preprocessing layers: data_format, ranks, seeds, draws."""

from __future__ import annotations

import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing.image_preprocessing import image_transforms
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
    or rank 3 for a single image. A subclass computes on NCHW tensors through
    `_to_nchw` / `_from_nchw`, which are views for either data format.

    Random layers follow Keras's split: `get_random_transformation` draws the
    parameters (a dict with Keras's keys), `transform_images` applies them. They
    change their input only when called with ``training=True`` (``fit`` does;
    ``predict``, ``evaluate`` and a plain call do not), and then draw from a
    private generator seeded with ``seed`` when one is given, from torch's
    global generator (see `lamina.utils.set_random_seed`) otherwise.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, type(self).__name__)
        self._generator = None

    # ------------------------------------------------------------ shapes
    def build(self, input_shape) -> None:
        self._check_rank(input_shape)
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

    # ------------------------------------------------------------ randomness
    def _generator_for(self, device: torch.device) -> torch.Generator | None:
        seed = getattr(self, "seed", None)
        if seed is None:
            return None
        if self._generator is None or self._generator.device != device:
            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(int(seed))
        return self._generator

    def _uniform(self, shape, low: float, high: float, device) -> torch.Tensor:
        """Uniform draws in ``[low, high)`` as float32 on ``device``."""
        device = torch.device(device)
        draws = torch.rand(shape, generator=self._generator_for(device), device=device)
        return draws * (high - low) + low

    # ------------------------------------------------------------ calling
    def call(self, inputs, training=True):
        # Keras's default: a direct call augments; fit passes training=True and
        # predict/evaluate pass False, so a model augments only while training.
        inputs = self._as_float(inputs)
        if not training:
            return inputs
        transformation = self.get_random_transformation(inputs, training=True)
        return self.transform_images(inputs, transformation, training=True)

    def get_random_transformation(self, data, training=True, seed=None):
        """The random parameters for one call on ``data`` (None when not training)."""
        return None

    def transform_images(self, images, transformation, training=True):
        """Apply a transformation from `get_random_transformation` to ``images``."""
        return images

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


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
        self.seed = args.seed
        self.fill_value = args.fill_value

    def _image_size(self, images: torch.Tensor) -> tuple[int, int, int]:
        """``(batch, height, width)`` of a rank 3 or 4 image tensor."""
        height_axis, width_axis = self._spatial_axes(images.dim())
        batch = images.shape[0] if images.dim() == 4 else 1
        return batch, images.shape[height_axis], images.shape[width_axis]

    def _warp(self, images: torch.Tensor, transform: torch.Tensor) -> torch.Tensor:
        images, unbatched = self._to_nchw(self._as_float(images))
        warped = image_transforms.affine_transform(
            images,
            transform.reshape(-1, 8),
            self.interpolation,
            self.fill_mode,
            self.fill_value,
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
    """Shared by RandomBrightness and RandomContrast: one random number per
    image changes its pixel values, which are then clipped to ``value_range``.

    A subclass's ``__init__`` checks and stores ``factor`` and ``value_range``
    (as ``(min, max)``) after calling this one.
    """

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = seed

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"factor": self.factor, "value_range": self.value_range, "seed": self.seed}
        )
        return config
