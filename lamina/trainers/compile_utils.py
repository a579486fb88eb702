"""What `compile()` turns losses and metrics into: per-output objects and log names.

Also the checks `compile()` makes of its arguments, so that a typo fails there.

Resolution waits for the first batch, because ``metrics=["accuracy"]`` means
binary, categorical or sparse accuracy depending on the shapes of the targets
and outputs, as in Keras.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch

from lamina import losses as losses_module
from lamina import metrics as metrics_module
from lamina.distribution import process_group
from lamina.errors import ArgumentError
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def _per_output(spec, output_names: list[str], what: str) -> list:
    """Spread a compile argument over the outputs: one per output (or None).

    A dict is keyed by output name; a list of losses or loss weights has one
    per output; a list of metrics applies to every output unless it is a list
    of lists (or dicts), one per output.
    """
    n = len(output_names)
    if (
        spec is None
        or isinstance(spec, dict)
        or (isinstance(spec, (list, tuple)) and what in ("loss", "loss_weights"))
    ):
        return flatten_targets(spec, output_names, what, _COMPILE_ARGUMENT_ERRORS)
    if isinstance(spec, (list, tuple)):  # metrics
        if (
            n > 1
            and len(spec) == n
            and all(isinstance(s, (list, tuple, dict)) or s is None for s in spec)
        ):
            return list(spec)
        return [list(spec) for _ in range(n)]
    return [spec] * n


class CompiledLoss:
    """The compiled losses of a model: one per output, weighted and summed."""

    def __init__(
        self,
        loss,
        loss_weights,
        output_names: list[str],
        y_true: list | None = None,
        y_pred: list | None = None,
    ):
        self.output_names = output_names
        specs = _per_output(loss, output_names, "loss")
        weights = _per_output(loss_weights, output_names, "loss_weights")
        y_true = y_true or [None] * len(output_names)
        y_pred = y_pred or [None] * len(output_names)
        self.losses = []
        for spec, yt, yp in zip(specs, y_true, y_pred):
            if spec is None:
                self.losses.append(None)
                continue
            if isinstance(spec, str) and spec.lower() in _CROSSENTROPY_NAMES:
                obj = _crossentropy_for(yt, yp)
            else:
                obj = losses_module.get(spec)
            if not isinstance(obj, losses_module.Loss):
                name = (
                    spec if isinstance(spec, str) else getattr(obj, "__name__", "loss")
                )
                obj = losses_module.LossFunctionWrapper(obj, name=name)
            self.losses.append(obj)
        # No loss at all is allowed: the model's `add_loss` terms are then the
        # whole training loss (the trainer refuses a model with neither).
        self.empty = all(loss_obj is None for loss_obj in self.losses)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.multi = len(output_names) > 1

    def validate(self, y_true: list, y_pred_shapes: list) -> None:
        """Check targets against the losses: a trainer calls it once per fit.

        Args:
            y_true: the targets per output (all of them for arrays, or one batch).
            y_pred_shapes: the model's output shapes for those targets.
        """
        for loss_obj, yt, shape in zip(self.losses, y_true, y_pred_shapes):
            if loss_obj is not None and yt is not None:
                # Only the shape of y_pred is read: a meta tensor costs nothing.
                yp = torch.empty(shape, device="meta")
                losses_module.validate_targets(loss_obj, yt, yp)

    def __call__(self, y_true: list, y_pred: list, sample_weight: list):
        total = None
        per_output = []
        for loss_obj, weight, yt, yp, sw in zip(
            self.losses, self.weights, y_true, y_pred, sample_weight
        ):
            if loss_obj is None or yt is None:
                per_output.append(None)
                continue
            value = loss_obj(yt, yp, sw)
            per_output.append(value)
            term = value if weight == 1.0 else value * weight
            total = term if total is None else total + term
        if total is None and not self.empty:
            raise ArgumentError(
                "No targets were given for any output with a loss: pass `y` (or "
                "batches of `(x, y)`)."
            )
        return total, per_output


class MeanTracker:
    """A running mean whose sum stays on the device: no host sync until read.

    The count of samples is known on the host (batch sizes), so it is kept as
    a Python number: one device op per update instead of two.
    """

    def __init__(self, name: str, device):
        self.name = name
        self._sum = torch.zeros((), dtype=torch.float32, device=device)
        self._count = 0

    def update(self, value: torch.Tensor, weight: int) -> None:
        self._sum.add_(value.detach(), alpha=weight)
        self._count += weight

    def update_state(self, values, sample_weight=None) -> None:
        """Keras's metric API, for custom train steps: add a (weighted) mean."""
        values = torch.as_tensor(values, device=self._sum.device).detach().float()
        weight = 1 if sample_weight is None else sample_weight
        if isinstance(weight, torch.Tensor):
            weight = float(weight.sum()) if weight.dim() else float(weight)
        self._sum.add_(values.mean() if values.dim() else values, alpha=weight)
        self._count += weight

    def result(self) -> torch.Tensor:
        return self._sum / max(self._count, 1)

    def reset_state(self) -> None:
        self._sum.zero_()
        self._count = 0


