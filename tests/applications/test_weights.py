"""Keras's weight files load into lamina's applications and give Keras's outputs.

- A Keras 3 `.weights.h5` of MobileNetV3Small (random weights, written by
  tests/fixtures/make_applications.py), through ``weights=<path>``.
- A Keras 2 `.h5` of MobileNet, the format of Keras's published ImageNet files
  (written by tf_keras, make_applications_keras2.py), through ``weights=<path>``
  and through ``weights="imagenet"`` from Keras's cache, under Keras's name.
- ``weights="imagenet"`` without a network: an error naming the address and
  the cache path (the tests are offline, see conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from lamina.applications import MobileNet, MobileNetV3Small, ResNet50
from tests.applications.keras_files import FIXTURES, models_cache, unpack


def test_keras3_weights_file_gives_keras_outputs(keras_arrays, tmp_path):
    path = unpack(
        "applications_mobilenet_v3_small.weights.h5.gz", tmp_path, "v3.weights.h5"
    )
    model = MobileNetV3Small(
        weights=str(path), alpha=0.75, include_top=False, pooling="avg"
    )
    outputs = model.predict(keras_arrays["weights/v3small/images"], verbose=0)
    expected = keras_arrays["weights/v3small/outputs"]
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def keras2():
    with np.load(FIXTURES / "applications_keras2.npz") as f:
        return {"images": f["images"], "outputs": f["outputs"]}


def test_keras2_weights_file_gives_tf_keras_outputs(keras2, tmp_path):
    path = unpack("applications_mobilenet_0.25.h5.gz", tmp_path, "mobilenet.h5")
    model = MobileNet(
        weights=path,
        alpha=0.25,
        include_top=False,
        pooling="avg",
        input_shape=(64, 64, 3),
    )
    outputs = model.predict(keras2["images"], verbose=0)
    np.testing.assert_allclose(outputs, keras2["outputs"], rtol=1e-4, atol=1e-4)


def test_imagenet_weights_come_from_keras_cache(keras2):
    # Keras's file name for these weights; MobileNet's files have no hash.
    unpack(
        "applications_mobilenet_0.25.h5.gz",
        models_cache(),
        "mobilenet_2_5_224_tf_no_top.h5",
    )
    with pytest.warns(UserWarning, match=r"Weights for input shape \(224, 224\)"):
        model = MobileNet(
            weights="imagenet", alpha=0.25, include_top=False, pooling="avg"
        )
    assert model.name == "mobilenet_0.25_224"
    outputs = model.predict(keras2["images"], verbose=0)
    np.testing.assert_allclose(outputs, keras2["outputs"], rtol=1e-4, atol=1e-4)


def test_imagenet_weights_offline_name_url_and_cache_path(fast_init):
    file_name = "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
    with pytest.raises(FileNotFoundError) as info:
        ResNet50(weights="imagenet")
    message = str(info.value)
    assert (
        "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
        + file_name
    ) in message
    assert str(models_cache() / file_name) in message


def test_weights_path_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="Received: weights=no_such_file.h5"):
        MobileNet(weights="no_such_file.h5")
