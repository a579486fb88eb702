"""Keras 3's image augmentation layers: Keras's numbers, configs, training-only
behaviour, dict inputs (labels, masks) and the statistics of the draws.

The fixtures come from make_layers_augmentation.py (real Keras 3.15 on torch):
seeded layers draw Keras's numbers on the CPU, so their outputs are compared
call after call.
"""

from __future__ import annotations

import doctest
import inspect
import json
import os
import random

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(HERE, "layers_augmentation.json")) as _file:
    FIXTURE = json.load(_file)
ARRAYS = np.load(os.path.join(HERE, "layers_augmentation.npz"))
CASES = FIXTURE["cases"]
# RandomElasticTransform draws from torch's global generator in Keras (its seed
# is not used): only its configs are compared.
OUTPUT_CASES = [case for case in CASES if case["outputs"]]
# Config entries lamina adds: Keras's MaxNumBoundingBoxes loses its fill_value
# in a round trip.
EXTRA_CONFIG = {"MaxNumBoundingBoxes": ("fill_value",)}


def _build(layer_name: str, kwargs: dict):
    """The layer of a case; a Pipeline's ``layers`` are ``[name, kwargs]`` pairs."""
    if layer_name == "Pipeline":
        kwargs = {**kwargs, "layers": [_build(*pair) for pair in kwargs["layers"]]}
    return getattr(layers, layer_name)(**kwargs)


def _input(names):
    """The fixture input called ``names``, or a dict of them (Keras's dict form)."""
    if isinstance(names, dict):
        return {key: _input(value) for key, value in names.items()}
    return torch.as_tensor(ARRAYS[f"input/{names}"])


def _flat(outputs, prefix=""):
    if not isinstance(outputs, dict):
        return {prefix: outputs}
    flat = {}
    for key, value in outputs.items():
        flat.update(_flat(value, f"{prefix}/{key}"))
    return flat


def _tolerance(case) -> float:
    # Pixel values up to 255 in float32: HSV round trips and warps lose ulps.
    unit = str(case["input"]).startswith("unit")
    return 1e-5 if unit else 1e-3


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=lambda case: case["name"])
def test_outputs_match_keras(case):
    layer = _build(case["layer"], case["kwargs"])
    random.seed(0)  # AugMix picks its chains with Python's random, as in Keras
    for call in range(FIXTURE["calls"]):
        outputs = _flat(layer(_input(case["input"]), training=True))
        for key, out in outputs.items():
            expected = ARRAYS[f"{case['name']}/{call}{key}"]
            np.testing.assert_allclose(
                out.numpy(),
                expected,
                rtol=1e-5,
                atol=_tolerance(case),
                err_msg=f"{case['name']} call {call} {key}",
            )


