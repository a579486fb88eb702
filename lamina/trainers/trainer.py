"""Training: compile, fit, evaluate, predict, and Keras 2's names for them.

The per-step path is short on purpose: forward, loss, backward, one fused
optimizer update, and metric updates that stay on the device. Nothing reads a
value back to the host until a progress bar or callback asks for it, or the
epoch ends.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping

import numpy as np
import torch

from lamina import backend
from lamina.backend import tree
from lamina.errors import ArgumentError, NotCompiledError, warn_deprecated_once
from lamina.layers.layer import frozen_weights
from lamina.trainers import data_adapter
from lamina.trainers.compile_utils import (
    CompiledLoss,
    CompiledMetrics,
    MeanTracker,
    check_identifiers,
    flatten_targets,
)

_KERAS2_COMPILE_ARGS = (
    "sample_weight_mode",
    "target_tensors",
    "distribute",
    "experimental_run_tf_function",
    "options",
)
_KERAS2_FIT_ARGS = ("max_queue_size", "workers", "use_multiprocessing")


class _LazyLogs(Mapping):
    """Batch logs whose values (0-d tensors) are computed only when read."""

    def __init__(self, sources: dict):
        self._sources = sources

    def __getitem__(self, key):
        return self._sources[key]()

    def __iter__(self):
        return iter(self._sources)

    def __len__(self):
        return len(self._sources)


def _resolve_verbose(verbose) -> int:
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    if verbose not in (0, 1, 2, True, False):
        raise ArgumentError(
            f"`verbose` must be 'auto', 0, 1 or 2, received {verbose!r}."
        )
    return int(verbose)


class Trainer:
    """The training half of `Model`: compile, fit, evaluate, predict."""

    def __init__(self):
        self.compiled = False
        self._initial_epoch = None  # set by BackupAndRestore to resume a run
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_config = None
        self._compiled_loss: CompiledLoss | None = None
        self._compiled_metrics: CompiledMetrics | None = None
        self._trackers: dict[str, MeanTracker] = {}
        self._output_loss_trackers: list[MeanTracker | None] = []
        self._targets_to_check = None
        self._loss_scale = None

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
        **kwargs,
    ):
        """Configure the model for training.

        Args:
            optimizer: name or optimizer instance (``"rmsprop"``).
            loss: name, function or `Loss`; or a list / dict with one per output.
            loss_weights: list or dict of scalars weighting each output's loss.
            metrics: names, functions or `Metric`s; a list is applied to every
                output, a list of lists or a dict chooses per output.
            weighted_metrics: metrics that also use the sample weights.
            run_eagerly: accepted for Keras compatibility: lamina runs eagerly.
            steps_per_execution: a positive integer, accepted for Keras
                compatibility; lamina runs one step per batch.
            jit_compile: accepted for Keras compatibility; lamina does not apply
                `torch.compile` itself (compile the model yourself if wanted).
            auto_scale_loss: accepted for Keras compatibility.

        Example:
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        from lamina import optimizers

        for key in list(kwargs):
            if key in _KERAS2_COMPILE_ARGS:
                warn_deprecated_once(
                    f"compile.{key}",
                    f"compile({key}=...) is a Keras 2 argument that lamina ignores.",
                )
                kwargs.pop(key)
        if kwargs:
            raise ArgumentError(
                f"compile() got unexpected arguments: {sorted(kwargs)}."
            )
        if metrics is None and _looks_like_metrics(loss_weights):
            # Keras 2's order was compile(optimizer, loss, metrics, loss_weights).
            warn_deprecated_once(
                "compile.positional_metrics",
                "compile(optimizer, loss, [metrics]) is Keras 2's argument order; in "
                "Keras 3 the third argument is `loss_weights`. Pass metrics=[...].",
            )
            metrics, loss_weights = loss_weights, None
        _check_loss_weights(loss_weights)
        if (
            isinstance(steps_per_execution, bool)
            or not isinstance(steps_per_execution, (int, np.integer))
            or steps_per_execution < 1
        ):
            raise ArgumentError(
                "`steps_per_execution` must be a positive integer, received "
                f"steps_per_execution={steps_per_execution!r}."
            )
        check_identifiers(loss, metrics, weighted_metrics)
        self._check_output_keys(
            loss=loss,
            loss_weights=loss_weights,
            metrics=metrics,
            weighted_metrics=weighted_metrics,
        )
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._compile_config = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        self._loss_spec = (loss, loss_weights)
        self._metric_spec = (metrics, weighted_metrics)
        self._compiled_loss = None
        self._compiled_metrics = None
        self._trackers = {}
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile is True
        if self.jit_compile:
            # Measured: torch.compile of forward+backward gave no gain on the tutorial
            # MLP (DESIGN.md), and lamina's eager step already beats a plain torch
            # loop; so lamina does not compile, and says so rather than pretend.
            warnings.warn(
                "compile(jit_compile=True): lamina runs the training step eagerly; "
                "wrap the model with torch.compile(model) yourself to try compilation.",
                UserWarning,
                stacklevel=2,
            )
        self.steps_per_execution = int(steps_per_execution)
        self.compiled = True
        self.stop_training = False

    def _check_output_keys(self, **specs) -> None:
        """Refuse dict keys that are not output names, when the names are known."""
        try:
            names = self.output_names
        except (AttributeError, ValueError):
            return
        if not isinstance(names, list) or not names:
            return
        for what, spec in specs.items():
            if isinstance(spec, dict):
                unknown = [key for key in spec if key not in names]
                if unknown:
                    raise ArgumentError(
                        f"`{what}` has keys {unknown} that are not output names of "
                        f"the model; the outputs are named {names}."
                    )

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise NotCompiledError(
                f"You must call `compile()` before using the model "
                f"(`{method}()` was called on model '{self.name}')."
            )

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

    def _build_compiled(
        self, y_flat: list, y_pred_flat: list, names: list[str]
    ) -> None:
        """Resolve losses and metrics against the first batch's shapes."""
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

    def _ensure_built_for(self, x, y=None) -> None:
        """Build the compiled losses/metrics (and the model) from one batch."""
        if self._compiled_loss is not None:
            return
        with torch.no_grad():
            y_pred = self(x, training=False)
        names = self._model_output_names(y_pred)
        self._build_compiled(flatten_targets(y, names), tree.flatten(y_pred), names)

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """The loss trackers and compiled metrics (after the first batch)."""
        result = list(self._trackers.values())
        if self._compiled_metrics is not None:
            result.extend(self._compiled_metrics.metrics)
        return result

    @property
    def metrics_names(self) -> list[str]:
        return list(self._log_sources())

    def reset_metrics(self) -> None:
        """Reset every metric in `metrics` (and the compiled ones)."""
        for metric in self.metrics:
            metric.reset_state()
        if self._compiled_metrics is not None:
            self._compiled_metrics.reset_state()

    def _log_sources(self) -> dict:
        """Log name -> zero-argument function giving the current value tensor."""
        sources = {name: tracker.result for name, tracker in self._trackers.items()}
        if self._compiled_metrics is not None:
            for _, metric, _, name in self._compiled_metrics.entries:
                sources[name] = metric.result
        return sources

    def _logs_as_floats(self) -> dict:
        values = {name: fn() for name, fn in self._log_sources().items()}
        return {name: _to_float(v) for name, v in values.items()}

    # ------------------------------------------------------------------ steps
    def _trainable_params(self) -> list[torch.nn.Parameter]:
        return [p for p in self.trainable_weights if p.requires_grad]

    def _forward_loss(self, x, y_flat, sw_flat, training: bool):
        y_pred = self(x, training=training)
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
        return torch.stack([torch.as_tensor(v).reshape(()) for v in extra]).sum()

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

    def _update_trackers(
        self, total, per_output, y_flat, y_pred_flat, sw_flat, batch_size: int
    ) -> None:
        self._trackers["loss"].update(total, batch_size)
        if self._output_loss_trackers:
            for tracker, value in zip(self._output_loss_trackers, per_output):
                if value is not None:
                    tracker.update(value, batch_size)
        self._compiled_metrics.update(y_flat, y_pred_flat, sw_flat)

    def _train_step(self, x, y, sw, params: list) -> None:
        names = self._output_names_cache  # set by _prepare_model_for
        y_flat = flatten_targets(y, names)
        sw_flat = flatten_targets(sw, names, "sample_weight")
        total, per_output, y_pred_flat = self._forward_loss(x, y_flat, sw_flat, True)
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
                total, per_output, y_flat, y_pred_flat, sw_flat, _batch_size(x)
            )

    def _test_step(self, x, y, sw) -> None:
        names = self._output_names_cache  # set by _prepare_model_for
        y_flat = flatten_targets(y, names)
        sw_flat = flatten_targets(sw, names, "sample_weight")
        total, per_output, y_pred_flat = self._forward_loss(x, y_flat, sw_flat, False)
        self._update_trackers(
            total, per_output, y_flat, y_pred_flat, sw_flat, _batch_size(x)
        )

    def _prepare_for_steps(self) -> None:
        self._has_extra_losses = None
        self._output_names_cache = (
            self._compiled_loss.output_names
            if self._compiled_loss is not None
            else None
        )
        optimizer = self.optimizer
        self._loss_scale = getattr(optimizer, "loss_scale_factor", None)

    # ------------------------------------------------------------------ custom steps
    def _overrides(self, method: str) -> bool:
        """Whether a subclass replaced `train_step`/`test_step`/`predict_step`."""
        return getattr(type(self), method) is not getattr(Trainer, method)

    def train_step(self, data):
        """One training step on ``data`` (``(x,)``, ``(x, y)`` or ``(x, y, w)``).

        Override it to customize `fit` (a GAN, say), as in Keras with the torch
        backend: compute the loss, call ``loss.backward()``, apply the gradients
        with ``self.optimizer.apply(grads, weights)``, update ``self.metrics``,
        and return ``{name: value}`` for the logs.

        Example:
            >>> class MyModel(lamina.Model):
            ...     def train_step(self, data):
            ...         x, y = data
            ...         self.zero_grad()
            ...         y_pred = self(x, training=True)
            ...         loss = self.compute_loss(y=y, y_pred=y_pred)
            ...         loss.backward()
            ...         weights = self.trainable_weights
            ...         self.optimizer.apply([w.grad for w in weights], weights)
            ...         for metric in self.metrics:
            ...             if metric.name == "loss":
            ...                 metric.update_state(loss)
            ...             else:
            ...                 metric.update_state(y, y_pred)
            ...         return {m.name: m.result() for m in self.metrics}
        """
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        if self._compiled_loss is None:
            self._ensure_built_for(x, y)
            self._prepare_for_steps()
        self._train_step(x, y, sample_weight, self._trainable_params())
        return {name: fn() for name, fn in self._log_sources().items()}

    def test_step(self, data):
        """One evaluation step on ``data``; override to customize `evaluate`."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        if self._compiled_loss is None:
            self._ensure_built_for(x, y)
            self._prepare_for_steps()
        self._test_step(x, y, sample_weight)
        return {name: fn() for name, fn in self._log_sources().items()}

    def predict_step(self, data):
        """The model's outputs for one batch; override to customize `predict`."""
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """The compiled loss (plus the model's `losses`) for ``y`` and ``y_pred``.

        Args:
            x: the inputs (used to compute ``y_pred`` when it is not given).
            y: the targets (structure of the model's outputs).
            y_pred: the model's outputs.
            sample_weight: per-sample weights.
            training: accepted for Keras compatibility.

        Returns:
            a 0-d tensor.
        """
        if y_pred is None:
            y_pred = self(x, training=training)
        if self._compiled_loss is None:
            names = self._model_output_names(y_pred)
            self._build_compiled(flatten_targets(y, names), tree.flatten(y_pred), names)
            self._prepare_for_steps()
        names = self._compiled_loss.output_names
        total, _ = self._compiled_loss(
            flatten_targets(y, names),
            tree.flatten(y_pred),
            flatten_targets(sample_weight, names, "sample_weight"),
        )
        extra = self.losses
        if extra:
            extra_sum = torch.stack(
                [torch.as_tensor(v).reshape(()) for v in extra]
            ).sum()
            total = extra_sum if total is None else total + extra_sum
        if total is None:
            raise ArgumentError(
                "compute_loss(): the model has no loss; pass compile(loss=...)."
            )
        return total

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
        **kwargs,
    ):
        """Train the model for a number of epochs.

        Args:
            x: inputs: an array/tensor, a list or dict of them, a generator, a
                `PyDataset`/`Sequence`, or a torch `DataLoader`/`Dataset`.
            y: targets (arrays, or a list/dict for several outputs).
            batch_size: samples per step (32).
            epochs: the epoch to stop at (counting from ``initial_epoch``).
            verbose: ``"auto"``, 0 (silent), 1 (progress bar), 2 (one line per epoch).
            callbacks: `Callback`s called during training.
            validation_split: fraction of the arrays (taken from the end) to hold out.
            validation_data: ``(x, y)`` or ``(x, y, sample_weight)``, or a generator.
            shuffle: shuffle the arrays before each epoch (True, False or "batch").
            class_weight: ``{class: weight}`` scaling each sample's loss.
            sample_weight: per-sample weights (arrays).
            initial_epoch: the epoch to start from (to resume).
            steps_per_epoch: steps per epoch (for generators without length).
            validation_steps: batches of `validation_data` per validation (all).
            validation_batch_size: batch size for validation (``batch_size``).
            validation_freq: validate every this many epochs, or (Keras 2) after
                the epochs (1-based) in a list.
            **kwargs: Keras 2's ``nb_epoch`` (for ``epochs``), ``workers``,
                ``use_multiprocessing`` and ``max_queue_size`` (ignored).

        Returns:
            a `History` whose ``history`` maps each log name to per-epoch values
            (``loss``, metrics, ``val_*``), with ``params``, ``epoch``, ``model``.

        Example:
            >>> history = model.fit(x, y, epochs=5, validation_split=0.2, verbose=0)
            >>> history.history["val_loss"][-1]
        """
        from lamina.callbacks import CallbackList

        if "nb_epoch" in kwargs:
            warn_deprecated_once(
                "fit.nb_epoch", "fit(nb_epoch=...) is deprecated; use epochs=..."
            )
            epochs = kwargs.pop("nb_epoch")
        for key in _KERAS2_FIT_ARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ArgumentError(f"fit() got unexpected arguments: {sorted(kwargs)}.")
        self._assert_compiled("fit")
        verbose = _resolve_verbose(verbose)
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ArgumentError(
                f"`epochs` must be a non-negative integer, received {epochs!r}."
            )
        _check_validation_freq(validation_freq)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.split_validation(
                x, y, sample_weight, validation_split, self._input_names()
            )
        device = self._device()
        train_data = data_adapter.make_batches(
            x,
            y,
            sample_weight,
            batch_size=batch_size,
            steps=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
            device=device,
            input_dtypes=self._input_dtypes(),
            input_names=self._input_names(),
        )
        if isinstance(train_data, data_adapter.ArrayBatches):
            _check_finite(train_data.x, "x")
        val_data = None
        if validation_data is not None:
            val_data = self._validation_batches(
                validation_data,
                batch_size if validation_batch_size is None else validation_batch_size,
                validation_steps,
                device,
            )

        custom_step = self._overrides("train_step")
        if not custom_step:
            self._prepare_model_for(train_data)
        params = self._trainable_params()
        callback_list = CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=len(train_data) or None,
        )
        self.stop_training = False
        self._initial_epoch = None
        callback_list.on_train_begin()
        # BackupAndRestore sets where an interrupted run resumes, as in Keras.
        initial_epoch = self._initial_epoch or initial_epoch
        epoch_logs: dict = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            batch_begin = callback_list.calls_on_train_batch_begin
            batch_end = callback_list.calls_on_train_batch_end
            lazy_logs = None
            self.train()
            if not custom_step:
                self._check_targets_of(train_data)
            step = -1
            step_logs = None
            for step, (xb, yb, swb) in enumerate(train_data.epoch()):
                if batch_begin:
                    callback_list.on_train_batch_begin(step)
                if custom_step:
                    step_logs = self.train_step(_pack_data(xb, yb, swb))
                    if batch_end:
                        callback_list.on_train_batch_end(step, step_logs)
                else:
                    self._train_step(xb, yb, swb, params)
                    if batch_end:
                        if lazy_logs is None:
                            lazy_logs = _LazyLogs(self._log_sources())
                        callback_list.on_train_batch_end(step, lazy_logs)
                if self.stop_training:
                    break
            if step < 0:
                # A generator that is used up: Keras stops training here too.
                warnings.warn(
                    f"Your input ran out of data at epoch {epoch + 1}; interrupting "
                    "training. Make sure that the generator can produce at least "
                    "`steps_per_epoch * epochs` batches.",
                    stacklevel=2,
                )
                break
            epoch_logs = (
                _logs_to_floats(step_logs) if custom_step else self._logs_as_floats()
            )
            if val_data is not None and _should_validate(epoch, validation_freq):
                val_logs = self._evaluate_loop(val_data, callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        self.eval()
        if getattr(self.optimizer, "use_ema", False) and self.optimizer.built:
            # Keras ends fit with the weights replaced by their moving averages.
            self.optimizer.finalize_variable_values(params)
        callback_list.on_train_end(epoch_logs)
        return self.history

    def _validation_batches(self, validation_data, batch_size, steps, device):
        if isinstance(
            validation_data, (tuple, list)
        ) and data_adapter._is_array_structure(validation_data[0]):
            vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(tuple(validation_data))
            return data_adapter.make_batches(
                vx,
                vy,
                vsw,
                batch_size=batch_size,
                steps=steps,
                device=device,
                input_dtypes=self._input_dtypes(),
                input_names=self._input_names(),
            )
        return data_adapter.make_batches(
            validation_data, batch_size=batch_size, steps=steps, device=device
        )

    def _device(self) -> torch.device:
        for p in self.parameters():
            return p.device
        return backend.device()

    def _input_names(self):
        try:
            names = self.input_names
        except (AttributeError, ValueError):
            return None
        return names if isinstance(names, list) else None

    def _input_dtypes(self):
        try:
            inputs = self.inputs
        except (AttributeError, ValueError):
            return None
        return [backend.to_torch_dtype(t.dtype) for t in inputs]

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

    def _check_targets_of(self, batches) -> None:
        """Have the next step check these batches' targets (once per source)."""
        if not batches.targets_checked:
            self._targets_to_check = batches

    # ------------------------------------------------------------------ evaluate
    def _evaluate_loop(self, data, callback_list, return_values: bool = True) -> dict:
        self.reset_metrics()
        callback_list.on_test_begin()
        batch_begin = callback_list.calls_on_test_batch_begin
        batch_end = callback_list.calls_on_test_batch_end
        lazy_logs = None
        self.eval()
        custom_step = self._overrides("test_step")
        if not custom_step:
            self._check_targets_of(data)
        step_logs = None
        with torch.no_grad(), frozen_weights(_num_samples(data)):
            for step, (xb, yb, swb) in enumerate(data.epoch()):
                if batch_begin:
                    callback_list.on_test_batch_begin(step)
                if custom_step:
                    step_logs = self.test_step(_pack_data(xb, yb, swb))
                    if batch_end:
                        callback_list.on_test_batch_end(step, step_logs)
                    continue
                self._test_step(xb, yb, swb)
                if batch_end:
                    if lazy_logs is None:
                        lazy_logs = _LazyLogs(self._log_sources())
                    callback_list.on_test_batch_end(step, lazy_logs)
        logs = _logs_to_floats(step_logs) if custom_step else self._logs_as_floats()
        callback_list.on_test_end(logs)
        return logs

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
        **kwargs,
    ):
        """The loss and metric values of the model on the given data.

        Args:
            x: inputs, in any form `fit` accepts.
            y: targets (arrays; not with generators or datasets).
            batch_size: samples per batch (32).
            verbose: ``"auto"``, 0, 1 (progress bar) or 2 (one line).
            sample_weight: per-sample weights (arrays).
            steps: stop after this many batches (default: all the data).
            callbacks: `Callback`s called during evaluation.
            return_dict: return ``{name: value}`` instead of a list.
            **kwargs: Keras 2's ``workers`` etc. (ignored).

        Returns:
            the loss alone when there are no other values; else ``[loss, *others]``
            in Keras's order (per-output losses, then metrics), or a dict with
            ``return_dict=True``.

        Example:
            >>> loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        """
        from lamina.callbacks import CallbackList

        for key in _KERAS2_FIT_ARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ArgumentError(
                f"evaluate() got unexpected arguments: {sorted(kwargs)}."
            )
        self._assert_compiled("evaluate")
        verbose = _resolve_verbose(verbose)
        data = data_adapter.make_batches(
            x,
            y,
            sample_weight,
            batch_size=batch_size,
            steps=steps,
            device=self._device(),
            input_dtypes=self._input_dtypes(),
            input_names=self._input_names(),
        )
        if isinstance(data, data_adapter.ArrayBatches):
            _check_finite(data.x, "x")
        if not self._overrides("test_step"):
            self._prepare_model_for(data)
        callback_list = CallbackList(
            callbacks,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=1,
            steps=len(data) or None,
        )
        logs = self._evaluate_loop(data, callback_list)
        if return_dict:
            return logs
        return self._values_in_order(logs)

    # ------------------------------------------------------------------ predict
    def predict(
        self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs
    ):
        """The model's outputs for ``x`` in inference mode, as numpy arrays.

        Args:
            x: inputs: arrays, tensors, a list/dict of them, a generator, a
                `PyDataset`, or a torch `DataLoader`/`Dataset`.
            batch_size: samples per batch (32).
            verbose: ``"auto"``, 0, 1 (progress bar) or 2 (one line).
            steps: stop after this many batches (default: all the data).
            callbacks: `Callback`s called during prediction.
            **kwargs: Keras 2's ``workers`` etc. (ignored).

        Returns:
            one array, or a list/dict of arrays for several outputs (the
            structure the model returns).

        Example:
            >>> probabilities = model.predict(x_test, verbose=0)
        """
        from lamina.callbacks import CallbackList

        for key in _KERAS2_FIT_ARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ArgumentError(
                f"predict() got unexpected arguments: {sorted(kwargs)}."
            )
        verbose = _resolve_verbose(verbose)
        data = data_adapter.make_batches(
            x,
            batch_size=batch_size,
            steps=steps,
            device=self._device(),
            for_predict=True,
            input_dtypes=self._input_dtypes(),
            input_names=self._input_names(),
        )
        callback_list = CallbackList(
            callbacks,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=1,
            steps=len(data) or None,
        )
        callback_list.on_predict_begin()
        custom_step = self._overrides("predict_step")
        batch_begin = callback_list.calls_on_predict_batch_begin
        batch_end = callback_list.calls_on_predict_batch_end
        self.eval()
        outputs = []
        with torch.inference_mode(), frozen_weights(_num_samples(data)):
            for step, (xb, _, _) in enumerate(data.epoch()):
                if batch_begin:
                    callback_list.on_predict_batch_begin(step)
                if custom_step:
                    out = self.predict_step(_pack_data(xb, None, None))
                else:
                    out = self(xb, training=False)
                outputs.append(out)
                if batch_end:
                    callback_list.on_predict_batch_end(step, {"outputs": out})
        callback_list.on_predict_end()
        if not outputs:
            raise ArgumentError("predict() received no data: `x` produced no batches.")
        flat = [tree.flatten(o) for o in outputs]
        merged = [
            torch.cat([f[i] for f in flat]).cpu().numpy() for i in range(len(flat[0]))
        ]
        return tree.pack_sequence_as(outputs[0], merged)

    # ------------------------------------------------------------------ on batch
    def train_on_batch(
        self, x, y=None, sample_weight=None, class_weight=None, return_dict=False
    ):
        """One training step on the whole of ``x`` as one batch.

        Args:
            x: the batch's inputs; y: its targets.
            sample_weight: per-sample weights; class_weight: ``{class: weight}``.
            return_dict: return ``{name: value}`` instead of a list.

        Returns:
            the loss (and metrics, as `evaluate` lists them) computed on the
            batch before the update.

        Example:
            >>> loss = model.train_on_batch(x_batch, y_batch)
        """
        self._assert_compiled("train_on_batch")
        data = data_adapter.make_batches(
            x,
            y,
            sample_weight,
            batch_size=_len_of(x),
            class_weight=class_weight,
            device=self._device(),
            input_dtypes=self._input_dtypes(),
            input_names=self._input_names(),
        )
        if self._overrides("train_step"):
            self.reset_metrics()
            self.train()
            for xb, yb, swb in data.epoch():
                logs = _logs_to_floats(self.train_step(_pack_data(xb, yb, swb)))
            self.eval()
            return logs if return_dict else self._values_in_order(logs)
        self._prepare_model_for(data)
        self._check_targets_of(data)
        self.reset_metrics()
        self.train()
        for xb, yb, swb in data.epoch():
            self._train_step(xb, yb, swb, self._trainable_params())
        self.eval()
        return self._on_batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on the whole of ``x`` as one batch, no training.

        Args:
            x: the batch's inputs; y: its targets.
            sample_weight: per-sample weights.
            return_dict: return ``{name: value}`` instead of a list.

        Example:
            >>> loss = model.test_on_batch(x_batch, y_batch)
        """
        self._assert_compiled("test_on_batch")
        data = data_adapter.make_batches(
            x,
            y,
            sample_weight,
            batch_size=_len_of(x),
            device=self._device(),
            input_dtypes=self._input_dtypes(),
            input_names=self._input_names(),
        )
        if self._overrides("test_step"):
            self.reset_metrics()
            with torch.no_grad():
                for xb, yb, swb in data.epoch():
                    logs = _logs_to_floats(self.test_step(_pack_data(xb, yb, swb)))
            return logs if return_dict else self._values_in_order(logs)
        self._prepare_model_for(data)
        self._check_targets_of(data)
        self.reset_metrics()
        with torch.no_grad():
            for xb, yb, swb in data.epoch():
                self._test_step(xb, yb, swb)
        return self._on_batch_result(return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for ``x`` as one batch, as numpy arrays.

        Example:
            >>> model.predict_on_batch(x_batch).shape
        """
        return self.predict(x, batch_size=max(1, _len_of(x)), verbose=0)

    def _on_batch_result(self, return_dict: bool):
        logs = self._logs_as_floats()
        if return_dict:
            return logs
        return self._values_in_order(logs)

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

    # ------------------------------------------------------------------ Keras 2
    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2: class indices (argmax), or 0/1 of shape (n, 1) for one unit."""
        warn_deprecated_once(
            "predict_classes",
            "`model.predict_classes()` is deprecated; "
            "use np.argmax(model.predict(x), axis=-1) or "
            "(model.predict(x) > 0.5).astype('int32').",
        )
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2: the model's output probabilities (same as predict)."""
        warn_deprecated_once(
            "predict_proba",
            "`model.predict_proba()` is deprecated; use model.predict().",
        )
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        validation_freq=1,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ):
        """Keras 2: `fit` on a generator."""
        warn_deprecated_once(
            "fit_generator",
            "`model.fit_generator()` is deprecated; "
            "use model.fit(), which accepts generators.",
        )
        return self.fit(
            generator,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_data=validation_data,
            validation_steps=validation_steps,
            validation_freq=validation_freq,
            class_weight=class_weight,
            shuffle=shuffle,
            initial_epoch=initial_epoch,
        )

    def evaluate_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Keras 2: `evaluate` on a generator."""
        warn_deprecated_once(
            "evaluate_generator",
            "`model.evaluate_generator()` is deprecated; use model.evaluate().",
        )
        return self.evaluate(
            generator, steps=steps, callbacks=callbacks, verbose=verbose
        )

    def predict_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Keras 2: `predict` on a generator."""
        warn_deprecated_once(
            "predict_generator",
            "`model.predict_generator()` is deprecated; use model.predict().",
        )
        return self.predict(
            generator, steps=steps, callbacks=callbacks, verbose=verbose
        )

    # ------------------------------------------------------------------ config
    def get_compile_config(self) -> dict | None:
        if not self.compiled:
            return None
        from lamina.serialization import serialize_keras_object

        config = dict(self._compile_config)
        config["optimizer"] = serialize_keras_object(self.optimizer)
        return serialize_keras_object(config)

    def compile_from_config(self, config: dict) -> None:
        from lamina.serialization import deserialize_keras_object

        config = dict(config)
        optimizer = deserialize_keras_object(
            config.pop("optimizer", "rmsprop"), printable_module_name="optimizer"
        )
        self.compile(
            optimizer=optimizer,
            **{
                k: v
                for k, v in config.items()
                if k
                in (
                    "loss",
                    "loss_weights",
                    "metrics",
                    "weighted_metrics",
                    "run_eagerly",
                    "steps_per_execution",
                    "jit_compile",
                )
            },
        )


