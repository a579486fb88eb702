"""The train and test steps that `compile()` sets up, and their bookkeeping.

A step is short on purpose: forward, loss, backward, one fused optimizer
update, and metric updates that stay on the device. Nothing reads a value back
to the host until a progress bar or callback asks for it, or the epoch ends.

The compiled losses and metrics are made from the first batch (``"accuracy"``
means binary, categorical or sparse accuracy depending on its shapes), then
kept for every step until the next `compile()`.
"""

from __future__ import annotations

import torch

from lamina.backend import tree
from lamina.errors import ArgumentError, ShapeError
from lamina.trainers import compiled_step, data_adapter
from lamina.trainers.compile_utils import (
    CompiledLoss,
    CompiledMetrics,
    MeanTracker,
    flatten_targets,
    summed_over_processes,
)
from lamina.trainers.logs import to_float
from lamina.trainers.loop_data import batch_size_of


class BuiltinSteps:
    """The steps `Trainer` runs for each batch when `train_step`/`test_step`
    are not overridden, as methods of the model.

    Its state is set by `Trainer.compile` and by the first batch:
    ``_compiled_loss``, ``_compiled_metrics``, ``_trackers`` (the running mean
    of the loss and of each output's loss), ``_output_loss_trackers``,
    ``_targets_to_check`` (the batch source whose targets the next step checks),
    and, per loop, ``_output_names_cache``, ``_has_extra_losses`` and
    ``_loss_scale``.
    """

    _jit_steps = None  # a compiled_step.JitSteps under compile(jit_compile=True)

    # ------------------------------------------------------------ first batch
    def _prepare_model_for(self, batches) -> None:
        """Build the model and the compiled losses/metrics from the first batch."""
        if self._compiled_loss is None or not self.built:
            try:
                first = (
                    next(iter(batches.epoch()))
                    if isinstance(batches, data_adapter.ArrayBatches)
                    else batches.peek()
                )
            except (StopIteration, IndexError):
                raise ArgumentError(
                    "The data produced no batches: `x` has no samples, or the "
                    "generator / dataset is empty."
                ) from None
            self._ensure_built_for(first[0], first[1])
        self._prepare_for_steps()
        self._targets_to_check = None

    def _ensure_built_for(self, x, y=None) -> None:
        """Build the compiled losses/metrics (and the model) from one batch."""
        if self._compiled_loss is not None:
            return
        with torch.no_grad():
            y_pred = self(x, training=False)
        self._build_compiled(y, y_pred)

    def _build_compiled(self, y, y_pred) -> None:
        """Resolve losses and metrics against one batch's targets and outputs."""
        names = self._model_output_names(y_pred)
        y_flat, y_pred_flat = flatten_targets(y, names), tree.flatten(y_pred)
        loss, loss_weights = self._loss_spec
        self._compiled_loss = CompiledLoss(
            loss, loss_weights, names, y_flat, y_pred_flat
        )
        metrics, weighted_metrics = self._metric_spec
        self._compiled_metrics = CompiledMetrics(
            metrics, weighted_metrics, self._compiled_loss, names
        )
        self._compiled_metrics.build(y_flat, y_pred_flat)
        device = y_pred_flat[0].device
        self._trackers = {"loss": MeanTracker("loss", device)}
        # One tracker per output with a loss (None elsewhere), in output order,
        # so a step updates them without building names.
        self._output_loss_trackers = []
        if len(names) > 1:
            for name, loss_obj in zip(names, self._compiled_loss.losses):
                tracker = None
                if loss_obj is not None:
                    tracker = MeanTracker(f"{name}_loss", device)
                    self._trackers[tracker.name] = tracker
                self._output_loss_trackers.append(tracker)

    def _model_output_names(self, y_pred) -> list[str]:
        """Output names for logs and for dict targets, in flattened order."""
        y_pred_flat = tree.flatten(y_pred)
        names = getattr(self, "output_names", None)
        if isinstance(names, list) and len(names) == len(y_pred_flat):
            return names
        if isinstance(y_pred, dict) and len(y_pred) == len(y_pred_flat):
            return [str(key) for key in sorted(y_pred)]  # a dict flattens sorted
        if len(y_pred_flat) == 1:
            return ["output"]
        return [f"output_{i + 1}" for i in range(len(y_pred_flat))]

    def _prepare_for_steps(self) -> None:
        """Cache, for the loop about to run, what every step would look up."""
        self._has_extra_losses = None
        self._output_names_cache = (
            self._compiled_loss.output_names
            if self._compiled_loss is not None
            else None
        )
        optimizer = self.optimizer
        self._loss_scale = getattr(optimizer, "loss_scale_factor", None)

    def _check_targets_of(self, batches) -> None:
        """Have the next step check these batches' targets (once per source)."""
        if not batches.targets_checked:
            self._targets_to_check = batches

    def _check_targets(self, y_flat: list, y_pred_flat: list) -> None:
        """Check the targets against the losses once per data source.

        For arrays all the targets are checked (one host read of the labels),
        so a bad label in the last batch fails before training starts.
        """
        source, self._targets_to_check = self._targets_to_check, None
        if isinstance(source, data_adapter.ArrayBatches) and source.y is not None:
            names = self._compiled_loss.output_names
            targets = flatten_targets(source.y, names)
            shapes = [(source.num_samples, *yp.shape[1:]) for yp in y_pred_flat]
        else:
            targets = y_flat
            shapes = [tuple(yp.shape) for yp in y_pred_flat]
        self._compiled_loss.validate(targets, shapes)
        source.targets_checked = True

    # ------------------------------------------------------------ the steps
    def _trainable_params(self) -> list[torch.nn.Parameter]:
        return [p for p in self.trainable_weights if p.requires_grad]

    def _train_step(self, x, y, sw, params: list) -> None:
        names = self._output_names_cache  # set by _prepare_for_steps
        y_flat = flatten_targets(y, names)
        sw_flat = flatten_targets(sw, names, "sample_weight")
        batch_size = batch_size_of(x)
        compiled = self._jit_run("train", x, y_flat, sw_flat, batch_size)
        if compiled is not None:
            total, per_output = compiled  # the metrics are updated already
            y_pred_flat = None
        else:
            total, per_output, y_pred_flat = self._forward_loss(
                x, y_flat, sw_flat, True
            )
        for p in params:
            p.grad = None
        # The optimizer divides the gradients by its loss_scale_factor (and
        # applies the weight constraints after the update).
        if self._loss_scale is None:
            total.backward()
        else:
            (total * self._loss_scale).backward()
        self.optimizer.step(params)
        with torch.no_grad():
            self._update_trackers(
                total, per_output, y_flat, y_pred_flat, sw_flat, batch_size
            )

    def _test_step(self, x, y, sw) -> None:
        names = self._output_names_cache  # set by _prepare_for_steps
        y_flat = flatten_targets(y, names)
        sw_flat = flatten_targets(sw, names, "sample_weight")
        batch_size = batch_size_of(x)
        compiled = self._jit_run("test", x, y_flat, sw_flat, batch_size)
        if compiled is not None:
            total, per_output = compiled
            y_pred_flat = None
        else:
            total, per_output, y_pred_flat = self._forward_loss(
                x, y_flat, sw_flat, False
            )
        self._update_trackers(
            total, per_output, y_flat, y_pred_flat, sw_flat, batch_size
        )

    def _jit_run(self, kind: str, x, y_flat, sw_flat, batch_size: int):
        """The compiled step's (total, per_output), or None to run eagerly.

        Eager: without jit_compile, for a batch of another size than the
        compiled one, while targets still have to be checked (a host read),
        and when compiling failed.
        """
        jit = self._jit_steps
        if (
            jit is None
            or self._targets_to_check is not None
            or not jit.accepts(kind, batch_size)
        ):
            return None
        try:
            result = jit.run(kind, self, x, y_flat, sw_flat)
        except (RuntimeError, IndexError) as err:
            self._explain_compiled_error(x, y_flat, sw_flat, err)
            raise
        return None if result is compiled_step.FAILED else result

    def _explain_compiled_error(self, x, y_flat, sw_flat, err: Exception) -> None:
        """A compiled kernel's bounds check (a label or an index out of range)
        raises torch's bare error: the batch's eager forward pass, run only on
        this error path, raises lamina's error naming the mistake instead."""
        try:
            with torch.no_grad():
                self._forward_loss(x, y_flat, sw_flat, False)
        except (ArgumentError, ShapeError) as clear:
            raise clear from err
        except Exception:  # the eager pass fails too, without a clearer error
            return

    def _forward_loss(self, x, y_flat, sw_flat, training: bool):
        """The total loss (compiled loss plus `losses`), per output, and y_pred."""
        # A data-parallel fit trains through DDP, which averages the gradients.
        model = self._ddp if training and self._ddp is not None else self
        if training:
            y_pred = model(x, training=True)
        else:  # evaluate: the leaner call predict makes (same semantics)
            y_pred = self._call_outermost(x, False)
        y_pred_flat = tree.flatten(y_pred)
        if self._targets_to_check is not None:
            self._check_targets(y_flat, y_pred_flat)
        total, per_output = self._compiled_loss(y_flat, y_pred_flat, sw_flat)
        if total is None:
            return self._extra_losses_only(), per_output, y_pred_flat
        if self._has_extra_losses is None:
            self._has_extra_losses = bool(self.losses)
        if self._has_extra_losses:
            extra = self.losses
            if extra:
                # `sum_losses` written out: this runs every step.
                total = (
                    total
                    + torch.stack(
                        [
                            torch.as_tensor(v, device=total.device).reshape(())
                            for v in extra
                        ]
                    ).sum()
                )
        return total, per_output, y_pred_flat

    def _extra_losses_only(self) -> torch.Tensor:
        """The training loss of a model compiled without `loss`: its add_loss terms."""
        extra = self.losses
        if not extra:
            raise ArgumentError(
                "The model has no loss: `compile()` was given no `loss` and the "
                "model adds none with `add_loss()`. Pass compile(loss=...)."
            )
        return sum_losses(extra)

    def _update_trackers(
        self, total, per_output, y_flat, y_pred_flat, sw_flat, batch_size: int
    ) -> None:
        self._trackers["loss"].update(total, batch_size)
        if self._output_loss_trackers:
            for tracker, value in zip(self._output_loss_trackers, per_output):
                if value is not None:
                    tracker.update(value, batch_size)
        if y_pred_flat is not None:  # None: the compiled step updated them
            self._compiled_metrics.update(y_flat, y_pred_flat, sw_flat)

    # ------------------------------------------------------------ logs
    def _log_sources(self) -> dict:
        """Log name -> zero-argument function giving the current value tensor."""
        sources = {name: tracker.result for name, tracker in self._trackers.items()}
        if self._compiled_metrics is not None:
            for _, metric, _, name in self._compiled_metrics.entries:
                sources[name] = metric.result
        return sources

    def _logs_as_floats(self) -> dict:
        """The current logs, as floats (one host read per value)."""
        # Every result is queued on the device before the first is read back;
        # with several processes, from the states summed over all of them.
        with summed_over_processes(self.metrics):
            values = {name: fn() for name, fn in self._log_sources().items()}
            return {name: to_float(v) for name, v in values.items()}

    def _values_in_order(self, logs: dict):
        """The log values as a list in Keras's order (a scalar for the loss alone).

        Keras lists the loss, the per-output losses, then the metrics whose log
        name is their own name (single output: compile order), then the rest
        (prefixed, multi-output names) sorted by name.
        """
        first = ["loss", *(name for name in self._trackers if name != "loss")]
        if self._compiled_metrics is not None:
            first += [metric.name for metric in self._compiled_metrics.metrics]
        order = list(dict.fromkeys(name for name in first if name in logs))
        order += sorted(name for name in logs if name not in order)
        values = [logs[name] for name in order]
        return values[0] if len(values) == 1 else values


def sum_losses(values: list) -> torch.Tensor:
    """The sum of loss terms (0-d tensors or numbers), as one 0-d tensor."""
    return torch.stack([torch.as_tensor(v).reshape(()) for v in values]).sum()
