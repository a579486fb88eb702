"""`get_file`: a file from a URL, kept in Keras's cache folder (``~/.keras``).

The cache layout is Keras's, so files Keras downloaded are found and reused,
and the reverse: ``<cache_dir>/<cache_subdir>/<fname>``, with ``cache_dir``
``$KERAS_HOME`` or ``~/.keras`` (``/tmp/.keras`` when that cannot be written)
and ``cache_subdir`` ``"datasets"``. Downloading, hash checks and the atomic
write are `lamina.datasets`' (one place for both): a download goes to a
temporary name and replaces the cached file only once complete and checked,
and a cached file that fails its hash is moved aside (``<name>.invalid``),
never deleted. Archives are extracted the same way: into a temporary folder,
renamed into place when complete, without members that would land outside it.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import warnings
import zipfile
import zlib
from pathlib import Path

from lamina.datasets import _files
from lamina.errors import (
    ArgumentError,
    DatasetCacheError,
    DatasetIntegrityError,
    DatasetNotFoundError,
)
from lamina.io_utils import fsync_dir, print_msg


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: str | list[str] | None = "auto",
    cache_dir: str | os.PathLike | None = None,
    force_download: bool = False,
) -> str:
    """Download a file from a URL unless it is in the cache; return its path.

    Example:

    ```python
    path = lamina.utils.get_file(
        origin="https://storage.googleapis.com/download.tensorflow.org/"
        "example_images/flower_photos.tgz",
        extract=True,
    )
    ```

    Args:
        fname: the file's name in the cache; by default the last part of the
            URL. With ``extract``, a name without a suffix names the folder the
            archive is extracted to.
        origin: the URL (``https://``, ``http://``, ``file://``).
        untar: Keras 2's ``extract`` for tar archives (deprecated).
        md5_hash: Keras 2's ``file_hash`` for MD5 hashes (deprecated).
        file_hash: the expected SHA-256 or MD5 of the file (hex): a cached file
            that does not match is downloaded again, a download that does not
            match is refused.
        cache_subdir: the folder under ``cache_dir``; an absolute path is used
            as it is.
        hash_algorithm: ``"sha256"``, ``"md5"``, or ``"auto"`` (SHA-256 for a
            64-character hash, else MD5).
        extract: extract the archive (tar, tar.gz, tar.bz2, zip) and return the
            folder it was extracted to.
        archive_format: ``"tar"``, ``"zip"``, ``"auto"`` (both) or a list of
            them; None extracts nothing.
        cache_dir: the cache's root; ``$KERAS_HOME`` or ``~/.keras`` by default.
        force_download: download even when the file is cached.

    Returns:
        The path of the file (of the extracted folder with ``extract``).

    Raises:
        DatasetNotFoundError: the file is not cached and the download failed
            (offline, refused, not found); the message says where to put the
            file instead. A `FileNotFoundError`.
        DatasetIntegrityError: the download does not match ``file_hash``.
    """
    if origin is None:
        raise ArgumentError(
            'Please specify the "origin" argument (URL of the file to download).'
        )
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ArgumentError(
            "`hash_algorithm` must be 'auto', 'sha256' or 'md5', received "
            f"{hash_algorithm!r}."
        )
    base = Path(os.fspath(cache_dir)).expanduser() if cache_dir else _files.keras_home()
    folder = _files.writable_or_tmp(base) / cache_subdir
    folder.mkdir(parents=True, exist_ok=True)

    given = os.fspath(fname) if fname is not None else None
    name = given or os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ArgumentError(
            f"Can't parse the file name from the origin provided: '{origin}'. "
            "Please specify the `fname` argument."
        )
    if os.sep in name or (os.altsep and os.altsep in name):
        raise ArgumentError(
            "Paths are no longer accepted as the `fname` argument. To specify the "
            "file's parent directory, use the `cache_dir` argument. Received: "
            f"fname={name}"
        )

    # Keras's names: the archive beside the folder it is extracted to.
    extraction_dir = None
    if extract or untar:
        if given and "." in name:
            target = folder / name
            extraction_dir = folder / f"{name[: name.find('.')]}_extracted"
        else:
            target = folder / f"{name}_archive"
            extraction_dir = folder / name
    else:
        target = folder / name

    sha256, md5 = _expected_hashes(file_hash, hash_algorithm)
    if force_download or not target.exists() or not _matches(target, sha256, md5):
        damaged = target.exists() and not force_download
        if damaged:
            print_msg(
                "A local file was found, but it seems to be incomplete or outdated "
                f"because the {_algorithm(file_hash, hash_algorithm)} file hash "
                f"does not match the original value of {file_hash} so we will "
                "re-download the data."
            )
        _download(origin, target, sha256, md5, damaged)

    if extraction_dir is None:
        return str(target)
    if untar:
        archive_format = "tar"
    if not extract_archive(target, extraction_dir, archive_format):
        warnings.warn(
            f"Could not extract archive: {target} is not a {archive_format} "
            "archive, or a damaged one (delete it to download it again).",
            stacklevel=2,
        )
    return str(extraction_dir)


def _algorithm(file_hash: str | None, hash_algorithm: str) -> str:
    if hash_algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    return hash_algorithm


def _expected_hashes(file_hash, hash_algorithm) -> tuple[str | None, str | None]:
    """``(sha256, md5)``: the one ``file_hash`` is, the other None."""
    if file_hash is None:
        return None, None
    if _algorithm(file_hash, hash_algorithm) == "sha256":
        return file_hash, None
    return None, file_hash


def _matches(path: Path, sha256: str | None, md5: str | None) -> bool:
    if sha256 is None and md5 is None:
        return True
    algorithm, expected = ("sha256", sha256) if sha256 else ("md5", md5)
    return hash_file(path, algorithm) == expected.lower()


def hash_file(
    fpath: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = 65535
) -> str:
    """The SHA-256 (or MD5) of a file, in hex.

    Args:
        fpath: the file.
        algorithm: ``"sha256"`` or ``"md5"``.
        chunk_size: bytes read at a time.
    """
    algorithm = "sha256" if algorithm == "sha256" else "md5"
    return _files.file_digest(Path(os.fspath(fpath)), algorithm, chunk_size)


def _download(origin: str, target: Path, sha256, md5, damaged: bool) -> None:
    try:
        _files.download(origin, target, sha256=sha256, md5=md5)
    except DatasetNotFoundError as err:
        if damaged:
            raise DatasetCacheError(
                f"The cached file {target} does not match its hash "
                f"{sha256 or md5} (truncated or corrupt), and downloading it "
                f"again from {origin} failed: {err}. Delete the file (or move "
                "it away) and retry when online, or put a good copy there."
            ) from None
        raise DatasetNotFoundError(
            f"URL fetch failure on {origin}: {err}. To use the file without "
            f"downloading it, put it at {target}."
        ) from None
    except DatasetIntegrityError as err:
        raise DatasetIntegrityError(
            f"Incomplete or corrupted file detected: {err}"
        ) from None


# ------------------------------------------------------------------- archives

# What reading a truncated, corrupt or unsafe archive raises (tarfile's filter
# errors, for links that would point outside, are TarErrors).
_DAMAGED_ARCHIVE = (
    tarfile.TarError,
    zipfile.BadZipFile,
    EOFError,
    zlib.error,
    gzip.BadGzipFile,
)


def extract_archive(
    file_path: str | os.PathLike,
    path: str | os.PathLike = ".",
    archive_format: str | list[str] | None = "auto",
) -> bool:
    """Extract a tar or zip archive into the folder ``path``.

    Members whose path (or link target) would land outside ``path`` are
    skipped with a warning. The archive goes to a temporary folder first and
    replaces ``path`` only once fully extracted.

    Args:
        file_path: the archive.
        path: the folder to extract into.
        archive_format: ``"tar"`` (also .tar.gz, .tar.bz2, .tar.xz), ``"zip"``,
            ``"auto"`` (both) or a list of them; None extracts nothing.

    Returns:
        Whether the file was an archive of one of the formats, and extracted.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), Path(os.fspath(path))
    for kind in archive_format:
        if kind == "tar":
            matches, extract = tarfile.is_tarfile(file_path), _extract_tar
        elif kind == "zip":
            matches, extract = zipfile.is_zipfile(file_path), _extract_zip
        else:
            raise ArgumentError(
                f"Unknown archive format {kind!r}: expected 'tar', 'zip' or 'auto'."
            )
        if matches:
            try:
                _into_place(path, lambda folder, e=extract: e(file_path, folder))
            except _DAMAGED_ARCHIVE as exc:
                raise DatasetIntegrityError(
                    f"Cannot extract {file_path}: {type(exc).__name__}: {exc}. "
                    "The archive is truncated, corrupt or unsafe (a member "
                    f"would land outside {path}); delete it to download it "
                    "again. Nothing was extracted."
                ) from exc
            return True
    return False