def _comparable(config):
    """A config without the layers' automatic names (their counters differ)
    and build configs (Keras's are those of layers it has called)."""
    if isinstance(config, list):
        return [_comparable(item) for item in config]
    if not isinstance(config, dict):
        return config
    layer_config = "trainable" in config or "layers" in config
    return {
        key: _comparable(value)
        for key, value in config.items()
        if not (layer_config and key == "name") and key != "build_config"
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_configs_match_keras(case):
    layer = _build(case["layer"], case["kwargs"])
    config = json.loads(json.dumps(layer.get_config()))
    config.pop("dtype", None)
    for key in EXTRA_CONFIG.get(case["layer"], ()):
        config.pop(key)
    assert _comparable(config) == _comparable(FIXTURE["configs"][case["name"]])
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


# ---------------------------------------------------------------- behaviour
IMG = _input("img")
BIG = _input("big")

# Every random layer of this family, with arguments that change every image.
RANDOM_LAYERS = [
    (layers.RandomGrayscale, {"factor": 1.0}),
    (layers.RandomInvert, {"factor": (1.0, 1.0)}),
    (layers.RandomColorDegeneration, {"factor": (0.5, 0.9)}),
    (layers.RandomSaturation, {"factor": (0.1, 0.3)}),
    (layers.RandomHue, {"factor": (0.2, 0.5)}),
    (layers.RandomSharpness, {"factor": (0.8, 1.0)}),
    (layers.RandomPosterization, {"factor": (2, 2)}),
    (layers.Solarization, {"addition_factor": 0.2}),
    (layers.RandomGaussianBlur, {"factor": (1.0, 1.0)}),
    (layers.RandomErasing, {"factor": (1.0, 1.0)}),
    (layers.RandomShear, {"x_factor": (0.5, 0.5)}),
    (layers.RandomPerspective, {"factor": (1.0, 1.0), "scale": 0.5}),
    (layers.RandomElasticTransform, {"factor": (1.0, 1.0), "scale": (1.0, 1.0)}),
    (layers.CutMix, {}),
    (layers.MixUp, {"alpha": 2.0}),
    (layers.RandomColorJitter, {"brightness_factor": (0.2, 0.3)}),
    (layers.RandAugment, {"num_ops": 3, "factor": (0.5, 0.9)}),
    (layers.AugMix, {"factor": (0.5, 0.9)}),
]
NAMES = [cls.__name__ for cls, _ in RANDOM_LAYERS]
# Those whose arguments above pin every draw's effect.
PINNED = {layers.RandomGrayscale, layers.RandomInvert, layers.RandomPosterization}


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=NAMES)
def test_random_layers_act_only_in_training(cls, kwargs):
    images = BIG
    layer = cls(**kwargs, seed=3)
    assert not torch.equal(layer(images), images)  # Keras: a direct call augments
    assert torch.equal(layer(images, training=False), images)
    inputs = lamina.Input(shape=images.shape[1:])
    model = lamina.Model(inputs, cls(**kwargs, seed=3)(inputs))
    assert torch.equal(model(images, training=False), images)
    assert not torch.equal(model(images, training=True), images)
    assert np.array_equal(model.predict(images.numpy(), verbose=0), images.numpy())
    # The same seed draws the same numbers (AugMix picks its chains with
    # Python's random); a layer's next call draws new ones.
    first = cls(**kwargs, seed=7)
    random.seed(1)
    a = first(images, training=True)
    random.seed(1)
    torch.testing.assert_close(a, cls(**kwargs, seed=7)(images, training=True))
    if cls not in PINNED:
        assert not torch.equal(a, first(images, training=True))


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=NAMES)
def test_random_layers_basics(cls, kwargs):
    run_layer_test(
        cls,
        {**kwargs, "seed": 1},
        input_shape=(2, 16, 18, 3),
        expected_output_shape=(2, 16, 18, 3),
        deterministic=False,
    )


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=NAMES)
def test_random_layers_take_single_images_channels_first_and_integers(cls, kwargs):
    single = cls(**kwargs, seed=2)(BIG[0], training=True)
    assert single.shape == BIG[0].shape and single.dtype == torch.float32
    channels_first = BIG.permute(0, 3, 1, 2)
    out = cls(**kwargs, seed=2, data_format="channels_first")(
        channels_first, training=True
    )
    assert out.shape == channels_first.shape
    integers = BIG.to(torch.uint8)
    assert cls(**kwargs, seed=2)(integers, training=True).dtype == torch.float32


def test_deterministic_layers_in_training_and_inference():
    # Keras: AutoContrast and CLAHE always act; Equalization only in training.
    images = _input("steps")
    for layer in (
        layers.AutoContrast(),
        layers.ContrastLimitedAdaptiveHistogramEqualization(),
    ):
        torch.testing.assert_close(layer(images, training=False), layer(images))
        assert not torch.equal(layer(images, training=False), images)
    equalization = layers.Equalization()
    assert torch.equal(equalization(images, training=False), images)
    assert not torch.equal(equalization(images), images)
    clahe = layers.ContrastLimitedAdaptiveHistogramEqualization()
    integers = clahe(images.to(torch.uint8))
    assert integers.dtype == torch.uint8  # as Keras: back to the input's dtype
    run_layer_test(
        layers.AutoContrast,
        {"value_range": (0, 1)},
        input_shape=(2, 5, 6, 3),
        expected_output_shape=(2, 5, 6, 3),
    )
    run_layer_test(
        layers.ContrastLimitedAdaptiveHistogramEqualization,
        {"tile_grid_size": (2, 3)},
        input_shape=(2, 7, 9, 3),
        expected_output_shape=(2, 7, 9, 3),
    )


