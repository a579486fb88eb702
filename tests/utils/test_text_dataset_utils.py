"""lamina.utils.text_dataset_from_directory."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.errors import ArgumentError


def _folder(root):
    for label, name in enumerate(("neg", "pos")):
        (root / name).mkdir()
        for i in range(3 + label):
            (root / name / f"{i}.txt").write_text(
                f"{name} review {i} " + "é" * i, encoding="utf-8"
            )
    (root / "pos" / "image.png").write_bytes(b"skipped")
    return root


def test_texts_labels_and_split(tmp_path):
    root = _folder(tmp_path)
    ds = lamina.utils.text_dataset_from_directory(
        root, batch_size=4, shuffle=False, verbose=False
    )
    assert ds.class_names == ["neg", "pos"] and len(ds) == 2
    texts, labels = ds[0]
    assert texts.tolist() == [
        "neg review 0 ",
        "neg review 1 é",
        "neg review 2 éé",
        "pos review 0 ",
    ]
    assert labels.tolist() == [0, 0, 0, 1]
    short = lamina.utils.text_dataset_from_directory(
        root,
        max_length=3,
        label_mode="categorical",
        batch_size=None,
        shuffle=False,
        verbose=False,
    )
    text, label = short[6]
    assert text == "pos" and label.tolist() == [0.0, 1.0]
    train, val = lamina.utils.text_dataset_from_directory(
        root, validation_split=0.3, subset="both", seed=3, verbose=False
    )
    assert len(train.file_paths) == 5 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    binary = lamina.utils.text_dataset_from_directory(
        root, label_mode="binary", verbose=False
    )
    assert binary[0][1].shape == (7, 1)
    assert (
        sum(
            len(b)
            for b in lamina.utils.text_dataset_from_directory(
                root, labels=None, batch_size=2, verbose=False
            )
        )
        == 7
    )


def test_bad_arguments(tmp_path):
    root = _folder(tmp_path)
    with pytest.raises(ArgumentError, match="labels"):
        lamina.utils.text_dataset_from_directory(root, labels="folders")
    with pytest.raises(ArgumentError, match="subset"):
        lamina.utils.text_dataset_from_directory(
            root, validation_split=0.2, subset="test", seed=1
        )
    with pytest.raises(ArgumentError, match="not a directory"):
        lamina.utils.text_dataset_from_directory(tmp_path / "nope")
    assert isinstance(
        lamina.utils.text_dataset_from_directory(root, verbose=False)[0][0], np.ndarray
    )