def _into_place(path: Path, extract) -> None:
    """Run ``extract(folder)`` on a new temporary folder, then make it ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        extract(staging)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / path.name)
            os.replace(staging, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_dir(path.parent)


def _inside(base: Path, member: str) -> bool:
    target = os.path.realpath(base / member)
    return os.path.commonpath([target, os.path.realpath(base)]) == os.path.realpath(
        base
    )


def _skip(name: str) -> None:
    warnings.warn(
        f"Skipping invalid path during archive extraction: '{name}'.", stacklevel=4
    )


def _extract_zip(file_path: str, folder: Path) -> None:
    with zipfile.ZipFile(file_path) as archive:
        members = []
        for info in archive.infolist():
            if _inside(folder, info.filename):
                members.append(info)
            else:
                _skip(info.filename)
        archive.extractall(folder, members=members)


def _extract_tar(file_path: str, folder: Path) -> None:
    with tarfile.open(file_path) as archive:
        members = []
        for info in archive:
            link_ok = not (info.issym() or info.islnk()) or _inside(
                folder if info.islnk() else folder / os.path.dirname(info.name),
                info.linkname,
            )
            if _inside(folder, info.name) and link_ok:
                members.append(info)
            else:
                _skip(info.name)
        # Python's "data" filter (where it has one): no device files, no
        # absolute paths, no setuid bits.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(folder, members=members, **safe)
