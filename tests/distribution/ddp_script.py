"""A training script the distribution tests run, unchanged, in one process and
under ``torchrun --nproc_per_node=2`` (gloo on the CPU).

    python tests/distribution/ddp_script.py SCENARIO OUT_DIR

Each process writes ``OUT_DIR/rank<r>.json`` (history, evaluate, predict,
weights) and, for the "train" scenario, the files its callbacks wrote under
``OUT_DIR/files``.
"""

from __future__ import annotations

import json
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

import lamina as keras  # noqa: E402
from benchmarks.ddp import held_bytes  # noqa: E402


def data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype("float32")
    y = (x[:, :1] * 0.7 - x[:, 1:2] * 0.3 + 0.1 * rng.normal(size=(n, 1))).astype(
        "float32"
    )
    return x, y


def model(batch_norm=True):
    keras.utils.set_random_seed(1)
    layers = [keras.Input((6,)), keras.layers.Dense(8, activation="tanh")]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization(synchronized=True))
    net = keras.Sequential([*layers, keras.layers.Dense(1)])
    net.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return net


class Record(keras.callbacks.Callback):
    """Each rank's batch sizes, and (kill scenario) rank 1 dying mid-epoch."""

    def __init__(self, kill_at=None):
        super().__init__()
        self.kill_at = kill_at

    def on_train_batch_begin(self, batch, logs=None):
        rank = int(os.environ.get("RANK", 0))
        if self.kill_at is not None and rank == 1 and batch == self.kill_at:
            os._exit(3)


def train(out):
    x, y = data()
    vx, vy = data(20, seed=1)
    net = model()
    # Each rank names its own folder: only rank 0's may hold files afterwards.
    files = os.path.join(out, f"files_rank{os.environ.get('RANK', 0)}")
    os.makedirs(files, exist_ok=True)
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            os.path.join(files, "ckpt.weights.h5"), save_weights_only=True
        ),
        keras.callbacks.CSVLogger(os.path.join(files, "log.csv")),
        keras.callbacks.TensorBoard(os.path.join(files, "tensorboard")),
        keras.callbacks.BackupAndRestore(
            os.path.join(files, "backup"), delete_checkpoint=False
        ),
        # Both decide from the summed logs: the same epochs on every rank.
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=0.01),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", patience=0, factor=0.5, min_delta=0.01
        ),
    ]
    history = net.fit(
        x,
        y,
        batch_size=16,
        epochs=4,
        shuffle=False,
        validation_data=(vx, vy),
        callbacks=callbacks,
        verbose=2,
    )
    return {
        "history": history.history,
        "evaluate": net.evaluate(vx, vy, batch_size=8, verbose=0),
        "predict": net.predict(vx, batch_size=8, verbose=0).tolist(),
        "weights": [w.tolist() for w in net.get_weights()],
        "learning_rate": float(net.optimizer.learning_rate),
    }


def kill(out, batch_norm):
    x, y = data(400)
    net = model(batch_norm)
    try:
        net.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[Record(kill_at=5)])
    except Exception as error:  # noqa: BLE001 - the test reads what was raised
        return {"error_type": type(error).__name__, "error": str(error)}
    return {"error_type": None}


def resumed(out):
    """A fit with BackupAndRestore in a shared folder; rank 1 dies at global
    batch ``$KILL_AT`` when set (torchrun then ends the job), and a rerun of
    the same command resumes from the backup."""
    rank = int(os.environ.get("RANK", 0))
    x, y = data()
    if os.environ.get("MODEL_PARALLEL"):  # the variables sharded (FSDP2)
        devices = keras.distribution.list_devices()
        mesh = keras.distribution.DeviceMesh((len(devices),), ["model"], devices)
        layout_map = keras.distribution.LayoutMap(mesh)
        layout_map["dense/kernel"] = (None, "model")
        keras.distribution.set_distribution(
            keras.distribution.ModelParallel(layout_map=layout_map)
        )
    keras.utils.set_random_seed(1)
    net = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16, activation="tanh"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1),
        ]
    )
    net.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    # Each process draws its own dropout masks (a seed per rank, as DDP
    # scripts do): a resumed rank must get back its own generators.
    torch.manual_seed(100 + rank)
    save_freq = os.environ["SAVE_FREQ"]
    kill_at = int(os.environ.get("KILL_AT", -1))

    class Die(keras.callbacks.Callback):
        seen = 0

        def on_train_batch_begin(self, batch, logs=None):
            if rank == 1 and self.seen == kill_at:
                os._exit(3)
            self.seen += 1

    folder = "backup"
    if os.environ.get("BACKUP_PER_RANK"):  # a folder that is not shared
        folder = f"backup_rank{rank}"
    backup = keras.callbacks.BackupAndRestore(
        os.path.join(out, folder),
        save_freq=save_freq if save_freq == "epoch" else int(save_freq),
    )
    history = net.fit(
        x, y, batch_size=16, epochs=3, callbacks=[backup, Die()], verbose=0
    )
    return {
        "history": history.history,
        "epochs": history.epoch,
        "weights": [w.tolist() for w in net.get_weights()],
        "optimizer": optimizer_state(net, os.path.join(out, f"state{rank}.weights.h5")),
    }


