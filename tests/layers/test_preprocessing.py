"""Preprocessing layers: Rescaling, Normalization, image layers, encodings."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_preprocessing.npz"
    )
)
IMG = torch.as_tensor(FIXTURE["img"])
IMG_CF = IMG.permute(0, 3, 1, 2).contiguous()
SMALL = torch.as_tensor(FIXTURE["small"])
SMALL_CF = SMALL.permute(0, 3, 1, 2).contiguous()


def close(actual, name, atol=1e-5, rtol=1e-6):
    expected = FIXTURE[name]
    actual = (
        np.asarray(actual.detach().cpu())
        if isinstance(actual, torch.Tensor)
        else np.asarray(actual)
    )
    assert actual.shape == expected.shape, (name, actual.shape, expected.shape)
    assert actual.dtype == expected.dtype or actual.dtype.kind == expected.dtype.kind
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=name)


# ---------------------------------------------------------------- Rescaling
def test_rescaling_basics_and_keras_numbers():
    run_layer_test(
        layers.Rescaling,
        {"scale": 0.5, "offset": 1.0},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        supports_masking=True,
    )
    close(layers.Rescaling(1 / 127.5, offset=-1)(IMG), "rescaling_scalar")
    close(layers.Rescaling([0.5, 1.0, 2.0], offset=0.25)(IMG), "rescaling_channels")
    out = layers.Rescaling(1 / 255)(torch.as_tensor(FIXTURE["img_u8"]))
    assert out.dtype == torch.float32
    close(out, "rescaling_uint8")


# ---------------------------------------------------------------- Normalization
def test_normalization_basics():
    run_layer_test(
        layers.Normalization,
        {"mean": 1.0, "variance": 4.0},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        supports_masking=True,
    )
    layer = run_layer_test(
        layers.Normalization,
        {"axis": -1},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_non_trainable_weights=3,
        expected_weight_shapes=[(3,), (3,), ()],
    )
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert layer.get_config()["axis"] == (-1,)


def test_normalization_fixed_values_match_keras():
    feat = torch.as_tensor(FIXTURE["feat"])
    close(layers.Normalization(mean=3.0, variance=2.0)(feat), "norm_fixed_scalar")
    mean, var = [1.0, 2.0, 3.0, 4.0], [1.0, 4.0, 0.25, 9.0]
    close(layers.Normalization(mean=mean, variance=var)(feat), "norm_fixed_vector")
    close(
        layers.Normalization(mean=mean, variance=var, invert=True)(feat),
        "norm_fixed_invert",
    )


@pytest.mark.parametrize(
    "name, axis, data",
    [
        ("last", -1, "feat"),
        ("none", None, "feat"),
        ("seq_last", -1, "seq"),
        ("seq_12", (1, 2), "seq"),
        ("seq_1", 1, "seq"),
    ],
)
def test_normalization_adapt_matches_keras(name, axis, data):
    data = FIXTURE[data]
    layer = layers.Normalization(axis=axis)
    layer.adapt(data)
    close(layer.adapt_mean, f"norm_adapt_{name}_mean")
    close(layer.adapt_variance, f"norm_adapt_{name}_variance")
    close(layer(torch.as_tensor(data)), f"norm_adapt_{name}", atol=1e-5, rtol=1e-5)


def test_normalization_adapt_from_batches_tensor_and_invert():
    seq = FIXTURE["seq"]
    layer = layers.Normalization()
    layer.adapt([seq[:2], seq[2:3], seq[3:]])
    close(layer.adapt_mean, "norm_adapt_batches_mean")
    close(layer.adapt_variance, "norm_adapt_batches_variance")
    # (x, y) batches from a generator use x.
    layer = layers.Normalization()
    layer.adapt((torch.as_tensor(b), None) for b in (seq[:2], seq[2:3], seq[3:]))
    close(layer.adapt_variance, "norm_adapt_batches_variance")
    layer = layers.Normalization()
    layer.adapt(torch.as_tensor(FIXTURE["feat"]))
    close(layer.adapt_mean, "norm_adapt_tensor_mean")
    close(layer.adapt_variance, "norm_adapt_tensor_variance")
    layer = layers.Normalization(invert=True)
    layer.adapt(FIXTURE["feat"])
    close(layer(torch.as_tensor(FIXTURE["feat"])), "norm_adapt_invert", rtol=1e-5)


def test_normalization_weights_round_trip_and_symbolic_build():
    layer = layers.Normalization()
    layer.adapt(FIXTURE["feat"])
    clone = layers.Normalization.from_config(layer.get_config())
    clone.build((None, 4))
    clone.set_weights(layer.get_weights())
    x = torch.as_tensor(FIXTURE["feat"])
    torch.testing.assert_close(clone(x), layer(x))
    # Built symbolically, then adapted.
    inputs = lamina.Input(shape=(4,))
    symbolic = layers.Normalization()
    symbolic(inputs)
    symbolic.adapt(FIXTURE["feat"])
    close(symbolic.adapt_mean, "norm_adapt_last_mean")


def test_normalization_errors():
    with pytest.raises(ArgumentError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ArgumentError, match=r"same shape.*\(2,\).*\(3,\)"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0, 1.0])
    with pytest.raises(ShapeError, match=r"axis.*ndim=2.*axis=\(2,\)"):
        layers.Normalization(axis=2)(torch.zeros(3, 4))
    with pytest.raises(ShapeError, match=r"shape \(3,\) cannot be broadcast.*\(4,\)"):
        layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 1.0, 1.0])(
            torch.zeros(2, 4)
        )
    layer = layers.Normalization()
    layer.adapt(np.zeros((5, 4), "float32"))
    with pytest.raises(ShapeError, match=r"built with input shape \(5, 4\).*\(5, 3\)"):
        layer.adapt(np.zeros((5, 3), "float32"))
    with pytest.raises(ArgumentError, match="empty iterable"):
        layers.Normalization().adapt([])
    with pytest.raises(ArgumentError, match="explicit `mean`"):
        layers.Normalization(mean=0.0, variance=1.0).adapt(np.zeros((2, 2)))


def test_normalization_zero_variance_is_floored():
    layer = layers.Normalization(mean=1.0, variance=0.0)
    assert torch.isfinite(layer(torch.tensor([[1.0, 2.0]]))).all()


# ---------------------------------------------------------------- Resizing
def test_resizing_basics():
    run_layer_test(
        layers.Resizing,
        {"height": 3, "width": 5},
        input_shape=(2, 6, 7, 3),
        expected_output_shape=(2, 3, 5, 3),
    )
    run_layer_test(
        layers.Resizing,
        {"height": 3, "width": 5, "data_format": "channels_first"},
        input_shape=(2, 3, 6, 7),
        expected_output_shape=(2, 3, 3, 5),
    )


@pytest.mark.parametrize("size", [(3, 4), (10, 5), (7, 9), (14, 18), (4, 13)])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("aspect", ["none", "crop", "pad"])
def test_resizing_matches_keras(size, interpolation, aspect):
    layer = layers.Resizing(
        *size,
        interpolation=interpolation,
        crop_to_aspect_ratio=aspect == "crop",
        pad_to_aspect_ratio=aspect == "pad",
        fill_value=7.0,
    )
    close(layer(IMG), f"resize_{size[0]}_{size[1]}_{interpolation}_{aspect}", atol=1e-3)


def test_resizing_variants_match_keras():
    close(
        layers.Resizing(4, 13, data_format="channels_first", crop_to_aspect_ratio=True)(
            IMG_CF
        ),
        "resize_cf",
        atol=1e-3,
    )
    close(layers.Resizing(3, 4, antialias=True)(IMG), "resize_antialias", atol=1e-3)
    out = layers.Resizing(5, 6)(torch.as_tensor(FIXTURE["img_u8"]))
    assert out.dtype == torch.uint8
    close(out, "resize_uint8", atol=0)
    close(layers.Resizing(5, 6, interpolation="nearest")(IMG[0]), "resize_single")


def test_resizing_errors():
    with pytest.raises(ArgumentError, match="Resizing.*`height`.*height=0"):
        layers.Resizing(0, 4)
    with pytest.raises(ArgumentError, match="Resizing.*`width`.*width=-2"):
        layers.Resizing(3, -2)
    with pytest.raises(ArgumentError, match="interpolation.*'lanczos3'"):
        layers.Resizing(3, 3, interpolation="lanczos3")
    with pytest.raises(ArgumentError, match="only one of"):
        layers.Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ArgumentError, match="data_format.*'channels_middle'"):
        layers.Resizing(3, 3, data_format="channels_middle")
    with pytest.raises(
        ShapeError,
        match=r"Resizing 'rs' expects a 4-D input "
        r"\(batch, height, width, channels\).*"
        r"\(28, 28\)",
    ):
        layers.Resizing(3, 3, name="rs")(torch.zeros(28, 28))


# ---------------------------------------------------------------- CenterCrop
@pytest.mark.parametrize("size", [(3, 4), (5, 9), (7, 2), (10, 4), (12, 20)])
def test_center_crop_matches_keras(size):
    close(layers.CenterCrop(*size)(IMG), f"center_crop_{size[0]}_{size[1]}", atol=1e-3)


def test_center_crop_basics():
    run_layer_test(
        layers.CenterCrop,
        {"height": 2, "width": 3},
        input_shape=(2, 5, 6, 1),
        expected_output_shape=(2, 2, 3, 1),
    )
    close(
        layers.CenterCrop(5, 3, data_format="channels_first")(IMG_CF), "center_crop_cf"
    )
    with pytest.raises(ArgumentError, match="CenterCrop.*height=2.5"):
        layers.CenterCrop(2.5, 3)


# ---------------------------------------------------------------- RandomCrop
def test_random_crop_basics():
    run_layer_test(
        layers.RandomCrop,
        {"height": 2, "width": 3, "seed": 1},
        input_shape=(2, 5, 6, 1),
        expected_output_shape=(2, 2, 3, 1),
    )
    assert isinstance(layers.RandomCrop(2, 2).get_config()["seed"], int)


def test_random_crop_windows_are_crops_of_the_input():
    x = torch.arange(2 * 7 * 9, dtype=torch.float32).reshape(2, 7, 9, 1)
    layer = layers.RandomCrop(3, 4, seed=5)
    starts = set()
    for _ in range(40):
        y = layer(x, training=True)
        top = int(y[0, 0, 0, 0]) // 9
        left = int(y[0, 0, 0, 0]) % 9
        assert 0 <= top <= 4 and 0 <= left <= 5
        torch.testing.assert_close(y, x[:, top : top + 3, left : left + 4])
        starts.add((top, left))
    assert len(starts) > 10  # the windows move
    # Same seed, same windows.
    a = layers.RandomCrop(3, 4, seed=5)(x, training=True)
    b = layers.RandomCrop(3, 4, seed=5)(x, training=True)
    torch.testing.assert_close(a, b)


def test_random_crop_inference_and_small_inputs():
    # Inference: the centred window of the target aspect ratio, resized.
    torch.testing.assert_close(
        layers.RandomCrop(3, 4)(IMG, training=False),
        layers.Resizing(3, 4, crop_to_aspect_ratio=True)(IMG),
    )
    # Training on an input not larger than the target: the same centred window.
    # (Keras 3.15 slices a target-sized window from that window's corner instead.)
    torch.testing.assert_close(
        layers.RandomCrop(9, 4, seed=1)(IMG, training=True),
        layers.Resizing(9, 4, crop_to_aspect_ratio=True)(IMG),
    )


# ---------------------------------------------------------------- affine layers
AFFINE_CASES = [
    (m, i)
    for m in ["reflect", "wrap", "nearest", "constant"]
    for i in ["bilinear", "nearest"]
]


@pytest.mark.parametrize("fill_mode, interpolation", AFFINE_CASES)
def test_affine_layers_match_keras(fill_mode, interpolation):
    common = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=-3.0)
    key = f"{fill_mode}_{interpolation}"
    cases = [
        (layers.RandomRotation((0.1, 0.1), **common), "rotation"),
        (layers.RandomRotation((-0.3, -0.3), **common), "rotation_neg"),
        (layers.RandomZoom((0.3, 0.3), (-0.2, -0.2), **common), "zoom"),
        (layers.RandomZoom((-0.4, -0.4), **common), "zoom_in"),
        (layers.RandomTranslation((0.25, 0.25), (-0.3, -0.3), **common), "translation"),
    ]
    for layer, name in cases:
        close(layer(SMALL, training=True), f"{name}_{key}", atol=2e-5)


def test_affine_layers_channels_first_and_single_image_match_keras():
    close(
        layers.RandomRotation((0.2, 0.2), data_format="channels_first")(
            SMALL_CF, training=True
        ),
        "rotation_cf",
        atol=2e-5,
    )
    close(
        layers.RandomZoom((0.3, 0.3), data_format="channels_first")(
            SMALL_CF, training=True
        ),
        "zoom_cf",
        atol=2e-5,
    )
    close(
        layers.RandomTranslation(
            (0.2, 0.2), (0.4, 0.4), fill_mode="constant", data_format="channels_first"
        )(SMALL_CF, training=True),
        "translation_cf",
        atol=2e-5,
    )
    close(
        layers.RandomRotation((0.05, 0.05))(SMALL[0], training=True),
        "rotation_single",
        atol=2e-5,
    )


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.RandomRotation, {"factor": 0.2}),
        (layers.RandomZoom, {"height_factor": 0.2, "width_factor": (-0.1, 0.3)}),
        (layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.1}),
    ],
)
def test_affine_layers_basics(cls, kwargs):
    run_layer_test(
        cls,
        {**kwargs, "seed": 1},
        input_shape=(2, 5, 6, 3),
        expected_output_shape=(2, 5, 6, 3),
        deterministic=False,
    )
    run_layer_test(
        cls,
        {**kwargs, "data_format": "channels_first"},
        input_shape=(2, 3, 5, 6),
        expected_output_shape=(2, 3, 5, 6),
        deterministic=False,
    )


def test_random_rotation_angles_are_within_factor():
    layer = layers.RandomRotation((-0.1, 0.25), seed=3)
    angles = torch.cat(
        [layer.get_random_transformation(SMALL)["angle"] for _ in range(200)]
    )
    assert angles.min() >= -36.0 and angles.max() <= 90.0
    assert angles.min() < -30.0 and angles.max() > 80.0
    config = layers.RandomRotation(0.2).get_config()
    assert config["factor"] == (-0.2, 0.2) and config["fill_mode"] == "reflect"


def test_random_zoom_and_translation_draws():
    zoom = layers.RandomZoom((-0.2, 0.3), seed=0)
    draws = torch.cat(
        [zoom.get_random_transformation(SMALL)["height_zoom"] for _ in range(200)]
    )
    assert draws.min() >= 0.8 and draws.max() <= 1.3 and draws.std() > 0.1
    same = zoom.get_random_transformation(SMALL)
    assert torch.equal(same["height_zoom"], same["width_zoom"])
    shift = layers.RandomTranslation(0.5, (0.0, 0.2), seed=0)
    draws = torch.cat(
        [shift.get_random_transformation(SMALL)["translations"] for _ in range(200)]
    )
    height, width = SMALL.shape[1], SMALL.shape[2]
    assert draws[:, 1].abs().max() <= 0.5 * height and draws[:, 1].min() < 0
    assert draws[:, 0].min() >= 0 and draws[:, 0].max() <= 0.2 * width


def test_affine_layers_errors():
    with pytest.raises(ArgumentError, match=r"RandomRotation.*`factor`.*1.5"):
        layers.RandomRotation(1.5)
    with pytest.raises(ArgumentError, match="fill_mode.*'mirror'"):
        layers.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ArgumentError, match="interpolation.*'bicubic'"):
        layers.RandomTranslation(0.1, 0.1, interpolation="bicubic")
    with pytest.raises(ArgumentError, match="RandomZoom.*greater than -1"):
        layers.RandomZoom((-1.0, 0.5))
    with pytest.raises(
        ArgumentError, match=r"RandomTranslation.*width_factor.*\[1, 2\]"
    ):
        layers.RandomTranslation(0.1, [1, 2])


# ---------------------------------------------------------------- colour, flip
def test_random_contrast_and_brightness_match_keras():
    contrast = torch.as_tensor(FIXTURE["contrast_factor"])
    layer = layers.RandomContrast(0.5)
    close(
        layer.transform_images(IMG, {"contrast_factor": contrast}),
        "contrast",
        atol=1e-4,
    )
    layer = layers.RandomContrast(0.5, value_range=(0, 1), data_format="channels_first")
    close(
        layer.transform_images(IMG_CF / 255, {"contrast_factor": contrast}),
        "contrast_cf",
    )
    layer = layers.RandomBrightness(0.5)
    delta = torch.as_tensor(FIXTURE["rgb_delta"])
    close(layer.transform_images(IMG, {"rgb_delta": delta}), "brightness", atol=1e-4)


def test_random_contrast_and_brightness_draws():
    assert layers.RandomContrast(0.2).get_config()["factor"] == (0, 0.2)
    layer = layers.RandomContrast((0.3, 0.5), seed=1)
    factors = torch.cat(
        [layer.get_random_transformation(IMG)["contrast_factor"] for _ in range(200)]
    )
    assert factors.min() >= 0.7 and factors.max() <= 1.5 and factors.std() > 0.15
    layer = layers.RandomBrightness((-0.2, 0.1), value_range=(255, 0), seed=1)
    assert layer.get_config()["value_range"] == [0, 255]
    deltas = torch.cat(
        [layer.get_random_transformation(IMG)["rgb_delta"] for _ in range(200)]
    )
    assert deltas.min() >= -51.0 and deltas.max() <= 25.5 and deltas.min() < -40
    out = layer(IMG, training=True)
    assert out.min() >= 0 and out.max() <= 255
    # One offset per image.
    diff = (out - IMG)[0][(IMG[0] > 60) & (IMG[0] < 190)]
    torch.testing.assert_close(diff, diff[:1].expand_as(diff))


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.RandomContrast, {"factor": 0.3}),
        (layers.RandomBrightness, {"factor": 0.3}),
        (layers.RandomFlip, {"mode": "horizontal"}),
    ],
)
def test_colour_and_flip_basics(cls, kwargs):
    run_layer_test(
        cls,
        {**kwargs, "seed": 2},
        input_shape=(2, 4, 5, 3),
        expected_output_shape=(2, 4, 5, 3),
    )


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_random_flip_matches_keras(mode):
    flips = torch.as_tensor(FIXTURE["flips"])
    close(
        layers.RandomFlip(mode).transform_images(IMG, {"flips": flips}),
        f"flip_{mode}_channels_last",
        atol=0,
    )
    layer = layers.RandomFlip(mode, data_format="channels_first")
    close(
        layer.transform_images(IMG_CF, {"flips": flips}),
        f"flip_{mode}_channels_first",
        atol=0,
    )


def test_random_flip_draws_and_seed():
    x = torch.rand(400, 2, 3, 1)
    y = layers.RandomFlip("horizontal", seed=4)(x, training=True)
    flipped = (y == x.flip(2)).flatten(1).all(1)
    kept = (y == x).flatten(1).all(1)
    assert bool((flipped | kept).all())
    assert 0.4 < flipped.float().mean().item() < 0.6
    y2 = layers.RandomFlip("horizontal", seed=4)(x, training=True)
    torch.testing.assert_close(y, y2)
    with pytest.raises(ArgumentError, match="mode.*'diagonal'"):
        layers.RandomFlip("diagonal")


RANDOM_LAYERS = [
    (layers.RandomFlip, {}),
    (layers.RandomRotation, {"factor": 0.3}),
    (layers.RandomZoom, {"height_factor": 0.3}),
    (layers.RandomTranslation, {"height_factor": 0.3, "width_factor": 0.3}),
    (layers.RandomContrast, {"factor": 0.5}),
    (layers.RandomBrightness, {"factor": 0.5}),
]


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS)
def test_random_layers_act_only_in_training(cls, kwargs):
    layer = cls(**kwargs, seed=0)
    assert not torch.equal(layer(IMG), IMG)  # Keras: a direct call augments
    assert torch.equal(layer(IMG, training=False), IMG)
    assert not torch.equal(layer(IMG, training=True), IMG)
    # Inside a model the outer call's `training` decides; predict never augments.
    inputs = lamina.Input(shape=IMG.shape[1:])
    model = lamina.Model(inputs, cls(**kwargs, seed=0)(inputs))
    assert torch.equal(model(IMG, training=False), IMG)
    assert not torch.equal(model(IMG, training=True), IMG)
    assert np.array_equal(model.predict(IMG.numpy(), verbose=0), IMG.numpy())
    # The same seed gives the same draws.
    a = cls(**kwargs, seed=7)(IMG, training=True)
    b = cls(**kwargs, seed=7)(IMG, training=True)
    torch.testing.assert_close(a, b)


def test_image_layers_take_integer_images():
    images = torch.as_tensor(FIXTURE["img_u8"])
    for cls, kwargs in RANDOM_LAYERS:
        out = cls(**kwargs, seed=0)(images, training=True)
        assert out.dtype == torch.float32 and out.shape == images.shape


# ---------------------------------------------------------------- CategoryEncoding
@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("name", ["ids2", "ids1", "col"])
def test_category_encoding_matches_keras(mode, name):
    if mode == "one_hot" and name == "ids2":
        return
    ids = torch.as_tensor(FIXTURE[{"col": "ids_col"}.get(name, name)])
    close(layers.CategoryEncoding(5, mode)(ids), f"catenc_{mode}_{name}", atol=0)


def test_category_encoding_basics():
    run_layer_test(
        layers.CategoryEncoding,
        {"num_tokens": 6},
        input_shape=(2, 3),
        input_dtype="int64",
        input_high=6,
        expected_output_shape=(2, 6),
    )
    run_layer_test(
        layers.CategoryEncoding,
        {"num_tokens": 6, "output_mode": "one_hot"},
        input_shape=(4, 1),
        input_dtype="int64",
        input_high=6,
        expected_output_shape=(4, 6),
    )
    weights = torch.as_tensor(FIXTURE["count_weights"])
    close(
        layers.CategoryEncoding(5, "count")(
            torch.as_tensor(FIXTURE["ids2"]), count_weights=weights
        ),
        "catenc_count_weighted",
    )
    assert layers.CategoryEncoding(3, "binary").output_mode == "multi_hot"
    # Out-of-range ids give zero rows.
    out = layers.CategoryEncoding(3, "one_hot")(torch.tensor([-1, 3, 1]))
    assert out.tolist() == [[0, 0, 0], [0, 0, 0], [0, 1, 0]]


def test_category_encoding_errors():
    with pytest.raises(ArgumentError, match="num_tokens=0"):
        layers.CategoryEncoding(0)
    with pytest.raises(ArgumentError, match="`num_tokens` must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ArgumentError, match="output_mode.*'tf_idf'"):
        layers.CategoryEncoding(3, "tf_idf")
    with pytest.raises(ArgumentError, match="count_weights"):
        layers.CategoryEncoding(3, "multi_hot")(
            torch.tensor([[1]]), count_weights=torch.ones(1, 1)
        )


# ---------------------------------------------------------------- Discretization
@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(mode):
    values = torch.as_tensor(FIXTURE["disc_values"])
    layer = layers.Discretization(
        bin_boundaries=[-1.0, 0.0, 0.5, 2.0], output_mode=mode
    )
    out = layer(values if mode != "one_hot" else values[:, :1])
    assert out.dtype == (torch.int32 if mode == "int" else torch.float32)
    close(out, f"disc_{mode}", atol=0)


@pytest.mark.parametrize(
    "num_bins, epsilon", [(4, 0.01), (7, 0.01), (5, 0.1), (3, 0.001)]
)
def test_discretization_adapt_matches_keras(num_bins, epsilon):
    layer = layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    layer.adapt(FIXTURE["disc_adapt_data"])
    close(layer.bin_boundaries, f"disc_adapt_{num_bins}_{epsilon}", atol=0, rtol=1e-6)
    data = FIXTURE["disc_adapt_data"]
    layer = layers.Discretization(num_bins=6)
    layer.adapt([data[:300], torch.as_tensor(data[300:650]), data[650:]])
    close(layer.bin_boundaries, "disc_adapt_batches", atol=0, rtol=1e-6)


def test_discretization_basics():
    run_layer_test(
        layers.Discretization,
        {"bin_boundaries": [0.0, 1.0]},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
    )
    layer = layers.Discretization(num_bins=3)
    layer.adapt(np.arange(30.0))
    config = layer.get_config()
    clone = layers.Discretization.from_config(config)
    assert clone.bin_boundaries == layer.bin_boundaries
    symbolic = layers.Discretization([0.0, 1.0])(lamina.Input(shape=(3,)))
    assert symbolic.dtype == "int32" and symbolic.shape == (None, 3)


def test_discretization_errors():
    with pytest.raises(ArgumentError, match="either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ArgumentError, match="not both"):
        layers.Discretization([0.0], num_bins=2)
    with pytest.raises(ArgumentError, match="sorted"):
        layers.Discretization([1.0, 0.0])
    with pytest.raises(ArgumentError, match="cannot adapt"):
        layers.Discretization([1.0]).adapt(np.zeros(3))
    with pytest.raises(ArgumentError, match="call `adapt"):
        layers.Discretization(num_bins=3)(torch.zeros(2))


def test_augmentation_layers_in_a_trained_model():
    model = lamina.Sequential(
        [
            lamina.Input(shape=(8, 8, 3)),
            layers.RandomFlip(seed=1),
            layers.RandomRotation(0.1, seed=1),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((16, 8, 8, 3)).astype("float32") * 255
    model.fit(x, np.zeros((16, 2), "float32"), epochs=1, batch_size=8, verbose=0)
    # Inference is deterministic: the augmentation is off.
    np.testing.assert_array_equal(
        model.predict(x, verbose=0), model.predict(x, verbose=0)
    )
