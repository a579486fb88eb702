"""Damaged files in the dataset cache: detected, named, never half-loaded.

Every loader's file format is written small and synthetic into a temporary
cache, then damaged in the ways disks, killed downloads and tampering damage
files (truncation at several points, flipped bits, zeroed blocks, appended
junk). Each damaged copy must either give exactly the original data (the
damage hit bytes the format ignores, e.g. a gzip header's timestamp) or raise
a lamina error naming the file and what to do; never other data, never a bare
zipfile/gzip/pickle error. Nothing here touches ../shared/data.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import tarfile
import textwrap
import time
import urllib.error
import warnings
from pathlib import Path

import numpy as np
import pytest

from lamina import datasets
from lamina.datasets import _files
from lamina.errors import DatasetCacheError, DatasetIntegrityError, DatasetNotFoundError
from lamina.utils import file_utils

mnist, fashion_mnist, cifar10, cifar100 = (
    datasets.mnist,
    datasets.fashion_mnist,
    datasets.cifar10,
    datasets.cifar100,
)
imdb, reuters, boston_housing, california_housing = (
    datasets.imdb, datasets.reuters, datasets.boston_housing,
    datasets.california_housing,
)  # fmt: skip

REPO = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def offline_cache(tmp_path, monkeypatch):
    """An empty Keras cache; no network at all."""
    for variable, folder in (("KERAS_HOME", "keras_home"), ("LAMINA_DATA_DIR", "data")):
        monkeypatch.setenv(variable, str(tmp_path / folder))
    monkeypatch.setattr(fashion_mnist, "_SYSTEM_DIRS", ())

    def offline(url):
        raise urllib.error.URLError(f"network disabled in tests ({url})")

    monkeypatch.setattr(_files, "_open_url", offline)


def cache_dir(tmp_path) -> Path:
    folder = tmp_path / "keras_home" / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ------------------------------------------------------------ the damage


def damaged_copies(good: bytes) -> dict[str, bytes]:
    """Ways a file gets damaged, by name."""
    n = len(good)
    copies = {"empty": b"", "one_byte": good[:1]}
    for fraction in (0.1, 0.5, 0.9):
        copies[f"truncated_{int(fraction * 100)}pct"] = good[: int(n * fraction)]
    copies["truncated_last_byte"] = good[:-1]
    for fraction in (0.05, 0.3, 0.5, 0.7, 0.95):
        at = min(int(n * fraction), n - 1)
        copies[f"bit_flip_{int(fraction * 100)}pct"] = (
            good[:at] + bytes([good[at] ^ 0x10]) + good[at + 1 :]
        )
    middle = n // 2
    block = max(1, n // 20)
    copies["zeroed_block"] = good[:middle] + bytes(block) + good[middle + block :]
    copies["junk"] = bytes(np.random.default_rng(0).integers(0, 256, n, np.uint8))
    copies["appended_junk"] = good + b"\x00junk" * 10
    return copies


def same(a, b) -> bool:
    """Nested tuples/dicts/arrays (object arrays of lists too) are equal."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and not isinstance(a, np.ndarray):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object:
        return a.shape == b.shape and all(list(x) == list(y) for x, y in zip(a, b))
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


# ------------------------------------------------- one small file per format


def _npz(compressed: bool, **arrays) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def _objects(rows) -> np.ndarray:
    array = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        array[i] = row
    return array


def _idx(array: np.ndarray) -> bytes:
    header = struct.pack(">I", 0x800 + array.ndim)
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


RNG = np.random.default_rng(42)
MNIST = {
    "x_train": RNG.integers(0, 256, (6, 28, 28), dtype=np.uint8),
    "y_train": RNG.integers(0, 10, 6, dtype=np.uint8),
    "x_test": RNG.integers(0, 256, (3, 28, 28), dtype=np.uint8),
    "y_test": RNG.integers(0, 10, 3, dtype=np.uint8),
}
BOSTON = {"x": RNG.random((12, 13)), "y": RNG.random(12)}
CALIFORNIA = {"x": RNG.random((12, 8)), "y": RNG.random(12)}
ROWS = [[int(v) for v in RNG.integers(1, 50, RNG.integers(3, 9))] for _ in range(8)]
IMDB = {
    "x_train": _objects(ROWS[:4]),
    "y_train": np.array([0, 1, 1, 0]),
    "x_test": _objects(ROWS[4:]),
    "y_test": np.array([1, 0, 0, 1]),
}
REUTERS = {"x": _objects(ROWS), "y": np.arange(8) % 3}
WORD_INDEX = {f"word{i}": i + 1 for i in range(40)}


