"""keras.preprocessing.image: ImageDataGenerator, its iterators, image files."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import lamina
from lamina.errors import ArgumentError, ShapeError
from lamina.preprocessing import image
from tests.preprocessing.legacy_fixture import cases, keras_json, keras_numbers

PIL = pytest.importorskip("PIL.Image")


def _close(actual, expected, **kw):
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5, **kw)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
def test_apply_transform_matches_keras(data_format, fill_mode):
    k = keras_numbers()
    x = k["img/input"]
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    gen = image.ImageDataGenerator(
        data_format=data_format, fill_mode=fill_mode, cval=0.25
    )
    checked = 0
    for i, params in enumerate(cases()["AFFINE_CASES"]):
        key = f"img/affine/{data_format}/{fill_mode}/{i}"
        if key not in k:
            continue
        out = gen.apply_transform(x.copy(), params)
        assert out.shape == x.shape
        _close(out, k[key], err_msg=str(params))
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_nearest_neighbour_order_matches_keras(data_format):
    k = keras_numbers()
    x = k["img/input"]
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    gen = image.ImageDataGenerator(data_format=data_format, interpolation_order=0)
    out = gen.apply_transform(x.copy(), cases()["AFFINE_CASES"][4])
    _close(out, k[f"img/order0/{data_format}"])


@pytest.mark.parametrize("name", ["aug", "shift_list"])
def test_seeded_random_draws_match_keras(name):
    k = keras_numbers()
    gen = image.ImageDataGenerator(**cases()["GENERATOR_CASES"][name])
    x = k["img/input"]
    for seed, expected in enumerate(keras_json(f"img/draws/{name}")):
        drawn = gen.get_random_transform(x.shape, seed=seed)
        assert drawn.keys() == expected.keys()
        for key, value in expected.items():
            if value is None:
                assert drawn[key] is None, key
            else:
                assert float(drawn[key]) == pytest.approx(value, rel=1e-12), key
    _close(gen.random_transform(x.copy(), seed=7), k[f"img/random/{name}"])


def test_featurewise_and_zca_statistics_match_keras():
    k = keras_numbers()
    batch = k["img/batch"]
    gen = image.ImageDataGenerator(
        featurewise_center=True, featurewise_std_normalization=True, rescale=1 / 255.0
    )
    gen.fit(batch)
    _close(gen.mean, k["img/fit/mean"])
    _close(gen.std, k["img/fit/std"])
    _close(gen.standardize(batch[0].copy()), k["img/fit/standardized"])
    with pytest.warns(UserWarning, match="featurewise_center"):
        zca = image.ImageDataGenerator(zca_whitening=True)
    zca.fit(batch[:, :3, :3])
    np.testing.assert_allclose(
        zca.zca_whitening_matrix, k["img/zca/matrix"], rtol=1e-4, atol=1e-4
    )
    sample = image.ImageDataGenerator(
        samplewise_center=True, samplewise_std_normalization=True
    )
    _close(sample.standardize(batch[1].copy()), k["img/samplewise"])


def test_seeded_flow_batches_match_keras():
    k = keras_numbers()
    batch = k["img/batch"]
    labels = np.arange(10) % 2
    gen = image.ImageDataGenerator(
        rotation_range=20,
        horizontal_flip=True,
        zoom_range=0.1,
        rescale=1 / 255.0,
        validation_split=0.3,
    )
    flow = gen.flow(
        batch, labels, batch_size=4, shuffle=True, seed=5, subset="training"
    )
    assert len(flow) == 2
    for i in range(len(flow)):
        x, y = flow[i]
        _close(x, k[f"img/flow/x{i}"])
        np.testing.assert_array_equal(y, k[f"img/flow/y{i}"])
    val = gen.flow(batch, labels, batch_size=4, shuffle=False, subset="validation")
    x, y = val[0]
    _close(x, k["img/flow/val_x0"])
    np.testing.assert_array_equal(y, k["img/flow/val_y0"])


def test_no_augmentation_is_identity_and_flips_are_exact():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 255, (6, 5, 4, 3)).astype("float32")
    y = np.arange(6)
    plain = image.ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    batches = [plain[i] for i in range(len(plain))]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    scaled = image.ImageDataGenerator(rescale=1 / 255.0).flow(
        x, batch_size=6, shuffle=False
    )[0]
    np.testing.assert_allclose(scaled, x / 255.0, rtol=1e-6)
    flips = image.ImageDataGenerator()
    np.testing.assert_array_equal(
        flips.apply_transform(x[0], {"flip_horizontal": True}), x[0][:, ::-1]
    )
    np.testing.assert_array_equal(
        flips.apply_transform(x[0], {"flip_vertical": True}), x[0][::-1]
    )
    both = image.ImageDataGenerator(horizontal_flip=True, vertical_flip=True)
    for seed in range(6):
        out = both.random_transform(x[0], seed=seed)
        assert any(
            np.array_equal(out, v)
            for v in (x[0], x[0][::-1], x[0][:, ::-1], x[0][::-1, ::-1])
        )


def test_augmented_values_stay_in_range_and_shapes_hold():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (5, 8, 6, 1)).astype("float32")
    gen = image.ImageDataGenerator(
        rotation_range=90,
        width_shift_range=0.3,
        height_shift_range=2,
        shear_range=30,
        zoom_range=[0.5, 1.5],
        fill_mode="nearest",
    )
    out = gen.flow(x, batch_size=5, seed=0)[0]
    assert out.shape == x.shape and out.dtype == np.float32
    assert out.min() >= x.min() - 1e-6 and out.max() <= x.max() + 1e-6
    assert not np.allclose(out, x)
    const = image.ImageDataGenerator(
        width_shift_range=[3],
        fill_mode="constant",
        cval=-1.0,
        data_format="channels_first",
    )
    moved = const.random_transform(np.ones((2, 4, 6), "float32"), seed=0)
    assert set(np.unique(moved)) == {-1.0, 1.0}


def test_flow_extras_sample_weights_and_errors():
    x = np.zeros((8, 4, 4, 3), "float32")
    misc = np.arange(8)
    gen = image.ImageDataGenerator()
    xs, y, w = gen.flow(
        [x, misc], np.arange(8), sample_weight=np.ones(8), batch_size=3, shuffle=False
    )[2]
    assert xs[0].shape == (2, 4, 4, 3) and xs[1].tolist() == [6, 7]
    assert y.tolist() == [6, 7] and w.tolist() == [1, 1]
    it = gen.flow(x, batch_size=3, shuffle=False)
    assert [len(next(it)) for _ in range(4)] == [3, 3, 2, 3]  # Keras 2's next()
    with pytest.raises(ShapeError, match="rank 4"):
        gen.flow(np.zeros((4, 4, 3)))
    with pytest.raises(ShapeError, match="y.shape"):
        gen.flow(x, np.zeros(7))
    split = image.ImageDataGenerator(validation_split=0.5)
    with pytest.raises(ArgumentError, match="different classes"):
        split.flow(x, np.repeat([0, 1], 4), subset="training")
    with pytest.raises(ArgumentError, match="subset"):
        split.flow(x, subset="test")
    with pytest.raises(ArgumentError, match="fill_mode"):
        image.ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ArgumentError, match="zoom_range"):
        image.ImageDataGenerator(zoom_range=(0.5, 1, 2))
    with pytest.raises(ArgumentError, match="validation_split"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ArgumentError, match="out of range|only 3"):
        it[3]


def _image_folder(root, sizes=((10, 12), (8, 8), (12, 10)), per_class=(3, 5)):
    rng = np.random.default_rng(0)
    for label, (name, count) in enumerate(zip(("cats", "dogs"), per_class)):
        (root / name).mkdir()
        for i in range(count):
            h, w = sizes[i % len(sizes)]
            pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
            pixels[0, 0] = label * 200  # a marker for the class
            PIL.fromarray(pixels).save(root / name / f"img{i}.png")
    (root / "dogs" / "notes.txt").write_text("not an image")
    return root


def test_flow_from_directory_labels_shapes_and_split(tmp_path, capsys):
    root = _image_folder(tmp_path)
    gen = image.ImageDataGenerator(rescale=1 / 255.0, validation_split=0.4)
    it = gen.flow_from_directory(
        root, target_size=(6, 7), batch_size=4, shuffle=False, subset="training"
    )
    assert "Found 5 images belonging to 2 classes." in capsys.readouterr().out
    assert it.class_indices == {"cats": 0, "dogs": 1}
    assert it.filenames == [
        "cats/img1.png",
        "cats/img2.png",
        "dogs/img2.png",
        "dogs/img3.png",
        "dogs/img4.png",
    ]
    x, y = it[0]
    assert x.shape == (4, 6, 7, 3) and 0 <= x.min() and x.max() <= 1
    np.testing.assert_array_equal(y, np.eye(2)[[0, 0, 1, 1]])
    val = gen.flow_from_directory(
        root,
        target_size=(6, 7),
        subset="validation",
        class_mode="sparse",
        color_mode="grayscale",
    )
    assert val.samples == 3 and val[0][0].shape == (3, 6, 7, 1)
    assert sorted(val[0][1].tolist()) == [0.0, 1.0, 1.0]
    binary = image.ImageDataGenerator().flow_from_directory(
        root, target_size=(5, 5), class_mode="binary", classes=["dogs", "cats"]
    )
    assert binary.class_indices == {"dogs": 0, "cats": 1}
    _, yb = binary[0]
    assert yb.shape == (8,) and yb.sum() == 3
    images_only = image.ImageDataGenerator().flow_from_directory(
        root, target_size=(5, 5), class_mode=None, batch_size=8, shuffle=False
    )
    batch = images_only[0]
    assert isinstance(batch, np.ndarray) and batch.shape == (8, 5, 5, 3)
    autoenc = image.ImageDataGenerator().flow_from_directory(
        root, target_size=(5, 5), class_mode="input", batch_size=2
    )
    xa, ya = autoenc[0]
    np.testing.assert_array_equal(xa, ya)


def test_flow_from_directory_trains_a_model(tmp_path):
    root = _image_folder(tmp_path)
    gen = image.ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True)
    it = gen.flow_from_directory(root, target_size=(8, 8), batch_size=4, seed=1)
    assert isinstance(it, lamina.utils.PyDataset)
    model = lamina.Sequential(
        [
            lamina.Input((8, 8, 3)),
            lamina.layers.Flatten(),
            lamina.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(it, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(it, verbose=0).shape == (8, 2)


def test_flow_from_directory_bad_arguments(tmp_path):
    root = _image_folder(tmp_path)
    gen = image.ImageDataGenerator()
    with pytest.raises(ArgumentError, match="color_mode"):
        gen.flow_from_directory(root, color_mode="cmyk")
    with pytest.raises(ArgumentError, match="class_mode"):
        gen.flow_from_directory(root, class_mode="onehot")
    with pytest.raises(ArgumentError, match="not a directory"):
        gen.flow_from_directory(tmp_path / "missing")


def test_image_file_helpers_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (9, 7, 3)).astype("float32")
    image.save_img(tmp_path / "a.png", pixels, scale=False)
    img = image.load_img(tmp_path / "a.png")
    assert img.size == (7, 9) and img.mode == "RGB"
    np.testing.assert_array_equal(image.img_to_array(img), pixels)
    first = image.img_to_array(img, data_format="channels_first")
    assert first.shape == (3, 9, 7)
    gray = image.img_to_array(
        image.load_img(tmp_path / "a.png", color_mode="grayscale")
    )
    assert gray.shape == (9, 7, 1)
    small = image.load_img(tmp_path / "a.png", target_size=(3, 4))
    assert small.size == (4, 3)
    square = image.load_img(
        tmp_path / "a.png", target_size=(4, 4), keep_aspect_ratio=True
    )
    assert square.size == (4, 4)
    stretched = image.img_to_array(image.array_to_img(pixels / 1000.0))
    assert stretched.min() == 0 and stretched.max() == 255
    with pytest.raises(ShapeError, match="channels"):
        image.array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ArgumentError, match="color_mode"):
        image.load_img(tmp_path / "a.png", color_mode="cmyk")
    assert lamina.utils.load_img is image.load_img


def test_missing_pillow_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        image.load_img(tmp_path / "a.png")


def test_smart_resize_crops_the_centre():
    x = np.zeros((20, 40, 1), "float32")
    x[:, 10:30] = 1.0  # the centred square that survives the crop
    out = image.smart_resize(x, (10, 10))
    assert out.shape == (10, 10, 1)
    np.testing.assert_allclose(out, 1.0)
    batch = image.smart_resize(
        np.zeros((2, 3, 30, 20)), (5, 5), data_format="channels_first"
    )
    assert batch.shape == (2, 3, 5, 5)


def test_random_functions_match_keras():
    k = keras_numbers()
    x = k["img/input"]
    axes = {"row_axis": 0, "col_axis": 1, "channel_axis": 2}
    calls = {
        "rotation": lambda: image.random_rotation(x, 30, **axes),
        "shift": lambda: image.random_shift(x, 0.2, 0.3, **axes),
        "shear": lambda: image.random_shear(x, 25, **axes),
        "zoom": lambda: image.random_zoom(x, (0.7, 1.2), **axes),
        "channel_shift": lambda: image.random_channel_shift(x, 0.3, 2),
        "brightness": lambda: image.random_brightness(x * 255, (0.5, 1.5)),
    }
    for name, call in calls.items():
        np.random.seed(1)
        _close(call(), k[f"img/random_fn/{name}"], err_msg=name)
