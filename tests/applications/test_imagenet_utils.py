"""preprocess_input, decode_predictions and the downloads, against Keras 3.15.

Keras's numbers come from tests/fixtures/make_applications.py: every mode of
`imagenet_utils.preprocess_input` on NumPy arrays (4D, 3D, integers) and
tensors in both data formats, each family's own `preprocess_input`, and
`decode_predictions` with a stand-in class index (Keras's real one is a
download; the tests are offline, see conftest.py).
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest
import torch

from lamina import applications
from lamina.applications import imagenet_utils
from tests.applications.keras_files import KERAS, models_cache

MODES = ("caffe", "tf", "torch")
FAMILIES = (
    "vgg16", "vgg19", "resnet", "resnet50", "resnet_v2", "inception_v3",
    "inception_resnet_v2", "xception", "mobilenet", "mobilenet_v2", "mobilenet_v3",
    "densenet", "nasnet", "efficientnet", "efficientnet_v2", "convnext",
)  # fmt: skip


def close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-6, atol=1e-5)


# ------------------------------------------------------------- preprocess_input


@pytest.mark.parametrize("mode", MODES)
def test_preprocess_input_arrays_match_keras(mode, keras_arrays):
    batch, first = keras_arrays["pre/batch"], keras_arrays["pre/first"]
    f = imagenet_utils.preprocess_input
    pre = f"pre/{mode}"
    close(f(batch.copy(), "channels_last", mode), keras_arrays[f"{pre}/last/4d"])
    close(f(batch[0].copy(), "channels_last", mode), keras_arrays[f"{pre}/last/3d"])
    close(f(first.copy(), "channels_first", mode), keras_arrays[f"{pre}/first/4d"])
    close(f(first[0].copy(), "channels_first", mode), keras_arrays[f"{pre}/first/3d"])
    ints = f(keras_arrays["pre/ints"].copy(), "channels_last", mode)
    assert ints.dtype == np.float32
    close(ints, keras_arrays[f"{pre}/last/ints"])


@pytest.mark.parametrize("mode", MODES)
def test_preprocess_input_tensors_match_keras(mode, keras_arrays):
    f = imagenet_utils.preprocess_input
    last = f(torch.tensor(keras_arrays["pre/batch"]), "channels_last", mode)
    first = f(torch.tensor(keras_arrays["pre/first"]), "channels_first", mode)
    assert isinstance(last, torch.Tensor) and last.dtype == torch.float32
    close(last, keras_arrays[f"pre/{mode}/last/tensor"])
    close(first, keras_arrays[f"pre/{mode}/first/tensor"])


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_preprocesses_as_keras(family, keras_arrays):
    module = getattr(applications, family)
    result = module.preprocess_input(keras_arrays["pre/batch"].copy())
    close(result, keras_arrays[f"pre/module/{family}"])
    assert module.preprocess_input.__name__ == "preprocess_input"
    assert module.decode_predictions is imagenet_utils.decode_predictions


def test_preprocess_input_works_in_place_on_float_arrays():
    # As Keras documents: a float array is preprocessed in place.
    x = np.full((1, 2, 2, 3), 255.0, dtype="float32")
    assert imagenet_utils.preprocess_input(x, mode="tf") is x
    assert np.all(x == 1.0)


def test_preprocess_input_errors_match_keras():
    x = np.zeros((1, 2, 2, 3), "float32")
    with pytest.raises(ValueError, match=re.escape("Received: mode=rgb")):
        imagenet_utils.preprocess_input(x, mode="rgb")
    with pytest.raises(ValueError, match="Received: data_format=nhwc"):
        imagenet_utils.preprocess_input(x, data_format="nhwc")


# ----------------------------------------------------------- decode_predictions


@pytest.fixture
def class_index(monkeypatch, tmp_path):
    """Keras's cache holds a stand-in class index, with its MD5 as the expected
    one (the real file's MD5 is Keras's; the real file is a download)."""
    text = json.dumps(KERAS["decode"]["index"])
    folder = models_cache()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "imagenet_class_index.json").write_text(text)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(
        imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(text.encode()).hexdigest()
    )


def _rows(decoded):
    return [
        [[name, text, float(score)] for name, text, score in row] for row in decoded
    ]


@pytest.mark.parametrize("top", ["5", "1", "3"])
def test_decode_predictions_matches_keras(top, class_index):
    preds = np.array(KERAS["decode"]["preds"], dtype="float32")
    decoded = imagenet_utils.decode_predictions(preds, top=int(top))
    assert all(isinstance(entry, tuple) for row in decoded for entry in row)
    assert _rows(decoded) == KERAS["decode"]["results"][top]
    tensor = imagenet_utils.decode_predictions(torch.tensor(preds), top=int(top))
    assert _rows(tensor) == KERAS["decode"]["results"][top]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_decodes_as_keras(family, class_index):
    preds = np.array(KERAS["decode"]["preds"], dtype="float32")
    decoded = getattr(applications, family).decode_predictions(preds, top=2)
    assert _rows(decoded) == KERAS["decode"]["per_module"][family]


def test_decode_predictions_shape_error_matches_keras():
    preds = np.array(KERAS["decode"]["preds"], dtype="float32")[:, :10]
    with pytest.raises(ValueError) as info:
        imagenet_utils.decode_predictions(preds)
    assert str(info.value) == KERAS["decode"]["shape_error"]


def test_class_index_offline_names_url_and_cache_path(monkeypatch):
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    preds = np.zeros((1, 1000), "float32")
    with pytest.raises(FileNotFoundError) as info:
        imagenet_utils.decode_predictions(preds)
    message = str(info.value)
    assert imagenet_utils.CLASS_INDEX_PATH in message
    assert str(models_cache() / "imagenet_class_index.json") in message
    assert "offline" in message


def test_cached_file_with_another_hash_is_downloaded_again_and_kept(monkeypatch):
    # Keras's rule: a cached file whose hash differs is fetched again. Offline,
    # that fails, and the file found stays where it is.
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    folder = models_cache()
    folder.mkdir(parents=True)
    (folder / "imagenet_class_index.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="does not match its hash") as error:
        imagenet_utils.decode_predictions(np.zeros((1, 1000), "float32"))
    assert "downloading it again" in str(error.value)
    assert "imagenet_class_index.json" in str(error.value)
    assert (folder / "imagenet_class_index.json").read_text() == "{}"
