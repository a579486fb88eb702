"""Parity cases for ``ops.image`` and ``ops.rearrange`` (see cases.py).

``data_format`` is always given: Keras's eager torch ``gaussian_blur`` reads
None as channels first. ``elastic_transform`` is random: test_image.py
checks it by its properties."""

from __future__ import annotations

from tests.ops.cases import Cases

CASES = Cases()
c = CASES
CL, CF = "channels_last", "channels_first"

# Affine transforms: a shift, a rotation about the centre, a zoom, a shear.
SHIFT = [1.0, 0.0, -1.5, 0.0, 1.0, 2.0, 0.0, 0.0]
ROTATE = [0.8660254, -0.5, 1.9, 0.5, 0.8660254, -1.1, 0.0, 0.0]
ZOOM = [
    [0.7, 0.0, 1.0, 0.0, 1.3, -0.8, 0.0, 0.0],
    [1.2, 0.3, -0.5, 0.1, 0.9, 0.3, 0.0, 0.0],
]
START = [[0.0, 0.0], [5.0, 0.0], [0.0, 4.0], [5.0, 4.0]]
END = [[0.5, 0.2], [4.6, 0.8], [0.3, 3.5], [5.2, 4.1]]


def _transform(o, values):
    """A transform per image of the batch (Keras's torch backend does not
    broadcast one transform over a batch)."""
    values = [values, values] if not isinstance(values[0], list) else values
    return o.convert_to_tensor(values, dtype="float32")


