"""RandomCrop: crop images at a random place during training."""

from __future__ import annotations

import random

from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    BaseImagePreprocessingLayer,
)
from lamina.layers.preprocessing.image_preprocessing.resizing import check_size


class RandomCrop(BaseImagePreprocessingLayer):
    """Crops a random ``(height, width)`` window out of the images in training.

    In training every image of a batch is cropped at the same random offset
    (as in Keras). At inference, and in training when an image is not larger
    than the target in both dimensions, the largest centred window with the
    target aspect ratio is cut out and resized (bilinear) to the target size,
    so the output size never depends on ``training``. (Keras 3.15 returns the
    input unchanged at inference, contradicting its own output shape; lamina
    does what Keras documents.) The output is float.

    Example:
        >>> layer = lamina.layers.RandomCrop(24, 24, seed=1)
        >>> layer(torch.rand(2, 32, 32, 3), training=True).shape
        torch.Size([2, 24, 24, 3])

    Args:
        height: output height, a positive integer.
        width: output width, a positive integer.
        seed: an int for reproducible crops (a random one by default, as Keras).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, height, width, channels)`` (channels_last) or
        ``(batch, channels, height, width)``, or one unbatched image.

    Output shape:
        The same with the height and width replaced.
    """

    # A training call crops at random; any other cuts out the centre.
    _TRANSFORMS_AT_INFERENCE = True

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_size(type(self).__name__, height, width)
        self.height = height
        self.width = width
        # Keras stores a seed drawn from Python's generator, so a saved layer
        # crops alike after loading.
        self._init_seed(seed if seed is not None else random.randint(1, 10**9))

    def get_random_transformation(self, data, training=True, seed=None):
        """``(top, left)`` of the window, or None for the centred resize."""
        height_axis, width_axis = self._spatial_axes(data.dim())
        in_height, in_width = data.shape[height_axis], data.shape[width_axis]
        if not (training and in_height > self.height and in_width > self.width):
            return None
        # Keras's draws (a uniform offset, truncated), read on the host: slicing
        # needs Python ints.
        top = self._uniform((), 0.0, float(in_height - self.height + 1), "cpu", seed)
        left = self._uniform((), 0.0, float(in_width - self.width + 1), "cpu", seed)
        return int(top), int(left)

    def transform_images(self, images, transformation, training=True):
        images, unbatched = self._to_nchw(images)
        if transformation is None:
            images = image_transforms.resize(
                images, (self.height, self.width), crop_to_aspect_ratio=True
            )
        else:
            top, left = transformation
            images = images[..., top : top + self.height, left : left + self.width]
        return self._from_nchw(images, unbatched)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Masks are cut (or resized) as their images are."""
        return self.transform_images(masks, transformation, training)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        height_axis, width_axis = self._spatial_axes(len(shape))
        shape[height_axis], shape[width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
