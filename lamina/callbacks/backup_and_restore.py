"""`BackupAndRestore`: resume a training run that was interrupted, exactly."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil

import h5py
import torch

from lamina.callbacks.callback import Callback
from lamina.distribution import process_group
from lamina.errors import ArgumentError, FileFormatError
from lamina.io_utils import atomic_path
from lamina.random import process_state
from lamina.random.seed_generator import SeedGenerator, layer_generator

# The root attribute of the weights file that holds the rest of the run's state.
_STATE_ATTRIBUTE = "lamina_training_state"


class BackupAndRestore(Callback):
    """Back up the training state during `fit`, and restore it at the start of
    the next `fit` after an interruption (a crash, a killed job, Ctrl-C).

    The backup is one file, ``backup_dir/latest.weights.h5``: the weights and
    the optimizer's state in Keras 3's layout, plus the rest of the run's
    state as an attribute: the epoch and the batch reached, the History so
    far, the running loss and metric values of the current epoch, and every
    random generator the run draws from (torch's, numpy's and Python's global
    ones, and the layers' own seeded ones), including the state they had when
    the current epoch began. The file is written to a temporary name and
    renamed, so a run killed at any point, even while saving, leaves the
    previous backup whole. ``backup_dir/training_metadata.json`` repeats the
    epoch and batch as Keras writes them.

    In a data-parallel run (``torchrun``) only rank 0 writes the backup, and
    ``backup_dir`` must be a folder every process reads (a shared one across
    machines). The backup holds each process's own random generators and
    running metric values (gathered to rank 0 when it saves); on restart every
    process waits until rank 0 has checked the backup, then loads it and takes
    back its own state. Restart with the same number of processes.

    A restarted run therefore continues where the backup was taken, mid-epoch
    with ``save_freq=N``: the same shuffled order of the epoch, the batches not
    yet done, the same dropout masks, and it ends with the weights, optimizer
    state and History of a run never interrupted (equal to the bit on a CPU).
    Resuming inside an epoch skips the batches already done: arrays, tensors,
    `PyDataset`s and DataLoaders give them again; a Python generator is read
    from its start, so its first batches are consumed and skipped. When
    training ends normally the backup is removed (``delete_checkpoint=True``).

    Example:
        >>> callback = lamina.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
        >>> model.fit(x, y, epochs=10, callbacks=[callback])  # killed at epoch 4
        >>> model.fit(x, y, epochs=10, callbacks=[callback])  # resumes at epoch 4

    Args:
        backup_dir: folder for the backup files (created when needed).
        save_freq: ``"epoch"``, or a number of batches between backups.
        double_checkpoint: also keep the previous backup (``*.bkp``), used when
            the latest one cannot be read.
        delete_checkpoint: remove the backup when training finishes.
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ):
        super().__init__()
        if not backup_dir:
            raise ArgumentError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (
            not isinstance(save_freq, int)
            or isinstance(save_freq, bool)
            or save_freq < 1
        ):
            raise ArgumentError(
                "Invalid value for argument `save_freq`. Received: "
                f"save_freq={save_freq}. Expected either 'epoch' or a positive integer."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_metadata_path = f"{self._metadata_path}.bkp"
        self._batches_since_save = 0
        self._current_epoch = 0
        self._epoch_random_state: dict | None = None
        self._resume_state: dict | None = None

    # ------------------------------------------------------------ restore
    def on_train_begin(self, logs=None) -> None:
        self._resume_state = None
        self._batches_since_save = 0
        if process_group.world_size() > 1:
            self._restore_on_every_rank()
        else:
            self._restore_or_fall_back()
        self.model._epoch_hook = self._begin_epoch

    def _restore_or_fall_back(self, check_only: bool = False) -> None:
        """Restore the latest backup, or the previous one if the latest is
        unreadable (``check_only``: read the file through without loading it)."""
        act = self._check if check_only else self._restore
        try:
            act()
        except (FileFormatError, OSError, ValueError):
            # The latest backup is unreadable: fall back on the previous one.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_metadata_path):
                shutil.copyfile(self._prev_metadata_path, self._metadata_path)
            elif os.path.exists(self._metadata_path):
                os.remove(self._metadata_path)
            act()

    def _check(self) -> None:
        """Read the backup through (its every dataset and lamina's state), as
        `_restore` would, without loading it into the model."""
        if not os.path.exists(self._weights_path):
            return
        with h5py.File(self._weights_path, "r") as f:
            f.visititems(
                lambda _, item: item[()] if isinstance(item, h5py.Dataset) else None
            )
        _read_state(self._weights_path)

    def _restore_on_every_rank(self) -> None:
        """Rank 0 reads the backup through (repairing it from the previous
        one if need be), then every process restores from it at once (a
        ModelParallel model loads collectively), and each checks that it
        resumes where rank 0 does."""
        what = "waiting for rank 0 to check the backup"
        if process_group.is_chief():
            try:
                self._restore_or_fall_back(check_only=True)
            except Exception as error:
                process_group.broadcast_object({"error": repr(error)}, what)
                raise
            process_group.broadcast_object({}, what)
            self._restore()
            process_group.broadcast_object({"resume": self._resumes_at()}, what)
            return
        chief = process_group.broadcast_object(None, what)
        if "error" in chief:
            raise FileFormatError(
                f"Rank 0 could not restore the backup in {self.backup_dir!r}: "
                f"{chief['error']}"
            )
        self._restore()
        chief = process_group.broadcast_object(None, what)
        if self._resumes_at() != chief["resume"]:
            raise ArgumentError(
                f"Rank {process_group.rank()} found the backup in "
                f"{self.backup_dir!r} at (epoch, batch) {self._resumes_at()}, rank 0 "
                f"at {chief['resume']}: `backup_dir` must be one folder that every "
                "process reads (a shared file system across machines)."
            )

    def _resumes_at(self):
        """(epoch, batch) this run resumes from, or None."""
        if getattr(self.model, "_initial_epoch", None) is None:
            return None
        state = self._resume_state or {}
        return (self.model._initial_epoch, state.get("step", 0))

    def _restore(self) -> None:
        model = self.model
        if not model.built:
            raise ArgumentError(
                "To use the BackupAndRestore callback, your model must be built before "
                f"you call `fit()`. Model '{model.name}' is unbuilt. You can build it "
                "beforehand by calling it on a batch of data."
            )
        if process_group.is_chief():  # only rank 0 writes in backup_dir
            for stale in glob.glob(
                os.path.join(self.backup_dir, ".saving-*.weights.h5")
            ):
                os.remove(stale)  # a save that a kill cut short
        state = None
        if os.path.exists(self._weights_path):
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(model._trainable_params())
            model.load_weights(self._weights_path)
            state = _read_state(self._weights_path)
        if state is None:
            state = self._read_keras_metadata()
        if state is None:
            return
        # The training loop starts from this epoch instead of `initial_epoch`.
        model._initial_epoch = state["epoch"]
        self._current_epoch = state["epoch"]
        if "random" in state:
            self._resume_state = _own_part(state)

    def _read_keras_metadata(self) -> dict | None:
        """The epoch of a backup without lamina's state (Keras's, or older)."""
        if not os.path.exists(self._metadata_path):
            return None
        with open(self._metadata_path, encoding="utf-8") as f:
            try:
                metadata = json.load(f)
            except json.JSONDecodeError as err:
                raise FileFormatError(
                    f"{self._metadata_path!r} is not valid JSON: {err}"
                ) from err
        epoch = metadata.get("epoch") if isinstance(metadata, dict) else None
        if not isinstance(epoch, int) or epoch < 0:
            raise FileFormatError(
                f"{self._metadata_path!r} has no valid 'epoch': {metadata!r}."
            )
        return {"epoch": epoch}

    def _begin_epoch(self, batches) -> int:
        """The trainer's epoch hook: the step this epoch starts from."""
        state, self._resume_state = self._resume_state, None
        if state is None:
            self._epoch_random_state = process_state.get_state()
            return 0
        # Resume: the epoch's shuffled order is drawn from the generators as
        # they were when the epoch began, then the batches done are skipped and
        # the generators set to where the backup was taken.
        self._epoch_random_state = state["epoch_random"]
        _set_random_state(self.model, state["epoch_random"])
        done = state["step"]
        for _ in range(done):
            next(batches, None)
        _set_random_state(self.model, state["random"])
        if done:
            _set_metric_states(self.model, state["metrics"])
        history = self.model._history_callback
        if history is not None:
            history.history = {k: list(v) for k, v in state["history"].items()}
            history.epoch = list(state["history_epochs"])
        self._batches_since_save = state.get("batches_since_save", 0)
        return done

    # ------------------------------------------------------------ save
    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._current_epoch = epoch + 1
        if self.save_freq == "epoch":
            # The next epoch starts from the generators as they are now.
            history, epochs = self._history_so_far()
            if not epochs or epochs[-1] != epoch:  # History may have run first
                for key, value in (logs or {}).items():
                    history.setdefault(key, []).append(value)
                epochs.append(epoch)
            now = _random_state(self.model)
            self._save(epoch + 1, 0, now, now, history, epochs, metrics=[])

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            history, epochs = self._history_so_far()
            self._save(
                self._current_epoch,
                batch + 1,
                self._epoch_random_state or _random_state(self.model),
                _random_state(self.model),
                history,
                epochs,
                metrics=_metric_states(self.model),
            )

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._current_epoch = epoch

    def _history_so_far(self) -> tuple[dict, list]:
        history = self.model._history_callback
        if history is None:
            return {}, []
        return {k: list(v) for k, v in history.history.items()}, list(history.epoch)

    def _save(self, epoch, step, epoch_random, random, history, epochs, metrics):
        # Each process's own generators and metric values; rank 0 writes them all.
        own = {"epoch_random": epoch_random, "random": random, "metrics": metrics}
        other_ranks = []
        if process_group.world_size() > 1:
            every = process_group.all_gather_objects(
                own, "backing up every process's random generators and metrics"
            )
            if not process_group.is_chief():
                return
            other_ranks = every[1:]
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for src, dst in (
                (self._weights_path, self._prev_weights_path),
                (self._metadata_path, self._prev_metadata_path),
            ):
                if os.path.exists(src):
                    shutil.copyfile(src, dst)
        state = {
            "epoch": epoch,
            "step": step,
            "epoch_random": epoch_random,
            "random": random,
            "history": history,
            "history_epochs": epochs,
            "metrics": metrics,
            "batches_since_save": self._batches_since_save,
        }
        if other_ranks:
            state["other_ranks"] = other_ranks
        # Weights and state in one file, renamed into place when complete.
        temporary = os.path.join(self.backup_dir, f".saving-{os.getpid()}.weights.h5")
        self.model.save_weights(temporary, overwrite=True)
        with h5py.File(temporary, "r+") as f:
            f.attrs[_STATE_ATTRIBUTE] = json.dumps(state)
        os.replace(temporary, self._weights_path)
        with (
            atomic_path(self._metadata_path) as tmp,
            open(tmp, "w", encoding="utf-8") as f,
        ):
            json.dump({"epoch": epoch, "batch": step - 1 if step else 0}, f)

    def on_train_end(self, logs=None) -> None:
        if getattr(self.model, "_initial_epoch", None) is not None:
            self.model._initial_epoch = None
        # fit interrupted (Ctrl-C) still calls on_train_end: keep the backup.
        if not self.delete_checkpoint or getattr(self.model, "_interrupted", False):
            return
        if not process_group.is_chief():
            return
        for path in (
            self._weights_path,
            self._metadata_path,
            self._prev_weights_path,
            self._prev_metadata_path,
        ):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        with contextlib.suppress(OSError):
            os.rmdir(self.backup_dir)  # only when empty: never delete user files


def _read_state(path: str) -> dict | None:
    """The run state saved with the weights (None in a Keras weights file)."""
    try:
        with h5py.File(path, "r") as f:
            text = f.attrs.get(_STATE_ATTRIBUTE)
    except OSError as err:
        raise FileFormatError(f"Cannot read the backup {path!r}: {err}") from err
    if text is None:
        return None
    try:
        state = json.loads(text)
    except (TypeError, json.JSONDecodeError) as err:
        raise FileFormatError(
            f"The backup {path!r} has a damaged state: {err}"
        ) from err
    if not isinstance(state, dict) or not isinstance(state.get("epoch"), int):
        raise FileFormatError(f"The backup {path!r} has no valid epoch: {state!r}.")
    return state


def _own_part(state: dict) -> dict:
    """The backup's state with this process's generators and metric values
    (rank 0's when the backup has none for it: one process, or fewer)."""
    rank = process_group.rank()
    others = state.get("other_ranks") or []
    if rank == 0 or rank > len(others):
        return state
    return {**state, **others[rank - 1]}


def _random_state(model) -> dict:
    """The process's generators and the model's own seeded ones."""
    state = process_state.get_state()
    generators, seeds = {}, {}
    for path, module in model.named_modules():
        generator = getattr(module, "_generator", None)
        if isinstance(generator, torch.Generator):
            generators[path] = process_state.generator_state(generator)
        if isinstance(module, SeedGenerator):
            seeds[path] = module.state.detach().cpu().tolist()
    state["layers"] = {"generators": generators, "seeds": seeds}
    return state


def _set_random_state(model, state: dict) -> None:
    process_state.set_state(state)
    layers = state.get("layers", {})
    modules = dict(model.named_modules())
    for path, text in layers.get("generators", {}).items():
        module = modules.get(path)
        if module is None:
            continue
        generator = getattr(module, "_generator", None)
        if generator is None:
            generator = layer_generator(module, torch.device("cpu"))
        if generator is not None:
            process_state.set_generator_state(generator, text)
    for path, value in layers.get("seeds", {}).items():
        module = modules.get(path)
        if isinstance(module, SeedGenerator):
            with torch.no_grad():
                module.state.copy_(torch.tensor(value, dtype=module.state.dtype))


def _metric_states(model) -> list:
    """The running values of the epoch's loss trackers and metrics."""
    states = []
    for metric in model.metrics:
        if hasattr(metric, "_sum"):  # a loss tracker
            states.append([float(metric._sum), metric._count])
        else:
            states.append([v.detach().cpu().tolist() for v in metric.variables])
    return states


def _set_metric_states(model, states: list) -> None:
    metrics = model.metrics
    if len(metrics) != len(states):
        raise FileFormatError(
            f"The backup has {len(states)} metric states; model '{model.name}' "
            f"has {len(metrics)} metrics. Resume with the same compile() arguments."
        )
    with torch.no_grad():
        for metric, state in zip(metrics, states):
            if hasattr(metric, "_sum"):
                metric._sum.fill_(state[0])
                metric._count = state[1]
            else:
                for variable, value in zip(metric.variables, state):
                    variable.copy_(torch.tensor(value, dtype=variable.dtype))