def _cifar_batches(label_key: str, n_classes: int) -> dict[str, dict]:
    names = (
        [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        if label_key == "labels"
        else ["train", "test"]
    )
    return {
        name: {
            b"data": RNG.integers(0, 256, (2, 3072), dtype=np.uint8),
            label_key.encode(): [int(v) for v in RNG.integers(0, n_classes, 2)],
            b"coarse_labels": [0, 1],
        }
        for name in names
    }


def _tar(batches: dict, inner: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, batch in batches.items():
            payload = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


CIFAR10 = _cifar_batches("labels", 10)
CIFAR100 = _cifar_batches("fine_labels", 100)

# name -> (file in the cache, good bytes, loader; called with the file's path
# for FORMATS, without arguments for SEARCHED, which finds it in the cache)
_WORDS = json.dumps(WORD_INDEX).encode()
FORMATS = {
    "mnist_npz": ("mnist.npz", _npz(True, **MNIST), mnist.load_data),
    "boston_npz": ("boston_housing.npz", _npz(False, **BOSTON), boston_housing.load_data),
    "california_npz": (
        "california_housing.npz", _npz(False, **CALIFORNIA),
        functools.partial(california_housing.load_data, "large"),
    ),
    "imdb_npz_pickled_objects": ("imdb.npz", _npz(False, **IMDB), imdb.load_data),
    "reuters_npz_pickled_objects": ("reuters.npz", _npz(True, **REUTERS), reuters.load_data),
    "imdb_word_index_json": ("imdb_word_index.json", _WORDS, imdb.get_word_index),
    "reuters_word_index_json": ("reuters_word_index.json", _WORDS, reuters.get_word_index),
}  # fmt: skip
SEARCHED = {
    "mnist_idx_gz": (
        "mnist/train-images-idx3-ubyte.gz",
        gzip.compress(_idx(MNIST["x_train"]), mtime=0), mnist.load_data,
    ),
    "fashion_mnist_idx_gz": (
        "fashion-mnist/t10k-labels-idx1-ubyte.gz",
        gzip.compress(_idx(MNIST["y_test"]), mtime=0), fashion_mnist.load_data,
    ),
    "cifar10_tar_gz": (
        "cifar-10-batches-py-target_archive",
        _tar(CIFAR10, "cifar-10-batches-py"), cifar10.load_data,
    ),
    "cifar100_tar_gz": (
        "cifar-100-python.tar.gz", _tar(CIFAR100, "cifar-100-python"), cifar100.load_data
    ),
    "cifar10_extracted_pickle_batch": (
        "cifar-10-batches-py/test_batch",
        pickle.dumps(CIFAR10["test_batch"], protocol=2), cifar10.load_data,
    ),
}  # fmt: skip


def _write_searched_set(cache: Path, key: str) -> None:
    """The other files of the set, intact, around the one that gets damaged."""
    if key == "mnist_idx_gz":
        for name, arr in zip(_files.IDX_FILES, MNIST.values()):
            (cache / "mnist").mkdir(exist_ok=True)
            (cache / "mnist" / f"{name}.gz").write_bytes(gzip.compress(_idx(arr)))
    elif key == "fashion_mnist_idx_gz":
        for name, arr in zip(_files.IDX_FILES, MNIST.values()):
            (cache / "fashion-mnist").mkdir(exist_ok=True)
            data = gzip.compress(_idx(arr))
            (cache / "fashion-mnist" / f"{name}.gz").write_bytes(data)
    elif key == "cifar10_extracted_pickle_batch":
        (cache / "cifar-10-batches-py").mkdir(exist_ok=True)
        for name, batch in CIFAR10.items():
            path = cache / "cifar-10-batches-py" / name
            path.write_bytes(pickle.dumps(batch, protocol=2))


# Damage no check can see: a flipped pixel in an extracted, uncompressed CIFAR
# batch (a pickle: no CRC, and Keras publishes no hash of the extracted files).
UNDETECTABLE = {
    ("cifar10_extracted_pickle_batch", damage)
    for damage in ("bit_flip_30pct", "bit_flip_50pct", "bit_flip_70pct")
}


def _outcome(load, path: Path, good_result, case=None):
    """'same' when the data is intact, 'error' for a lamina error naming path."""
    try:
        result = load()
    except (DatasetIntegrityError, DatasetCacheError) as exc:
        assert str(path) in str(exc), str(exc)
        return "error"
    if case in UNDETECTABLE:
        return "same" if same(result, good_result) else "undetectable"
    assert same(result, good_result), "damaged file gave other data"
    return "same"


CASES = [(fmt, damage) for fmt in FORMATS for damage in damaged_copies(b"x" * 64)]
SEARCHED_CASES = [
    (fmt, damage) for fmt in SEARCHED for damage in damaged_copies(b"x" * 64)
]


@pytest.mark.parametrize(("fmt", "damage"), CASES)
def test_damaged_file_named_by_path(fmt, damage, tmp_path, monkeypatch):
    name, good, load = FORMATS[fmt]
    if fmt.endswith("word_index_json"):
        # A flipped letter is still JSON: the original's size and MD5 are
        # what catch it (here the synthetic file stands for the original).
        module = imdb if fmt.startswith("imdb") else reuters
        monkeypatch.setattr(module, "_INDEX_SIZE", len(good))
        monkeypatch.setattr(module, "_INDEX_MD5", hashlib.md5(good).hexdigest())
    path = cache_dir(tmp_path) / name
    path.write_bytes(good)
    good_result = load(path)
    bad = damaged_copies(good)[damage]
    path.write_bytes(bad)
    outcome = _outcome(lambda: load(path), path, good_result)
    if damage in ("empty", "one_byte", "junk") or damage.startswith("truncated"):
        assert outcome == "error"
    assert path.read_bytes() == bad  # kept for the user to inspect


@pytest.mark.parametrize(("fmt", "damage"), SEARCHED_CASES)
def test_damaged_cache_file_found_by_search(fmt, damage, tmp_path):
    name, good, load = SEARCHED[fmt]
    cache = cache_dir(tmp_path)
    _write_searched_set(cache, fmt)
    path = cache / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(good)
    good_result = load()
    path.write_bytes(damaged_copies(good)[damage])
    with _any_warnings():
        outcome = _outcome(load, path, good_result, (fmt, damage))
    if damage in ("empty", "one_byte", "junk") or (
        damage.startswith("truncated") and "tar_gz" not in fmt
    ):
        # (A .tar.gz cut inside gzip's 8-byte trailer still holds all data.)
        assert outcome == "error"


def _any_warnings():
    """Accepts the 'Not using <file>' warning that precedes the error."""
    catch = warnings.catch_warnings()
    catch.__enter__()
    warnings.simplefilter("ignore")
    return _Exit(catch)


class _Exit:
    def __init__(self, catch):
        self.catch = catch

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.catch.__exit__(*exc)


def test_offline_error_for_a_damaged_cache_file_says_how_to_fix(tmp_path):
    path = cache_dir(tmp_path) / "boston_housing.npz"
    path.write_bytes(FORMATS["boston_npz"][1][:100])
    with pytest.warns(UserWarning, match="downloaded again"):
        with pytest.raises(DatasetCacheError) as info:
            boston_housing.load_data()
    message = str(info.value)
    assert str(path) in message and "Delete them" in message
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, FileNotFoundError)


def test_full_size_mnist_content_is_checked_against_its_hash(tmp_path):
    """A full-size MNIST file that still parses (valid zip CRC) but holds other
    bytes is refused: the arrays are checked against the original's SHA-256."""
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    path = cache_dir(tmp_path) / "mnist.npz"
    np.savez_compressed(path, **arrays)
    with pytest.raises(DatasetIntegrityError, match="does not match the original"):
        mnist.load_data(path=path)


def test_word_index_of_the_original_size_is_checked_against_keras_md5(
    tmp_path, monkeypatch
):
    good = json.dumps(WORD_INDEX).encode()
    flipped = good.replace(b"word1", b"wore1", 1)  # still valid JSON
    monkeypatch.setattr(imdb, "_INDEX_SIZE", len(good))
    monkeypatch.setattr(imdb, "_INDEX_MD5", hashlib.md5(good).hexdigest())
    path = cache_dir(tmp_path) / "imdb_word_index.json"
    path.write_bytes(good)
    assert imdb.get_word_index(path) == WORD_INDEX
    path.write_bytes(flipped)
    with pytest.raises(DatasetIntegrityError, match="md5"):
        imdb.get_word_index(path)


@pytest.mark.parametrize("damage", ["truncated_50pct", "bit_flip_50pct", "junk"])
def test_get_file_cached_file_with_wrong_hash_offline(damage, tmp_path):
    good = FORMATS["boston_npz"][1]
    folder = tmp_path / "gf" / "datasets"
    folder.mkdir(parents=True)
    (folder / "data.npz").write_bytes(damaged_copies(good)[damage])
    with pytest.raises(DatasetCacheError) as info:
        file_utils.get_file(
            "data.npz",
            origin="https://example.invalid/data.npz",
            file_hash=hashlib.sha256(good).hexdigest(),
            cache_dir=tmp_path / "gf",
        )
    assert str(folder / "data.npz") in str(info.value)
    assert "Delete the file" in str(info.value)


# ------------------------------------------------ archives: traversal, damage


def _tar_with(members, mode="w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                archive.addfile(info)
            else:
                info.size = 3
                archive.addfile(info, io.BytesIO(b"bad"))
    return buffer.getvalue()


UNSAFE_TARS = {
    "absolute_path": [("/tmp/evil.txt", None)],
    "dot_dot": [("../evil.txt", None)],
    "deep_dot_dot": [("a/b/../../../evil.txt", None)],
    "symlink_out": [("link", "/tmp"), ("link/evil.txt", None)],
    "symlink_dot_dot": [("link", ".."), ("link/evil.txt", None)],
    "symlink_chain": [("a", "."), ("b", "a/.."), ("b/evil.txt", None)],
}


@pytest.mark.parametrize("case", sorted(UNSAFE_TARS))
def test_tar_members_outside_the_folder_are_refused(case, tmp_path):
    archive = tmp_path / "work" / "a.tar"
    archive.parent.mkdir()
    archive.write_bytes(_tar_with(UNSAFE_TARS[case]))
    target = tmp_path / "work" / "out"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            file_utils.extract_archive(archive, target)
        except DatasetIntegrityError as exc:
            assert str(archive) in str(exc)
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "work" / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists() or case != "absolute_path"
    written = [p for p in tmp_path.rglob("*") if p.name == "evil.txt"]
    assert all(target in p.parents for p in written), written


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_zip_members_outside_the_folder_are_refused(name, tmp_path):
    import zipfile

    archive = tmp_path / "work" / "a.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(name, b"bad")
        z.writestr("ok.txt", b"ok")
    target = tmp_path / "work" / "out"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        file_utils.extract_archive(archive, target)
    assert (target / "ok.txt").read_bytes() == b"ok"
    written = [p for p in tmp_path.rglob("*") if p.name == "evil.txt"]
    assert all(target in p.parents for p in written), written


@pytest.mark.parametrize("damage", ["truncated_50pct", "truncated_90pct"])
def test_damaged_archive_extracts_nothing(damage, tmp_path):
    good = _tar(CIFAR10, "inner")
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(damaged_copies(good)[damage])
    with pytest.raises(DatasetIntegrityError, match="delete it"):
        file_utils.extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz"]


# ------------------------------------------------ kill -9 during a download

_DOWNLOADER = """
import sys
from pathlib import Path
from lamina.datasets import _files
_files.download(sys.argv[1], Path(sys.argv[2]))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
def test_download_killed_midway_is_never_taken_as_complete(tmp_path):
    import http.server
    import threading

    body = _npz(False, **BOSTON)
    release, sent_half = threading.Event(), threading.Event()

    class Stall(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            sent_half.set()
            release.wait(30)  # the client is killed meanwhile

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Stall)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cache = cache_dir(tmp_path)
    target = cache / "boston_housing.npz"
    url = f"http://127.0.0.1:{server.server_port}/b.npz"
    script = tmp_path / "dl.py"
    script.write_text(textwrap.dedent(_DOWNLOADER))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(script), url, str(target)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert sent_half.wait(60), "the download never started"
        time.sleep(0.2)  # the first half is in the client's hands
        parts = list(cache.glob(".*.part"))
        assert len(parts) == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    # Only the partial file is left, under a name no loader reads.
    assert not target.exists()
    assert [p.name for p in cache.iterdir()] == [parts[0].name]
    with pytest.raises(DatasetNotFoundError) as info:
        boston_housing.load_data()  # offline: not found, the part is ignored
    assert "not used" not in str(info.value)
    # A later download clears partial files once they are stale.
    old = time.time() - 3600
    os.utime(parts[0], (old, old))
    with pytest.raises(DatasetNotFoundError):
        _files.download("http://127.0.0.1:9/none", target)
    assert list(cache.iterdir()) == []
