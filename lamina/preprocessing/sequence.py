"""Keras 2's `keras.preprocessing.sequence`: padding, time series batches, skipgrams."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from lamina.errors import ArgumentError
from lamina.trainers.py_dataset import PyDataset
from lamina.utils.sequence_utils import pad_sequences

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]


class TimeseriesGenerator(PyDataset):
    """Batches of windows over a time series, with the target after each window.

    Sample ``k`` is ``data[row - length:row:sampling_rate]`` with target
    ``targets[row]``, for rows ``start_index + length``, then every ``stride``
    steps up to ``end_index``.

    Example:
        >>> data = np.arange(50).reshape(-1, 1)
        >>> gen = TimeseriesGenerator(data, data, length=10, batch_size=2)
        >>> x, y = gen[0]   # x: (2, 10, 1), y: (2, 1); y[0] == data[10]

    Args:
        data: the time steps (array or list), time on axis 0.
        targets: one target per time step (same length as ``data``).
        length: the window length, in time steps.
        sampling_rate: keep every ``sampling_rate``-th step inside a window.
        stride: steps between the ends of successive windows.
        start_index: steps before it are not used.
        end_index: steps after it are not used (default: the last step).
        shuffle: draw the windows' ends at random (numpy's global generator)
            instead of in order.
        reverse: give each window's steps in reverse order.
        batch_size: windows per batch.
        **kwargs: ``workers`` and ``max_queue_size`` of PyDataset.
    """

    def __init__(
        self,
        data,
        targets,
        length: int,
        sampling_rate: int = 1,
        stride: int = 1,
        start_index: int = 0,
        end_index: int | None = None,
        shuffle: bool = False,
        reverse: bool = False,
        batch_size: int = 128,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if len(data) != len(targets):
            raise ArgumentError(
                f"TimeseriesGenerator: `data` and `targets` must have the same "
                f"length, received {len(data)} and {len(targets)}."
            )
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ArgumentError(
                f"TimeseriesGenerator: `start_index + length` ({self.start_index}) "
                f"must be <= `end_index` ({self.end_index}): no step would be left "
                "as a target."
            )

    def __len__(self) -> int:
        step = self.batch_size * self.stride
        return (self.end_index - self.start_index + step) // step

    def __getitem__(self, index: int):
        if self.shuffle:
            rows = np.random.randint(
                self.start_index, self.end_index + 1, size=self.batch_size
            )
        else:
            first = self.start_index + self.batch_size * self.stride * index
            last = min(first + self.batch_size * self.stride, self.end_index + 1)
            rows = np.arange(first, last, self.stride)
        samples = np.array(
            [self.data[row - self.length : row : self.sampling_rate] for row in rows]
        )
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """word2vec's probability of keeping the word of each frequency rank.

    Assumes Zipf-distributed word frequencies; ``table[i]`` is the keep
    probability of the i-th most common word, for ``skipgrams``.

    Example:
        >>> table = make_sampling_table(1000)
        >>> couples, labels = skipgrams(seq, 1000, sampling_table=table)

    Args:
        size: the vocabulary size.
        sampling_factor: word2vec's sampling factor.

    Returns:
        A float array of shape ``(size,)``.
    """
    gamma = 0.577  # Euler-Mascheroni, rounded as Keras does
    rank = np.arange(size)
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inverse_frequency
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(
    sequence: Sequence[int],
    vocabulary_size: int,
    window_size: int = 4,
    negative_samples: float = 1.0,
    shuffle: bool = True,
    categorical: bool = False,
    sampling_table: np.ndarray | None = None,
    seed: int | None = None,
) -> tuple[list, list]:
    """Skipgram word pairs: (word, neighbour) labelled 1, (word, random) labelled 0.

    Index 0 is a non-word and is skipped. Randomness comes from Python's
    ``random`` module, as in Keras.

    Example:
        >>> couples, labels = skipgrams([1, 2, 3], vocabulary_size=4, shuffle=False)

    Args:
        sequence: word indices.
        vocabulary_size: the largest word index + 1.
        window_size: the half-width of the context window.
        negative_samples: negative pairs per positive pair (0: none).
        shuffle: shuffle the pairs (and their labels alike).
        categorical: labels as ``[0, 1]`` / ``[1, 0]`` instead of 1 / 0.
        sampling_table: keep probability per word index (see
            ``make_sampling_table``).
        seed: the shuffle's seed.

    Returns:
        ``(couples, labels)``: lists of ``[word, context]`` and labels.
    """
    couples: list = []
    labels: list = []
    for i, word in enumerate(sequence):
        if not word:
            continue
        if sampling_table is not None and sampling_table[word] < random.random():
            continue
        window_start = max(0, i - window_size)
        window_end = min(len(sequence), i + window_size + 1)
        for j in range(window_start, window_end):
            if j != i and sequence[j]:
                couples.append([word, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0 and couples:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [
            [words[i % len(words)], random.randint(1, vocabulary_size - 1)]
            for i in range(count)
        ]
        labels += [[1, 0] if categorical else 0 for _ in range(count)]
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10_000_000)
        # The same seed for both shuffles keeps each label with its pair.
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
