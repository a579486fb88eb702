"""plot_history: learning curves from a `History`, one panel per metric."""

from __future__ import annotations

import os

from lamina.errors import ArgumentError


def plot_history(
    history, to_file: str | os.PathLike | None = None, metrics=None, figsize=None
):
    """Plot each metric of a training run with its validation curve.

    Example:
        >>> history = model.fit(x, y, validation_split=0.2, epochs=10)
        >>> lamina.utils.plot_history(history, "curves.png")

    Args:
        history: the `History` that `fit` returns, or its ``history`` dict.
        to_file: save the figure there (PNG, SVG, PDF... by extension).
        metrics: the names to plot (default: every name without ``val_``).
        figsize: the matplotlib figure size (default: 5 inches wide per panel).

    Returns:
        the matplotlib ``Figure`` (needs matplotlib: ``pip install lamina[plot]``).
    """
    try:
        import matplotlib

        if to_file is not None and "MPLBACKEND" not in os.environ:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            "plot_history needs matplotlib: `pip install matplotlib` "
            "(or lamina's `[plot]` extra)."
        ) from err
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ArgumentError(
            "plot_history expects a History from fit() or its non-empty `history` dict; "
            f"received {type(history).__name__}."
        )
    names = metrics or [k for k in logs if not k.startswith("val_")] or list(logs)
    unknown = [n for n in names if n not in logs]
    if unknown:
        raise ArgumentError(
            f"plot_history: no logs named {unknown}; the history has {sorted(logs)}."
        )
    epochs = getattr(history, "epoch", None) or list(range(len(logs[names[0]])))
    epochs = [e + 1 for e in epochs]
    figure, axes = plt.subplots(
        1, len(names), figsize=figsize or (5 * len(names), 4), squeeze=False
    )
    for axis, name in zip(axes[0], names):
        axis.plot(epochs[: len(logs[name])], logs[name], label=name)
        if f"val_{name}" in logs:
            axis.plot(
                epochs[: len(logs[f"val_{name}"])],
                logs[f"val_{name}"],
                label=f"val_{name}",
            )
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    if to_file is not None:
        figure.savefig(to_file)
    return figure