def test_augmentation_in_fit():
    model = lamina.Sequential(
        [
            lamina.Input(shape=(16, 16, 3)),
            layers.RandAugment(seed=1),
            layers.AugMix(seed=1),
            layers.RandomColorJitter(contrast_factor=0.2, hue_factor=0.1, seed=1),
            layers.RandomErasing(seed=1),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((8, 16, 16, 3)).astype("float32") * 255
    history = model.fit(x, np.zeros((8, 2), "float32"), batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_array_equal(
        model.predict(x, verbose=0), model.predict(x, verbose=0)
    )


# ---------------------------------------------------------------- dict inputs
def _coded_images(batch=4, height=12, width=10):
    """Images whose pixels are distinct integers: a warp's source pixels show."""
    codes = torch.arange(batch * height * width, dtype=torch.float32)
    return codes.reshape(batch, height, width, 1).expand(-1, -1, -1, 3).contiguous()


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.RandomShear, {"x_factor": 0.4, "y_factor": 0.3}),
        (layers.RandomPerspective, {"scale": 0.6}),
        (layers.RandomElasticTransform, {"scale": 1.0}),
        (layers.RandomRotation, {"factor": 0.3}),
        (layers.RandomFlip, {}),
        (layers.CutMix, {}),
        (layers.RandomCrop, {"height": 7, "width": 6}),
        (layers.RandomZoom, {"height_factor": 0.3}),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_segmentation_masks_move_with_the_images(cls, kwargs):
    images = _coded_images()
    masks = images[..., :1].clone()
    kwargs = {**kwargs, "seed": 5}
    if "value_range" in inspect.signature(cls).parameters:
        kwargs["value_range"] = (0, 1e6)  # no clipping of the codes
    if "interpolation" in inspect.signature(cls).parameters:
        kwargs["interpolation"] = "nearest"
    out = cls(**kwargs)({"images": images, "segmentation_masks": masks})
    torch.testing.assert_close(out["segmentation_masks"], out["images"][..., :1])
    assert out["images"].shape[:3] != images.shape[:3] or not torch.equal(
        out["images"], images
    )


def test_rand_augment_moves_masks_with_its_geometric_operations():
    images = _coded_images()
    masks = images[..., :1].clone()
    layer = layers.RandAugment(num_ops=4, factor=0.6, interpolation="nearest", seed=5)
    transformation = layer.get_random_transformation(images)
    names = [list(layer._augmentations)[i] for i in transformation["layer_idxes"]]
    assert "random_shear" in names and "auto_contrast" in names
    moved = layer.transform_segmentation_masks(masks, transformation)
    expected = masks
    for name in names:  # the colour operations leave masks alone
        if name in ("random_shear", "random_translation", "random_rotation"):
            sublayer = layer._augmentations[name]
            expected = sublayer.transform_segmentation_masks(
                expected, transformation["transforms"][name]
            )
    torch.testing.assert_close(moved, expected)
    assert set(moved.unique().tolist()) <= set(masks.unique().tolist())


def test_colour_layers_leave_masks_and_labels_alone():
    masks = torch.randint(0, 3, (3, 6, 7, 1))
    labels = torch.eye(3)
    for layer in (layers.RandomHue(0.5, seed=1), layers.RandomErasing(seed=1)):
        out = layer({"images": IMG, "labels": labels, "segmentation_masks": masks})
        assert out["segmentation_masks"] is masks and out["labels"] is labels


def test_mixing_layers_mix_labels_as_they_mix_pixels():
    images = torch.stack([torch.full((32, 32, 3), float(i)) for i in range(4)])
    labels = torch.eye(4)
    out = layers.CutMix(seed=4)({"images": images, "labels": labels})
    # Each image is itself plus a box of one other: the label weights are the
    # box's area (continuous, as in Keras), the pixel shares up to its edges.
    for i in range(4):
        values, counts = out["images"][i, ..., 0].unique(return_counts=True)
        shares = torch.zeros(4).index_add_(0, values.long(), counts / 1024.0)
        torch.testing.assert_close(out["labels"][i], shares, atol=0.07, rtol=0)
    assert (out["labels"] > 0).sum(dim=1).max() <= 2
    out = layers.MixUp(alpha=0.8, seed=4)({"images": images, "labels": labels})
    torch.testing.assert_close(
        out["images"][..., 0, 0, 0], out["labels"] @ torch.arange(4.0)
    )
    torch.testing.assert_close(out["labels"].sum(dim=1), torch.ones(4))


def test_single_image_dicts_and_cut_mix_leaves_single_images():
    image = IMG[0]
    out = layers.RandomShear(0.3, seed=1)(
        {"images": image, "labels": torch.tensor(1.0)}
    )
    assert out["images"].shape == image.shape and out["labels"].shape == ()
    assert torch.equal(layers.CutMix(seed=1)(image), image)  # nothing to mix with


def test_max_num_bounding_boxes():
    boxes = {"boxes": torch.rand(2, 4, 4), "labels": torch.arange(8.0).view(2, 4)}
    layer = layers.MaxNumBoundingBoxes(2, bounding_box_format="xyxy")
    out = layer({"images": IMG[:2], "bounding_boxes": boxes}, training=False)
    torch.testing.assert_close(out["bounding_boxes"]["boxes"], boxes["boxes"][:, :2])
    assert torch.equal(out["images"], IMG[:2])
    padded = layers.MaxNumBoundingBoxes(6, fill_value=-3, bounding_box_format="xyxy")
    out = padded(
        {
            "images": IMG[0],
            "bounding_boxes": {
                "boxes": boxes["boxes"][0],
                "labels": boxes["labels"][0],
            },
        }
    )
    assert out["bounding_boxes"]["labels"].tolist() == [0, 1, 2, 3, -3, -3]
    assert layer.compute_output_shape(
        {
            "images": (None, 6, 7, 3),
            "bounding_boxes": {"boxes": (None, 9, 4), "labels": (None, 9)},
        }
    )["bounding_boxes"] == {"boxes": (None, 2, 4), "labels": (None, 2)}


def test_dict_input_errors():
    with pytest.raises(ArgumentError, match="bounding_box_format"):
        layers.RandomHue(0.2)({"images": IMG, "bounding_boxes": {}})
    with pytest.raises(ArgumentError, match="does not transform 'bounding_boxes'"):
        layers.RandomShear(0.2, bounding_box_format="xyxy")(
            {"images": IMG, "bounding_boxes": {"boxes": torch.zeros(3, 1, 4)}}
        )
    with pytest.raises(ArgumentError, match="Received keys"):
        layers.RandomHue(0.2)({"pixels": IMG})
    with pytest.raises(ArgumentError, match="segmentation_masks"):
        layers.AugMix()({"images": IMG, "segmentation_masks": IMG})


# ---------------------------------------------------------------- statistics
def test_probabilities_of_the_per_image_layers():
    images = torch.rand(2000, 2, 2, 3) * 255
    grey = layers.RandomGrayscale(factor=0.3, seed=1)(images)
    converted = (grey[..., 0] == grey[..., 1]).flatten(1).all(1).float().mean()
    assert 0.26 < converted < 0.34
    inverted = layers.RandomInvert(factor=(0.5, 0.5), seed=1)(images)
    share = (inverted == 255 - images).flatten(1).all(1).float().mean()
    assert 0.46 < share < 0.54
    # A probability drawn in [0, 1], then a coin: half the images overall.
    blurred = layers.RandomGaussianBlur(sigma=(1, 1), seed=1)(images)
    assert 0.45 < (blurred != images).flatten(1).any(1).float().mean() < 0.55


def test_draw_ranges():
    images = torch.rand(500, 20, 20, 3) * 255
    hue = layers.RandomHue((0.2, 0.6), seed=1)
    shifts = hue.get_random_transformation(images)["factor"].abs()
    assert shifts.min() >= 0.1 and shifts.max() <= 0.3 and shifts.std() > 0.04
    shear = layers.RandomShear((0.1, 0.2), (0.3, 0.4), seed=1)
    factors = shear.get_random_transformation(images)["shear_factor"].abs()
    assert factors[:, 0].min() >= 0.1 and factors[:, 0].max() <= 0.2
    assert factors[:, 1].min() >= 0.3 and factors[:, 1].max() <= 0.4
    posterize = layers.RandomPosterization((2, 5), seed=1)
    bits = 8 - posterize.get_random_transformation(images)["shift_factor"].long()
    assert set(bits.tolist()) == {2, 3, 4}  # the upper end is excluded, as in Keras
    erasing = layers.RandomErasing(
        factor=(1, 1), scale=(0.1, 0.3), fill_value=-1.0, value_range=(-1, 255), seed=1
    )
    area = (erasing(images) == -1).float().mean(dim=(1, 2, 3))
    assert area.min() > 0.07 and area.max() <= 0.35 and area.std() > 0.03
    mix = layers.MixUp(alpha=0.5, seed=1).get_random_transformation(images)
    weights = mix["mix_weight"]
    assert (
        abs(weights.mean() - 0.5) < 0.05
        and ((weights < 0.1) | (weights > 0.9)).float().mean() > 0.3
    )


def test_elastic_transform_properties():
    images = _coded_images(2, 16, 16)
    layer = layers.RandomElasticTransform(
        factor=(1, 1),
        interpolation="nearest",
        fill_mode="nearest",
        value_range=(0, 1e6),
        seed=3,
    )
    out = layer(images)
    # Nearest sampling moves pixels: every output value is an input value.
    assert set(out.unique().tolist()) <= set(images.unique().tolist())
    assert not torch.equal(out, images)
    assert torch.equal(layers.RandomElasticTransform(scale=0.0)(images), images)

    # Larger scales move pixels further.
    def moved(scale):
        warped = layers.RandomElasticTransform(
            factor=(1, 1),
            scale=(scale, scale),
            interpolation="nearest",
            value_range=(0, 1e6),
            seed=3,
        )(images)
        return (warped != images).float().mean()

    assert moved(0.2) < moved(1.0)


def test_gaussian_blur_kernels():
    # A centred impulse comes out as the (normalised) kernel, here 5 x 3.
    image = torch.zeros(1, 9, 9, 1)
    image[0, 4, 4, 0] = 1.0
    layer = layers.RandomGaussianBlur(
        factor=(1, 1), kernel_size=(5, 3), sigma=(1.0, 1.0), value_range=(0, 1), seed=0
    )
    out = layer(image)[0, ..., 0]
    assert (out > 0).sum(dim=0).max() == 5 and (out > 0).sum(dim=1).max() == 3
    torch.testing.assert_close(out.sum(), torch.tensor(1.0))


# ---------------------------------------------------------------- arguments
def test_argument_errors():
    with pytest.raises(ArgumentError, match="RandomGrayscale.*factor"):
        layers.RandomGrayscale(factor=1.5)
    with pytest.raises(ArgumentError, match="RandomHue.*factor"):
        layers.RandomHue(factor=2.0)
    with pytest.raises(ArgumentError, match="value_range"):
        layers.RandomSaturation(0.5, value_range=(0, 1, 2))
    with pytest.raises(ArgumentError, match="kernel_size"):
        layers.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ArgumentError, match="fill_mode"):
        layers.RandomShear(0.1, fill_mode="mirror")
    with pytest.raises(ArgumentError, match="scale"):
        layers.RandomPerspective(scale=1.5)
    with pytest.raises(ArgumentError, match="fill_value"):
        layers.RandomErasing(fill_value=(1, 2))
    with pytest.raises(ArgumentError, match="Solarization.*threshold_factor"):
        layers.Solarization(threshold_factor=(0.5, 1.5))
    with pytest.raises(ArgumentError, match="interpolation"):
        layers.RandomElasticTransform(interpolation="bicubic")
    with pytest.raises(ShapeError, match="RGB"):
        layers.RandomHue(0.2)(torch.rand(2, 5, 5, 1))
    with pytest.raises(ShapeError, match="4-D input"):
        layers.AutoContrast()(torch.rand(5, 5))
    with pytest.raises(TypeError, match="factor"):
        layers.RandomSharpness()  # factor is required, as in Keras


def test_signatures_are_keras():
    assert str(inspect.signature(layers.RandomErasing)) == (
        "(factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), "
        "seed=None, data_format=None, **kwargs)"
    )
    # Positional calls bind as in Keras.
    assert layers.RandomShear(0.2, 0.1, "nearest").interpolation == "nearest"
    assert layers.Solarization(0.1, 0.2, (0, 1)).value_range == [0, 1]


# ---------------------------------------------------------------- Pipeline
def test_pipeline():
    pipeline = layers.Pipeline(
        [layers.RandomFlip(seed=1), layers.RandomHue(0.3, seed=2), layers.Identity()]
    )
    assert [type(layer).__name__ for layer in pipeline.layers] == [
        "RandomFlip",
        "RandomHue",
        "Identity",
    ]
    assert torch.equal(pipeline(IMG, training=False), IMG)
    assert not torch.equal(pipeline(IMG), IMG)
    clone = layers.deserialize(layers.serialize(pipeline))
    assert [type(layer).__name__ for layer in clone.layers] == [
        "RandomFlip",
        "RandomHue",
        "Identity",
    ]
    # In a model: augments in fit only; its sublayers' weights are the model's.
    dense_pipeline = layers.Pipeline([layers.Dense(4), layers.Dense(2)])
    model = lamina.Sequential([lamina.Input(shape=(3,)), dense_pipeline])
    assert model.output_shape == (None, 2) and len(model.weights) == 4
    # Masks pass from layer to layer.
    masked = layers.Pipeline([layers.Masking(0.0), layers.LSTM(2)])
    sequences = torch.ones(1, 3, 1)
    sequences[0, 2] = 0.0
    torch.testing.assert_close(masked(sequences), masked.layers[1](sequences[:, :2]))
    with pytest.raises(ArgumentError, match="layers"):
        layers.Pipeline.from_config({"layers": None})


def test_layers_serialize_and_deserialize():
    dense = layers.Dense(3, activation="relu", name="d")
    config = layers.serialize(dense)
    assert config["module"] == "keras.layers" and config["class_name"] == "Dense"
    clone = layers.deserialize(config)
    assert isinstance(clone, layers.Dense) and clone.get_config() == dense.get_config()
    # Keras 2 configs carry no module; custom classes come from custom_objects.
    assert isinstance(
        layers.deserialize({"class_name": "Dropout", "config": {"rate": 0.5}}),
        layers.Dropout,
    )

    class Custom(layers.Layer):
        pass

    custom = layers.deserialize(
        {"class_name": "Custom", "config": {"name": "c"}},
        custom_objects={"Custom": Custom},
    )
    assert isinstance(custom, Custom)
    with pytest.raises(ArgumentError, match="not a `keras.layers.Layer`"):
        layers.deserialize(
            {"class_name": "Adam", "module": "keras.optimizers", "config": {}}
        )


# ---------------------------------------------------------------- docstrings
NEW_LAYERS = [
    "AugMix",
    "AutoContrast",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "HashedCrossing",
    "MaxNumBoundingBoxes",
    "MelSpectrogram",
    "MixUp",
    "Pipeline",
    "RandAugment",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "STFTSpectrogram",
    "Solarization",
    "serialize",
    "deserialize",
]


@pytest.mark.parametrize("name", NEW_LAYERS)
def test_docstring_examples_run(name):
    obj = getattr(layers, name)
    assert "Example" in obj.__doc__ and "Args:" in obj.__doc__
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs = {"lamina": lamina, "torch": torch, "np": np, **vars(layers)}
    tests = finder.find(obj, name, globs=globs)
    assert sum(len(test.examples) for test in tests) > 0
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
