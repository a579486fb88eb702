"""`LambdaCallback`: a callback made of plain functions."""

from __future__ import annotations

from collections.abc import Callable

from lamina.callbacks.callback import BATCH_HOOKS, Callback
from lamina.errors import UnknownObjectError

_HOOKS = BATCH_HOOKS + (
    "on_batch_begin",
    "on_batch_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_begin",
    "on_train_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
)


class LambdaCallback(Callback):
    """Builds a simple callback from functions given for some hooks.

    Each function takes the hook's arguments positionally: `(epoch, logs)` for
    epoch hooks, `(batch, logs)` for batch hooks, `(logs)` for the begin/end
    hooks of training, evaluation and prediction.

    Example:

    ```python
    print_batch = LambdaCallback(
        on_train_batch_begin=lambda batch, logs: print(batch))
    json_log = open("loss_log.json", "w")
    log_loss = LambdaCallback(
        on_epoch_end=lambda epoch, logs: json_log.write(
            json.dumps({"epoch": epoch, "loss": logs["loss"]}) + "\\n"),
        on_train_end=lambda logs: json_log.close())
    model.fit(x, y, callbacks=[print_batch, log_loss])
    ```

    Args:
        on_epoch_begin: Called at the start of every epoch.
        on_epoch_end: Called at the end of every epoch.
        on_train_begin: Called at the start of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called at the start of every training batch.
        on_train_batch_end: Called at the end of every training batch.
        **kwargs: Functions for any other hook of `Callback`, by its name
            (e.g. `on_batch_end`, Keras 2's name, or `on_test_end`).
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
        on_train_batch_begin: Callable | None = None,
        on_train_batch_end: Callable | None = None,
        **kwargs: Callable,
    ) -> None:
        super().__init__()
        for name in kwargs:
            if name not in _HOOKS:
                raise UnknownObjectError.for_name("LambdaCallback hook", name, _HOOKS)
        hooks = dict(
            kwargs,
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
        )
        # Set on the instance, so these shadow the (empty) methods.
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)
