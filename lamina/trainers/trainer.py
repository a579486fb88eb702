"""`Trainer`, the training half of `Model`: compile, fit, evaluate, predict.

The loops live here; what a step does lives in `builtin_steps` (forward,
loss, backward, optimizer, metrics), how the data becomes batches in
`loop_data` and `data_adapter`, and Keras 2's names in `keras2`. A call runs
``fit -> _train_epoch -> _train_step -> _forward_loss -> the model``.
"""

from __future__ import annotations

import contextlib
import sys
import warnings

import numpy as np
import torch

from lamina.backend import to_numpy, tree
from lamina.backend.config import capped_steps, max_epochs
from lamina.distribution import data_parallel, model_parallel
from lamina.errors import ArgumentError, NotCompiledError
from lamina.layers.layer import frozen_weights
from lamina.trainers import compiled_step, data_adapter, keras2
from lamina.trainers.builtin_steps import BuiltinSteps, sum_losses
from lamina.trainers.compile_utils import (
    CompiledLoss,
    CompiledMetrics,
    MeanTracker,
    check_identifiers,
    check_loss_weights,
    check_output_keys,
    check_steps_per_execution,
    flatten_targets,
)
from lamina.trainers.interrupt import StopAfterBatch
from lamina.trainers.logs import LazyLogs, logs_to_floats
from lamina.trainers.loop_data import (
    batches_for,
    check_finite_inputs,
    check_validation_freq,
    input_names,
    len_of,
    num_samples_of,
    pack_data,
    should_validate,
    validation_batches,
)

# The compile() arguments that `get_compile_config` records (with `optimizer`).
_COMPILE_CONFIG_KEYS = (
    "loss",
    "loss_weights",
    "metrics",
    "weighted_metrics",
    "run_eagerly",
    "steps_per_execution",
    "jit_compile",
)


