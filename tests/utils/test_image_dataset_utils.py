"""lamina.utils.image_dataset_from_directory (and the directory indexing under it)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import lamina
from lamina.errors import ArgumentError
from lamina.utils import dataset_utils, image_utils
from tests.preprocessing.legacy_fixture import cases, keras_json, keras_numbers

PIL = pytest.importorskip("PIL.Image")


def _folder(root, counts=(4, 6, 2)):
    rng = np.random.default_rng(0)
    for label, count in enumerate(counts):
        folder = root / f"class_{label}"
        folder.mkdir()
        for i in range(count):
            pixels = np.full((8 + i, 10, 3), label * 100, dtype=np.uint8)
            pixels[1:, 1:] = rng.integers(0, 256, (7 + i, 9, 3))
            PIL.fromarray(pixels).save(folder / f"{i}.png")
    (root / "class_0" / "readme.txt").write_text("skipped")
    return root


def test_index_directory_order_matches_keras(tmp_path):
    for folder, names in cases()["INDEX_TREE"].items():
        for name in names:
            path = tmp_path / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    for seed, (paths, labels, classes) in keras_json("index").items():
        got_paths, got_labels, got_classes = dataset_utils.index_directory(
            tmp_path,
            "inferred",
            formats=(".png", ".jpg", ".bmp"),
            shuffle=seed != "None",
            seed=None if seed == "None" else int(seed),
            verbose=False,
        )
        assert [os.path.relpath(p, tmp_path) for p in got_paths] == paths
        assert got_labels.tolist() == labels and got_classes == classes


def test_batches_labels_and_attributes(tmp_path, capsys):
    root = _folder(tmp_path)
    ds = lamina.utils.image_dataset_from_directory(
        root, image_size=(6, 5), batch_size=5, shuffle=False
    )
    assert "Found 12 files belonging to 3 classes." in capsys.readouterr().out
    assert isinstance(ds, lamina.utils.PyDataset)
    assert ds.class_names == ["class_0", "class_1", "class_2"]
    assert len(ds) == 3 and len(ds.file_paths) == 12
    assert ds.file_paths[0] == os.path.join(str(root), "class_0", "0.png")
    x, y = ds[0]
    assert x.shape == (5, 6, 5, 3) and x.dtype == np.float32
    assert y.dtype == np.int32 and y.tolist() == [0, 0, 0, 0, 1]
    assert 0 <= x.min() and x.max() <= 255
    last_x, last_y = ds[2]
    assert last_x.shape == (2, 6, 5, 3) and last_y.tolist() == [2, 2]
    assert sum(len(b[1]) for b in ds) == 12  # iteration covers every image
    cat = lamina.utils.image_dataset_from_directory(
        root,
        image_size=4,
        label_mode="categorical",
        color_mode="grayscale",
        batch_size=None,
        shuffle=False,
        verbose=False,
    )
    x1, y1 = cat[0]
    assert x1.shape == (4, 4, 1) and y1.tolist() == [1.0, 0.0, 0.0]
    only = lamina.utils.image_dataset_from_directory(
        root,
        labels=None,
        image_size=(3, 3),
        batch_size=12,
        shuffle=False,
        data_format="channels_first",
        verbose=False,
    )
    assert only.class_names is None and only[0].shape == (12, 3, 3, 3)


def test_resizing_keeps_a_flat_image_flat(tmp_path):
    (tmp_path / "a").mkdir()
    PIL.fromarray(np.full((9, 13, 3), 77, np.uint8)).save(tmp_path / "a" / "x.png")
    for kwargs in (
        {},
        {"crop_to_aspect_ratio": True},
        {"interpolation": "nearest"},
        {"interpolation": "bicubic"},
        {"interpolation": "area"},
    ):
        ds = lamina.utils.image_dataset_from_directory(
            tmp_path, image_size=(5, 4), verbose=False, **kwargs
        )
        np.testing.assert_allclose(ds[0][0], 77.0, rtol=1e-5, err_msg=str(kwargs))
    padded = lamina.utils.image_dataset_from_directory(
        tmp_path, image_size=(8, 8), pad_to_aspect_ratio=True, verbose=False
    )[0][0][0]
    assert padded[0, 0, 0] == 0 and padded[4, 4, 0] == pytest.approx(77.0)


def test_validation_split_is_disjoint_and_reproducible(tmp_path):
    root = _folder(tmp_path)
    kwargs = {
        "image_size": (4, 4),
        "validation_split": 0.25,
        "seed": 7,
        "verbose": False,
    }
    train, val = lamina.utils.image_dataset_from_directory(
        root, subset="both", **kwargs
    )
    assert len(train.file_paths) == 9 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    again = lamina.utils.image_dataset_from_directory(
        root, subset="validation", **kwargs
    )
    assert again.file_paths == val.file_paths
    paths, labels, _ = dataset_utils.index_directory(
        root, "inferred", formats=(".png",), shuffle=True, seed=7, verbose=False
    )
    assert val.file_paths == paths[-3:]  # Keras takes the last files
    assert sorted(np.concatenate([b[1] for b in val]).tolist()) == sorted(
        labels[-3:].tolist()
    )


def test_binary_labels_and_fit(tmp_path):
    root = _folder(tmp_path, counts=(4, 4))
    ds = lamina.utils.image_dataset_from_directory(
        root,
        image_size=(6, 6),
        label_mode="binary",
        batch_size=3,
        seed=1,
        verbose=False,
    )
    x, y = ds[0]
    assert y.shape == (3, 1) and y.dtype == np.float32
    model = lamina.Sequential(
        [
            lamina.Input((6, 6, 3)),
            lamina.layers.Rescaling(1 / 255.0),
            lamina.layers.Flatten(),
            lamina.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(ds, epochs=2, validation_data=ds, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert len(model.evaluate(ds, verbose=0, return_dict=True)) >= 1


def test_bad_arguments_name_themselves(tmp_path):
    root = _folder(tmp_path)
    fn = lamina.utils.image_dataset_from_directory
    with pytest.raises(ArgumentError, match="exactly 2 classes"):
        fn(root, label_mode="binary", verbose=False)
    with pytest.raises(ArgumentError, match="seed"):
        fn(root, validation_split=0.2, subset="training", verbose=False)
    with pytest.raises(ArgumentError, match="validation_split"):
        fn(root, subset="training", verbose=False)
    with pytest.raises(ArgumentError, match="class_names"):
        fn(root, class_names=["class_0", "nope"], verbose=False)
    with pytest.raises(ArgumentError, match="label_mode"):
        fn(root, label_mode="sparse", verbose=False)
    with pytest.raises(ArgumentError, match="image_size"):
        fn(root, image_size=(1, 2, 3), verbose=False)
    with pytest.raises(ArgumentError, match="one label per file"):
        fn(root, labels=[0, 1], verbose=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ArgumentError, match="No images"):
        fn(empty, verbose=False)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("size", [(5, 7), (25, 31)])
def test_resizing_matches_keras(interpolation, size):
    k = keras_numbers()
    out = image_utils.resize_images(k["resize/input"], size, interpolation)
    expected = k[f"resize/{interpolation}/{size[0]}x{size[1]}"]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-3)
    smart = lamina.utils.smart_resize(k["resize/input"][0], (6, 6))
    np.testing.assert_allclose(smart, k["resize/smart"], rtol=1e-5, atol=1e-3)