@contextlib.contextmanager
def summed_over_processes(metrics: list) -> Iterator[None]:
    """Inside the block, each metric's state is the sum over the processes.

    The one place where a data-parallel run agrees on its numbers: the loss
    trackers' sums and counts and every metric's variables (all of Keras's
    metrics keep sums and counts) are all-reduced in one buffer, the results
    read inside the block are then the same on every process, and each
    process's own state is put back afterwards. With one process it does
    nothing.
    """
    if process_group.world_size() == 1 or not metrics:
        yield
        return
    trackers = [m for m in metrics if isinstance(m, MeanTracker)]
    variables = [m._sum for m in trackers]
    for metric in metrics:
        if not isinstance(metric, MeanTracker):
            variables.extend(metric.variables)
    kept_counts = [t._count for t in trackers]
    kept = [v.detach().clone() for v in variables]
    device = variables[0].device if variables else None
    flat = torch.cat(
        [v.detach().reshape(-1).to(torch.float64) for v in variables]
        + [torch.tensor(kept_counts, dtype=torch.float64, device=device)]
    )
    process_group.all_reduce_sum_(flat, "summing the metrics over the processes")
    offset = 0
    with torch.no_grad():
        for v in variables:
            v.copy_(flat[offset : offset + v.numel()].reshape(v.shape))
            offset += v.numel()
    for tracker, count in zip(trackers, flat[offset:].tolist()):
        tracker._count = count
    try:
        yield
    finally:
        with torch.no_grad():
            for v, value in zip(variables, kept):
                v.copy_(value)
        for tracker, count in zip(trackers, kept_counts):
            tracker._count = count


class CompiledMetrics:
    """The compiled metrics of a model, named as Keras names them in logs."""

    def __init__(
        self,
        metrics,
        weighted_metrics,
        compiled_loss: CompiledLoss,
        output_names: list[str],
    ):
        self.output_names = output_names
        self.compiled_loss = compiled_loss
        self._specs = _per_output(metrics, output_names, "metrics")
        self._weighted_specs = _per_output(
            weighted_metrics, output_names, "weighted_metrics"
        )
        self.entries: list[
            tuple[int, object, bool, str]
        ] = []  # (output, metric, weighted, name)
        self.built = False

    def build(self, y_true: list, y_pred: list) -> None:
        """Make the metric objects and their log names (Keras's naming rules)."""
        multi = len(self.output_names) > 1
        counters: dict[str, int] = {}
        for weighted, specs in ((False, self._specs), (True, self._weighted_specs)):
            for index, spec in enumerate(specs):
                if spec is None:
                    continue
                items = spec if isinstance(spec, (list, tuple)) else [spec]
                prefix = f"{self.output_names[index]}_" if multi else ""
                for item in items:
                    if item is None:
                        continue
                    metric = self._resolve(item, index, y_true, y_pred)
                    name = prefix + metric.name
                    if name in counters and weighted:
                        name = f"{prefix}weighted_{metric.name}"
                    if name in counters:
                        counters[name] += 1
                        name = f"{name}_{counters[name] - 1}"
                    else:
                        counters[name] = 1
                    self.entries.append((index, metric, weighted, name))
        self.built = True

    def _resolve(self, item, index: int, y_true: list, y_pred: list):
        yt, yp = y_true[index], y_pred[index]
        if isinstance(item, str) and item.lower() in ("accuracy", "acc"):
            cls = metrics_module.resolve_accuracy(
                self.compiled_loss.losses[index],
                tuple(yt.shape) if yt is not None else None,
                tuple(yp.shape),
            )
            return cls(name=item)
        if isinstance(item, str) and item.lower() in _CROSSENTROPY_NAMES:
            # Keras 2 resolved these from the loss; lamina from the shapes, as
            # compile resolves loss="crossentropy".
            fn = _crossentropy_for(yt, yp)
            return _CROSSENTROPY_METRICS[fn.__name__](name=item)
        metric = metrics_module.get(item)
        if isinstance(metric, metrics_module.Metric):
            if any(metric is entry[1] for entry in self.entries):
                raise ArgumentError(
                    f"The metric object {metric.name!r} is used for two outputs; pass "
                    "a separate instance per output."
                )
            if isinstance(item, str):
                metric.name = item  # Keras logs a metric under the string given
            return metric
        if callable(metric):
            name = (
                item if isinstance(item, str) else getattr(metric, "__name__", "metric")
            )
            return MeanMetricWrapper(metric, name=name)
        raise ArgumentError(f"Could not interpret metric {item!r}.")

    def update(self, y_true: list, y_pred: list, sample_weight: list) -> None:
        for index, metric, weighted, _ in self.entries:
            yt = y_true[index]
            if yt is None:
                continue
            metric.update_state(
                yt, y_pred[index], sample_weight[index] if weighted else None
            )

    def reset_state(self) -> None:
        for _, metric, _, _ in self.entries:
            metric.reset_state()

    @property
    def metrics(self) -> list:
        return [entry[1] for entry in self.entries]

    def results(self) -> dict:
        return {name: metric.result() for _, metric, _, name in self.entries}


