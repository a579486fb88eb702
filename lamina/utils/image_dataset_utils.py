"""`image_dataset_from_directory`: a folder of images as batches of arrays."""

from __future__ import annotations

import os

import numpy as np

from lamina.errors import ArgumentError
from lamina.utils import dataset_utils
from lamina.utils.image_utils import (
    TORCH_INTERPOLATIONS,
    pil_image,
    resize_images,
    standardize_data_format,
)

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def _load_images(
    paths: list[str],
    image_size: tuple[int, int],
    num_channels: int,
    interpolation: str,
    data_format: str,
    crop_to_aspect_ratio: bool,
    pad_to_aspect_ratio: bool,
) -> np.ndarray:
    Image = pil_image()
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[num_channels]
    images = []
    for path in paths:
        with Image.open(path) as img:
            img.seek(0)  # animated GIFs: the first frame, as Keras
            if img.mode != mode:
                img = img.convert(mode)
            x = np.asarray(img, dtype=np.float32)
        if x.ndim == 2:
            x = x[..., None]
        images.append(
            _fit_to_size(
                x, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio
            )
        )
    batch = np.stack(images)
    return batch.transpose(0, 3, 1, 2) if data_format == "channels_first" else batch


def _fit_to_size(x, size, interpolation, crop, pad) -> np.ndarray:
    height, width = x.shape[:2]
    target_height, target_width = size
    if crop:
        crop_height = max(min(height, int(width * target_height / target_width)), 1)
        crop_width = max(min(width, int(height * target_width / target_height)), 1)
        top = (height - crop_height) // 2
        left = (width - crop_width) // 2
        x = x[top : top + crop_height, left : left + crop_width]
    elif pad:
        # Resize to fit inside the target, keeping the aspect ratio, then pad
        # with zeros around the centre (tf.image.resize_with_pad).
        scale = min(target_height / height, target_width / width)
        inner = (int(height * scale), int(width * scale))
        x = resize_images(x, inner, interpolation)
        out = np.zeros((target_height, target_width, x.shape[2]), dtype=np.float32)
        top = (target_height - inner[0]) // 2
        left = (target_width - inner[1]) // 2
        out[top : top + inner[0], left : left + inner[1]] = x
        return out
    return resize_images(x, size, interpolation)


def image_dataset_from_directory(
    directory: str | os.PathLike,
    labels="inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] | int = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    format: str = "tf",
    verbose: bool = True,
):
    """A dataset of ``(images, labels)`` batches from a folder of images.

    With ``labels="inferred"`` the folder holds one subfolder per class
    (sorted names give the class indices). Images (.bmp, .gif, .jpeg, .jpg,
    .png) are decoded with Pillow and resized to ``image_size`` (float32, in
    ``[0, 255]``). The files are listed and shuffled exactly as Keras does,
    so ``file_paths`` and the validation split match Keras's; batches are then
    reshuffled every epoch.

    Example:
        >>> train, val = lamina.utils.image_dataset_from_directory(
        ...     "flowers", validation_split=0.2, subset="both", seed=1,
        ...     image_size=(180, 180), batch_size=32)
        >>> train.class_names
        ['daisy', 'roses', 'tulips']
        >>> model.fit(train, validation_data=val, epochs=3)

    Args:
        directory: the image folder.
        labels: ``"inferred"`` (from the subfolders), None (images only), or
            one integer label per file, in the sorted order of the files.
        label_mode: ``"int"``, ``"categorical"`` (one-hot), ``"binary"``
            (float32 of shape (n, 1)) or None.
        class_names: the subfolders to use, in label order.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        batch_size: images per batch, or None for single images.
        image_size: ``(height, width)`` (or one int).
        shuffle: shuffle the files (and every epoch).
        seed: the shuffling seed (needed with ``validation_split``).
        validation_split: the fraction kept for validation (the last files).
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a pair).
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"`` or
            ``"area"``.
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio: centre-crop to the target aspect ratio first.
        pad_to_aspect_ratio: pad to the target aspect ratio instead.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        format: ``"tf"`` (accepted for compatibility; the result is always a
            lamina dataset).
        verbose: print how many files were found.

    Returns:
        A ``BatchDataset`` (a ``PyDataset``) with ``class_names`` and
        ``file_paths``; a list of two with ``subset="both"``.
    """
    labels, label_mode = dataset_utils.check_label_args(
        labels, label_mode, class_names, "image"
    )
    num_channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if num_channels is None:
        raise ArgumentError(
            f'`color_mode` must be "rgb", "rgba" or "grayscale", received '
            f"{color_mode!r}."
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ArgumentError(
            f"`image_size` must be (height, width), received {image_size!r}."
        )
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = interpolation.lower()
    if interpolation not in TORCH_INTERPOLATIONS:
        raise ArgumentError(
            f"`interpolation` must be one of {', '.join(TORCH_INTERPOLATIONS)}, "
            f"received {interpolation!r}."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ArgumentError(
            "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True."
        )
    if format not in ("tf", "grain"):
        raise ArgumentError(f'`format` must be "tf" or "grain", received {format!r}.')
    data_format = standardize_data_format(data_format)
    pil_image()  # a missing Pillow fails here, not at the first batch

    def load_batch(batch_paths):
        return _load_images(
            batch_paths,
            image_size,
            num_channels,
            interpolation,
            data_format,
            crop_to_aspect_ratio,
            pad_to_aspect_ratio,
        )

    return dataset_utils.directory_dataset(
        directory,
        labels,
        label_mode,
        class_names,
        ALLOWLIST_FORMATS,
        load_batch,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        what="images",
        allowed=f"Allowed formats: {ALLOWLIST_FORMATS}.",
    )
