"""`History`: the record of a `fit` run that `fit` returns."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class History(Callback):
    """Records the epoch logs of `fit` into `history`.

    `fit` adds one to every run and returns it.

    Example:

    ```python
    history = model.fit(x, y, epochs=10, verbose=0)
    history.params        # {'verbose': 0, 'epochs': 10, 'steps': 1}
    history.history.keys()  # dict_keys(['loss'])
    ```

    Attributes:
        history: Dict mapping each metric name to its list of epoch values.
        epoch: List of the epoch indices recorded.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        # Set again after each epoch so the model holds the latest record even
        # when this History was attached by hand.
        self.model.history = self
