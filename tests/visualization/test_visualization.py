"""`lamina.visualization`: boxes and masks drawn on images, galleries saved as files."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("PIL")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from lamina import visualization  # noqa: E402
from lamina.errors import ArgumentError, ShapeError  # noqa: E402

BOXES = {
    "boxes": np.array([[[2, 2, 10, 10], [0, 0, 4, 4]], [[1, 1, 5, 5], [8, 8, 15, 15]]]),
    "labels": np.array([[0, -1], [1, 0]]),
}


def test_draw_bounding_boxes_outlines_boxes_and_skips_padding():
    images = np.zeros((2, 16, 16, 3), "uint8")
    drawn = visualization.draw_bounding_boxes(
        images, BOXES, "xyxy", color=(255, 0, 0), line_thickness=1
    )
    assert drawn.shape == images.shape and drawn.dtype == np.uint8
    first = drawn[0, ..., 0] > 0
    expected = np.zeros((16, 16), bool)
    expected[2, 2:11] = expected[10, 2:11] = True
    expected[2:11, 2] = expected[2:11, 10] = True
    np.testing.assert_array_equal(first, expected)  # the -1 box is not drawn
    assert drawn[1, 8, 8].tolist() == [255, 0, 0]
    assert images.max() == 0  # the input is not drawn on


def test_draw_bounding_boxes_formats_floats_channels_first_and_text():
    images = torch.ones(2, 3, 20, 20) * 0.5  # floats in [0, 1], channels first
    boxes = {
        "boxes": np.array([[[0.1, 0.1, 0.5, 0.5]], [[0.5, 0.5, 0.9, 0.9]]]),
        "labels": np.array([[3], [3]]),
        "confidences": np.array([[0.9], [0.5]]),
    }
    drawn = visualization.draw_bounding_boxes(
        images, boxes, "rel_xyxy", color=(0, 255, 0), data_format="channels_first"
    )
    assert drawn.shape == (2, 3, 20, 20)
    assert drawn[0, :, 2, 5].tolist() == [0, 255, 0]  # on the box
    assert drawn[0, :, 15, 15].tolist() == [127, 127, 127]  # 0.5 of 255
    tall = torch.ones(1, 64, 64, 3) * 0.5
    text_boxes = {
        "boxes": np.array([[[0.1, 0.6, 0.5, 0.9]]]),
        "labels": np.array([[3]]),
    }
    plain = visualization.draw_bounding_boxes(tall, text_boxes, "rel_xyxy")
    named = visualization.draw_bounding_boxes(
        tall, text_boxes, "rel_xyxy", class_mapping={3: "cat"}
    )
    assert (named != plain).any()  # the names are written


def test_draw_bounding_boxes_checks_its_inputs():
    with pytest.raises(ShapeError, match="4D"):
        visualization.draw_bounding_boxes(np.zeros((4, 4, 3)), BOXES, "xyxy")
    with pytest.raises(TypeError, match="dict"):
        visualization.draw_bounding_boxes(np.zeros((1, 4, 4, 3)), [1], "xyxy")
    with pytest.raises(ArgumentError, match="'labels'"):
        visualization.draw_bounding_boxes(
            np.zeros((1, 4, 4, 3)), {"boxes": BOXES["boxes"]}, "xyxy"
        )


def test_draw_segmentation_masks_blends_keras_palette():
    images = np.full((1, 2, 3, 3), 100, "uint8")
    masks = np.array([[[[0], [1], [2]], [[-1], [1], [0]]]])
    drawn = visualization.draw_segmentation_masks(images, masks, alpha=0.5)
    base = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])  # Keras's palette
    palette = [((i * base) % 255).tolist() for i in range(3)]
    for (row, col), class_id in np.ndenumerate(masks[0, ..., 0]):
        expected = (
            [100, 100, 100]
            if class_id == -1
            else [int(100 * 0.5 + c * 0.5) for c in palette[class_id]]
        )
        assert drawn[0, row, col].tolist() == expected
    flat = visualization.draw_segmentation_masks(
        images, masks, color_mapping={0: (1, 2, 3), 1: (4, 5, 6)}, num_classes=2,
        blend=False,
    )  # fmt: skip
    assert flat.dtype == np.float32 and flat[0, 0, 1].tolist() == [4, 5, 6]
    first = visualization.draw_segmentation_masks(
        images.transpose(0, 3, 1, 2), masks.transpose(0, 3, 1, 2),
        data_format="channels_first", alpha=0.5,
    )  # fmt: skip
    np.testing.assert_array_equal(first.transpose(0, 2, 3, 1), drawn)
    with pytest.raises(TypeError, match="integer"):
        visualization.draw_segmentation_masks(images, masks.astype("float32"))


def test_galleries_save_files(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, size=(4, 16, 16, 3)).astype("float32")
    visualization.plot_image_gallery(
        images, y_true=np.array([0, 1, 0, 1]), label_map={0: "a", 1: "b"},
        path=tmp_path / "images.png",
    )  # fmt: skip
    boxes = {"boxes": np.tile(BOXES["boxes"], (2, 1, 1)), "labels": np.ones((4, 2))}
    visualization.plot_bounding_box_gallery(
        images, "xyxy", y_true=boxes, y_pred=boxes, class_mapping={1: "one"},
        legend=True, path=tmp_path / "boxes.png",
    )  # fmt: skip
    masks = rng.integers(0, 3, size=(4, 16, 16, 1))
    visualization.plot_segmentation_mask_gallery(
        images, num_classes=3, y_true=masks, y_pred=masks, path=tmp_path / "masks.png"
    )
    for name in ("images.png", "boxes.png", "masks.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ArgumentError, match="label_map"):
        visualization.plot_image_gallery(images, y_true=[0, 1, 0, 1])
    with pytest.raises(ArgumentError, match="either `path`"):
        visualization.plot_image_gallery(images, path=tmp_path / "x.png", show=True)
    with pytest.raises(ArgumentError, match="legend"):
        visualization.plot_bounding_box_gallery(
            images, "xyxy", legend=True, legend_handles=[1], path=tmp_path / "y.png"
        )