_CROSSENTROPY_NAMES = ("crossentropy", "ce")
_CROSSENTROPY_METRICS = {
    "binary_crossentropy": metrics_module.BinaryCrossentropy,
    "sparse_categorical_crossentropy": metrics_module.SparseCategoricalCrossentropy,
    "categorical_crossentropy": metrics_module.CategoricalCrossentropy,
}


def _crossentropy_for(y_true, y_pred):
    """Keras's rule for loss="crossentropy": binary, sparse or categorical."""
    if y_pred is None:
        return losses_module.categorical_crossentropy
    pred_shape = tuple(y_pred.shape)
    true_shape = tuple(y_true.shape) if y_true is not None else pred_shape
    pred_last = pred_shape[-1] if pred_shape else 1
    true_last = true_shape[-1] if true_shape else 1
    if pred_last == 1:
        return losses_module.binary_crossentropy
    if len(true_shape) < len(pred_shape) or (true_last == 1 and pred_last > 1):
        return losses_module.sparse_categorical_crossentropy
    return losses_module.categorical_crossentropy


def check_identifiers(loss, metrics, weighted_metrics) -> None:
    """Refuse unknown loss and metric names at `compile()`, listing the closest.

    The objects themselves are made on the first batch (``"accuracy"`` needs
    its shapes); this only looks the names up so a typo fails at once.
    """
    for spec in _leaves(loss):
        if isinstance(spec, str) and spec.lower() not in _CROSSENTROPY_NAMES:
            losses_module.get(spec)
    for spec in _leaves(metrics) + _leaves(weighted_metrics):
        if isinstance(spec, str) and spec.lower() not in (
            "accuracy",
            "acc",
            *_CROSSENTROPY_NAMES,
        ):
            metrics_module.get(spec)


def _leaves(spec) -> list:
    if isinstance(spec, dict):
        return [leaf for value in spec.values() for leaf in _leaves(value)]
    if isinstance(spec, (list, tuple)):
        return [leaf for value in spec for leaf in _leaves(value)]
    return [spec]


# How `flatten_targets` words its two refusals: (keys that are not output
# names, a list of the wrong length); a compile argument is worded differently.
_TARGET_ERRORS = (
    "`{what}` has keys {unknown} that are not output names of the model {names}.",
    "`{what}` has {count} arrays but the model has {n} outputs {names}.",
)
_COMPILE_ARGUMENT_ERRORS = (
    "`{what}` has keys {unknown} that are not output names of the model; the "
    "outputs are named {names}.",
    "`{what}` is a list of {count} items but the model has {n} outputs {names}; "
    "give one per output or a dict keyed by output name.",
)


def flatten_targets(
    y, output_names: list[str], what: str = "y", errors: tuple = _TARGET_ERRORS
) -> list:
    """Targets (or sample weights) as a list in the model's output order.

    Args:
        y: None, one array, or a list or dict of them (one per output).
        output_names: the model's output names, in output order.
        what: the argument's name, for error messages.
        errors: the messages for unknown dict keys and for a list of the
            wrong length (templates of `str.format`).
    """
    n = len(output_names)
    if y is None:
        return [None] * n
    if isinstance(y, dict):
        unknown = [k for k in y if k not in output_names]
        if unknown:
            raise ArgumentError(
                errors[0].format(what=what, unknown=unknown, names=output_names)
            )
        return [y.get(name) for name in output_names]
    if isinstance(y, (list, tuple)):
        if n == 1 and len(y) == 1:
            return [y[0]]
        if len(y) != n:
            raise ArgumentError(
                errors[1].format(what=what, count=len(y), n=n, names=output_names)
            )
        return list(y)
    if n > 1 and what == "sample_weight":
        return [y] * n
    if n > 1:
        raise ArgumentError(
            f"The model has {n} outputs {output_names}, but `{what}` is a single "
            "array; pass a list or a dict with one array per output."
        )
    return [y]


def check_output_keys(output_names: list[str], **specs) -> None:
    """Refuse the dict keys of compile arguments that are not output names."""
    for what, spec in specs.items():
        if isinstance(spec, dict):
            flatten_targets(spec, output_names, what, _COMPILE_ARGUMENT_ERRORS)


def check_loss_weights(loss_weights) -> None:
    """Refuse `loss_weights` that are not numbers (None entries are allowed)."""
    if loss_weights is None:
        return
    values = (
        loss_weights.values()
        if isinstance(loss_weights, dict)
        else (
            loss_weights if isinstance(loss_weights, (list, tuple)) else [loss_weights]
        )
    )
    for value in values:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float, np.number))
        ):
            raise ArgumentError(
                "`loss_weights` must be numbers (a list with one per output, or a "
                f"dict keyed by output name), received loss_weights={loss_weights!r}."
            )


def check_steps_per_execution(steps_per_execution) -> None:
    """Refuse a `steps_per_execution` that is not a positive integer."""
    if (
        isinstance(steps_per_execution, bool)
        or not isinstance(steps_per_execution, (int, np.integer))
        or steps_per_execution < 1
    ):
        raise ArgumentError(
            "`steps_per_execution` must be a positive integer, received "
            f"steps_per_execution={steps_per_execution!r}."
        )
