"""PyDataset (Keras 2's `Sequence`): batches by index, optionally prefetched."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

from lamina.errors import ArgumentError


class PyDataset:
    """Base class for datasets that return whole batches by index.

    Subclass it and define ``__len__`` (the number of batches) and
    ``__getitem__(index)`` returning ``x``, ``(x, y)`` or
    ``(x, y, sample_weight)``. ``on_epoch_end`` runs after each epoch (shuffle
    there). With ``workers > 1``, upcoming batches are loaded by a pool of
    threads while the model trains (``use_multiprocessing=True`` is refused:
    lamina's workers are threads).

    Example:
        >>> class Batches(lamina.utils.PyDataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return x[i*32:(i+1)*32], y[i*32:(i+1)*32]

    Args:
        workers: the number of threads loading batches (1: load in the loop).
        use_multiprocessing: must be False.
        max_queue_size: the most batches loaded ahead.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
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

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__.")

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    def on_epoch_end(self) -> None:
        """Called after each epoch; override to reshuffle."""

    @property
    def num_batches(self) -> int:
        return len(self)

    def iterate(self, steps: int | None = None) -> Iterator:
        """The batches of one epoch, in order, loaded ahead by the worker threads."""
        count = len(self) if steps is None else steps
        if self.workers <= 1:
            for i in range(count):
                yield self[i % len(self)]
            return
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            pending = []
            next_index = 0
            while next_index < count and len(pending) < self.max_queue_size:
                pending.append(pool.submit(self.__getitem__, next_index % len(self)))
                next_index += 1
            while pending:
                batch = pending.pop(0).result()
                if next_index < count:
                    pending.append(pool.submit(self.__getitem__, next_index % len(self)))
                    next_index += 1
                yield batch


Sequence = PyDataset
