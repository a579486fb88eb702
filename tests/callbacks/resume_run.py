"""One training run with BackupAndRestore, as a separate process.

    python resume_run.py BACKUP_DIR OUT.npz SAVE_FREQ [KILL_AT [BEFORE|AFTER|EPOCH]]
        [--logs DIR [--logs-after]]

Trains a small shuffled Dense/Dropout model for 4 epochs and writes its final
weights and History to OUT.npz. With KILL_AT, the process kills itself
(SIGKILL, no clean-up) at that global batch (from 1), before or after the
backup of that batch is written, or (EPOCH) at the end of that epoch (from 0)
between BackupAndRestore and the logging callbacks. Prints "training" when fit
starts, for a parent that kills it at a random moment.

With --logs DIR, the run also keeps, in DIR: log.csv (CSVLogger, append=True),
best.weights.h5 (ModelCheckpoint, save_best_only on the largest loss, so only
the first epoch improves), last.keras (the whole model, every epoch) and
often.weights.h5 (the weights every 5 batches); these callbacks come before
BackupAndRestore in the list, or after it with --logs-after.
"""

import os
import signal
import sys

import numpy as np

import lamina as keras


class KillAt(keras.callbacks.Callback):
    def __init__(self, batch):
        super().__init__()
        self.batch, self.seen = batch, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.batch:
            os.kill(os.getpid(), signal.SIGKILL)


class KillAtEpochEnd(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)


def logging_callbacks(folder):
    os.makedirs(folder, exist_ok=True)
    checkpoint = keras.callbacks.ModelCheckpoint
    return [
        keras.callbacks.CSVLogger(os.path.join(folder, "log.csv"), append=True),
        checkpoint(
            os.path.join(folder, "best.weights.h5"),
            monitor="loss",
            mode="max",
            save_best_only=True,
            save_weights_only=True,
        ),
        checkpoint(os.path.join(folder, "last.keras")),
        checkpoint(
            os.path.join(folder, "often.weights.h5"),
            save_weights_only=True,
            save_freq=5,
        ),
    ]


class Announce(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        print("training", flush=True)


def build_model():
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main(argv):
    logs_after = "--logs-after" in argv
    argv = [arg for arg in argv if arg != "--logs-after"]
    logs = None
    if "--logs" in argv:
        at = argv.index("--logs")
        logs = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    backup, out, save_freq = argv[:3]
    save_freq = save_freq if save_freq == "epoch" else int(save_freq)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(480, 20)).astype("float32")
    y = (x[:, :3].argmax(axis=1) + (x[:, 3] > 1)) % 3
    model = build_model()
    restore = keras.callbacks.BackupAndRestore(backup, save_freq)
    callbacks = [Announce(), restore]
    if len(argv) > 3:
        where = argv[4] if len(argv) > 4 else "BEFORE"
        if where == "EPOCH":  # between the logging callbacks and the backup
            killer = KillAtEpochEnd(int(argv[3]))
            where = "AFTER" if logs_after else "BEFORE"
        else:
            killer = KillAt(int(argv[3]))
        callbacks.insert(2 if where == "AFTER" else 1, killer)
    if logs is not None:
        at = len(callbacks) if logs_after else 1
        callbacks[at:at] = logging_callbacks(logs)
    history = model.fit(
        x, y, epochs=4, batch_size=16, shuffle=True, verbose=0, callbacks=callbacks
    )
    np.savez(
        out,
        *model.get_weights(),
        loss=history.history["loss"],
        accuracy=history.history["accuracy"],
        epochs=history.epoch,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
