"""`TensorBoard`: writes training logs that TensorBoard shows, without TensorFlow."""

from __future__ import annotations

import numbers
import os
import time
import warnings
import weakref
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from lamina.callbacks._event_writer import EventFileWriter
from lamina.callbacks.callback import Callback
from lamina.errors import ArgumentError

# Batch values waiting on the device are read back (one host sync) at least
# this often, so a long epoch logged every batch does not hoard tensors.
_MAX_PENDING_BATCHES = 1000


class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Writes TensorBoard event files itself: neither TensorFlow nor TensorBoard
    is needed to train (`pip install tensorboard` to view the logs, then run
    `tensorboard --logdir=path_to_your_logs`). As in Keras, it logs

    * the epoch losses and metrics as scalars `epoch_loss`, `epoch_accuracy`,
      ..., plus `epoch_learning_rate`, at step `epoch`, in `log_dir/train`, and
      the validation ones (without the `val_` prefix) in `log_dir/validation`;
    * with `update_freq` a number of batches, the running batch results as
      `batch_loss`, ... at step "batches since the start of `fit`";
    * after each evaluation, `evaluation_loss_vs_iterations`, ... at step
      `model.optimizer.iterations`, in `log_dir/validation`;
    * weight histograms (and images) every `histogram_freq` epochs, tagged
      `<weight path>/histogram` (`/image`);
    * the model's config under the tag `keras`, for TensorBoard's conceptual
      graph of a Sequential or functional model.

    Writing costs training little: events are buffered in memory and
    written at the end of each epoch and of training, and batch values stay
    on the device until then (read back in one transfer). With the default
    `update_freq="epoch"` the callback does nothing per batch.

    Example:

    ```python
    tensorboard_callback = lamina.callbacks.TensorBoard(log_dir="./logs")
    model.fit(x_train, y_train, epochs=2, callbacks=[tensorboard_callback])
    # Then: tensorboard --logdir=./logs
    ```

    Args:
        log_dir: The directory where to save the log files. It should not be
            reused by other callbacks.
        histogram_freq: Frequency (in epochs) at which to log weight
            histograms of the layers of the model; 0 logs none.
        write_graph: Whether to log the model's config (Sequential and
            functional models) for TensorBoard's graph view.
        write_images: Whether to also log the weights as images (with
            `histogram_freq`).
        write_steps_per_second: Whether to log the training steps per second,
            per epoch and (with `update_freq` batches) per batch.
        update_freq: `"epoch"` logs at the end of each epoch only; an integer
            `n` also logs the batch results every `n` batches; `"batch"` is 1.
        profile_batch: Must be 0: profiling is not available (use
            `torch.profiler`).
        embeddings_freq: Must be 0: embedding projections are not written.
        embeddings_metadata: Must be None (see `embeddings_freq`).
    """

    _accepts_tensor_logs = True

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        if not _is_count(histogram_freq):
            raise ArgumentError(
                "`histogram_freq` must be a non-negative integer (epochs), "
                f"received {histogram_freq!r}."
            )
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (_is_count(update_freq) and update_freq > 0):
            raise ArgumentError(
                "`update_freq` must be 'epoch', 'batch' or a positive integer "
                f"(batches), received {update_freq!r}."
            )
        if profile_batch:
            raise ArgumentError(
                "Profiling is not available in lamina's TensorBoard callback: "
                f"`profile_batch` must be 0, received {profile_batch!r}. Use "
                "`torch.profiler` (its `tensorboard_trace_handler` writes traces "
                "TensorBoard's profile plugin reads)."
            )
        if embeddings_freq or embeddings_metadata is not None:
            raise ArgumentError(
                "Embedding projections are not written by lamina's TensorBoard "
                "callback: `embeddings_freq` must be 0 and `embeddings_metadata` "
                f"None, received embeddings_freq={embeddings_freq!r}, "
                f"embeddings_metadata={embeddings_metadata!r}."
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq if update_freq == "epoch" else int(update_freq)
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata

        self._writers: dict[str, EventFileWriter] = {}
        self._graphed_model: weakref.ref | None = None
        self._in_fit = False
        self._global_train_batch = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0
        # Batch results not read back yet: their (tag, step, wall time), in the
        # order of the values in the 1-D device tensors of `_pending_values`.
        self._pending_points: list[tuple[str, int, float]] = []
        self._pending_values: list[torch.Tensor] = []

    # ------------------------------------------------------------ writers
    @property
    def _train_dir(self) -> str:
        return os.path.join(self.log_dir, "train")

    @property
    def _val_dir(self) -> str:
        return os.path.join(self.log_dir, "validation")

    def _writer(self, name: str) -> EventFileWriter:
        # Created on first use, so a run with no validation has no
        # `validation` folder, as in Keras.
        if name not in self._writers:
            folder = self._train_dir if name == "train" else self._val_dir
            self._writers[name] = EventFileWriter(folder)
        return self._writers[name]

    def _flush(self) -> None:
        self._read_pending()
        for writer in self._writers.values():
            writer.flush()

    def _close_writers(self) -> None:
        self._read_pending()
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _read_pending(self) -> None:
        """Reads the batch values back from the device and adds their events."""
        if not self._pending_points:
            return
        values = torch.cat(self._pending_values).tolist()  # one host sync
        writer = self._writer("train")
        for (tag, step, wall_time), value in zip(self._pending_points, values):
            writer.add_scalar(tag, value, step, wall_time)
        self._pending_points = []
        self._pending_values = []

    # --------------------------------------------------------------- hooks
    def set_model(self, model: Any) -> None:
        """Sets the model and logs its config if `write_graph`."""
        super().set_model(model)
        # Each fit or evaluate starts new event files, as Keras's does.
        self._close_writers()
        model = self.model
        # The config is written once per model, not again for each fit or
        # evaluate (Keras repeats it; TensorBoard shows the same graph).
        graphed = self._graphed_model() if self._graphed_model else None
        if self.write_graph and model is not None and model is not graphed:
            self._graphed_model = weakref.ref(model)
            self._write_keras_model(model)

    def _write_keras_model(self, model: Any) -> None:
        # Keras writes the config of Sequential and functional models only:
        # a subclassed model's config does not describe its graph.
        if type(model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            config = model.to_json()
        except Exception as exc:  # noqa: BLE001 (a log must not stop training)
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}")
            return
        self._writer("train").add_keras_model("keras", config, step=0)

    def _needs_batch_hook(self, hook: str) -> bool:
        # The batch hooks run only when batch results are logged, so with the
        # default update_freq="epoch" the training loop builds no batch logs.
        if getattr(type(self), hook) is getattr(TensorBoard, hook):
            if hook == "on_train_batch_end":
                return self.update_freq != "epoch"
            if hook == "on_train_batch_begin":
                return self.update_freq != "epoch" and self.write_steps_per_second
        return super()._needs_batch_hook(hook)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._in_fit = True
        self._global_train_batch = 0
        self._flush()  # the model config, so TensorBoard shows it from the start

    def on_train_end(self, logs: dict | None = None) -> None:
        self._in_fit = False
        self._close_writers()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        if self.update_freq == "epoch":
            return
        self._global_train_batch += 1
        step = self._global_train_batch
        if step % self.update_freq:
            return
        now = time.time()
        points, values = [], []
        if self.write_steps_per_second:
            points.append(("batch_steps_per_second", step, now))
            values.append(torch.tensor(1.0 / max(now - self._batch_start_time, 1e-9)))
        for name, value in (logs or {}).items():
            scalar = _as_scalar_tensor(value)
            if scalar is not None:
                points.append((f"batch_{name}", step, now))
                values.append(scalar)
        if not points:
            return
        device = values[-1].device
        # `stack` copies, so a metric that later updates its result tensor in
        # place cannot change what was logged.
        self._pending_values.append(
            torch.stack([v.to(device=device, dtype=torch.float32) for v in values])
        )
        self._pending_points.extend(points)
        if len(self._pending_values) >= _MAX_PENDING_BATCHES:
            self._read_pending()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        self._flush()

    def on_test_end(self, logs: dict | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(optimizer.iterations)
            writer = self._writer("validation")
            for name, value in (logs or {}).items():
                if _is_number(value):
                    writer.add_scalar(f"evaluation_{name}_vs_iterations", value, step)
        if not self._in_fit:  # a standalone evaluate has no epoch end to flush
            self._flush()

    # -------------------------------------------------------------- epochs
    def _log_epoch_metrics(self, epoch: int, logs: dict | None) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs.update(self._learning_rates())
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._epoch_start_time, 1e-9)
            steps = self._iterations() - self._epoch_start_iterations
            train_logs["steps_per_second"] = steps / elapsed
        for name, values in (("train", train_logs), ("validation", val_logs)):
            numbers_only = {k: v for k, v in values.items() if _is_number(v)}
            if numbers_only:
                writer = self._writer(name)
                for key, value in numbers_only.items():
                    writer.add_scalar(f"epoch_{key}", value, epoch)

    def _learning_rates(self) -> dict:
        """`learning_rate` (or one per optimizer of a multi-optimizer)."""
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # loss scaling
        if optimizer is None:
            return {}
        if hasattr(optimizer, "optimizers"):
            pairs = [(f"learning_rate_{o.name}", o) for o in optimizer.optimizers]
        else:
            pairs = [("learning_rate", optimizer)]
        rates = {}
        for name, opt in pairs:
            try:
                rates[name] = float(opt.learning_rate)
            except (AttributeError, TypeError, ValueError, RuntimeError):
                continue  # no readable rate (e.g. a torch optimizer)
        return rates

    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        return int(getattr(optimizer, "iterations", 0))

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = getattr(weight, "path", weight.name).replace(":", "_")
                values = weight.detach().to("cpu", torch.float64).numpy()
                writer.add_histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    image = _weight_as_image(values)
                    if image is not None:
                        writer.add_images(f"{name}/image", image, epoch)


def _weight_as_image(weight: np.ndarray) -> np.ndarray | None:
    """Keras's picture of a weight: `(n, height, width, channels)` uint8 images.

    A bias is one column; a 2-D kernel one image, wider than tall; a 3-D
    (1-D convolution) kernel one image per input channel; a 4-D one is taken
    as it is when its last axis has 1, 3 or 4 entries. Others give None.
    """
    w = np.squeeze(weight)
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        w = np.transpose(w, (2, 0, 1))[..., None]  # channels_last -> one per channel
    if w.ndim != 4 or w.shape[-1] not in (1, 3, 4):
        return None
    # tf.summary.image's float -> uint8: scale by 255.5, saturate, truncate.
    return np.clip(w * 255.5, 0, 255).astype(np.uint8)


def _as_scalar_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach().reshape(()) if value.numel() == 1 else None
    if _is_number(value):
        return torch.tensor(float(value))
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and (value >= 0)
    )