def compiled(out):
    """The tutorial-like MLP (Dropout, RMSprop) fit with ``$JIT`` = 0 or 1."""
    x, y = data()
    keras.utils.set_random_seed(1)
    net = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.BatchNormalization(synchronized=True),
            keras.layers.Dense(1),
        ]
    )
    net.compile(
        optimizer=keras.optimizers.RMSprop(0.01),
        loss="mse",
        metrics=["mae"],
        jit_compile=os.environ["JIT"] == "1",
    )
    losses = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(logs["loss"])
    )
    # 96 samples, global batch 20: 4 full steps and a partial one of 16 per epoch.
    history = net.fit(
        x, y, batch_size=20, epochs=2, shuffle=False, callbacks=[record], verbose=0
    )
    jit = net._jit_steps
    return {
        "losses": losses,
        "history": history.history,
        "weights": [w.tolist() for w in net.get_weights()],
        "evaluate": net.evaluate(x, y, batch_size=16, verbose=0),
        "compiled": jit is not None and not jit.failed,
    }


def shuffled(out):
    """The samples each rank trained on, per epoch, with shuffle=True."""
    x = np.arange(24, dtype="float32").reshape(24, 1)
    seen = []

    class Peek(keras.layers.Layer):
        def call(self, inputs, training=None):
            if training:
                seen[-1].extend(inputs[:, 0].int().tolist())
            return inputs

    class NewEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append([])

    net = keras.Sequential([keras.Input((1,)), Peek(), keras.layers.Dense(1)])
    net.compile("sgd", "mse")
    net.fit(x, x, batch_size=4, epochs=2, verbose=0, callbacks=[NewEpoch()])
    return {"seen": seen}


