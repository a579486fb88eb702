"""One training run with BackupAndRestore, as a separate process.

    python resume_run.py BACKUP_DIR OUT.npz SAVE_FREQ [KILL_AT_BATCH [BEFORE|AFTER]]

Trains a small shuffled Dense/Dropout model for 4 epochs and writes its final
weights and History to OUT.npz. With KILL_AT_BATCH, the process kills itself
(SIGKILL, no clean-up) at that global batch, before or after the backup of that
batch is written. Prints "training" when fit starts, for a parent that kills it
at a random moment.
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


class Announce(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        print("training", flush=True)


def main(argv):
    backup, out, save_freq = argv[:3]
    save_freq = save_freq if save_freq == "epoch" else int(save_freq)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(480, 20)).astype("float32")
    y = (x[:, :3].argmax(axis=1) + (x[:, 3] > 1)) % 3
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
    callbacks = [Announce(), keras.callbacks.BackupAndRestore(backup, save_freq)]
    if len(argv) > 3:
        killer = KillAt(int(argv[3]))
        after = len(argv) > 4 and argv[4] == "AFTER"
        callbacks.insert(2 if after else 1, killer)
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