# fmt: off
# ------------------------------------------------------------------ colour
c("rgb_to_grayscale", "batch", lambda o, t: o.image.rgb_to_grayscale(t.img, data_format=CL))
c("rgb_to_grayscale", "single", lambda o, t: o.image.rgb_to_grayscale(t.img1, data_format=CL))
c("rgb_to_grayscale", "channels_first", lambda o, t: o.image.rgb_to_grayscale(t.img_cf, data_format=CF))
c("rgb_to_grayscale", "u8", lambda o, t: o.image.rgb_to_grayscale(t.img_u8, data_format=CL))
c("rgb_to_grayscale", "one_channel", lambda o, t: o.image.rgb_to_grayscale(t.img[..., :1], data_format=CL))
c("rgb_to_grayscale", "two_channels", lambda o, t: o.image.rgb_to_grayscale(t.img[..., :2], data_format=CL))
c("rgb_to_hsv", "batch", lambda o, t: o.image.rgb_to_hsv(t.img, data_format=CL))
c("rgb_to_hsv", "channels_first", lambda o, t: o.image.rgb_to_hsv(t.img_cf, data_format=CF))
c("rgb_to_hsv", "grey_and_black", lambda o, t: o.image.rgb_to_hsv(o.convert_to_tensor([[[0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]]), data_format=CL))
c("rgb_to_hsv", "u8", lambda o, t: o.image.rgb_to_hsv(t.img_u8, data_format=CL))
c("hsv_to_rgb", "batch", lambda o, t: o.image.hsv_to_rgb(t.img, data_format=CL))
c("hsv_to_rgb", "roundtrip", lambda o, t: o.image.hsv_to_rgb(o.image.rgb_to_hsv(t.img1, data_format=CL), data_format=CL))
c("hsv_to_rgb", "channels_first", lambda o, t: o.image.hsv_to_rgb(t.img_cf, data_format=CF))

# ------------------------------------------------------------------ resize
for method in ("bilinear", "nearest", "bicubic"):
    c("resize", f"{method}_up", lambda o, t, m=method: o.image.resize(t.img, (8, 9), interpolation=m, data_format=CL), atol=1e-5)
    c("resize", f"{method}_down", lambda o, t, m=method: o.image.resize(t.img, (3, 2), interpolation=m, data_format=CL), atol=1e-5)
    c("resize", f"{method}_u8", lambda o, t, m=method: o.image.resize(t.img_u8, (8, 4), interpolation=m, data_format=CL))
for method in ("bilinear", "bicubic"):
    c("resize", f"{method}_antialias", lambda o, t, m=method: o.image.resize(t.img, (2, 3), interpolation=m, antialias=True, data_format=CL), atol=1e-5)
c("resize", "single", lambda o, t: o.image.resize(t.img1, (4, 4), data_format=CL))
c("resize", "channels_first", lambda o, t: o.image.resize(t.img_cf, (3, 5), data_format=CF))
c("resize", "crop_aspect", lambda o, t: o.image.resize(t.img, (4, 4), crop_to_aspect_ratio=True, data_format=CL))
c("resize", "crop_aspect_wide", lambda o, t: o.image.resize(t.img, (2, 8), crop_to_aspect_ratio=True, data_format=CL))
c("resize", "pad_aspect", lambda o, t: o.image.resize(t.img, (8, 4), pad_to_aspect_ratio=True, fill_value=0.5, data_format=CL))
c("resize", "pad_aspect_wide", lambda o, t: o.image.resize(t.img, (2, 8), pad_to_aspect_ratio=True, data_format=CL))
c("resize", "both_aspects", lambda o, t: o.image.resize(t.img, (4, 4), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True))
c("resize", "lanczos", lambda o, t: o.image.resize(t.img, (4, 4), interpolation="lanczos3"))
c("resize", "bad_size", lambda o, t: o.image.resize(t.img, (4,)))

# --------------------------------------------------------------- sampling
for order in (0, 1):
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        c("map_coordinates", f"order{order}_{mode}", lambda o, t, p=order, m=mode: o.image.map_coordinates(t.f, o.stack([t.unit * 5, t.g * 3]), p, fill_mode=m, fill_value=-1.0))
c("map_coordinates", "3d", lambda o, t: o.image.map_coordinates(t.cube, [t.v * 0.5 + 0.5, t.w + 1, t.v * 2], 1))
c("map_coordinates", "int_input", lambda o, t: o.image.map_coordinates(t.i, o.stack([t.unit * 3, t.g]), 1))
c("map_coordinates", "int_coordinates", lambda o, t: o.image.map_coordinates(t.f, o.stack([t.labels % 3, t.labels]), 0))
c("map_coordinates", "wrong_rank", lambda o, t: o.image.map_coordinates(t.f, [t.v], 1))
c("map_coordinates", "bad_mode", lambda o, t: o.image.map_coordinates(t.f, [t.v, t.v], 1, fill_mode="edge"))
for interpolation in ("nearest", "bilinear"):
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        c("affine_transform", f"{interpolation}_{mode}_rotate", lambda o, t, i=interpolation, m=mode: o.image.affine_transform(t.img, _transform(o, ROTATE), interpolation=i, fill_mode=m, fill_value=0.25, data_format=CL), atol=1e-5)
    c("affine_transform", f"{interpolation}_shift", lambda o, t, i=interpolation: o.image.affine_transform(t.img, _transform(o, SHIFT), interpolation=i, data_format=CL))
    c("affine_transform", f"{interpolation}_batch_transforms", lambda o, t, i=interpolation: o.image.affine_transform(t.img, _transform(o, ZOOM), interpolation=i, fill_mode="reflect", data_format=CL), atol=1e-5)
c("affine_transform", "single", lambda o, t: o.image.affine_transform(t.img1, o.convert_to_tensor(ROTATE), data_format=CL), atol=1e-5)
c("affine_transform", "channels_first", lambda o, t: o.image.affine_transform(t.img_cf, _transform(o, ROTATE), fill_mode="wrap", data_format=CF), atol=1e-5)
c("affine_transform", "u8", lambda o, t: o.image.affine_transform(t.img_u8, _transform(o, ZOOM), fill_mode="nearest", data_format=CL))
c("affine_transform", "bad_interpolation", lambda o, t: o.image.affine_transform(t.img, _transform(o, SHIFT), interpolation="bicubic"))
for interpolation in ("nearest", "bilinear"):
    c("perspective_transform", interpolation, lambda o, t, i=interpolation: o.image.perspective_transform(t.img, START, END, interpolation=i, fill_value=0.1, data_format=CL), atol=1e-4)
c("perspective_transform", "batch_points", lambda o, t: o.image.perspective_transform(t.img, [START, END], [END, START], data_format=CL), atol=1e-4)
c("perspective_transform", "identity", lambda o, t: o.image.perspective_transform(t.img1, START, START, data_format=CL), atol=1e-5)
c("perspective_transform", "channels_first", lambda o, t: o.image.perspective_transform(t.img_cf, START, END, data_format=CF), atol=1e-4)
c("perspective_transform", "bad_points", lambda o, t: o.image.perspective_transform(t.img, START[:3], END[:3]))

# -------------------------------------------------------------- filtering
c("gaussian_blur", "default", lambda o, t: o.image.gaussian_blur(t.img, data_format=CL))
c("gaussian_blur", "size5", lambda o, t: o.image.gaussian_blur(t.img, (5, 5), (2.0, 2.0), data_format=CL))
c("gaussian_blur", "single", lambda o, t: o.image.gaussian_blur(t.img1, (3, 3), (0.5, 0.5), data_format=CL))
c("gaussian_blur", "channels_first", lambda o, t: o.image.gaussian_blur(t.img_cf, (3, 3), (1.5, 1.5), data_format=CF))
c("sobel_edges", "channels_last", lambda o, t: o.image.sobel_edges(t.img, data_format=CL))
c("sobel_edges", "channels_first", lambda o, t: o.image.sobel_edges(t.img_cf, data_format=CF))
c("sobel_edges", "single", lambda o, t: o.image.sobel_edges(t.img1, data_format=CL))
c("ssim", "batch", lambda o, t: o.image.ssim(t.img_cf, t.img_cf * 0.8 + 0.1, filter_size=3, data_format=CL))
c("ssim", "same", lambda o, t: o.image.ssim(t.img, t.img, filter_size=3, data_format=CL))
c("ssim", "single", lambda o, t: o.image.ssim(o.image.resize(t.img1, (12, 12), data_format=CL), o.image.resize(t.img1, (12, 12), data_format=CL) * 0.5, data_format=CL))
c("ssim", "channels_first", lambda o, t: o.image.ssim(t.img_cf, o.flip(t.img_cf, 3), filter_size=3, filter_sigma=1.0, k1=0.02, k2=0.05, max_val=2.0, data_format=CF))

# ------------------------------------------------------- pad, crop, patches
c("pad_images", "sides", lambda o, t: o.image.pad_images(t.img, 1, 2, 3, 0, data_format=CL))
c("pad_images", "target", lambda o, t: o.image.pad_images(t.img, 1, 2, target_height=9, target_width=10, data_format=CL))
c("pad_images", "target_first", lambda o, t: o.image.pad_images(t.img1, bottom_padding=1, right_padding=2, target_height=7, target_width=8, data_format=CL))
c("pad_images", "channels_first", lambda o, t: o.image.pad_images(t.img_cf, 1, 1, 1, 1, data_format=CF))
c("pad_images", "too_many", lambda o, t: o.image.pad_images(t.img, 1, 1, 1, 1, target_height=9, target_width=9))
c("pad_images", "too_small", lambda o, t: o.image.pad_images(t.img, 1, 1, target_height=3, target_width=3))
c("crop_images", "sides", lambda o, t: o.image.crop_images(t.img, 1, 2, 1, 1, data_format=CL))
c("crop_images", "target", lambda o, t: o.image.crop_images(t.img, 1, 1, target_height=3, target_width=4, data_format=CL))
c("crop_images", "target_first", lambda o, t: o.image.crop_images(t.img1, bottom_cropping=1, right_cropping=2, target_height=2, target_width=3, data_format=CL))
c("crop_images", "channels_first", lambda o, t: o.image.crop_images(t.img_cf, 1, 2, 3, 1, data_format=CF))
for padding in ("valid", "same"):
    c("extract_patches", f"2x2_{padding}", lambda o, t, p=padding: o.image.extract_patches(t.img, 2, padding=p, data_format=CL))
    c("extract_patches", f"strides_{padding}", lambda o, t, p=padding: o.image.extract_patches(t.img, (2, 3), strides=1, padding=p, data_format=CL))
    c("extract_patches_3d", f"2_{padding}", lambda o, t, p=padding: o.image.extract_patches_3d(t.vol, 2, padding=p, data_format=CL))
c("extract_patches", "single", lambda o, t: o.image.extract_patches(t.img1, 2, data_format=CL))
c("extract_patches", "dilation", lambda o, t: o.image.extract_patches(t.img, 2, strides=1, dilation_rate=2, data_format=CL))
c("extract_patches", "channels_first", lambda o, t: o.image.extract_patches(t.img_cf, 3, data_format=CF))
c("extract_patches", "3d_size", lambda o, t: o.image.extract_patches(t.vol, (2, 2, 2), data_format=CL))
c("extract_patches", "bad_size", lambda o, t: o.image.extract_patches(t.img, (2, 2, 2, 2)))
c("extract_patches_3d", "strides", lambda o, t: o.image.extract_patches_3d(t.vol, (2, 3, 2), strides=1, data_format=CL))
c("extract_patches_3d", "single", lambda o, t: o.image.extract_patches_3d(t.vol[0], 2, data_format=CL))

# ------------------------------------------------------ scale and translate
for method in ("linear", "bilinear", "cubic", "bicubic", "lanczos3", "lanczos5"):
    c("scale_and_translate", f"{method}_up", lambda o, t, m=method: o.image.scale_and_translate(t.img, (2, 9, 11, 3), [1.8, 1.9], [0.2, -0.3], (1, 2), m), atol=1e-5)
    c("scale_and_translate", f"{method}_down", lambda o, t, m=method: o.image.scale_and_translate(t.img, (2, 3, 4, 3), [0.6, 0.7], [0.0, 0.5], (1, 2), m), atol=1e-5)
c("scale_and_translate", "no_antialias", lambda o, t: o.image.scale_and_translate(t.img, (2, 3, 4, 3), [0.6, 0.7], [0.0, 0.5], (1, 2), "cubic", antialias=False), atol=1e-5)
c("scale_and_translate", "u8", lambda o, t: o.image.scale_and_translate(t.img_u8, (2, 7, 7, 3), [1.4, 1.2], [0.0, 0.0], (1, 2), "bicubic"))
c("scale_and_translate", "one_axis", lambda o, t: o.image.scale_and_translate(t.signal, (2, 48), [1.5], [1.0], (1,), "trilinear"), atol=1e-5)
c("scale_and_translate", "bad_method", lambda o, t: o.image.scale_and_translate(t.img, (2, 5, 6, 3), [1.0, 1.0], [0.0, 0.0], (1, 2), "area"))

# --------------------------------------------------------------- rearrange
c("rearrange", "transpose", lambda o, t: o.rearrange(t.cube, "a b c -> c a b"))
c("rearrange", "merge", lambda o, t: o.rearrange(t.img, "b h w c -> b (h w) c"))
c("rearrange", "split", lambda o, t: o.rearrange(o.reshape(t.img, (2, 30, 3)), "b (h w) c -> b c h w", h=5))
c("rearrange", "split_merge", lambda o, t: o.rearrange(t.img, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1=1, w1=2))
c("rearrange", "space_to_depth", lambda o, t: o.rearrange(t.img[:, :4], "b (h p) (w q) c -> b h w (p q c)", p=2, q=2))
# fmt: on
