"""PyDataset (Keras 2's `Sequence`): batches by index, optionally prefetched."""

from __future__ import annotations

import concurrent.futures
import itertools
from collections.abc import Iterator

from lamina.errors import ArgumentError


class PyDataset:
    """Base class for datasets that return whole batches by index.

    Subclass it and define ``__len__`` (or Keras 3's ``num_batches``
    property; None means infinite, then give ``steps_per_epoch``) and
    ``__getitem__(index)`` returning ``x``, ``(x, y)`` or
    ``(x, y, sample_weight)``. ``on_epoch_begin`` and ``on_epoch_end`` run
    around each epoch (shuffle there). With ``workers > 1``, upcoming batches
    are loaded by a pool of threads while the model trains
    (``use_multiprocessing=True`` is refused: lamina's workers are threads).

    Example:
        >>> class Batches(lamina.utils.PyDataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return x[i*32:(i+1)*32], y[i*32:(i+1)*32]

    Args:
        workers: the number of threads loading batches (1: load in the loop).
        use_multiprocessing: must be False.
        max_queue_size: the most batches loaded ahead.
    """

    def __init__(
        self,
        workers: int = 1,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ):
        if use_multiprocessing:
            raise ArgumentError(
                "PyDataset(use_multiprocessing=True) is not supported by lamina; use "
                "workers=N (threads) or a torch DataLoader with num_workers."
            )
        if workers < 1 or max_queue_size < 1:
            raise ArgumentError(
                f"PyDataset: `workers` and `max_queue_size` must be >= 1, received "
                f"workers={workers}, max_queue_size={max_queue_size}."
            )
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    def __len__(self) -> int:
        # A subclass defines either __len__ (Keras 2) or num_batches (Keras 3).
        if type(self).num_batches is PyDataset.num_batches:
            raise NotImplementedError(
                f"{type(self).__name__} must define __len__ or the num_batches "
                "property."
            )
        count = self.num_batches
        if count is None:
            raise TypeError(f"{type(self).__name__} is infinite: it has no len().")
        return count

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    def __iter__(self) -> Iterator:
        """The batches in order (forever when `num_batches` is None)."""
        count = self.num_batches
        indices = itertools.count() if count is None else range(count)
        for index in indices:
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called before each epoch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch; override to reshuffle."""

    @property
    def num_batches(self) -> int | None:
        """The number of batches, or None for an infinite dataset."""
        if type(self).__len__ is PyDataset.__len__:
            raise NotImplementedError(
                f"{type(self).__name__} must define __len__ or the num_batches "
                "property."
            )
        return len(self)

    def iterate(self, steps: int | None = None) -> Iterator:
        """The batches of one epoch, in order, loaded ahead by the worker threads.

        Args:
            steps: how many batches (default: all of them). Past the end of a
                finite dataset the indices wrap around.
        """
        size = self.num_batches
        if steps is None and size is None:
            raise ArgumentError(
                f"{type(self).__name__} is infinite (num_batches is None): pass "
                "`steps_per_epoch` (or `steps`)."
            )
        count = size if steps is None else steps

        def index(i: int) -> int:
            return i if size is None else i % size

        if self.workers <= 1:
            for i in range(count):
                yield self[index(i)]
            return
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            pending = []
            next_index = 0
            while next_index < count and len(pending) < self.max_queue_size:
                pending.append(pool.submit(self.__getitem__, index(next_index)))
                next_index += 1
            while pending:
                batch = pending.pop(0).result()
                if next_index < count:
                    pending.append(pool.submit(self.__getitem__, index(next_index)))
                    next_index += 1
                yield batch


Sequence = PyDataset
