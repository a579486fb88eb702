"""The `Callback` base class: hooks into `fit`, `evaluate` and `predict`."""

from __future__ import annotations

from typing import Any

# Batch-level hooks and, for the train ones, the Keras 2 name they forward to.
BATCH_HOOKS = (
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)
_KERAS2_ALIASES = {
    "on_train_batch_begin": "on_batch_begin",
    "on_train_batch_end": "on_batch_end",
}


class Callback:
    """Base class used to build new callbacks.

    Pass callbacks to `fit()`, `evaluate()` or `predict()` to hook into the
    stages of training, evaluation and inference; override the methods for the
    stages of interest. `self.model` is the model being trained and
    `self.params` a dict of training parameters (`epochs`, `steps`,
    `verbose`).

    Epoch-level `logs` hold Python floats keyed by metric name (validation
    metrics prefixed with `val_`). Batch-level `logs` hold the running metric
    results.

    Example:

    ```python
    class StopAtLoss(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < 0.1:
                self.model.stop_training = True

    model.fit(x, y, epochs=100, callbacks=[StopAtLoss()])
    ```
    """

    # Whether batch hooks may receive logs whose values are still device
    # tensors (read back by the callback only when needed). User callbacks get
    # Python floats, as in Keras; the built-in ones that read logs rarely opt in
    # so a training step costs no host sync.
    _accepts_tensor_logs = False

    def __init__(self) -> None:
        self.params: dict | None = None
        self._model = None

    def set_params(self, params: dict) -> None:
        """Stores the training parameters (`epochs`, `steps`, `verbose`)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Stores the model the callback acts on."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model being trained, unwrapped from DistributedDataParallel."""
        model = self._model
        # `.module` is the wrapped model of torch's (Distributed)DataParallel.
        if type(model).__name__ in ("DistributedDataParallel", "DataParallel"):
            return model.module
        return model

    def _needs_batch_hook(self, hook: str) -> bool:
        """Whether calling the batch hook named `hook` can do anything.

        A hook still inherited from `Callback` does nothing, so the training
        loop can skip it (and building its logs) entirely. A hook set on the
        instance (as `LambdaCallback` does) counts as overridden.
        """
        if _is_overridden(self, hook):
            return True
        alias = _KERAS2_ALIASES.get(hook)
        return alias is not None and _is_overridden(self, alias)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2 name of `on_train_batch_begin`, still called by it."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2 name of `on_train_batch_end`, still called by it."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch (training only).

        Args:
            epoch: Index of the epoch, from 0.
            logs: Currently empty.
        """

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch (training only).

        Args:
            epoch: Index of the epoch, from 0.
            logs: Metric results of the epoch, e.g. `{"loss": 0.2,
                "accuracy": 0.7, "val_loss": 0.3}`.
        """

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a training batch in `fit`.

        Args:
            batch: Index of the batch within the epoch.
            logs: Currently empty.
        """
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a training batch in `fit`.

        Args:
            batch: Index of the batch within the epoch.
            logs: Metric results aggregated up to this batch.
        """
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a batch in `evaluate` (and validation).

        Args:
            batch: Index of the batch.
            logs: Currently empty.
        """

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a batch in `evaluate` (and validation).

        Args:
            batch: Index of the batch.
            logs: Metric results aggregated up to this batch.
        """

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a batch in `predict`.

        Args:
            batch: Index of the batch.
            logs: Currently empty.
        """

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a batch in `predict`.

        Args:
            batch: Index of the batch.
            logs: `{"outputs": batch_outputs}`.
        """

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called at the start of training."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called at the end of training, with the last epoch's logs."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of evaluation or validation."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of evaluation or validation, with its results."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of prediction."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of prediction."""


def _is_overridden(callback: Callback, hook: str) -> bool:
    method = getattr(callback, hook)
    return getattr(method, "__func__", None) is not getattr(Callback, hook)