def _looks_like_metrics(value) -> bool:
    """True for a list of metric names/objects passed where loss_weights go."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    return all(
        isinstance(v, str)
        or (callable(v) and not isinstance(v, (int, float)))
        or isinstance(v, (list, tuple))
        and _looks_like_metrics(v)
        for v in value
    )


def _check_loss_weights(loss_weights) -> None:
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


def _check_validation_freq(validation_freq) -> None:
    if isinstance(validation_freq, (list, tuple, set, range)):
        return  # Keras 2: the (1-based) epochs to validate after
    if (
        isinstance(validation_freq, bool)
        or not isinstance(validation_freq, (int, np.integer))
        or validation_freq < 1
    ):
        raise ArgumentError(
            "`validation_freq` must be a positive integer or a collection of epochs, "
            f"received validation_freq={validation_freq!r}."
        )


def _should_validate(epoch: int, validation_freq) -> bool:
    if isinstance(validation_freq, (int, np.integer)):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def _num_samples(batches) -> int | None:
    """The number of samples an array source will yield; None when unknown."""
    if isinstance(batches, data_adapter.ArrayBatches):
        return min(batches.num_samples, batches.steps * batches.batch_size)
    return None


def _pack_data(x, y, sample_weight) -> tuple:
    """A batch as Keras hands it to train_step: ``(x,)``, ``(x, y)`` or ``(x, y, w)``."""
    if sample_weight is not None:
        return (x, y, sample_weight)
    if y is not None:
        return (x, y)
    return (x,)


def _logs_to_floats(logs) -> dict:
    """A custom step's returned logs as floats, nested dicts flattened."""
    if logs is None:
        return {}
    if not isinstance(logs, Mapping):
        raise ArgumentError(
            "train_step/test_step must return a dict of metric values, received "
            f"{type(logs).__name__}."
        )
    flat = {}
    for key, value in logs.items():
        if isinstance(value, Mapping):
            flat.update(_logs_to_floats(value))
        else:
            flat[key] = _to_float(value)
    return flat


