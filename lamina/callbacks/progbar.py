"""The progress bar printed by `fit`, `evaluate` and `predict`.

On a terminal (or in a notebook) its output is byte-for-byte Keras 3's
`keras.utils.Progbar`: the same ANSI styling, widths, time formats and number
formats, redrawn in place. When stdout is not a terminal (a log file, a CI job,
`| tee`) or messages go to the ``"lamina"`` logger, `verbose=1` writes one plain
line per bar when it ends, with the same figures and no escape codes or
carriage returns (Keras writes both into log files).
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from lamina.errors import ArgumentError
from lamina.io_utils import is_interactive_logging_enabled, print_msg

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _as_float(value: Any) -> float:
    """Host value of a logged quantity (a float, a numpy value or a tensor).

    This is the only place where a tensor logged on the device is read back, so
    the progress bar costs one host sync per printed line, not one per step.
    """
    if isinstance(value, float):
        return value
    if isinstance(value, torch.Tensor):
        return float(value.detach().float().mean())
    return float(np.mean(value))


class Progbar:
    """Displays a progress bar.

    If neither `stateful_metrics` nor `stateless_metrics` is given, every metric
    is stateless: the bar shows its average over the steps seen so far.

    Example:

    ```python
    bar = Progbar(target=3)
    for step in range(3):
        bar.update(step + 1, values=[("loss", 0.5)])
    ```

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Progress bar width on screen, in characters.
        verbose: Verbosity mode: 0 (silent), 1 (live bar), 2 (one line at the
            end).
        interval: Minimum time in seconds between two redraws of the live bar.
        stateful_metrics: Names of metrics shown as given (not averaged). Give
            this or `stateless_metrics`, not both.
        stateless_metrics: Names of metrics averaged over time; all others are
            shown as given.
        unit_name: Name of one step in the time display (`"step"`,
            `"sample"`).
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        stateless_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ArgumentError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be "
                "provided. `stateful_metrics` is used to make metrics stateless "
                "by default (with an exclusion list), while `stateless_metrics` "
                "is used to make metrics stateful by default (with an exclusion "
                f"list). Received: stateful_metrics={stateful_metrics}, "
                f"stateless_metrics={stateless_metrics}"
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        # Exactly one of the two sets is used: the other is None.
        if stateful_metrics is not None:
            self.stateful_metrics = set(stateful_metrics)
            self.stateless_metrics = None
        elif stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set()
            self.stateless_metrics = None

        self._dynamic_display = _is_live_display()
        self._seen_so_far = 0
        # name -> [sum of value * steps, steps]; values may be device tensors.
        self._values: dict[str, list] = {}
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, Any]] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Updates the progress bar.

        Recording values is cheap: tensors are kept as they are and read back
        only when a line is actually printed (at most every `interval` seconds).

        Args:
            current: Index of the current step (1-based count of steps done).
            values: Pairs `(name, value_for_last_step)`. A stateful metric is
                shown as given; a stateless one is averaged over the steps.
            finalize: Whether this is the last update. Defaults to
                `current >= target`.
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target

        if values:
            self._record(current, values, finalize)
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)

        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if finalize or self._dynamic_display:
                self._print_live_line(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and (self.target or 0) > 0:
            self._print_final_line(current, now, time_per_unit)
        self._last_update = now

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """Advances the bar by `n` steps (see `update`).

        Args:
            n: Number of steps done since the last update.
            values: Pairs `(name, value_for_last_step)`, as in `update`.
        """
        self.update(self._seen_so_far + n, values)

    def _record(self, current: int, values: Iterable, finalize: bool) -> None:
        for name, value in values:
            if name not in self._values:
                self._values_order.append(name)
            if self.stateful_metrics is not None:
                stateless = name not in self.stateful_metrics
            else:
                stateless = name in self.stateless_metrics
            if stateless and not finalize:
                # Weight by the steps since the last update; at least 1 so a
                # repeated `current` (end of an epoch of unknown length) counts.
                steps = max(current - self._seen_so_far, 1)
                entry = self._values.get(name)
                if entry is None:
                    self._values[name] = [value * steps, steps]
                else:
                    entry[0] = entry[0] + value * steps
                    entry[1] += steps
            else:
                # A finalizing value is the epoch's own result: shown as is.
                self._values[name] = [value, 1]

    def _average(self, name: str) -> float:
        total, count = self._values[name]
        return _as_float(total) / max(1, count)

    def _count_text(self, current: int) -> str:
        digits = int(math.log10(self.target)) + 1
        return f"{int(current):{digits}d}/{int(self.target)}"

    def _print_live_line(
        self, current: int, now: float, time_per_unit: float, finalize: bool
    ) -> None:
        style = _ansi if self._dynamic_display else _plain
        known_target = self.target is not None and self.target > 0
        if known_target:
            bar = style("1", self._count_text(current)) + " "
            done = int(self.width * (float(current) / self.target))
            if done > 0:
                bar += style("32", "━" * done)
            bar += style("37", "━" * (self.width - done))
        else:
            bar = f"{int(current):7d}/Unknown"

        if known_target and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_text = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_text = f"{int(eta)}s"
            info = " " + style("1", eta_text)
        else:
            info = " " + style("1", f"{now - self._start:.0f}s")
        info += _format_time(time_per_unit, self.unit_name)

        for name in self._values_order:
            avg = self._average(name)
            info += (
                f" - {name}: {avg:.4f}" if abs(avg) > 1e-3 else f" - {name}: {avg:.4e}"
            )

        if not self._dynamic_display:
            # A log file: the finished bar on a line of its own, nothing redrawn.
            print_msg(bar + info + "\n", line_break=False)
            return
        # Escape codes take no room on screen.
        total_width = len(_ANSI_ESCAPE.sub("", bar + info))
        message = "\b" * self._prev_total_width + "\r" + bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def _print_final_line(self, current: int, now: float, time_per_unit: float) -> None:
        info = f"{self._count_text(current)} - {now - self._start:.0f}s"
        info += f" -{_format_time(time_per_unit, self.unit_name)}"
        for name in self._values_order:
            avg = self._average(name)
            # Keras compares the signed value here (not abs): kept for identical
            # output, so negative values print in exponent form.
            info += f" - {name}: {avg:.4f}" if avg > 1e-3 else f" - {name}: {avg:.4e}"
        print_msg(info + "\n", line_break=False)

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, ignoring the first (warm-up) step once past it."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit


def _is_live_display() -> bool:
    """Whether the bar can be redrawn in place: a terminal, a notebook, PyCharm.

    Keras also counts any POSIX system (its test is ``"posix" in sys.modules``),
    which sends escape codes and carriage returns into log files; here a stdout
    that is not a terminal, or messages sent to the logger, get plain lines.
    """
    if not is_interactive_logging_enabled():
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(
        (isatty is not None and isatty())
        or "ipykernel" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _ansi(code: str, text: str) -> str:
    return f"\x1b[{code}m{text}\x1b[0m"


def _plain(code: str, text: str) -> str:
    return text


def _format_time(time_per_unit: float, unit_name: str) -> str:
    """` 8ms/step`, ` 12us/step` or ` 3s/step`."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"
