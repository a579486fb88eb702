"""`CSVLogger`: streams epoch results to a CSV file."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable

import numpy as np

from lamina.callbacks.callback import Callback


class CSVLogger(Callback):
    """Streams epoch results to a CSV file, one row per epoch.

    Columns are `epoch` then the log keys in sorted order (with `val_` columns
    reserved when the first epoch has none). One-dimensional values such as
    arrays are written as `"[a, b, ...]"`.

    Example:

    ```python
    csv_logger = CSVLogger("training.log")
    model.fit(x, y, callbacks=[csv_logger])
    ```

    Args:
        filename: Path of the CSV file, e.g. `"run/log.csv"`.
        separator: String separating the fields of a row.
        append: Whether to append to an existing file (and skip the header if
            it has one) instead of overwriting it.
    """

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        # newline="" lets the csv module write its "\r\n" rows on every OS, as
        # Keras's files have on Linux.
        # Kept open across epochs and closed in on_train_end.
        self.csv_file = open(self.filename, mode, newline="")  # noqa: SIM115
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            # Validation may only run on some epochs: reserve its columns.
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend([f"val_{key}" for key in self.keys])
        if not self.writer:
            separator = self.sep

            class Dialect(csv.excel):
                delimiter = separator

            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch"] + self.keys, dialect=Dialect
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(value):
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value
