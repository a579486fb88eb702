"""`TerminateOnNaN`: stops training when the loss becomes NaN or infinite."""

from __future__ import annotations

import math

from lamina.callbacks.callback import Callback
from lamina.io_utils import print_msg


class TerminateOnNaN(Callback):
    """Terminates training when a NaN or infinite loss is encountered.

    By default training stops gracefully (`model.stop_training = True`, so
    `on_train_end` still runs everywhere). With `raise_error=True` a
    `RuntimeError` is raised at once instead.

    The check reads the loss back from the device after every batch.

    Example:

    ```python
    model.fit(x, y, callbacks=[TerminateOnNaN()])
    ```

    Args:
        raise_error: Raise `RuntimeError` instead of stopping gracefully.
    """

    # Only the loss is read back, not every metric.
    _accepts_tensor_logs = True

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. "
                    f"Loss value: {loss}. Terminating training immediately."
                )
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
