"""Where lamina's output leaves the process: the console and files on disk.

`print_msg` writes what `fit` and the callbacks print, to stdout or, with
interactive logging off, to the ``"lamina"`` logger; `atomic_path` makes every
file write atomic, so a save that dies midway leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from lamina.backend import global_state

# Where messages go when interactive logging is off (Keras sends them to absl's
# log): INFO records, shown once logging is configured to show them.
LOGGER = logging.getLogger("lamina")


@contextlib.contextmanager
def atomic_path(filepath: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path next to ``filepath``; move it into place on success.

    The file is written under a temporary name in the same folder (so the final
    rename never crosses file systems), flushed to disk with fsync, then renamed
    over ``filepath`` in one step. On an error the temporary file is removed and
    ``filepath`` is untouched.

    Example:
        >>> with atomic_path("model.keras") as tmp:
        ...     write_zip(tmp)

    Args:
        filepath: the final destination.
    """
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(filepath)}.", suffix=".tmp", dir=folder
    )
    os.close(fd)
    # mkstemp makes owner-only (0600) files; a saved file gets the usual mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    fsync_dir(folder)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Flush ``folder``'s entries to disk, so a rename into it is durable.

    Not possible on every platform (Windows cannot open a folder), so an
    ``OSError`` is ignored: the rename has happened, only its durability is
    left to the operating system.

    Args:
        folder: The folder a file was just renamed into.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def enable_interactive_logging() -> None:
    """Print progress bars and messages to stdout (the default)."""
    global_state.set_setting("interactive_logging", True)


def disable_interactive_logging() -> None:
    """Send progress bars and messages to the ``"lamina"`` logger instead of stdout.

    For jobs whose output is a log file rather than a terminal: `fit`'s
    progress bar, the callbacks' messages and `Model.summary` become INFO
    records of `logging.getLogger("lamina")`.
    """
    global_state.set_setting("interactive_logging", False)


def is_interactive_logging_enabled() -> bool:
    """Whether messages go to stdout (True) or to the ``"lamina"`` logger."""
    return global_state.get_setting("interactive_logging", True)


def print_msg(message: Any, line_break: bool = True) -> None:
    """Writes `message` to stdout and flushes, as Keras's `io_utils.print_msg`.

    With interactive logging off, `message` becomes an INFO record of the
    ``"lamina"`` logger instead. A terminal whose encoding cannot show the bar
    character gets Keras 2's `=` instead of an exception.

    Args:
        message: What to print (converted with `str`).
        line_break: Whether to end the message with a newline.
    """
    message = str(message)
    if not global_state.get_setting("interactive_logging", True):
        LOGGER.info(message)
        return
    if line_break:
        message += "\n"
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        message = message.replace("━", "=")
        sys.stdout.write(message.encode(encoding, errors="ignore").decode(encoding))
    sys.stdout.flush()
