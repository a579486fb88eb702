"""`timeseries_dataset_from_array`: sliding windows over an array, in batches."""

from __future__ import annotations

import numpy as np

from lamina.errors import ArgumentError
from lamina.utils.dataset_utils import BatchDataset


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
    format: str = "tf",
):
    """Batches of windows over a time series (Keras 3's semantics).

    Window ``i`` starts at step ``start_index + i * sequence_stride`` and
    holds ``sequence_length`` steps taken every ``sampling_rate`` steps; its
    target is ``targets[start_index + i * sequence_stride]`` (the target of
    its first step: shift ``targets`` to predict the future).

    Example:
        >>> data = np.arange(100)
        >>> ds = lamina.utils.timeseries_dataset_from_array(
        ...     data[:-10], data[10:], sequence_length=10, batch_size=16)
        >>> x, y = ds[0]     # x[0] = data[0:10], y[0] = data[10]

    Args:
        data: the time steps (array or list), time on axis 0.
        targets: one target per step, or None (windows only).
        sequence_length: steps per window.
        sequence_stride: steps between the starts of successive windows.
        sampling_rate: keep every ``sampling_rate``-th step within a window.
        batch_size: windows per batch, or None for single windows.
        shuffle: shuffle the windows (and every epoch).
        seed: the shuffling seed.
        start_index: steps before it are not used.
        end_index: steps from it on are not used.
        format: ``"tf"`` (accepted for compatibility).

    Returns:
        A ``BatchDataset`` of ``(windows, targets)`` (or windows) batches.
    """
    length = len(data)
    if start_index:
        if start_index < 0:
            raise ArgumentError(
                f"`start_index` must be 0 or greater, received {start_index}."
            )
        if start_index >= length:
            raise ArgumentError(
                f"`start_index` must be lower than the length of the data ({length}), "
                f"received {start_index}."
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ArgumentError(
                f"`end_index` must be higher than `start_index`, received "
                f"start_index={start_index}, end_index={end_index}."
            )
        if end_index >= length:
            raise ArgumentError(
                f"`end_index` must be lower than the length of the data ({length}), "
                f"received {end_index}."
            )
        if end_index <= 0:
            raise ArgumentError(
                f"`end_index` must be higher than 0, received {end_index}."
            )
    for name, value in (
        ("sampling_rate", sampling_rate),
        ("sequence_stride", sequence_stride),
    ):
        if value <= 0:
            raise ArgumentError(f"`{name}` must be higher than 0, received {value}.")
        if value >= length:
            raise ArgumentError(
                f"`{name}` must be lower than the length of the data ({length}), "
                f"received {value}."
            )
    if format not in ("tf", "grain"):
        raise ArgumentError(f'`format` must be "tf" or "grain", received {format!r}.')
    start_index = start_index or 0
    end_index = length if end_index is None else end_index
    num_windows = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_windows = min(num_windows, len(targets))
    starts = np.arange(0, max(num_windows, 0), sequence_stride)
    if shuffle:
        # The window order Keras draws; batches are reshuffled every epoch.
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    steps = np.asarray(data[start_index:end_index])
    target_steps = (
        None if targets is None else np.asarray(targets[start_index:end_index])
    )
    offsets = np.arange(sequence_length) * sampling_rate

    def load_batch(indices: np.ndarray):
        first = starts[indices]
        windows = steps[first[:, None] + offsets]
        return windows if target_steps is None else (windows, target_steps[first])

    # The window order is already drawn; per-epoch shuffling uses the seed too.
    dataset = BatchDataset(
        len(starts), load_batch, batch_size=batch_size, shuffle=shuffle, seed=seed
    )
    return dataset
