"""`CallbackList`: calls every callback of a `fit`, `evaluate` or `predict`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lamina.callbacks.callback import BATCH_HOOKS, Callback
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.logs import pythonify_logs, sorted_logs
from lamina.callbacks.model_checkpoint import ModelCheckpoint
from lamina.callbacks.progbar_logger import ProgbarLogger
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.remote_monitor import RemoteMonitor
from lamina.callbacks.tensorboard import TensorBoard
from lamina.callbacks.terminate_on_nan import TerminateOnNaN
from lamina.distribution import process_group
from lamina.errors import ArgumentError

# In a data-parallel run (several processes) only rank 0 runs the callbacks that
# print or write: one progress bar, one set of files. The others run on every
# process: they read the logs, which are the same everywhere.
_RANK_0_ONLY = (ProgbarLogger, ModelCheckpoint, CSVLogger, TensorBoard, RemoteMonitor)

# lamina's callbacks whose on_epoch_end reads the logs and nothing else.
_READS_LOGS_ONLY = (
    History,
    ProgbarLogger,
    CSVLogger,
    RemoteMonitor,
    ReduceLROnPlateau,
    LearningRateScheduler,
    TerminateOnNaN,
)


class CallbackList(Callback):
    """Container calling a list of callbacks together.

    The training loop calls one `on_*` method of the list, which calls it on
    every callback. Batch-level hooks only reach the callbacks that override
    them, and the attributes `calls_train_batch_hooks`,
    `calls_test_batch_hooks` and `calls_predict_batch_hooks` (and the finer
    `calls_on_train_batch_end`, etc.) tell the loop whether a batch hook
    reaches anyone at all, so it can skip building batch logs. They are
    current after `on_train_begin`, `on_test_begin` and `on_predict_begin`.

    Example:

    ```python
    callbacks = CallbackList([EarlyStopping()], add_history=True,
                             model=model, epochs=10, steps=100, verbose=1)
    callbacks.on_train_begin()
    for epoch in range(10):
        callbacks.on_epoch_begin(epoch)
        for step in range(100):
            logs = train_step(...)
            if callbacks.calls_train_batch_hooks:
                callbacks.on_train_batch_end(step, logs)
        callbacks.on_epoch_end(epoch, epoch_logs)
    callbacks.on_train_end(epoch_logs)
    ```

    Args:
        callbacks: Callbacks (nested lists are flattened).
        add_history: Whether to add a `History` callback when none is given.
        add_progbar: Whether to add a `ProgbarLogger` when none is given.
        model: The model the callbacks act on.
        **params: Training parameters passed to each callback's `set_params`
            (`epochs`, `steps`, `verbose`).
    """

    def __init__(
        self,
        callbacks: Callback | Iterable[Callback] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _flatten(callbacks)
        self._given = list(self.callbacks)  # the same on every process
        if not process_group.is_chief():
            self.callbacks = _for_other_ranks(self.callbacks)
            add_progbar = False
        self._history: History | None = None
        self._progbar: ProgbarLogger | None = None
        for callback in self.callbacks:
            if isinstance(callback, ProgbarLogger):
                self._progbar = callback
            elif isinstance(callback, History):
                self._history = callback
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def epoch_end_reads(self) -> tuple[bool, bool]:
        """Whether the given callbacks read (the weights, the optimizer's
        state) in ``on_epoch_end``, on any process.

        A sharded model (ModelParallel) gathers them whole for that moment
        only. lamina's callbacks that read the logs alone need neither;
        `EarlyStopping` needs the weights; checkpoints and backups (their
        files hold the optimizer's state) and other callbacks that override
        ``on_epoch_end`` need both.
        """
        weights = optimizer = False
        for callback in self._given:
            if type(callback).on_epoch_end is Callback.on_epoch_end or isinstance(
                callback, _READS_LOGS_ONLY
            ):
                continue
            if isinstance(callback, TensorBoard) and not callback.histogram_freq:
                continue
            weights = True
            optimizer = optimizer or not isinstance(callback, EarlyStopping)
        return weights, optimizer

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def append(self, callback: Callback) -> None:
        """Adds a callback, giving it the list's model and parameters."""
        self.callbacks.append(callback)
        if self._model is not None:
            callback.set_model(self._model)
        if self.params:
            callback.set_params(self.params)
        self._configure_batch_hooks()

    def set_params(self, params: dict) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)
        self._configure_batch_hooks()

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _configure_batch_hooks(self) -> None:
        """Lists, per batch hook, the callbacks whose hook does something."""
        self._batch_hook_users = {
            hook: [cb for cb in self.callbacks if cb._needs_batch_hook(hook)]
            for hook in BATCH_HOOKS
        }
        users = self._batch_hook_users
        self.calls_on_train_batch_begin = bool(users["on_train_batch_begin"])
        self.calls_on_train_batch_end = bool(users["on_train_batch_end"])
        self.calls_on_test_batch_begin = bool(users["on_test_batch_begin"])
        self.calls_on_test_batch_end = bool(users["on_test_batch_end"])
        self.calls_on_predict_batch_begin = bool(users["on_predict_batch_begin"])
        self.calls_on_predict_batch_end = bool(users["on_predict_batch_end"])
        self.calls_train_batch_hooks = (
            self.calls_on_train_batch_begin or self.calls_on_train_batch_end
        )
        self.calls_test_batch_hooks = (
            self.calls_on_test_batch_begin or self.calls_on_test_batch_end
        )
        self.calls_predict_batch_hooks = (
            self.calls_on_predict_batch_begin or self.calls_on_predict_batch_end
        )

    def _call_batch_hook(self, hook: str, batch: int, logs: Mapping | None) -> None:
        users = self._batch_hook_users[hook]
        if not users:
            return
        # Each form of the logs is built once, and only if some callback wants it.
        as_given = as_floats = None
        for callback in users:
            if callback._accepts_tensor_logs:
                if as_given is None:
                    as_given = sorted_logs(logs)
                getattr(callback, hook)(batch, logs=as_given)
            else:
                if as_floats is None:
                    as_floats = pythonify_logs(logs)
                getattr(callback, hook)(batch, logs=as_floats)

    def on_train_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_batch_hook("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_batch_hook("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_batch_hook("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_batch_hook("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_batch_hook("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_batch_hook("on_predict_batch_end", batch, logs)

    def on_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    # One dict is shared by all callbacks of a call, as in Keras: what one adds
    # (ReduceLROnPlateau's "learning_rate") is seen by the next (History).
    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)
        model = self._model
        if model is not None and process_group.world_size() > 1:
            # Rank 0's decision to stop (EarlyStopping, a user's callback) holds
            # for every process, so none waits alone in the next epoch.
            model.stop_training = process_group.broadcast_object(
                bool(getattr(model, "stop_training", False)),
                "agreeing whether to stop training",
            )

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self._call_begin_end("on_train_begin", logs)

    def on_train_end(self, logs: Mapping | None = None) -> None:
        self._call_begin_end("on_train_end", logs)

    def on_test_begin(self, logs: Mapping | None = None) -> None:
        self._call_begin_end("on_test_begin", logs)

    def on_test_end(self, logs: Mapping | None = None) -> None:
        self._call_begin_end("on_test_end", logs)

    def on_predict_begin(self, logs: Mapping | None = None) -> None:
        self._call_begin_end("on_predict_begin", logs)

    def on_predict_end(self, logs: Mapping | None = None) -> None:
        self._call_begin_end("on_predict_end", logs)

    def _call_begin_end(self, hook: str, logs: Mapping | None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(logs)
        # A begin hook may change which batch hooks matter (ProgbarLogger is
        # silent during validation inside `fit`).
        self._configure_batch_hooks()


def _for_other_ranks(callbacks: list) -> list:
    """The callbacks a process other than rank 0 runs: no printing, no files
    (`BackupAndRestore` knows its rank: it restores everywhere, writes on rank 0)."""
    return [c for c in callbacks if not isinstance(c, _RANK_0_ONLY)]


def _flatten(callbacks: Any) -> list:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        flat = []
        for item in callbacks:
            flat.extend(_flatten(item))
        return flat
    if isinstance(callbacks, type) or not hasattr(callbacks, "set_model"):
        hint = (
            f" (a class: pass an instance, {callbacks.__name__}(...))"
            if isinstance(callbacks, type)
            else f" (a {type(callbacks).__name__})"
        )
        raise ArgumentError(
            "`callbacks` must be a list of `lamina.callbacks.Callback` "
            f"instances, received {callbacks!r}{hint}."
        )
    return [callbacks]