class Trainer(BuiltinSteps, keras2.Keras2Methods):
    """The training half of `Model`: compile, fit, evaluate, predict."""

    # Set by BackupAndRestore during `fit`: ``hook(batches) -> first step``,
    # called as each epoch starts, before its first batch is drawn.
    _epoch_hook = None
    _history_callback = None

    # The DistributedDataParallel wrapper the training step calls during a
    # data-parallel fit (kept out of the module tree: see data_parallel).
    _ddp = None

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
            jit_compile: True compiles the train and test steps with
                `torch.compile` (forward, loss, backward, metric updates and
                the optimizer's update); ``"auto"`` and False run eagerly.
            auto_scale_loss: under a ``"mixed_float16"`` policy, wrap the
                optimizer in a `LossScaleOptimizer` (dynamic loss scaling), as
                Keras does.

        Example:
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        from lamina import optimizers

        keras2.check_compile_kwargs(kwargs)
        metrics, loss_weights = keras2.compile_metrics_order(metrics, loss_weights)
        check_loss_weights(loss_weights)
        check_steps_per_execution(steps_per_execution)
        check_identifiers(loss, metrics, weighted_metrics)
        self._check_output_keys(
            loss=loss,
            loss_weights=loss_weights,
            metrics=metrics,
            weighted_metrics=weighted_metrics,
        )
        self.optimizer = optimizers.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.name == "mixed_float16"
            and self.optimizer is not None
            and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)
        ):
            self.optimizer = optimizers.LossScaleOptimizer(
                self.optimizer, name="loss_scale_optimizer"
            )
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
        self.jit_compile = self._resolve_jit_compile(jit_compile, run_eagerly)
        self._jit_steps = compiled_step.JitSteps() if self.jit_compile else None
        if self.optimizer is not None:
            inner = getattr(self.optimizer, "inner_optimizer", self.optimizer)
            compiles = self.jit_compile and compiled_step.compiles_update(inner)
            inner._update_hook = self._jit_steps.update if compiles else None
        self.steps_per_execution = int(steps_per_execution)
        self.compiled = True
        self.stop_training = False

    @staticmethod
    def _resolve_jit_compile(jit_compile, run_eagerly) -> bool:
        """`compile()`'s ``jit_compile`` as a bool, as Keras resolves it on torch.

        ``"auto"`` is eager, as in Keras's torch backend: on the tutorial
        models torch.compile's one-off cost (seconds to a minute on a CPU) is
        not paid back within a tutorial's few epochs (benchmarks/README.md).
        """
        if jit_compile not in (True, False, None, "auto"):
            raise ArgumentError(
                f"`jit_compile` must be True, False or 'auto', received "
                f"{jit_compile!r}."
            )
        if jit_compile is True and run_eagerly:
            warnings.warn(
                "If `run_eagerly` is True, then `jit_compile` cannot also be True. "
                "Disabling `jit_compile`.",
                stacklevel=3,
            )
            return False
        return jit_compile is True

    def _check_output_keys(self, **specs) -> None:
        """Refuse dict keys that are not output names, when the names are known."""
        try:
            names = self.output_names
        except (AttributeError, ValueError):
            return
        if isinstance(names, list) and names:
            check_output_keys(names, **specs)

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise NotCompiledError(
                f"You must call `compile()` before using the model "
                f"(`{method}()` was called on model '{self.name}')."
            )

    def get_compile_config(self) -> dict | None:
        """The arguments of `compile()`, serialized (None before `compile`)."""
        if not self.compiled:
            return None
        from lamina.serialization import serialize_keras_object

        config = dict(self._compile_config)
        config["optimizer"] = serialize_keras_object(self.optimizer)
        return serialize_keras_object(config)

    def compile_from_config(self, config: dict) -> None:
        """Compile the model from what `get_compile_config` returned."""
        from lamina.serialization import deserialize_keras_object

        config = dict(config)
        optimizer = deserialize_keras_object(
            config.pop("optimizer", "rmsprop"), printable_module_name="optimizer"
        )
        self.compile(
            optimizer=optimizer,
            **{k: v for k, v in config.items() if k in _COMPILE_CONFIG_KEYS},
        )

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
        epochs = keras2.fit_epochs(epochs, kwargs)
        keras2.check_loop_kwargs("fit", kwargs)
        self._assert_compiled("fit")
        verbose = _resolve_verbose(verbose)
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ArgumentError(
                f"`epochs` must be a non-negative integer, received {epochs!r}."
            )
        if max_epochs() and max_epochs() < epochs:  # lamina.config.set_max_epochs
            warnings.warn(f"Limiting epochs to {max_epochs()}", stacklevel=2)
            epochs = max_epochs()
        check_validation_freq(validation_freq)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.split_validation(
                x, y, sample_weight, validation_split, input_names(self)
            )
        train_data = batches_for(
            self,
            x,
            y,
            sample_weight,
            purpose="train",
            batch_size=batch_size,
            steps=capped_steps(steps_per_epoch),
            steps_name="steps_per_epoch",
            shuffle=shuffle,
            class_weight=class_weight,
        )
        check_finite_inputs(train_data)
        val_data = None
        if validation_data is not None:
            val_data = validation_batches(
                self,
                validation_data,
                batch_size if validation_batch_size is None else validation_batch_size,
                capped_steps(validation_steps),
            )

        custom_step = self._overrides("train_step")
        if not custom_step:
            self._prepare_model_for(train_data)
        model_parallel.unshard_without_it(self)  # sharded, but not trained so now
        params = self._trainable_params()
        self.__dict__["_ddp"] = data_parallel.wrap_model(self, custom_step)
        callback_list = self._callback_list(
            callbacks, verbose, train_data, epochs=epochs, add_history=True
        )
        self._history_callback = callback_list._history  # for BackupAndRestore
        # ModelParallel: FSDP2 shards the model (it stays sharded after fit).
        sharding = model_parallel.for_fit(self, custom_step, callback_list._given)
        epoch_end_reads = callback_list.epoch_end_reads()
        self.stop_training = False
        self._initial_epoch = None
        self.__dict__.pop("_epoch_hook", None)  # a crashed fit's, if any
        callback_list.on_train_begin()
        # BackupAndRestore sets where an interrupted run resumes, as in Keras.
        initial_epoch = self._initial_epoch or initial_epoch
        if hasattr(train_data, "_epochs_started"):
            # Sharded orders are drawn per epoch number (DistributedSampler's
            # set_epoch): a resumed run draws the orders the first run would.
            train_data._epochs_started = initial_epoch
        epoch_logs: dict = {}
        # Ctrl-C (or a callback's KeyboardInterrupt) ends the loop after a batch;
        # on_train_end still runs, then the interrupt is raised again.
        with StopAfterBatch(self) as stop:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                logs = self._train_epoch(
                    train_data, callback_list, custom_step, params, sharding
                )
                stop.check()  # no on_epoch_end for a partial epoch
                if logs is None:
                    # A generator that is used up: Keras stops training here too.
                    warnings.warn(
                        f"Your input ran out of data at epoch {epoch + 1}; interrupting "
                        "training. Make sure that the generator can produce at least "
                        "`steps_per_epoch * epochs` batches.",
                        stacklevel=2,
                    )
                    break
                epoch_logs = logs
                if val_data is not None and should_validate(epoch, validation_freq):
                    val_logs = self._test_epoch(val_data, callback_list)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                if sharding is not None and epoch_end_reads[0]:
                    # The callbacks read the weights: whole for that moment.
                    with sharding.whole(optimizer=epoch_end_reads[1]):
                        callback_list.on_epoch_end(epoch, epoch_logs)
                else:
                    callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        self.__dict__.pop("_ddp", None)
        self.__dict__.pop("_epoch_hook", None)
        self.eval()
        if getattr(self.optimizer, "use_ema", False) and self.optimizer.built:
            # Keras ends fit with the weights replaced by their moving averages.
            with model_parallel.whole(self, optimizer=True):
                self.optimizer.finalize_variable_values(params)
        callback_list.on_train_end(epoch_logs)
        stop.reraise()
        return self.history

    def _train_epoch(
        self, data, callback_list, custom_step: bool, params: list, sharding=None
    ):
        """One epoch of training: its logs as floats, or None if no batch came.

        With ``sharding`` (ModelParallel) the batches run on the sharded model
        and ``params`` are replaced by the shards for the optimizer.
        """
        batch_begin = callback_list.calls_on_train_batch_begin
        batch_end = callback_list.calls_on_train_batch_end
        lazy_logs = None
        self.train()
        if not custom_step:
            self._check_targets_of(data)
        batches = data.epoch()
        # BackupAndRestore's hook: where this epoch starts (a resumed run
        # skips the batches done before the interruption).
        first_step = 0 if self._epoch_hook is None else self._epoch_hook(batches)
        step = first_step - 1
        step_logs = None
        scope = contextlib.nullcontext(params) if sharding is None else sharding.epoch()
        with scope as params:
            for step, (xb, yb, swb) in enumerate(batches, first_step):
                if batch_begin:
                    callback_list.on_train_batch_begin(step)
                if custom_step:
                    step_logs = self.train_step(pack_data(xb, yb, swb))
                    if batch_end:
                        callback_list.on_train_batch_end(step, step_logs)
                else:
                    self._train_step(xb, yb, swb, params)
                    if batch_end:
                        if lazy_logs is None:
                            lazy_logs = LazyLogs(self._log_sources())
                        callback_list.on_train_batch_end(step, lazy_logs)
                if self.stop_training:
                    break
        if step < 0:
            return None
        return logs_to_floats(step_logs) if custom_step else self._logs_as_floats()

    def _callback_list(self, callbacks, verbose: int, data, epochs=1, **options):
        """The callbacks of one fit/evaluate/predict call, with a progress bar."""
        from lamina.callbacks import CallbackList

        return CallbackList(
            callbacks,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=len(data) or None,
            **options,
        )

    # ------------------------------------------------------------------ evaluate
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
        keras2.check_loop_kwargs("evaluate", kwargs)
        self._assert_compiled("evaluate")
        verbose = _resolve_verbose(verbose)
        data = batches_for(
            self,
            x,
            y,
            sample_weight,
            purpose="eval",
            batch_size=batch_size,
            steps=capped_steps(steps),
        )
        check_finite_inputs(data)
        if not self._overrides("test_step"):
            self._prepare_model_for(data)
        model_parallel.prepare(self)  # a model made under ModelParallel
        logs = self._test_epoch(data, self._callback_list(callbacks, verbose, data))
        if return_dict:
            return logs
        return self._values_in_order(logs)

    def _test_epoch(self, data, callback_list) -> dict:
        """One pass of evaluation (also fit's validation): its logs as floats."""
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
        xb = None
        missing = model_parallel.missing_forward_passes(self, len(data) or None)
        with torch.no_grad(), frozen_weights(num_samples_of(data)):
            for step, (xb, yb, swb) in enumerate(data.epoch()):
                if batch_begin:
                    callback_list.on_test_batch_begin(step)
                if custom_step:
                    step_logs = self.test_step(pack_data(xb, yb, swb))
                    if batch_end:
                        callback_list.on_test_batch_end(step, step_logs)
                    continue
                self._test_step(xb, yb, swb)
                if batch_end:
                    if lazy_logs is None:
                        lazy_logs = LazyLogs(self._log_sources())
                    callback_list.on_test_batch_end(step, lazy_logs)
            model_parallel.make_empty_passes(self, missing, xb)
        logs = logs_to_floats(step_logs) if custom_step else self._logs_as_floats()
        callback_list.on_test_end(logs)
        return logs

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
        keras2.check_loop_kwargs("predict", kwargs)
        verbose = _resolve_verbose(verbose)
        data = batches_for(
            self,
            x,
            purpose="predict",
            batch_size=batch_size,
            steps=capped_steps(steps),
            for_predict=True,
        )
        model_parallel.prepare(self)  # a model made under ModelParallel
        callback_list = self._callback_list(callbacks, verbose, data)
        callback_list.on_predict_begin()
        custom_step = self._overrides("predict_step")
        batch_begin = callback_list.calls_on_predict_batch_begin
        batch_end = callback_list.calls_on_predict_batch_end
        self.eval()
        outputs = []
        xb = None
        missing = model_parallel.missing_forward_passes(self, len(data) or None)
        # FSDP2 reuses its buffers for gathered weights in the next training
        # step, so a sharded model predicts under no_grad, not inference_mode.
        no_grad = torch.inference_mode
        if model_parallel.sharding_of(self) is not None:
            no_grad = torch.no_grad
        with no_grad(), frozen_weights(num_samples_of(data)):
            for step, (xb, _, _) in enumerate(data.epoch()):
                if batch_begin:
                    callback_list.on_predict_batch_begin(step)
                if custom_step:
                    out = self.predict_step(pack_data(xb, None, None))
                else:
                    out = self._call_outermost(xb, False)
                outputs.append(out)
                if batch_end:
                    callback_list.on_predict_batch_end(step, {"outputs": out})
            model_parallel.make_empty_passes(self, missing, xb)
        callback_list.on_predict_end()
        outputs = data_parallel.gather_batches(outputs)  # several processes
        if not outputs:
            raise ArgumentError("predict() received no data: `x` produced no batches.")
        return _concatenate_outputs(outputs)

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
        data = batches_for(
            self, x, y, sample_weight, batch_size=len_of(x), class_weight=class_weight
        )
        custom_step = self._overrides("train_step")
        if not custom_step:
            self._prepare_model_for(data)
            self._check_targets_of(data)
        self.reset_metrics()
        self.train()
        for xb, yb, swb in data.epoch():
            if custom_step:
                logs = logs_to_floats(self.train_step(pack_data(xb, yb, swb)))
            else:
                self._train_step(xb, yb, swb, self._trainable_params())
        self.eval()
        return self._on_batch_result(logs if custom_step else None, return_dict)

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
        data = batches_for(self, x, y, sample_weight, batch_size=len_of(x))
        custom_step = self._overrides("test_step")
        if not custom_step:
            self._prepare_model_for(data)
            self._check_targets_of(data)
        self.reset_metrics()
        with torch.no_grad():
            for xb, yb, swb in data.epoch():
                if custom_step:
                    logs = logs_to_floats(self.test_step(pack_data(xb, yb, swb)))
                else:
                    self._test_step(xb, yb, swb)
        return self._on_batch_result(logs if custom_step else None, return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for ``x`` as one batch, as numpy arrays.

        Example:
            >>> model.predict_on_batch(x_batch).shape
        """
        return self.predict(x, batch_size=max(1, len_of(x)), verbose=0)

    def _on_batch_result(self, logs: dict | None, return_dict: bool):
        """A custom step's ``logs`` (or the compiled step's) as *_on_batch returns them."""
        if logs is None:
            logs = self._logs_as_floats()
        if return_dict:
            return logs
        return self._values_in_order(logs)

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
            self._build_compiled(y, y_pred)
            self._prepare_for_steps()
        names = self._compiled_loss.output_names
        total, _ = self._compiled_loss(
            flatten_targets(y, names),
            tree.flatten(y_pred),
            flatten_targets(sample_weight, names, "sample_weight"),
        )
        extra = self.losses
        if extra:
            extra_sum = sum_losses(extra)
            total = extra_sum if total is None else total + extra_sum
        if total is None:
            raise ArgumentError(
                "compute_loss(): the model has no loss; pass compile(loss=...)."
            )
        return total


def _resolve_verbose(verbose) -> int:
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    if verbose not in (0, 1, 2, True, False):
        raise ArgumentError(
            f"`verbose` must be 'auto', 0, 1 or 2, received {verbose!r}."
        )
    return int(verbose)


def _concatenate_outputs(outputs: list):
    """predict's per-batch outputs joined along the batch, as numpy arrays."""
    if all(type(o) is torch.Tensor for o in outputs):  # one output: no structure
        return to_numpy(torch.cat(outputs))
    flat = [tree.flatten(o) for o in outputs]
    merged = [to_numpy(torch.cat([f[i] for f in flat])) for i in range(len(flat[0]))]
    return tree.pack_sequence_as(outputs[0], merged)
