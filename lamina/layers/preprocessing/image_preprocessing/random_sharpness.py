"""RandomSharpness: sharpen or blur images by a random amount during training."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseRandomAdjustment,
    factor_range,
    image_constructor,
)

# The smoothing kernel images are blended with (PIL's ImageFilter.SMOOTH).
_SMOOTH = torch.tensor([[1.0, 1.0, 1.0], [1.0, 5.0, 1.0], [1.0, 1.0, 1.0]]) / 13.0


class RandomSharpness(BaseRandomAdjustment):
    """Sharpens or softens each image by a random amount during training.

    Each image draws ``f`` from ``factor`` and becomes ``s + 2f * (x - s)``,
    where ``s`` is the image smoothed by a 3x3 kernel (zero padding): 0.5
    keeps the image, 0 blurs it, 1 doubles its edges. The result is clipped
    to ``value_range``. Outside training the layer returns its input (as
    float).

    Example:
        >>> layer = lamina.layers.RandomSharpness((0.5, 0.5))
        >>> x = torch.rand(2, 8, 8, 3) * 255
        >>> bool(torch.allclose(layer(x, training=True), x, atol=1e-4))
        True

    Args:
        factor: a number ``f`` in ``[0, 1]`` for draws in ``[0, f]``, or a
            pair ``(lower, upper)``.
        {image_args}
    """

    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor("factor value_range data_format seed")

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomSharpness", "factor", args.factor, (0, 1))

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"factor": (batch,)}``."""
        images, batch = self._images_of(data)
        return {"factor": self._uniform((batch,), *self.factor, images.device, seed)}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training:
            return images
        nchw, _ = self._to_nchw(images)
        channels = nchw.shape[1]
        kernel = _SMOOTH.to(nchw.device, nchw.dtype).expand(channels, 1, 3, 3)
        smoothed = F.conv2d(nchw, kernel, padding=1, groups=channels)
        sharpness = (transformation["factor"] * 2).to(nchw.dtype).view(-1, 1, 1, 1)
        nchw = nchw + (1.0 - sharpness) * (smoothed - nchw)
        nchw = nchw.clamp(self.value_range[0], self.value_range[1])
        return self._from_nchw(nchw, False)
