"""Finding, checking, reading and downloading the files behind `lamina.datasets`.

Every loader looks for its data in the same order:

1. the Keras cache folder (`$KERAS_HOME/datasets`, else `~/.keras/datasets`), in
   the file names and formats Keras uses, so data Keras already downloaded is
   reused (an explicit `path=` names that file instead of the default one);
2. the original distribution files (IDX `.gz`, `cifar-10-python.tar.gz`, UCI
   `housing.data`, ...) in the cache folder or in the folders listed in the
   `LAMINA_DATA_DIR` environment variable (`os.pathsep`-separated), directly or
   in a subfolder named after the dataset;
3. a download from the address Keras uses, checked against Keras's SHA-256,
   written atomically into the cache folder.

A file that exists but cannot be read is never deleted: it is reported with a
warning that says why it is not used, and the search goes on. A download that
replaces such a file first moves it aside (`<name>.invalid`). When no good copy
is found or downloaded, `DatasetCacheError` names the damaged files and says to
delete them. "Cannot be read" covers truncation and corruption: zip and gzip
CRCs, IDX and array shapes, and for the full MNIST and Fashion-MNIST arrays the
SHA-256 of their content (`IDX_PAYLOAD_SHA256`). Pickled data (CIFAR batches,
IMDB's object arrays) goes through `RestrictedUnpickler`, never `pickle.load`.
A download killed midway leaves only a `.part` file, never taken as complete
and removed by a later download once it is stale.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import gzip
import hashlib
import http.client
import io
import os
import pickle
import struct
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from lamina.errors import (
    ArgumentError,
    DatasetCacheError,
    DatasetIntegrityError,
    DatasetNotFoundError,
)
from lamina.io_utils import fsync_dir, print_msg

T = TypeVar("T")

# Where Keras's own copies of the datasets live.
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DATA_DIR_VARIABLE = "LAMINA_DATA_DIR"
_DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20
# A partial download untouched this long was left by a killed process.
_STALE_PART_S = 600


class UnusableFileError(ValueError):
    """Raised by a reader when a file is not in the expected format."""


# Errors that mean "this file is damaged or not what we expected", as opposed
# to programming errors, which must propagate.
READ_ERRORS = (
    UnusableFileError,
    OSError,
    EOFError,
    KeyError,
    ValueError,
    zipfile.BadZipFile,
    pickle.UnpicklingError,
    tarfile.TarError,
    zlib.error,
    struct.error,
)

_FIX = "delete it (or move it away) to have it downloaded again"


# --------------------------------------------------------------------- folders


def keras_home() -> Path:
    """`$KERAS_HOME`, else `~/.keras` (Keras's own rule)."""
    home = os.environ.get("KERAS_HOME")
    return Path(home).expanduser() if home else Path("~/.keras").expanduser()


def cache_dirs() -> list[Path]:
    """The folders searched for Keras-format files, the writable one first.

    Keras writes to `/tmp/.keras/datasets` when its home is not writable, so
    that folder is searched too in that case.
    """
    base = keras_home()
    dirs = [base / "datasets"]
    if not _writable(base):
        dirs.append(Path(tempfile.gettempdir()) / ".keras" / "datasets")
    return dirs


def download_dir() -> Path:
    """The cache folder downloads go to (created on demand)."""
    folder = writable_or_tmp(keras_home()) / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def writable_or_tmp(base: Path) -> Path:
    """``base``, or ``<tmp>/.keras`` when ``base`` cannot be written (Keras's rule)."""
    return base if _writable(base) else Path(tempfile.gettempdir()) / ".keras"


def _writable(path: Path) -> bool:
    # A home that does not exist yet is writable if it can be created.
    while not path.exists():
        if path.parent == path:
            return False
        path = path.parent
    return os.access(path, os.W_OK)


def data_dirs(subfolders: Iterable[str] = (), roots: bool = True) -> list[Path]:
    """Folders that may hold original distribution files, in search order.

    For each folder in the cache and in `$LAMINA_DATA_DIR`: its dataset
    subfolders (e.g. `mnist/`), then the folder itself unless `roots` is False
    (for files whose names another dataset uses too).
    """
    bases = list(cache_dirs())
    bases += [
        Path(p).expanduser()
        for p in os.environ.get(DATA_DIR_VARIABLE, "").split(os.pathsep)
        if p
    ]
    found = []
    for base in bases:
        for folder in [base / s for s in subfolders] + ([base] if roots else []):
            if folder.is_dir() and folder not in found:
                found.append(folder)
    return found


def cache_file(path: str | os.PathLike, default: str) -> tuple[Path, bool]:
    """Where a Keras-format file is looked for and downloaded to.

    A bare file name (Keras's `path=` argument) is taken relative to the cache
    folder; a path with a folder in it names the file itself.

    Returns:
        `(location, explicit)`, where `explicit` is True when the caller named
        a file other than the default one.
    """
    path = Path(os.fspath(path)).expanduser()
    explicit = str(path) != default
    if path.is_absolute() or len(path.parts) > 1:
        return path, explicit
    for folder in cache_dirs():
        if (folder / path).exists():
            return folder / path, explicit
    return cache_dirs()[0] / path, explicit


# ---------------------------------------------------------------- the search


def first_readable(
    attempts: Iterable[tuple[Path, Callable[[], T]]],
    fetch: Callable[[list[str]], T],
    explicit: Path | None = None,
    stacklevel: int = 3,
) -> T:
    """Return what the first readable candidate gives, else what `fetch` gives.

    Args:
        attempts: `(path, read)` pairs, tried in order; `read()` raises one of
            the usual file errors when the file is unusable.
        fetch: called with the reasons the candidates were rejected, when none
            was usable (normally it downloads, or raises `DatasetNotFoundError`).
        explicit: a file the user named; if it is unusable that is an error
            rather than a warning.
        stacklevel: of the warnings about unusable files: 3 points at the
            caller of the function that calls this one (the user's line).
    """
    rejected: list[str] = []
    for path, read in attempts:
        try:
            return read()
        except READ_ERRORS as exc:
            reason = f"{path}: {_describe(exc)}"
            if explicit is not None and Path(path) == explicit:
                raise DatasetIntegrityError(
                    f"Cannot read {path}: {_describe(exc)}. The file is kept as it "
                    "is; remove or replace it, or pass another `path`."
                ) from exc
            warnings.warn(
                f"Not using {path}: {_describe(exc)}. The file is kept as it is; "
                f"looking for the data elsewhere ({_FIX}).",
                stacklevel=stacklevel,
            )
            rejected.append(reason)
    return fetch(rejected)


@dataclasses.dataclass(frozen=True)
class Download:
    """Where a dataset's file is downloaded from, and what the message says when
    it cannot be (see `download_or_explain`)."""

    url: str
    title: str
    sha256: str | None = None
    md5: str | None = None
    originals: Sequence[str] = ()
    subfolder: str = ""
    # The original file's size: a cached file of that size must match the hash
    # (other sizes are someone's own file, checked by format only).
    size: int | None = None

    def check_known(self, path: Path) -> None:
        """Raises `UnusableFileError` if ``path`` is the original's size but not
        its hash (a corrupted copy whose format may still read)."""
        if self.size is None or path.stat().st_size != self.size:
            return
        name, expected = ("sha256", self.sha256) if self.sha256 else ("md5", self.md5)
        actual = file_digest(path, name)
        if expected is not None and actual != expected.lower():
            raise UnusableFileError(
                f"it has the original's size but {name} {actual}, expected "
                f"{expected}: the file is corrupt"
            )

    def into(
        self,
        target: Path,
        rejected: Iterable[str],
        check: Callable[[Path], Any] | None = None,
    ) -> Path:
        """`download_or_explain` of this file to ``target``."""
        return download_or_explain(
            self.url,
            target,
            self.title,
            rejected,
            self.originals,
            self.subfolder,
            self.sha256,
            self.md5,
            check,
        )


def load_keras_file(
    path: str | os.PathLike,
    default: str,
    read: Callable[[Path], T],
    download: Download,
    copies: Iterable[Path] = (),
    originals: Iterable[tuple[Path, Callable[[], T]]] = (),
) -> T:
    """What `read` gives for a dataset's Keras-format file, searched as usual.

    First Keras's cache file (`cache_file(path, default)`), then the other
    ``copies`` of it, then the ``originals`` (`(path, read)` pairs, see
    `readings`), else the download into the cache file.
    """
    target, explicit = cache_file(path, default)

    def checked_read(file: Path) -> T:
        download.check_known(file)
        return read(file)

    attempts = readings([target, *copies], checked_read) + list(originals)

    def fetch(rejected: list[str]) -> T:
        download.into(target, rejected, check=read)
        return read(target)

    return first_readable(attempts, fetch, target if explicit else None, 4)


def readings(paths: Iterable[Path], read: Callable[[Path], T]):
    """`(path, read)` pairs for `first_readable`: ``read`` of each existing path."""
    return [(p, functools.partial(read, p)) for p in existing(paths)]


def existing(paths: Iterable[Path]) -> Iterator[Path]:
    seen = set()
    for path in paths:
        if path.exists() and path not in seen:
            seen.add(path)
            yield path


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return (
        text if isinstance(exc, UnusableFileError) else f"{type(exc).__name__}: {text}"
    )


def not_found(
    title: str,
    keras_file: Path,
    url: str,
    reason: str,
    originals: Iterable[str] = (),
    subfolder: str = "",
    rejected: Iterable[str] = (),
) -> DatasetNotFoundError:
    """The error raised when no source gave the data: says what to put where."""
    lines = [
        f"The {title} dataset was not found on this machine and could not be "
        f"downloaded from {url} ({reason}).",
        f"Put Keras's file {keras_file.name} at {keras_file}",
    ]
    originals = list(originals)
    if originals:
        where = f"<folder>/{subfolder}" if subfolder else "<folder>"
        lines.append(
            f"or the original files ({', '.join(originals)}) in {where}, with "
            f"{DATA_DIR_VARIABLE}=<folder> set (or in {keras_file.parent})"
        )
    rejected = list(rejected)
    if rejected:
        # Damaged files are the likelier cause: say so with an error that is
        # also a ValueError (DatasetIntegrityError).
        lines.append(
            "Files found but not used (damaged or not in the expected format): "
            + "; ".join(rejected)
            + ". Delete them (or move them away) to have them downloaded again, "
            "or replace them with good copies"
        )
        return DatasetCacheError(".\n".join(lines) + ".")
    return DatasetNotFoundError(".\n".join(lines) + ".")


def download_or_explain(
    url: str,
    target: Path,
    title: str,
    rejected: Iterable[str],
    originals: Iterable[str] = (),
    subfolder: str = "",
    sha256: str | None = None,
    md5: str | None = None,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """`download`, where a failed fetch raises `not_found`'s full message.

    The last step of every loader's search: the error then says why the
    download failed and which files to put where instead.

    Args:
        url: Address to download from.
        target: Where the file goes (Keras's cache file).
        title: The dataset's name in the message, e.g. ``"MNIST"``.
        rejected: Why the files found on disk were not used.
        originals: Names of the original distribution files, for the message.
        subfolder: The subfolder of `$LAMINA_DATA_DIR` they may sit in.
        sha256: Expected SHA-256 of the download.
        md5: Expected MD5 of the download.
        check: Called on the downloaded file; raises if it is unusable.

    Returns:
        `target`.
    """
    try:
        return download(url, target, sha256=sha256, md5=md5, check=check)
    except DatasetNotFoundError as exc:
        raise not_found(
            title, target, url, str(exc), originals, subfolder, rejected
        ) from None


# ---------------------------------------------------------------- downloading


def _open_url(url: str):
    return urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S)


def download(
    url: str,
    target: Path,
    sha256: str | None = None,
    md5: str | None = None,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Download `url` to `target` atomically and check it.

    The bytes go to a temporary file beside `target`, are flushed and fsynced,
    checked (`sha256`/`md5` of the file, then `check(path)`), and only then
    renamed over `target`, so `target` is never half-written. A file already at
    `target` (one that failed its own check) is moved to `<target>.invalid`
    rather than overwritten. A download that fails its check is kept as
    `<target>.failed-check` and a `DatasetIntegrityError` is raised.

    Raises:
        DatasetNotFoundError: the URL could not be fetched; the message has the
            reason (the caller usually re-raises a fuller message).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(target)
    print_msg(f"Downloading data from {url}")
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    tmp = Path(tmp_name)
    hashers = {"sha256": hashlib.sha256(), "md5": hashlib.md5()}
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with _open_url(url) as response:
                    expected_size = response.headers.get("Content-Length")
                    size = 0
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        size += len(chunk)
                        for hasher in hashers.values():
                            hasher.update(chunk)
                # read(n) does not notice a connection closed early.
                if expected_size is not None and size != int(expected_size):
                    raise DatasetNotFoundError(
                        f"the transfer stopped after {size} of {expected_size} bytes"
                    )
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                # Offline, refused, or cut short (IncompleteRead).
                raise DatasetNotFoundError(_url_reason(exc)) from exc
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        # Only our own partial temporary file is removed, never a cached file.
        tmp.unlink(missing_ok=True)
        raise
    for name, expected in (("sha256", sha256), ("md5", md5)):
        actual = hashers[name].hexdigest()
        if expected is not None and actual != expected.lower():
            kept = _keep_aside(tmp, target, ".failed-check")
            raise DatasetIntegrityError(
                f"The file downloaded from {url} has {name} {actual}, expected "
                f"{expected}. It was not used and is kept at {kept}."
            )
    if check is not None:
        try:
            check(tmp)
        except READ_ERRORS as exc:
            kept = _keep_aside(tmp, target, ".failed-check")
            raise DatasetIntegrityError(
                f"The file downloaded from {url} is not usable ({_describe(exc)}). "
                f"It is kept at {kept}."
            ) from exc
    if target.exists():
        moved = _keep_aside(target, target, ".invalid")
        warnings.warn(f"The unusable file {target} was moved to {moved}.", stacklevel=2)
    os.replace(tmp, target)
    fsync_dir(target.parent)
    return target


def file_digest(path: Path, algorithm: str, chunk_size: int = _CHUNK) -> str:
    """The hex SHA-256 or MD5 of a file, read in chunks."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            hasher.update(chunk)
    return hasher.hexdigest()


def _remove_stale_parts(target: Path) -> None:
    """Remove ``target``'s partial downloads left by killed processes.

    A download in progress writes its `.part` file continuously; one untouched
    for `_STALE_PART_S` seconds belongs to a process that died (kill -9, power
    loss). Such files are never read as data, only cleared away here.
    """
    now = time.time()
    for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        try:
            if now - part.stat().st_mtime > _STALE_PART_S:
                part.unlink()
        except OSError:
            pass  # another process removed or renamed it first


def _url_reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"{exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def _keep_aside(source: Path, target: Path, suffix: str) -> Path:
    """Rename `source` to a free `<target><suffix>[.N]` name and return it."""
    candidate = target.with_name(target.name + suffix)
    n = 1
    while candidate.exists():
        candidate = target.with_name(f"{target.name}{suffix}.{n}")
        n += 1
    os.replace(source, candidate)
    return candidate


# ----------------------------------------------------------------- file formats


def read_npz(path: Path, keys: Iterable[str]) -> dict[str, np.ndarray]:
    """Numeric arrays from an `.npz`, with pickles refused outright."""
    if not zipfile.is_zipfile(path):
        raise UnusableFileError("not an .npz file (no zip archive)")
    with np.load(path, allow_pickle=False) as f:
        missing = [k for k in keys if k not in f.files]
        if missing:
            raise UnusableFileError(
                f"missing array(s) {missing} (found {sorted(f.files)})"
            )
        return {k: f[k] for k in keys}


def check_pairs(arrays: dict[str, np.ndarray], x_ndim: int) -> None:
    """Checks `x_train`/`y_train` and `x_test`/`y_test` agree in length and rank."""
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != x_ndim or y.ndim != 1 or len(x) != len(y):
            raise UnusableFileError(
                f"x_{split} has shape {x.shape} and y_{split} {y.shape}; expected "
                f"{x_ndim}-d samples and one label per sample"
            )


_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    # Python 3 pickles bytes (protocol <= 2) as _codecs.encode(str, "latin1");
    # only that codec is accepted.
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"refusing _codecs.encode(..., {encoding!r})")
    return text.encode("latin1")


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only plain containers, strings, numbers and numpy arrays.

    Dataset files are pickles (the CIFAR batches, IMDB's ragged arrays); a
    normal unpickler would run whatever code a tampered file names.
    """

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        if (module, name) == ("_codecs", "encode"):
            return _latin1_encode
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name} from a dataset file (only numpy "
            "arrays and plain Python values are allowed)"
        )


def load_pickle(stream: io.BufferedIOBase, encoding: str = "ASCII") -> Any:
    """One restricted unpickle; a damaged pickle raises `pickle.UnpicklingError`."""
    try:
        return RestrictedUnpickler(stream, encoding=encoding).load()
    except (pickle.UnpicklingError, EOFError, OSError, MemoryError):
        raise
    except (IndexError, TypeError, AttributeError, ValueError, KeyError) as exc:
        # What the unpickler's opcodes raise on corrupt bytes.
        raise pickle.UnpicklingError(f"damaged pickle ({exc!r})") from exc


def read_npz_objects(path: Path, keys: Iterable[str]) -> dict[str, np.ndarray]:
    """Arrays from an `.npz` that may hold object arrays, without unsafe pickles."""
    keys = list(keys)
    arrays = {}
    if not zipfile.is_zipfile(path):
        raise UnusableFileError("not an .npz file (no zip archive)")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        missing = [k for k in keys if f"{k}.npy" not in names]
        if missing:
            raise UnusableFileError(f"missing array(s) {missing}")
        for key in keys:
            with archive.open(f"{key}.npy") as member:
                arrays[key] = _read_npy(io.BytesIO(member.read()))
    return arrays


def _read_npy(stream: io.BytesIO) -> np.ndarray:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        # Versions 2 and 3 share the header layout; 3 only allows UTF-8 text.
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = load_pickle(stream, encoding="latin1")
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise UnusableFileError(f"object array does not match its header {shape}")
    return array


# SHA-256 of the original IDX payloads (decompressed), by file: a file of the
# full size must match (a smaller one, e.g. a test's, is checked by format).
IDX_PAYLOAD_SHA256 = {
    "mnist": dict(
        zip(
            ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
            ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
             "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
             "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
             "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        )
    ),
    "fashion_mnist": dict(
        zip(
            ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
            ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
             "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
             "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
             "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        )
    ),
}  # fmt: skip
_IDX_FULL_SHAPES = {
    "train-images-idx3-ubyte": (60000, 28, 28),
    "train-labels-idx1-ubyte": (60000,),
    "t10k-images-idx3-ubyte": (10000, 28, 28),
    "t10k-labels-idx1-ubyte": (10000,),
}


def check_known_content(array: np.ndarray, name: str, dataset: str | None) -> None:
    """For a full-size MNIST/Fashion-MNIST array, its IDX payload's SHA-256.

    The payload is rebuilt from the array (the IDX header, then the bytes), so
    Keras's `mnist.npz` is checked against the same hashes as the IDX files.
    """
    if dataset is None or array.shape != _IDX_FULL_SHAPES[name]:
        return
    if array.dtype != np.uint8:
        raise UnusableFileError(f"{name} has dtype {array.dtype}, expected uint8")
    hasher = hashlib.sha256(b"\x00\x00\x08" + bytes([array.ndim]))
    hasher.update(struct.pack(f">{array.ndim}I", *array.shape))
    hasher.update(np.ascontiguousarray(array).data)
    if hasher.hexdigest() != IDX_PAYLOAD_SHA256[dataset][name]:
        raise UnusableFileError(
            f"the {name} data does not match the original {dataset} data "
            f"(sha256 {hasher.hexdigest()}): the file is corrupt"
        )


def read_idx(path: Path, expected_ndim: int, dataset: str | None = None) -> np.ndarray:
    """An IDX file of unsigned bytes (gzip'd or not) as a writable uint8 array.

    With ``dataset`` (`"mnist"`, `"fashion_mnist"`), a full-size file must hold
    the original content (see `check_known_content`).
    """
    with open(path, "rb") as f:
        payload = f.read()
    if payload[:2] == b"\x1f\x8b":
        payload = gzip.decompress(payload)
    if len(payload) < 4 + 4 * expected_ndim:
        raise UnusableFileError(f"{len(payload)} bytes: too short for an IDX file")
    if payload[:3] != b"\x00\x00\x08" or payload[3] != expected_ndim:
        raise UnusableFileError(
            f"not an IDX file of {expected_ndim}-d unsigned bytes "
            f"(header {payload[:4].hex()})"
        )
    offset = 4 + 4 * expected_ndim
    shape = struct.unpack(f">{expected_ndim}I", payload[4:offset])
    if len(payload) - offset != int(np.prod(shape)):
        raise UnusableFileError(
            f"header says shape {shape} but there are {len(payload) - offset} bytes"
        )
    # A bytearray keeps the result writable (np.frombuffer on bytes is not).
    data = bytearray(memoryview(payload)[offset:])
    array = np.frombuffer(data, np.uint8).reshape(shape)
    name = path.name.removesuffix(".gz")
    if name in _IDX_FULL_SHAPES:
        check_known_content(array, name, dataset)
    return array


IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_paths(folder: Path) -> list[Path] | None:
    """The four MNIST-layout IDX files in `folder` (`.gz` or plain), or None."""
    paths = []
    for name in IDX_FILES:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                paths.append(candidate)
                break
        else:
            return None
    return paths


def read_idx_set(paths: list[Path], dataset: str | None = None):
    """`(x_train, y_train), (x_test, y_test)` from the four IDX files.

    ``dataset`` names the hashes full-size files are checked against.
    """
    arrays = []
    for path, ndim in zip(paths, (3, 1, 3, 1)):
        try:
            arrays.append(read_idx(path, ndim, dataset))
        except READ_ERRORS as exc:  # name the damaged file, not only its folder
            raise UnusableFileError(f"{path}: {_describe(exc)}") from exc
    x_train, y_train, x_test, y_test = arrays
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if len(x) != len(y):
            raise UnusableFileError(
                f"{len(x)} images but {len(y)} labels in {paths[0].parent}"
            )
    return (x_train, y_train), (x_test, y_test)


def read_to_end(archive: tarfile.TarFile) -> None:
    """Reads a tar archive opened with "r:*" to the end of its compressed stream.

    tarfile stops at the end-of-archive blocks, before gzip's CRC trailer, so
    without this a flipped bit in a .tar.gz gives other data and no error.
    """
    while archive.fileobj.read(_CHUNK):
        pass


# ------------------------------------------------------- Keras's train/test split


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise ArgumentError(
            "`test_split` must be a fraction in [0, 1) of the data to keep for "
            f"testing. Received: test_split={test_split!r}"
        )


def shuffle_and_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int):
    """Keras's split: shuffle with `RandomState(seed)`, then cut train | test."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (
        np.array(x[cut:]),
        np.array(y[cut:]),
    )
