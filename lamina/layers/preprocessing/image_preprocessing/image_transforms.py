"""Image geometry on NCHW tensors: resizing and affine warps, as Keras computes them.

These are the arithmetic behind the image preprocessing layers. They take and
return ``(batch, channels, height, width)`` tensors; the layers move their
``data_format`` to and from that layout (a view for channels_first).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.errors import ArgumentError

# Keras's names for torch's resize modes; "nearest-exact" is what Keras's torch
# backend uses for "nearest" (pixel centres, like TensorFlow's half_pixel_centers).
RESIZE_MODES = {
    "bilinear": "bilinear",
    "nearest": "nearest-exact",
    "bicubic": "bicubic",
}
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def resize(
    images: torch.Tensor,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_value: float = 0.0,
) -> torch.Tensor:
    """Resize NCHW float ``images`` to ``size`` = (height, width).

    With ``crop_to_aspect_ratio`` the largest centred window of the target aspect
    ratio is cut out first; with ``pad_to_aspect_ratio`` the image is centred on
    a ``fill_value`` canvas of that aspect ratio first. Sizes are rounded as
    Keras rounds them (``int(width * target_height / target_width)``).
    """
    height, width = images.shape[-2], images.shape[-1]
    target_height, target_width = size
    if crop_to_aspect_ratio:
        crop_height = max(min(height, int(width * target_height / target_width)), 1)
        crop_width = max(min(width, int(height * target_width / target_height)), 1)
        top = int((height - crop_height) / 2)
        left = int((width - crop_width) / 2)
        images = images[..., top : top + crop_height, left : left + crop_width]
    elif pad_to_aspect_ratio:
        pad_height = max(height, int(width * target_height / target_width))
        pad_width = max(width, int(height * target_width / target_height))
        top = int((pad_height - height) / 2)
        left = int((pad_width - width) / 2)
        if top > 0 or left > 0:
            images = F.pad(images, (left, left, top, top), value=float(fill_value))
    if tuple(images.shape[-2:]) == (target_height, target_width) and not antialias:
        return images
    mode = RESIZE_MODES[interpolation]
    return F.interpolate(
        images,
        size=(target_height, target_width),
        mode=mode,
        align_corners=False if mode in ("bilinear", "bicubic") else None,
        antialias=antialias and mode in ("bilinear", "bicubic"),
    )


def rotation_matrix(
    angle_degrees: torch.Tensor, height: int, width: int
) -> torch.Tensor:
    """Keras's 8-parameter transforms rotating each image about its centre.

    Output pixel ``(x, y)`` samples input ``(a0*x + a1*y + a2, b0*x + b1*y + b2)``.
    """
    angle = angle_degrees * torch.tensor(torch.pi / 180.0, dtype=angle_degrees.dtype)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = torch.zeros_like(angle)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)


def affine_transform(
    images: torch.Tensor,
    transform: torch.Tensor,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
) -> torch.Tensor:
    """Warp NCHW ``images`` by per-image affine ``transform`` rows.

    Each row ``(a0, a1, a2, b0, b1, b2, c0, c1)`` (Keras's 8-parameter form;
    the projective ``c0, c1`` must be 0 here) maps output pixel ``(x, y)`` to
    the input point ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``, which is sampled
    with ``interpolation``. Points outside the image are filled as
    ``fill_mode`` says: ``reflect`` (``dcba|abcd|dcba``), ``wrap``
    (``abcd|abcd``), ``nearest`` (``aaaa|abcd``) or ``constant``
    (``fill_value``), with Keras's integer-index rules, so results equal
    Keras's. Costs one gather per neighbour; index arithmetic runs on
    ``(batch, height, width)`` only, never per channel.
    """
    batch, channels, height, width = images.shape
    dtype = transform.dtype
    rows = torch.arange(height, dtype=dtype, device=images.device).view(1, height, 1)
    cols = torch.arange(width, dtype=dtype, device=images.device).view(1, 1, width)
    a0, a1, a2, b0, b1, b2 = (
        transform.to(images.device)[:, :6].reshape(batch, 6, 1, 1).unbind(1)
    )
    src_cols = a0 * cols + a1 * rows + a2
    src_rows = b0 * cols + b1 * rows + b2

    flat = images.reshape(batch, channels, height * width)
    if fill_mode == "constant":
        # One extra pixel holding fill_value: out-of-image samples point at it.
        fill = torch.full(
            (batch, channels, 1),
            float(fill_value),
            dtype=images.dtype,
            device=images.device,
        )
        flat = torch.cat([flat, fill], dim=2)

    def fixed(index: torch.Tensor, size: int):
        """In-image indices (integral floats), and where the originals were."""
        valid = (index >= 0) & (index < size) if fill_mode == "constant" else None
        return _fix_index(index, size, fill_mode), valid

    def sample(row, col) -> torch.Tensor:
        (row_index, row_valid), (col_index, col_valid) = row, col
        index = row_index * width + col_index
        if row_valid is not None:
            index = torch.where(row_valid & col_valid, index, height * width)
        index = index.long().view(batch, 1, height * width)
        values = flat.gather(2, index.expand(batch, channels, height * width))
        return values.view(batch, channels, height, width)

    if interpolation == "nearest":
        return sample(
            fixed(torch.round(src_rows), height), fixed(torch.round(src_cols), width)
        )
    row0 = torch.floor(src_rows)
    col0 = torch.floor(src_cols)
    row_w1 = (src_rows - row0).unsqueeze(1)
    col_w1 = (src_cols - col0).unsqueeze(1)
    row_w0, col_w0 = 1 - row_w1, 1 - col_w1
    r0, r1 = fixed(row0, height), fixed(row0 + 1, height)
    c0, c1 = fixed(col0, width), fixed(col0 + 1, width)
    # Keras's sum order (top-left, top-right, bottom-left, bottom-right), so
    # results agree to the last bit or two.
    out = row_w0 * col_w0 * sample(r0, c0)
    out = out + row_w0 * col_w1 * sample(r0, c1)
    out = out + row_w1 * col_w0 * sample(r1, c0)
    out = out + row_w1 * col_w1 * sample(r1, c1)
    return out.to(images.dtype)


def _fix_index(index: torch.Tensor, size: int, fill_mode: str) -> torch.Tensor:
    """Map out-of-range integral indices back into ``[0, size)``."""
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "reflect":
        # Half-sample symmetric: ... 1 0 | 0 1 ... n-1 | n-1 n-2 ...
        folded = torch.remainder(index, 2 * size)
        return torch.where(folded < size, folded, 2 * size - 1 - folded)
    return index.clamp(0, size - 1)  # "nearest", and "constant" before masking


def validate_choice(layer_name: str, argument: str, value, allowed) -> None:
    """Raise an ArgumentError naming the layer if ``value`` is not allowed."""
    if value not in allowed:
        raise ArgumentError(
            f"{layer_name}: invalid value for argument `{argument}`. Expected one "
            f"of {tuple(allowed)}. Received: {argument}={value!r}"
        )