def model_parallel(out):
    """`fit` under ModelParallel: FSDP2 shards with 2 processes, plain in one
    (the dtype policy from $POLICY)."""
    keras.mixed_precision.set_global_policy(os.environ.get("POLICY", "float32"))
    x, y = data()
    vx, vy = data(20, seed=1)
    devices = keras.distribution.list_devices()
    mesh = keras.distribution.DeviceMesh((1, len(devices)), ["batch", "model"], devices)
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map["wide/kernel"] = (None, "model")  # split along the columns
    keras.distribution.set_distribution(
        keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    )

    def build():
        keras.utils.set_random_seed(1)
        inputs = keras.Input((6,))
        hidden = keras.layers.Dense(10, activation="tanh", name="wide")(inputs)
        hidden = keras.layers.BatchNormalization(synchronized=True)(hidden)
        shared = keras.layers.Dense(10, activation="relu", name="shared")
        hidden = shared(shared(hidden))  # one layer called twice
        net = keras.Model(inputs, keras.layers.Dense(1, name="head")(hidden))
        optimizer = keras.optimizers.Adam(0.01, clipnorm=1.0)
        if os.environ.get("OPTIMIZER") == "multi":
            # Adam for the column-split layer, RMSprop for the others.
            optimizer = keras.optimizers.MultiOptimizer(
                keras.optimizers.OptimizerMap(
                    keras.optimizers.RMSprop(0.01),
                    {"wide/.*": keras.optimizers.Adam(0.01)},
                )
            )
        net.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
        return net

    net = build()
    built = held_bytes(net)  # each process holds only its parts from the start
    # Its first use shards a model made under ModelParallel (here predict).
    before_fit = net.predict(vx[:4], verbose=0).tolist()
    seen, refusals = [], []

    class Shards(keras.callbacks.Callback):
        """The wide kernel as the batches see it (rank 0 runs callbacks)."""

        def on_train_batch_end(self, batch, logs=None):
            kernel = net.get_layer("wide")._parameters["kernel"]
            local = kernel.to_local() if hasattr(kernel, "to_local") else kernel
            seen.append([type(kernel).__name__, list(local.shape)])
            if batch == 0:
                try:
                    net.get_weights()
                except ValueError as error:
                    refusals.append(str(error))

    files = os.path.join(out, f"files_rank{os.environ.get('RANK', 0)}")
    os.makedirs(files, exist_ok=True)
    checkpoint = os.path.join(files, "ckpt.weights.h5")
    history = net.fit(
        x,
        y,
        batch_size=16,
        epochs=2,
        shuffle=False,
        validation_data=(vx, vy),
        callbacks=[
            keras.callbacks.ModelCheckpoint(checkpoint, save_weights_only=True),
            Shards(),
        ],
        verbose=0,
    )
    # 17 samples in batches of 8: the last batch has one row, so rank 1 runs
    # out a batch early and makes that forward pass on an empty batch.
    uneven = net.predict(vx[:17], batch_size=8, verbose=0).tolist()
    # The model stays sharded: a second fit goes on from the shards.
    more = net.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    state = optimizer_state(net, os.path.join(files, "state.weights.h5"))
    result = {
        "history": history.history,
        "more": more.history,
        "evaluate": net.evaluate(vx, vy, batch_size=8, verbose=0),
        "predict": net.predict(vx, batch_size=8, verbose=0).tolist(),
        "predict_uneven": uneven,
        "weights": [w.tolist() for w in net.get_weights()],
        "optimizer": state,
        "parameter_types": sorted({type(p).__name__ for p in net.parameters()}),
        # What this process holds of the trainable weights and optimizer state.
        "held": held_bytes(net),
        "held_built": built,
        "optimizer_type": type(net.optimizer).__name__,
        "seen": seen,
        "refusals": refusals,
    }
    if os.path.exists(checkpoint):
        # The last epoch's file, read on rank 0 alone into a model made
        # without ModelParallel (whole: nothing to gather).
        current = keras.distribution.distribution()
        keras.distribution.set_distribution(None)
        fresh = build()
        fresh.load_weights(checkpoint)
        result["checkpoint"] = [w.tolist() for w in fresh.get_weights()]
        keras.distribution.set_distribution(current)
    # A layout splitting 9 columns over 2 processes is refused, clearly.
    odd = keras.Sequential([keras.Input((6,)), keras.layers.Dense(9, name="wide")])
    odd.compile("sgd", "mse")
    try:
        odd.fit(x, y, batch_size=16, epochs=1, verbose=0)
    except ValueError as error:
        result["uneven"] = f"{type(error).__name__}: {error}"
    # A Sequential without Input is built whole by its first batch, then
    # sharded by fit.
    keras.utils.set_random_seed(2)
    lazy = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(1)])
    lazy.compile("adam", "mse")
    lazy.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    result["lazy"] = lazy.predict(vx, verbose=0).tolist()
    result["before_fit"] = before_fit
    made = build()  # its variables made as parts
    # Without ModelParallel the next fit gathers the model whole for good
    # (and trains data-parallel under torchrun); so does predict a model made
    # as parts.
    keras.distribution.set_distribution(None)
    result["made_then_whole"] = made.predict(vx[:4], verbose=0).tolist()
    net.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    result["unsharded"] = [w.tolist() for w in net.get_weights()]
    result["unsharded_types"] = sorted({type(p).__name__ for p in net.parameters()})
    return result


def optimizer_state(net, path):
    """The optimizer's state, read from a weights file saved to ``path``:
    under ModelParallel it is in its shards, and the file holds it whole
    (every process gathers it; each writes its own file here)."""
    net.save_weights(path)
    with h5py.File(path, "r") as f:
        names = []
        f["optimizer"].visititems(
            lambda name, item: (
                names.append(name) if isinstance(item, h5py.Dataset) else None
            )
        )
        return [np.asarray(f["optimizer"][n]).tolist() for n in names]


def exit_after_step(out):
    """A lamina model in a user's own DDP loop, in lamina's process group: the
    process ends right after the step's gradient all-reduce."""
    keras.distribution.initialize()
    net = model(batch_norm=False)
    x, y = data(16)
    replica = torch.nn.parallel.DistributedDataParallel(net)
    rank = torch.distributed.get_rank()
    with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
        json.dump({"rank": rank}, f)
    sys.stdout.flush()
    ((replica(torch.as_tensor(x)) - torch.as_tensor(y)) ** 2).mean().backward()


if __name__ == "__main__":
    scenario, out_dir = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    rank = int(os.environ.get("RANK", 0))
    sys.stdout = open(os.path.join(out_dir, f"stdout_rank{rank}.txt"), "w")  # noqa: SIM115
    result = {
        "train": train,
        "kill_in_forward": lambda out: kill(out, batch_norm=True),
        "kill_in_backward": lambda out: kill(out, batch_norm=False),
        "shuffled": shuffled,
        "resumed": resumed,
        "compiled": compiled,
        "model_parallel": model_parallel,
        "exit_after_step": exit_after_step,
    }[scenario](out_dir)
    if result is None:
        sys.exit()  # the scenario wrote its file
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(result, f)
