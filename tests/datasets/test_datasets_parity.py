"""lamina.datasets returns exactly what keras.datasets returns for the same data.

The Keras digests come from tests/fixtures/make_datasets.py (run by hand under
the Keras venv on Keras-format files made from shared/data). Here lamina reads
the original distribution files in shared/data (IDX, housing.data,
cal_housing.data, aclImdb text + word index) through $LAMINA_DATA_DIR, and the
small synthetic CIFAR-100 and Reuters files in tests/fixtures.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from lamina import backend
from lamina.datasets import (
    _files,
    boston_housing,
    california_housing,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHARED_DATA = Path(__file__).parents[2] / ".." / "shared" / "data"
KERAS = json.loads((FIXTURES / "datasets_keras.json").read_text())

needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"the real datasets folder {SHARED_DATA} (shared/data beside the "
    "repository) is not present",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """An empty Keras cache, shared/data as the originals folder, no network."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("LAMINA_DATA_DIR", str(SHARED_DATA))

    def no_network(url):
        raise urllib.error.URLError(f"network disabled in tests ({url})")

    monkeypatch.setattr(_files, "_open_url", no_network)


def digest(array: np.ndarray) -> dict:
    # Same digest as tests/fixtures/make_datasets.py.
    if array.dtype == object:
        payload = json.dumps([[int(w) for w in row] for row in array]).encode()
    else:
        payload = np.ascontiguousarray(array).tobytes()
    return {
        "shape": list(array.shape),
        "dtype": str(array.dtype),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


def assert_same_as_keras(name: str, result) -> None:
    (x_train, y_train), (x_test, y_test) = result
    got = [digest(a) for a in (x_train, y_train, x_test, y_test)]
    for part, g, k in zip(("x_train", "y_train", "x_test", "y_test"), got, KERAS[name]):
        assert g == k, f"{name} {part}: lamina {g} != keras {k}"


FAST_CALLS = {
    "mnist": lambda: mnist.load_data(),
    "fashion_mnist": lambda: fashion_mnist.load_data(),
    "boston_housing": lambda: boston_housing.load_data(),
    "boston_housing(test_split=0.3,seed=7)": lambda: boston_housing.load_data(
        test_split=0.3, seed=7
    ),
    "california_housing": lambda: california_housing.load_data(),
    "california_housing(version=small,test_split=0.25,seed=1)": (
        lambda: california_housing.load_data(version="small", test_split=0.25, seed=1)
    ),
}

SLOW_CALLS = {
    "imdb(num_words=20000)": lambda: imdb.load_data(num_words=20000),
    "imdb(num_words=5000,skip_top=20,maxlen=300,seed=7,oov_char=None)": (
        lambda: imdb.load_data(
            num_words=5000, skip_top=20, maxlen=300, seed=7, oov_char=None
        )
    ),
    "imdb(start_char=None,index_from=0,num_words=100)": (
        lambda: imdb.load_data(start_char=None, index_from=0, num_words=100)
    ),
}


@needs_shared_data
@pytest.mark.parametrize("name", sorted(FAST_CALLS))
def test_original_files_give_keras_arrays(name):
    assert_same_as_keras(name, FAST_CALLS[name]())


@needs_shared_data
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_CALLS))
def test_imdb_text_gives_keras_arrays_for_all_options(name):
    assert_same_as_keras(name, SLOW_CALLS[name]())


@pytest.fixture(scope="module")
def imdb_from_text(tmp_path_factory):
    """imdb.load_data() from the aclImdb text, once for this module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
        patch.setenv("LAMINA_DATA_DIR", str(SHARED_DATA))
        return imdb.load_data()


# Tokenizing 50,000 reviews takes several seconds: these run in the slow step.
@needs_shared_data
@pytest.mark.slow
def test_imdb_text_gives_keras_arrays(imdb_from_text):
    assert_same_as_keras("imdb", imdb_from_text)


@needs_shared_data
@pytest.mark.slow
def test_imdb_text_gives_keras_published_sequences(imdb_from_text):
    # Values printed in countless Keras tutorials for the real imdb.npz (not
    # only for a file rebuilt from the text): the first training and test
    # reviews, the first labels, the mean length and the largest index.
    (x_train, y_train), (x_test, y_test) = imdb_from_text
    assert len(x_train[0]) == 218 and x_train[0][:12] == [
        1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468,
    ]  # fmt: skip
    assert x_train[1][:10] == [1, 194, 1153, 194, 8255, 78, 228, 5, 6, 1463]
    assert len(x_test[0]) == 68 and x_test[0][:10] == [
        1, 591, 202, 14, 31, 6, 717, 10, 10, 18142,
    ]  # fmt: skip
    assert list(y_train[:10]) == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    assert round(float(np.mean([len(x) for x in x_train])), 2) == 238.71
    assert max(max(x) for x in x_train) == 88586


@needs_shared_data
def test_imdb_word_index_is_keras_file():
    index = imdb.get_word_index()
    expected = KERAS["imdb.get_word_index"]
    assert (len(index), index["the"]) == (expected["size"], expected["the"])


@needs_shared_data
def test_mnist_from_keras_cache_file_equals_originals(tmp_path):
    # The Keras-format cache file, written here from the originals, is read in
    # preference to them and gives Keras's arrays.
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    np.savez_compressed(
        cache / "mnist.npz",
        x_train=x_train[:5],
        y_train=y_train[:5],
        x_test=x_test[:3],
        y_test=y_test[:3],
    )
    (x5, y5), (x3, y3) = mnist.load_data()
    assert x5.shape == (5, 28, 28) and x3.shape == (3, 28, 28)
    np.testing.assert_array_equal(y5, y_train[:5])


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
@pytest.mark.parametrize("mode", ["fine", "coarse"])
@pytest.mark.parametrize(
    "name", ["cifar-100-python-target_archive", "cifar-100-python.tar.gz"]
)
def test_cifar100_matches_keras(tmp_path, monkeypatch, name, mode, fmt):
    # Keras 3's download name in the cache, or the original name in a data dir.
    folder = tmp_path / ("keras_home/datasets" if "target" in name else "originals")
    folder.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "cifar100_small.tar.gz", folder / name)
    monkeypatch.setenv("LAMINA_DATA_DIR", str(tmp_path / "originals"))
    previous = backend.image_data_format()
    backend.set_image_data_format(fmt)
    try:
        result = cifar100.load_data(label_mode=mode)
    finally:
        backend.set_image_data_format(previous)
    assert_same_as_keras(f"cifar100_small({mode},{fmt})", result)


# The calls of tests/fixtures/make_datasets.py on reuters_small.npz.
REUTERS_CALLS = {
    "reuters_small": {},
    "reuters_small(num_words=50,skip_top=3,maxlen=30,test_split=0.3,seed=5)": dict(
        num_words=50, skip_top=3, maxlen=30, test_split=0.3, seed=5
    ),
    "reuters_small(start_char=None,oov_char=None,index_from=0,num_words=100)": dict(
        start_char=None, oov_char=None, index_from=0, num_words=100
    ),
}


@pytest.mark.parametrize("name", sorted(REUTERS_CALLS))
def test_reuters_matches_keras(tmp_path, name):
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "reuters_small.npz", cache / "reuters.npz")
    assert_same_as_keras(name, reuters.load_data(**REUTERS_CALLS[name]))


def test_reuters_label_names_are_keras():
    assert list(reuters.get_label_names()) == KERAS["reuters.get_label_names"]
