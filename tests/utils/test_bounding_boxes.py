"""`utils.bounding_boxes` against Keras 3 (bounding_boxes.npz, made by
tests/fixtures/make_bounding_boxes.py): every format conversion, clipping, crop,
pad, the affine transform, anchor deltas, IoU and CIoU."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from lamina.errors import ArgumentError
from lamina.utils import bounding_boxes as B

K = np.load(pathlib.Path(__file__).parent.parent / "fixtures" / "bounding_boxes.npz")
FORMATS = B.SUPPORTED_FORMATS
BOXES = K["boxes"]


def close(actual, expected, atol=1e-4):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("source", FORMATS)
def test_every_conversion_is_keras(source):
    src = B.convert_format(BOXES, "xyxy", source, height=60, width=80)
    close(src, K[f"as/{source}"])
    for target in FORMATS:
        close(
            B.convert_format(K[f"as/{source}"], source, target, height=60, width=80),
            K[f"convert/{source}/{target}"],
        )


def test_geometry_is_keras():
    labels = np.array([[0, 1, 2, -1, 3], [1, 1, 0, 2, 2]], "int32")
    clipped = B.clip_to_image_size(
        {"boxes": BOXES - 20, "labels": labels}, height=30, width=40
    )
    close(clipped["boxes"], K["clip/boxes"])
    np.testing.assert_array_equal(np.asarray(clipped["labels"]), K["clip/labels"])
    close(B.crop(BOXES, top=5, left=10, height=30, width=40), K["crop"])
    close(B.pad(BOXES, top=5, left=10), K["pad"])
    affine = B.affine_transform(
        BOXES,
        angle=np.array([10.0, -30.0], "float32"),
        translate_x=np.array([0.1, -0.2], "float32"),
        translate_y=np.array([0.0, 0.3], "float32"),
        scale=np.array([1.2, 0.8], "float32"),
        shear_x=np.array([5.0, 0.0], "float32"),
        shear_y=np.array([0.0, -10.0], "float32"),
        height=60,
        width=80,
    )
    close(affine, K["affine"], atol=1e-3)


def test_deltas_are_keras():
    anchors, variance = BOXES[0], [0.1, 0.1, 0.2, 0.2]
    deltas = B.encode_box_to_deltas(anchors, BOXES, "xyxy", "xyxy", variance=variance)
    close(deltas, K["encode"])
    close(
        B.decode_deltas_to_boxes(
            anchors, K["encode"], "xyxy", "xyxy", variance=variance
        ),
        K["decode"],
    )
    close(
        B.encode_box_to_deltas(
            anchors, BOXES[1], "xyxy", "xyxy", encoding_format="center_xywh"
        ),
        K["encode_xywh"],
    )
    levels = B.decode_deltas_to_boxes(
        {"p3": anchors}, {"p3": K["encode"]}, "xyxy", "xyxy", variance=variance
    )
    close(levels["p3"], K["decode"])


def test_iou_is_keras():
    close(B.compute_iou(BOXES[0], BOXES[1], "xyxy"), K["iou/unbatched"])
    close(B.compute_iou(BOXES, BOXES[::-1], "xyxy"), K["iou/batched"])
    close(B.compute_iou(BOXES, BOXES[0], "xyxy"), K["iou/mixed"])
    masked = K["iou/masked_input"]
    close(B.compute_iou(masked, masked, "xyxy", use_masking=True), K["iou/masked"])
    close(B.compute_iou(K["as/yxyx"][0], K["as/yxyx"][1], "yxyx"), K["iou/yxyx"])
    close(B.compute_ciou(BOXES[0], BOXES[1], "xyxy"), K["ciou"])


def test_bad_boxes_and_formats():
    with pytest.raises(ArgumentError, match="last dimension of 4"):
        B.convert_format(np.zeros((2, 3)), "xyxy", "xywh")
    with pytest.raises(ArgumentError, match="Supported formats"):
        B.convert_format(np.zeros((2, 4)), "xyxy", "ltrb")
    with pytest.raises(ArgumentError, match="height"):
        B.convert_format(np.zeros((2, 4)), "xyxy", "rel_xyxy")
    with pytest.raises(ArgumentError, match="variance"):
        B.encode_box_to_deltas(BOXES[0], BOXES[0], "xyxy", "xyxy", variance=[1, 2])
    with pytest.raises(ArgumentError, match="image_shape"):
        B.compute_iou(BOXES[0], BOXES[0], "rel_xyxy")
    with pytest.raises(NotImplementedError, match="xyxy"):
        B.crop(BOXES, 0, 0, 1, 1, bounding_box_format="xywh")
    converted = B.convert_format({"boxes": BOXES, "labels": 1}, "xyxy", "xywh")
    assert converted["labels"] == 1
