"""Where lamina.datasets finds its files, how it downloads them, what it refuses.

Everything here runs on small files written by the tests; downloads go to a
local HTTP server on 127.0.0.1 only (any other address is refused).
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import threading
import urllib.error
import urllib.parse
import warnings
from pathlib import Path

import numpy as np
import pytest

from lamina import backend
from lamina.datasets import (
    DatasetIntegrityError,
    DatasetNotFoundError,
    _files,
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from lamina.errors import ArgumentError

REPO = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """An empty Keras cache and data folder; only 127.0.0.1 is reachable."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("LAMINA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(fashion_mnist, "_SYSTEM_DIRS", (tmp_path / "system",))
    real_open = _files._open_url

    def local_only(url):
        if urllib.parse.urlsplit(url).hostname != "127.0.0.1":
            raise urllib.error.URLError(f"network disabled in tests ({url})")
        return real_open(url)

    monkeypatch.setattr(_files, "_open_url", local_only)


@pytest.fixture
def cache(tmp_path) -> Path:
    folder = tmp_path / "keras_home" / "datasets"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


# ------------------------------------------------------------------ helpers


def write_idx(folder: Path, seed: int, n_train: int = 6, n_test: int = 4) -> tuple:
    """Four gzip'd IDX files; returns the arrays they hold."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = (
        rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_train, dtype=np.uint8),
        rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_test, dtype=np.uint8),
    )
    names = (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )
    for name, array in zip(names, arrays):
        header = struct.pack(">I", 0x800 + array.ndim)
        header += struct.pack(f">{array.ndim}I", *array.shape)
        with gzip.open(folder / f"{name}.gz", "wb") as f:
            f.write(header + array.tobytes())
    return arrays


def assert_arrays(result, expected) -> None:
    (x_train, y_train), (x_test, y_test) = result
    for got, want in zip((x_train, y_train, x_test, y_test), expected):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype


def boston_npz_bytes(n: int = 10, seed: int = 0) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, 13)), rng.random(n)
    buffer = io.BytesIO()
    np.savez(buffer, x=x, y=y)
    return buffer.getvalue(), x


class Server:
    """Serves `files` (name -> bytes) on 127.0.0.1; records what it saw."""

    def __init__(self, files: dict[str, bytes], truncate: bool = False):
        self.files, self.truncate, self.seen = files, truncate, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                server.seen.append(name)
                if name not in server.files:
                    self.send_error(404)
                    return
                body = server.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                half = len(body) // 2
                self.wfile.write(body[:half])
                self.wfile.flush()
                if server.on_half is not None:
                    server.on_half()
                if not server.truncate:
                    self.wfile.write(body[half:])

            def log_message(self, *args):
                pass

        self.on_half = None
        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/{name}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------ search order


def test_keras_cache_file_comes_before_original_files(cache, data_dir):
    rng = np.random.default_rng(1)
    cached = (
        rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 3, dtype=np.uint8),
        rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 2, dtype=np.uint8),
    )
    np.savez_compressed(
        cache / "mnist.npz",
        **dict(zip(("x_train", "y_train", "x_test", "y_test"), cached)),
    )
    write_idx(data_dir / "mnist", seed=2)
    assert_arrays(mnist.load_data(), cached)


def test_original_idx_files_in_data_dir_subfolder_or_root(data_dir):
    expected = write_idx(data_dir, seed=3)
    assert_arrays(mnist.load_data(), expected)
    expected = write_idx(data_dir / "mnist", seed=4)  # the subfolder wins
    assert_arrays(mnist.load_data(), expected)


def test_explicit_path_names_the_file(tmp_path, cache):
    rng = np.random.default_rng(5)
    arrays = {
        "x_train": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_train": np.array([1, 2], np.uint8),
        "x_test": rng.integers(0, 256, (1, 28, 28), dtype=np.uint8),
        "y_test": np.array([3], np.uint8),
    }
    np.savez(tmp_path / "elsewhere.npz", **arrays)
    (x, y), _ = mnist.load_data(path=tmp_path / "elsewhere.npz")
    np.testing.assert_array_equal(y, [1, 2])
    np.savez(cache / "mine.npz", **arrays)  # a bare name is in the cache
    (x, y), _ = mnist.load_data(path="mine.npz")
    np.testing.assert_array_equal(x, arrays["x_train"])


def test_unreadable_explicit_file_is_an_error_and_is_kept(tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(DatasetIntegrityError, match="broken.npz"):
        mnist.load_data(path=bad)
    assert bad.read_bytes() == b"not a zip file"


def test_bad_cache_file_is_kept_and_reported(cache, data_dir):
    (cache / "mnist.npz").write_bytes(b"truncated")
    expected = write_idx(data_dir / "mnist", seed=6)
    with pytest.warns(UserWarning, match=r"Not using .*mnist\.npz.*kept"):
        assert_arrays(mnist.load_data(), expected)
    assert (cache / "mnist.npz").read_bytes() == b"truncated"


def test_cache_file_with_wrong_arrays_is_not_used(cache, data_dir):
    np.savez(cache / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8))
    expected = write_idx(data_dir / "mnist", seed=7)
    with pytest.warns(UserWarning, match="missing array"):
        assert_arrays(mnist.load_data(), expected)


def test_offline_error_names_the_file_and_where_to_put_it(cache):
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(cache / "mnist.npz") in message
    assert "train-images-idx3-ubyte.gz" in message
    assert "LAMINA_DATA_DIR" in message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in (
        message
    )
    assert "network disabled" in message
    assert isinstance(info.value, FileNotFoundError)


def test_offline_error_lists_files_found_but_not_used(cache):
    (cache / "boston_housing.npz").write_bytes(b"junk")
    with pytest.warns(UserWarning), pytest.raises(DatasetNotFoundError) as info:
        boston_housing.load_data()
    assert "not used" in str(info.value) and "boston_housing.npz" in str(info.value)
    assert (cache / "boston_housing.npz").read_bytes() == b"junk"


# -------------------------------------------------------------- fashion-mnist


def test_fashion_mnist_keras_cache_subfolder(cache):
    expected = write_idx(cache / "fashion-mnist", seed=8)
    assert_arrays(fashion_mnist.load_data(), expected)


def test_fashion_mnist_debian_folder(tmp_path):
    expected = write_idx(tmp_path / "system", seed=9)
    assert_arrays(fashion_mnist.load_data(), expected)


def test_fashion_mnist_ignores_mnist_files_at_a_data_dir_root(data_dir, tmp_path):
    write_idx(data_dir, seed=10)  # same file names as MNIST: ambiguous
    with pytest.raises(DatasetNotFoundError, match="fashion_mnist"):
        fashion_mnist.load_data()
    expected = write_idx(data_dir / "fashion_mnist", seed=11)
    assert_arrays(fashion_mnist.load_data(), expected)


def test_fashion_mnist_download_checks_the_content(cache, monkeypatch):
    payloads = {}
    files = {}
    rng = np.random.default_rng(12)
    for name in _files.IDX_FILES:
        ndim = 3 if "images" in name else 1
        shape = (2, 28, 28) if ndim == 3 else (2,)
        payload = struct.pack(">I", 0x800 + ndim) + struct.pack(f">{ndim}I", *shape)
        payload += rng.integers(0, 256, shape, dtype=np.uint8).tobytes()
        payloads[name] = payload
        files[f"{name}.gz"] = gzip.compress(payload)
    with Server(files) as server:
        monkeypatch.setattr(_files, "KERAS_ORIGIN", server.url(""))
        monkeypatch.setattr(
            fashion_mnist,
            "_PAYLOAD_SHA256",
            {n: hashlib.sha256(p).hexdigest() for n, p in payloads.items()},
        )
        (x_train, _), _ = fashion_mnist.load_data()
        assert x_train.shape == (2, 28, 28)
        assert sorted(os.listdir(cache / "fashion-mnist")) == sorted(files)
        # A file whose content fails its check is refused and kept aside.
        (cache / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
        good = payloads["t10k-labels-idx1-ubyte"]
        files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(
            good[:-1] + bytes([(good[-1] + 1) % 256])
        )
        with pytest.raises(DatasetIntegrityError, match="sha256"):
            fashion_mnist.load_data()
    assert (cache / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz.failed-check").exists()


# ----------------------------------------------------------------- download


def test_download_writes_the_cache_atomically(cache, monkeypatch):
    body, x = boston_npz_bytes(n=10)
    target = cache / "boston_housing.npz"
    seen_half_way = []
    with Server({"boston_housing.npz": body}) as server:
        # Half-way through the transfer nothing is at the target yet.
        server.on_half = lambda: seen_half_way.append(
            (target.exists(), sorted(p.name for p in cache.iterdir()))
        )
        monkeypatch.setattr(boston_housing, "_URL", server.url("boston_housing.npz"))
        monkeypatch.setattr(boston_housing, "_SHA256", hashlib.sha256(body).hexdigest())
        (x_train, _), (x_test, _) = boston_housing.load_data(test_split=0.2)
    assert seen_half_way[0][0] is False
    assert seen_half_way[0][1][0].endswith(".part")
    assert target.read_bytes() == body
    assert os.listdir(cache) == ["boston_housing.npz"]  # no temporary file left
    assert sorted(map(tuple, np.concatenate([x_train, x_test]))) == sorted(
        map(tuple, x)
    )
    # Once cached, no network is needed.
    boston_housing.load_data()
    assert len(server.seen) == 1


def test_download_with_wrong_hash_is_refused_and_kept(cache, monkeypatch):
    body, _ = boston_npz_bytes()
    with Server({"b.npz": body}) as server:
        monkeypatch.setattr(boston_housing, "_URL", server.url("b.npz"))
        monkeypatch.setattr(boston_housing, "_SHA256", "0" * 64)
        with pytest.raises(DatasetIntegrityError) as info:
            boston_housing.load_data()
    message = str(info.value)
    assert "0" * 64 in message and hashlib.sha256(body).hexdigest() in message
    assert not (cache / "boston_housing.npz").exists()
    kept = cache / "boston_housing.npz.failed-check"
    assert kept.read_bytes() == body and str(kept) in message


def test_download_replacing_a_bad_cache_file_moves_it_aside(cache, monkeypatch):
    (cache / "boston_housing.npz").write_bytes(b"old junk")
    body, _ = boston_npz_bytes()
    with Server({"b.npz": body}) as server:
        monkeypatch.setattr(boston_housing, "_URL", server.url("b.npz"))
        monkeypatch.setattr(boston_housing, "_SHA256", hashlib.sha256(body).hexdigest())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            boston_housing.load_data()
    texts = " ".join(str(w.message) for w in caught)
    assert "Not using" in texts and "moved to" in texts
    assert (cache / "boston_housing.npz").read_bytes() == body
    assert (cache / "boston_housing.npz.invalid").read_bytes() == b"old junk"


def test_interrupted_download_leaves_nothing_behind(cache, monkeypatch):
    body, _ = boston_npz_bytes(n=200)
    with Server({"b.npz": body}, truncate=True) as server:
        monkeypatch.setattr(boston_housing, "_URL", server.url("b.npz"))
        with pytest.raises(DatasetNotFoundError, match="stopped after"):
            boston_housing.load_data()
    assert os.listdir(cache) == []


def test_http_error_is_reported(cache, monkeypatch):
    with Server({}) as server:
        monkeypatch.setattr(california_housing, "_URL", server.url("missing.npz"))
        with pytest.raises(DatasetNotFoundError, match="HTTP 404"):
            california_housing.load_data()


def test_word_index_download_checks_md5(cache, monkeypatch):
    body = json.dumps({"the": 1, "and": 2}).encode()
    with Server({"i.json": body}) as server:
        monkeypatch.setattr(imdb, "_INDEX_URL", server.url("i.json"))
        monkeypatch.setattr(imdb, "_INDEX_MD5", hashlib.md5(body).hexdigest())
        assert imdb.get_word_index() == {"the": 1, "and": 2}
    assert (cache / "imdb_word_index.json").read_bytes() == body


# ------------------------------------------------------------------- CIFAR-10


def cifar10_batches(rng, sizes=(2, 3, 1, 2, 2, 3)) -> dict[str, dict]:
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return {
        name: {
            b"batch_label": name.encode(),
            b"labels": [int(v) for v in rng.integers(0, 10, n)],
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            b"filenames": [b"f%d.png" % i for i in range(n)],
        }
        for name, n in zip(names, sizes)
    }


def write_cifar_tar(
    path: Path, batches: dict, inner: str, mode: str = "w:gz", protocol: int = 4
) -> None:
    with tarfile.open(path, mode) as archive:
        for name, batch in batches.items():
            payload = pickle.dumps(batch, protocol=protocol)
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


def expected_cifar10(batches):
    train = [batches[f"data_batch_{i}"] for i in range(1, 6)]
    x_train = np.concatenate([b[b"data"] for b in train]).reshape(-1, 3, 32, 32)
    y_train = np.concatenate([b[b"labels"] for b in train]).astype(np.uint8)
    test = batches["test_batch"]
    x_test = test[b"data"].reshape(-1, 3, 32, 32)
    y_test = np.array(test[b"labels"], np.uint8)
    return x_train, y_train[:, None], x_test, y_test[:, None]


@pytest.mark.parametrize(
    "layout",
    ["keras3_archive", "keras3_folder", "keras2_folder", "original_in_data_dir"],
)
def test_cifar10_layouts(tmp_path, cache, data_dir, layout):
    batches = cifar10_batches(np.random.default_rng(13))
    inner = "cifar-10-batches-py"
    if layout == "keras3_archive":  # uncompressed, as Keras 3 names its download
        write_cifar_tar(
            cache / "cifar-10-batches-py-target_archive", batches, inner, mode="w"
        )
    elif layout == "original_in_data_dir":
        write_cifar_tar(data_dir / "cifar-10-python.tar.gz", batches, inner)
    else:
        folder = (
            cache
            / ("cifar-10-batches-py-target" if layout == "keras3_folder" else "")
            / inner
        )
        folder.mkdir(parents=True)
        for name, batch in batches.items():
            (folder / name).write_bytes(pickle.dumps(batch, protocol=4))
    x_train, y_train, x_test, y_test = expected_cifar10(batches)
    (xa, ya), (xb, yb) = cifar10.load_data()
    np.testing.assert_array_equal(xa, x_train.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(xb, x_test.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(ya, y_train)
    np.testing.assert_array_equal(yb, y_test)
    assert (xa.dtype, ya.dtype, ya.shape) == (np.uint8, np.uint8, (10, 1))
    # One image, pixel by pixel: the 3072 bytes are the R, G, B planes.
    row = batches["data_batch_1"][b"data"][0]
    assert tuple(xa[0, 0, 1]) == (row[1], row[1024 + 1], row[2048 + 1])


def test_cifar10_channels_first_and_python2_style_pickles(cache):
    batches = cifar10_batches(np.random.default_rng(14))
    # Protocol 2 stores bytes through _codecs.encode(..., "latin1").
    write_cifar_tar(
        cache / "cifar-10-batches-py.tar.gz", batches, "cifar-10-batches-py", protocol=2
    )
    previous = backend.image_data_format()
    backend.set_image_data_format("channels_first")
    try:
        (x_train, _), _ = cifar10.load_data()
    finally:
        backend.set_image_data_format(previous)
    np.testing.assert_array_equal(x_train, expected_cifar10(batches)[0])


class _Exploit:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_cifar_pickles_cannot_run_code(tmp_path, cache):
    marker = tmp_path / "pwned"
    batches = cifar10_batches(np.random.default_rng(15))
    batches["data_batch_3"][b"labels"] = _Exploit(marker)
    write_cifar_tar(
        cache / "cifar-10-batches-py-target_archive", batches, "cifar-10-batches-py"
    )
    with pytest.warns(UserWarning, match=r"refusing to load \w+\.mkdir"):
        with pytest.raises(DatasetNotFoundError):
            cifar10.load_data()
    assert not marker.exists()


def test_cifar100_label_mode_is_checked():
    with pytest.raises(ArgumentError, match="label_mode.*'medium'"):
        cifar100.load_data(label_mode="medium")


# ---------------------------------------------------------------------- IMDB


def write_acl_imdb(folder: Path) -> None:
    reviews = {
        "train/pos/0_9.txt": "The movie<br /><br />was GREAT!",
        "train/pos/1_8.txt": "great great fun",
        "train/neg/0_2.txt": "The plot was dull, dull.",
        "test/pos/0_10.txt": "Great fun, the FUN",
        "test/neg/0_1.txt": "Dull film; unseenword dull",
    }
    for name, text in reviews.items():
        path = folder / "aclImdb" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


WORD_INDEX = {
    "the": 1,
    "great": 2,
    "dull": 3,
    "was": 4,
    "fun": 5,
    "br": 6,
    "movie": 7,
    "plot": 8,
    "film": 9,
}


def imdb_rows(result) -> set:
    (x_train, y_train), (x_test, y_test) = result
    return (
        {(tuple(x), int(y)) for x, y in zip(x_train, y_train)},
        {(tuple(x), int(y)) for x, y in zip(x_test, y_test)},
    )


@pytest.mark.parametrize("packed", [False, True])
def test_imdb_from_review_text(data_dir, cache, packed):
    (cache / "imdb_word_index.json").write_text(json.dumps(WORD_INDEX))
    imdb_dir = data_dir / "imdb"
    imdb_dir.mkdir()
    write_acl_imdb(imdb_dir / "src")
    if packed:
        with tarfile.open(imdb_dir / "aclImdb_v1.tar.gz", "w:gz") as archive:
            archive.add(imdb_dir / "src" / "aclImdb", arcname="aclImdb")
    else:
        (imdb_dir / "src" / "aclImdb").rename(imdb_dir / "aclImdb")
    # (num_words=None would make the largest rank oov, as in Keras.)
    train, test = imdb_rows(
        imdb.load_data(start_char=None, index_from=0, num_words=100)
    )
    # Lowercased, punctuation and "<br />" split away, unknown words skipped.
    assert train == {((1, 7, 6, 6, 4, 2), 1), ((2, 2, 5), 1), ((1, 8, 4, 3, 3), 0)}
    assert test == {((2, 5, 1, 5), 1), ((3, 9, 3), 0)}
    train, _ = imdb_rows(imdb.load_data(num_words=5))  # defaults: 1, 2, +3
    assert ((1, 4, 2, 2, 2, 2, 2), 1) in train  # "the"=4, ranks >= 5 are oov (2)


def test_imdb_npz_object_arrays_are_read_safely(tmp_path, cache):
    marker = tmp_path / "pwned"
    x = np.empty(2, dtype=object)
    x[0], x[1] = [1, 2, 3], [4, 5]
    np.savez(
        cache / "imdb.npz",
        x_train=x,
        y_train=np.array([1, 0]),
        x_test=x,
        y_test=np.array([0, 1]),
    )
    (x_train, _), _ = imdb.load_data(start_char=None, index_from=0, num_words=9)
    assert sorted(map(tuple, x_train)) == [(1, 2, 3), (4, 5)]
    evil = np.empty(2, dtype=object)
    evil[0], evil[1] = [1], _Exploit(marker)
    np.savez(
        tmp_path / "evil.npz",
        x_train=evil,
        y_train=np.array([1, 0]),
        x_test=x,
        y_test=np.array([0, 1]),
    )
    with pytest.raises(DatasetIntegrityError, match="refusing"):
        imdb.load_data(path=tmp_path / "evil.npz")
    assert not marker.exists()


def test_imdb_arguments(cache):
    x = np.empty(3, dtype=object)
    x[0], x[1], x[2] = [1, 2], [3, 4], [5, 6]
    np.savez(
        cache / "imdb.npz",
        x_train=x,
        y_train=np.array([1, 0, 1]),
        x_test=x,
        y_test=np.array([0, 1, 0]),
    )
    with pytest.raises(TypeError, match="bogus"):
        imdb.load_data(bogus=1)
    with pytest.warns(DeprecationWarning, match="num_words"):
        legacy = imdb.load_data(nb_words=6)
    modern = imdb.load_data(num_words=6)
    assert [list(map(list, p[0])) for p in legacy] == [
        list(map(list, p[0])) for p in modern
    ]
    with pytest.raises(ArgumentError, match="maxlen=2"):
        imdb.load_data(maxlen=2)  # every sequence has 3 entries with start_char


# ------------------------------------------------------ tabular and arguments


def test_housing_original_files(data_dir):
    rng = np.random.default_rng(16)
    # Values k / 1000 print and parse back exactly.
    boston = rng.integers(0, 100000, (20, 14)) / 1000
    (data_dir / "boston_housing").mkdir()
    np.savetxt(data_dir / "boston_housing" / "housing.data", boston, fmt="%.3f")
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.25)
    assert x_train.shape == (15, 13) and x_test.shape == (5, 13)
    rows = np.concatenate(
        [np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])[:, None]],
        axis=1,
    )
    assert sorted(map(tuple, rows)) == sorted(map(tuple, boston))
    # StatLib's archive of the California file (CRLF lines, no final newline).
    table = rng.integers(0, 100000, (700, 9)) / 1000
    text = "\r\n".join(",".join(f"{v:.3f}" for v in row) for row in table).encode()
    info = tarfile.TarInfo("CaliforniaHousing/cal_housing.data")
    info.size = len(text)
    with tarfile.open(data_dir / "cal_housing.tgz", "w:gz") as archive:
        archive.addfile(info, io.BytesIO(text))
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(version="small")
    assert x_train.shape == (480, 8) and y_test.shape == (120,)
    rows = np.concatenate([x_train, x_test])
    assert sorted(map(tuple, rows)) == sorted(map(tuple, table[:600, :8]))


@pytest.mark.parametrize(
    "call",
    [
        lambda: boston_housing.load_data(test_split=1.0),
        lambda: california_housing.load_data(test_split=-0.1),
        lambda: reuters.load_data(test_split=2),
    ],
)
def test_test_split_is_checked(call):
    with pytest.raises(ArgumentError, match="test_split"):
        call()


def test_california_version_is_checked():
    with pytest.raises(ArgumentError, match="'small', 'large'.*'medium'"):
        california_housing.load_data(version="medium")


# --------------------------------------------------------------------- import


def test_importing_one_dataset_module_is_light():
    code = (
        "import sys; import lamina; before = set(sys.modules); "
        "import lamina.datasets.mnist; "
        "print(sorted(set(sys.modules) - before))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    added = eval(out)  # a printed list of module names
    assert all(
        name.startswith("lamina.datasets")
        or name == "lamina.io_utils"  # floor 0: atomic file writes
        or not name.startswith("lamina")
        for name in added
    ), added
    assert (
        "lamina.datasets.imdb" not in added and "lamina.datasets.cifar10" not in added
    )