def _to_float(value) -> float:
    if isinstance(value, torch.Tensor):
        return float(value.detach())
    if isinstance(value, dict):
        return {k: _to_float(v) for k, v in value.items()}
    return float(value)


def _batch_size(x) -> int:
    if isinstance(x, torch.Tensor):
        return x.shape[0]
    for leaf in tree.flatten(x):
        if isinstance(leaf, torch.Tensor):
            return leaf.shape[0]
    return 1


def _len_of(x) -> int:
    for leaf in tree.flatten(x):
        if hasattr(leaf, "shape") and len(leaf.shape) > 0:
            return int(leaf.shape[0])
    return 1


def _check_finite(x, name: str) -> None:
    """Refuse inputs with NaN/inf once, before training, with the first bad index."""
    for leaf in tree.flatten(x):
        if isinstance(leaf, torch.Tensor) and leaf.is_floating_point():
            bad = ~torch.isfinite(leaf)
            if bool(bad.any()):
                sample = int(bad.reshape(bad.shape[0], -1).any(dim=1).nonzero()[0, 0])
                kind = "NaN" if bool(torch.isnan(leaf).any()) else "infinite"
                raise ArgumentError(
                    f"Input `{name}` contains {kind} values (first at sample "
                    f"{sample}); clean or impute the data before training."
                )
