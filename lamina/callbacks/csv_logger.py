"""`CSVLogger`: streams epoch results to a CSV file."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable

import numpy as np

from lamina.callbacks.callback import Callback
from lamina.io_utils import atomic_path


class CSVLogger(Callback):
    """Streams epoch results to a CSV file, one row per epoch.

    Columns are `epoch` then the log keys in sorted order (with `val_` columns
    reserved when the first epoch has none). One-dimensional values such as
    arrays are written as `"[a, b, ...]"`.

    Each row goes to the file whole, in one write followed by a flush, so a
    process killed at any moment (even `kill -9`) leaves whole rows only. With
    `append=True` a fit that finds the file ending in a partial row (from an
    older writer, or a machine that lost power) drops that row first. When
    the fit runs with `BackupAndRestore`, appending resumes the log as well as
    the run: at the first epoch of a restarted fit, the rows of the epochs the
    run redoes (that epoch and later) are dropped, and the rows of epochs that
    the backup holds but the file lacks (a kill between the backup and the
    row) are written from the restored History, so the file ends with one row
    per epoch, in order, as an uninterrupted run writes it. The file is then
    rewritten under a temporary name and renamed; it is never rewritten when
    nothing has to change. Without `BackupAndRestore`, appending adds rows
    after the existing ones as in Keras.

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
        self._row_buffer = io.StringIO()
        self._resume_checked = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                lines = _read_lines(self.filename)
                if lines and not lines[-1].endswith(b"\n"):
                    _rewrite(self.filename, lines[:-1])  # a torn last row
                    lines = lines[:-1]
                self.append_header = not lines
            mode = "ab"
        else:
            mode = "wb"
        self._close()
        # Unbuffered: a row reaches the file in one write (see _write_row).
        self.csv_file = open(self.filename, mode, buffering=0)  # noqa: SIM115
        self.writer = None
        self.keys = None
        self._resume_checked = not self.append

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

            # Rows are formatted in memory, then written whole.
            self.writer = csv.DictWriter(
                self._row_buffer, fieldnames=["epoch"] + self.keys, dialect=Dialect
            )
            if self.append_header:
                self.writer.writeheader()
                self._write_buffer()
        if not self._resume_checked:
            self._resume_checked = True
            self._resume_at(epoch)
        self._write_row(epoch, logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._close()
        self.writer = None

    # ------------------------------------------------------------ resume
    def _resume_at(self, epoch: int) -> None:
        """Make the file end just before `epoch`, when BackupAndRestore runs."""
        if getattr(self.model, "_epoch_hook", None) is None:
            return  # no BackupAndRestore: append as Keras does
        lines = _read_lines(self.filename)
        header, rows = lines[:1], lines[1:]
        epochs = [_row_epoch(row, self.sep) for row in rows]
        kept = [row for row, done in zip(rows, epochs) if done is None or done < epoch]
        if len(kept) != len(rows):
            self._close()
            _rewrite(self.filename, header + kept)
            self.csv_file = open(self.filename, "ab", buffering=0)  # noqa: SIM115
        # The epochs the backup's History holds after the file's last row.
        last = max((e for e in epochs if e is not None and e < epoch), default=-1)
        history = getattr(self.model, "_history_callback", None)
        if history is None:
            return
        for index, done in enumerate(history.epoch):
            if last < done < epoch:
                values = {
                    key: values[index]
                    for key, values in history.history.items()
                    if len(values) == len(history.epoch)
                }
                self._write_row(done, values)

    # ------------------------------------------------------------ writing
    def _write_row(self, epoch: int, logs: dict) -> None:
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self._write_buffer()

    def _write_buffer(self) -> None:
        data = self._row_buffer.getvalue().encode("utf-8")
        self._row_buffer.seek(0)
        self._row_buffer.truncate()
        # One write call; a regular file takes it whole (the loop is for the
        # short writes a full disk or a signal may cause).
        view = memoryview(data)
        while view:
            view = view[self.csv_file.write(view) :]
        # No fsync: a killed process loses nothing the kernel has; a machine
        # that loses power may lose the last rows, which a resumed run with
        # BackupAndRestore writes again.

    def _close(self) -> None:
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()


def _read_lines(path: str) -> list[bytes]:
    with open(path, "rb") as f:
        return f.read().splitlines(keepends=True)


def _rewrite(path: str, lines: list[bytes]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.writelines(lines)


def _row_epoch(line: bytes, separator: str) -> int | None:
    """The epoch of a row (its first field); None when it is not a number."""
    field = line.decode("utf-8", "replace").split(separator, 1)[0]
    try:
        return int(field)
    except ValueError:
        return None


def _csv_value(value):
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value
