"""`utils.audio_dataset_from_directory` against Keras (audio_dataset.npz, made by
tests/fixtures/make_audio_dataset.py): decoded samples, padding, cutting,
labels and the validation split; and other sample widths."""

from __future__ import annotations

import pathlib
import wave

import numpy as np
import pytest

from lamina.errors import ArgumentError
from lamina.utils import audio_dataset_from_directory
from lamina.utils.audio_dataset_utils import read_wav

HERE = pathlib.Path(__file__).parent.parent / "fixtures"
K = np.load(HERE / "audio_dataset.npz")


def _write_wavs(root, channels):
    # The fixture's own files, written by its script's function (plain Python).
    source = (HERE / "make_audio_dataset.py").read_text()
    namespace: dict = {}
    start = source.index("def write_wavs")
    end = source.index("def batches")
    exec("import os, wave\nimport numpy as np\n" + source[start:end], namespace)
    namespace["write_wavs"](str(root), channels)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize(
    "case, kwargs",
    [
        ("padded", {"batch_size": 2}),
        (
            "fixed",
            {"batch_size": 3, "output_sequence_length": 6, "label_mode": "categorical"},
        ),
    ],
)
def test_batches_are_keras(tmp_path, channels, case, kwargs):
    _write_wavs(tmp_path, channels)
    dataset = audio_dataset_from_directory(tmp_path, shuffle=False, **kwargs)
    assert dataset.class_names == ["cats", "dogs"]
    assert len(dataset) == len(
        [
            k
            for k in K.files
            if k.startswith(f"{channels}/{case}/") and k.endswith("audio")
        ]
    )
    for i in range(len(dataset)):
        audio, labels = dataset[i]
        np.testing.assert_array_equal(audio, K[f"{channels}/{case}/{i}/audio"])
        np.testing.assert_array_equal(labels, K[f"{channels}/{case}/{i}/labels"])


def test_validation_split_is_keras(tmp_path):
    _write_wavs(tmp_path, 1)
    train, val = audio_dataset_from_directory(
        tmp_path / "dogs", labels=None, batch_size=None, validation_split=0.4,
        subset="both", seed=3, shuffle=False,
    )  # fmt: skip
    assert [len(train[i]) for i in range(len(train))] == K["split/train"].tolist()
    assert [len(val[i]) for i in range(len(val))] == K["split/val"].tolist()


def test_ragged_batches_and_sample_widths(tmp_path):
    _write_wavs(tmp_path, 1)
    audio, _ = audio_dataset_from_directory(
        tmp_path, batch_size=5, ragged=True, shuffle=False
    )[0]
    assert [len(a) for a in audio] == [7, 3, 5, 9, 4]
    for width, values, expected in (
        (1, np.array([0, 128, 255], "u1"), [-1.0, 0.0, 127 / 128]),
        (4, np.array([-(2**31), 0, 2**30], "<i4"), [-1.0, 0.0, 0.5]),
    ):
        path = tmp_path / f"w{width}.wav"
        with wave.open(str(path), "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(width)
            f.setframerate(8000)
            f.writeframes(values.tobytes())
        decoded, rate = read_wav(str(path))
        assert rate == 8000 and decoded[:, 0].tolist() == expected


def test_bad_arguments(tmp_path):
    _write_wavs(tmp_path, 1)
    with pytest.raises(ArgumentError, match="ragged"):
        audio_dataset_from_directory(tmp_path, ragged=True, output_sequence_length=4)
    with pytest.raises(ArgumentError, match="sampling_rate"):
        audio_dataset_from_directory(tmp_path, sampling_rate=-1)
    resampled = audio_dataset_from_directory(
        tmp_path, sampling_rate=16000, shuffle=False
    )
    with pytest.raises(ArgumentError, match="does not resample"):
        resampled[0]
    assert audio_dataset_from_directory(tmp_path, sampling_rate=8000)[0][0].ndim == 3
