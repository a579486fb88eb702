"""`audio_dataset_from_directory`: a folder of .wav files as batches of waveforms."""

from __future__ import annotations

import os
import wave

import numpy as np

from lamina.errors import ArgumentError
from lamina.utils import dataset_utils

# PCM sample widths (bytes) -> (numpy dtype, the value full scale divides by).
_PCM = {1: ("u1", 128.0), 2: ("<i2", 32768.0), 4: ("<i4", 2147483648.0)}


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """A PCM WAV file as ``(samples, channels)`` floats in [-1, 1), and its rate."""
    with wave.open(path, "rb") as f:
        width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
        frames = f.readframes(f.getnframes())
    if width == 3:  # 24-bit: widen each sample to 32 bits
        raw = np.frombuffer(frames, "u1").reshape(-1, 3)
        padded = np.zeros((len(raw), 4), "u1")
        padded[:, 1:] = raw
        values = padded.view("<i4")[:, 0].astype("float32") / 2147483648.0
    elif width in _PCM:
        dtype, scale = _PCM[width]
        values = np.frombuffer(frames, dtype).astype("float32")
        values = (values - 128.0) / scale if width == 1 else values / scale
    else:
        raise ArgumentError(f"{path}: unsupported WAV sample width {width} bytes.")
    return values.reshape(-1, channels), rate


def _load_batch(paths, sampling_rate, output_sequence_length, ragged):
    waves = []
    for path in paths:
        audio, rate = read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ArgumentError(
                f"{path} is sampled at {rate} Hz, not sampling_rate={sampling_rate}: "
                "lamina does not resample audio (Keras does it with "
                "tensorflow-io); resample the files, or pass sampling_rate=None."
            )
        if output_sequence_length is not None:
            # Keras's decode_wav(desired_samples=n): cut, or pad with zeros.
            audio = audio[:output_sequence_length]
            audio = np.pad(audio, ((0, output_sequence_length - len(audio)), (0, 0)))
        waves.append(audio)
    if ragged:
        out = np.empty(len(waves), dtype=object)
        out[:] = waves
        return out
    longest = max(len(w) for w in waves)  # padded_batch: zeros to the longest
    return np.stack([np.pad(w, ((0, longest - len(w)), (0, 0))) for w in waves])


def audio_dataset_from_directory(
    directory: str | os.PathLike,
    labels="inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    batch_size: int | None = 32,
    sampling_rate: int | None = None,
    output_sequence_length: int | None = None,
    ragged: bool = False,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    verbose: bool = True,
):
    """A dataset of ``(audio, labels)`` batches from a folder of .wav files.

    With ``labels="inferred"`` the folder holds one subfolder per class.
    Each file becomes a ``(samples, channels)`` float32 array in [-1, 1), as
    TensorFlow's ``decode_wav`` gives it; a batch pads its waveforms with
    zeros to the longest one (or all to ``output_sequence_length``).

    Example:
        >>> train, val = lamina.utils.audio_dataset_from_directory(
        ...     "speech_commands", batch_size=64, validation_split=0.2,
        ...     subset="both", seed=0, output_sequence_length=16000)
        >>> audio, labels = train[0]        # (64, 16000, 1), (64,)

    Args:
        directory: the audio folder.
        labels: ``"inferred"``, None, or one integer label per file.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None.
        class_names: the subfolders to use, in label order.
        batch_size: files per batch, or None for single files.
        sampling_rate: the files' sampling rate, checked (lamina does not
            resample, where Keras resamples with tensorflow-io).
        output_sequence_length: cut or zero-pad every waveform to this length.
        ragged: batches as object arrays of waveforms of their own lengths.
        shuffle: shuffle the files (and every epoch).
        seed: the shuffling seed (needed with ``validation_split``).
        validation_split: the fraction kept for validation (the last files).
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        follow_links: follow symbolic links to folders.
        verbose: print how many files were found.

    Returns:
        A ``BatchDataset`` with ``class_names`` and ``file_paths``; a list of
        two with ``subset="both"``.
    """
    labels, label_mode = dataset_utils.check_label_args(
        labels, label_mode, class_names, "audio"
    )
    if ragged and output_sequence_length is not None:
        raise ArgumentError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None and (
        not isinstance(sampling_rate, int) or sampling_rate <= 0
    ):
        raise ArgumentError(
            "`sampling_rate` should be a positive integer. Received: "
            f"sampling_rate={sampling_rate}"
        )
    return dataset_utils.directory_dataset(
        directory,
        labels,
        label_mode,
        class_names,
        (".wav",),
        lambda paths: _load_batch(paths, sampling_rate, output_sequence_length, ragged),
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        what="audio files",
        allowed="Allowed format: .wav",
    )
