"""Ctrl-C during `fit`: finish the current batch, then stop cleanly.

A KeyboardInterrupt that lands inside a training step could leave an
optimizer update half applied. While `fit` runs in the main thread, SIGINT
only sets a flag and `model.stop_training`; the batch in flight completes, no
`on_epoch_end` runs for the partial epoch, `fit` runs `on_train_end` and then
raises KeyboardInterrupt, so a script still stops and a notebook shows it.
A second Ctrl-C interrupts at once (Python's usual behaviour).
"""

from __future__ import annotations

import signal
import threading

from lamina.io_utils import print_msg


class StopAfterBatch:
    """Context manager of `fit`'s epoch loop that defers Ctrl-C to a batch's end.

    Its handler is installed only in the main thread and only over Python's
    default SIGINT handler (a handler of the user's or of a framework is kept).
    A KeyboardInterrupt that ends the block (Ctrl-C, or raised by a callback)
    is held back until `reraise`, so `fit` can run `on_train_end` first; the
    model's ``_interrupted`` is then True, so callbacks that clean up after a
    finished run (`BackupAndRestore` deletes its backup) keep their state.
    """

    def __init__(self, model):
        self.model = model
        self.received = False
        self.interrupt: KeyboardInterrupt | None = None
        self._previous = None

    def __enter__(self) -> StopAfterBatch:
        self.model._interrupted = False
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.received:
            raise KeyboardInterrupt
        self.received = True
        self.model.stop_training = True
        print_msg(
            "\nInterrupted: stopping after the current batch (press Ctrl-C again "
            "to stop at once)."
        )

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed (after a batch ended)."""
        if self.received:
            raise KeyboardInterrupt

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        if exc_type is None and self.received:
            self.interrupt = KeyboardInterrupt()
        elif exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            self.interrupt = exc
        self.model._interrupted = self.interrupt is not None
        return self.interrupt is not None and exc_type is not None

    def reraise(self) -> None:
        """Raise the KeyboardInterrupt held back when the block ended, if any."""
        if self.interrupt is not None:
            raise self.interrupt
