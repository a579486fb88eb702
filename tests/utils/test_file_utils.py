"""`utils.get_file`: Keras's cache layout (get_file_keras.json, made by
tests/fixtures/make_get_file.py with Keras from the same file:// sources),
hash checks, offline errors, and safe, atomic extraction."""

from __future__ import annotations

import io
import json
import os
import pathlib
import tarfile
import zipfile

import pytest

from lamina.errors import ArgumentError, DatasetIntegrityError, DatasetNotFoundError
from lamina.utils import get_file
from lamina.utils.file_utils import extract_archive, hash_file

KERAS = json.loads(
    (
        pathlib.Path(__file__).parent.parent / "fixtures" / "get_file_keras.json"
    ).read_text()
)
CASES = sorted(case for case in KERAS if not case.startswith("_"))


def _make_sources(folder: pathlib.Path) -> None:
    """The files make_get_file.py serves: data.txt, data.tar.gz, data.zip."""
    (folder / "data.txt").write_text("hello\n")
    with tarfile.open(folder / "data.tar.gz", "w:gz") as tar:
        for name, text in (("a/one.txt", b"1\n"), ("a/b/two.txt", b"2\n")):
            info = tarfile.TarInfo(name)
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    with zipfile.ZipFile(folder / "data.zip", "w") as archive:
        archive.writestr("c/three.txt", "3\n")


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    _make_sources(folder)
    return folder


def _listing(root: pathlib.Path) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, files in os.walk(root)
        for name in files
    )


@pytest.mark.parametrize("case", CASES)
def test_cache_layout_is_keras(case, sources, tmp_path):
    expected = KERAS[case]
    cache = tmp_path / "cache"
    path = get_file(
        origin=(sources / expected["source"]).as_uri(),
        cache_dir=cache,
        **expected["kwargs"],
    )
    assert os.path.relpath(path, cache) == expected["returned"]
    assert _listing(cache) == expected["files"]


def test_cached_file_is_used_offline_and_keras_home_is_the_default(
    sources, tmp_path, monkeypatch
):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    url = (sources / "data.txt").as_uri()
    path = get_file("data.txt", url)
    assert path == str(tmp_path / "home" / "datasets" / "data.txt")
    (sources / "data.txt").unlink()  # the "server" is gone: the cache answers
    assert get_file("data.txt", url) == path
    with pytest.raises(DatasetNotFoundError, match="URL fetch failure.*put it at"):
        get_file("data.txt", url, force_download=True)
    assert pathlib.Path(path).read_text() == "hello\n"  # kept as it was


def test_missing_file_is_a_file_not_found_error_that_says_where(sources, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        get_file(origin=(sources / "absent.txt").as_uri(), cache_dir=tmp_path)
    assert str(tmp_path / "datasets" / "absent.txt") in str(info.value)
    assert not (tmp_path / "datasets" / "absent.txt").exists()


def test_hashes_are_checked(sources, tmp_path, capsys):
    url = (sources / "data.txt").as_uri()
    good = KERAS["_digests"]["SHA256"]
    path = pathlib.Path(get_file("h.txt", url, file_hash=good, cache_dir=tmp_path))
    assert hash_file(path) == good
    assert hash_file(path, "md5") == KERAS["_digests"]["MD5"]
    # A cached file that no longer matches is downloaded again, the old one
    # kept aside.
    path.write_text("tampered\n")
    with pytest.warns(UserWarning, match="moved"):
        get_file("h.txt", url, file_hash=good, cache_dir=tmp_path)
    assert "re-download" in capsys.readouterr().out
    assert path.read_text() == "hello\n"
    assert (tmp_path / "datasets" / "h.txt.invalid").read_text() == "tampered\n"
    # A download that does not match is refused and never replaces the file.
    with pytest.raises(DatasetIntegrityError, match="Incomplete or corrupted"):
        get_file("other.txt", url, file_hash="0" * 64, cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "other.txt").exists()


def test_bad_arguments():
    with pytest.raises(ArgumentError, match="origin"):
        get_file("x.txt")
    with pytest.raises(ArgumentError, match="Paths are no longer accepted"):
        get_file("a/x.txt", "file:///tmp/x.txt")
    with pytest.raises(ArgumentError, match="file name"):
        get_file(origin="https://example.com/")
    with pytest.raises(ArgumentError, match="hash_algorithm"):
        get_file("x.txt", "file:///tmp/x.txt", hash_algorithm="sha1")


def test_extraction_skips_members_outside_the_folder(tmp_path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        for name in ("ok.txt", "../escaped.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"x\n"))
        link = tarfile.TarInfo("link")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../outside"
        tar.addfile(link)
    target = tmp_path / "out"
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        assert extract_archive(archive, target)
    assert _listing(target) == ["ok.txt"]
    assert not (tmp_path / "escaped.txt").exists()

    zipped = tmp_path / "evil.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("fine.txt", "1")
        z.writestr("../../bad.txt", "2")
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        assert extract_archive(zipped, tmp_path / "zout")
    assert _listing(tmp_path / "zout") == ["fine.txt"]


def test_extraction_replaces_the_folder_whole(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("new.txt", "1")
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("0")
    assert extract_archive(archive, target, archive_format="zip")
    assert _listing(target) == ["new.txt"]
    assert _listing(tmp_path) == ["a.zip", "out/new.txt"]  # no staging left over
    assert not extract_archive(archive, tmp_path / "none", archive_format="tar")
    assert not extract_archive(archive, tmp_path / "none", archive_format=None)
    with pytest.raises(ArgumentError, match="archive format"):
        extract_archive(archive, tmp_path / "none", archive_format="rar")
