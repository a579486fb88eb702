"""CSVLogger and ModelCheckpoint when a run resumes with BackupAndRestore: the
CSV file's repairs (a torn last row, the rows of epochs a resumed run redoes,
the rows a kill left out) on hand-written files, and `best` taken from the
restored History. The kill -9 runs are in test_backup_and_restore_kill.py."""

from __future__ import annotations

import os
from types import SimpleNamespace

from lamina.callbacks import CSVLogger, History, ModelCheckpoint

HEADER = b"epoch,loss,val_loss\r\n"  # val_ reserved, as in Keras


def _model(resumed_history=None):
    """The attributes the callbacks read; `resumed_history` (epoch -> loss)
    stands for BackupAndRestore with the History it restored."""
    model = SimpleNamespace(name="model", stop_training=False)
    if resumed_history is not None:
        model._epoch_hook = lambda batches: 0
        history = History()
        history.epoch = list(resumed_history)
        history.history = {"loss": list(resumed_history.values())}
        model._history_callback = history
    return model


def _log(path, model, epochs):
    logger = CSVLogger(path, append=True)
    logger.set_model(model)
    logger.on_train_begin()
    for epoch, loss in epochs.items():
        logger.on_epoch_end(epoch, {"loss": loss})
    logger.on_train_end()


def test_a_torn_last_row_is_dropped_before_appending(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + b"0,0.5,NA\r\n1,0.2")  # killed inside a write
    _log(path, _model(), {1: 0.25})
    assert path.read_bytes() == HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n"


def test_a_torn_header_is_written_again(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"epoch,lo")  # killed while writing the header
    _log(path, _model(), {0: 0.5})
    assert path.read_bytes() == HEADER + b"0,0.5,NA\r\n"


def test_without_backup_and_restore_rows_are_appended_as_in_keras(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n")
    inode = os.stat(path).st_ino
    _log(path, _model(), {0: 0.75})
    assert path.read_bytes() == HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n0,0.75,NA\r\n"
    assert os.stat(path).st_ino == inode  # appended, not rewritten


def test_a_resumed_run_drops_the_rows_of_the_epochs_it_redoes(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n2,0.125,NA\r\n")
    _log(path, _model({0: 0.5}), {1: 0.375, 2: 0.25})
    assert path.read_bytes() == HEADER + b"0,0.5,NA\r\n1,0.375,NA\r\n2,0.25,NA\r\n"


def test_a_resumed_run_writes_the_rows_a_kill_left_out_from_history(tmp_path):
    # Killed after the backup of epochs 1 and 2 and before their rows.
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + b"0,0.5,NA\r\n1,0.2")
    _log(path, _model({0: 0.5, 1: 0.25, 2: 0.125}), {3: 0.0625})
    assert path.read_bytes() == (
        HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n2,0.125,NA\r\n3,0.0625,NA\r\n"
    )


def test_a_resumed_run_leaves_a_whole_file_in_place(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n")
    inode = os.stat(path).st_ino
    _log(path, _model({0: 0.5, 1: 0.25}), {2: 0.125})
    assert path.read_bytes() == HEADER + b"0,0.5,NA\r\n1,0.25,NA\r\n2,0.125,NA\r\n"
    assert os.stat(path).st_ino == inode


def test_rows_that_are_not_epochs_are_kept(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(HEADER + b"0,0.5,NA\r\nnote,x\r\n1,0.25,NA\r\n")
    _log(path, _model({0: 0.5}), {1: 0.375})
    assert path.read_bytes() == HEADER + b"0,0.5,NA\r\nnote,x\r\n1,0.375,NA\r\n"


def _checkpoint_saves(tmp_path, model, loss):
    model.save_weights = lambda filepath, overwrite=True: open(filepath, "w").close()
    path = tmp_path / "best.weights.h5"
    checkpoint = ModelCheckpoint(
        path, monitor="loss", mode="min", save_best_only=True, save_weights_only=True
    )
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    checkpoint.on_epoch_begin(2)
    checkpoint.on_epoch_end(2, {"loss": loss})
    return path.exists(), checkpoint.best


def test_checkpoint_best_comes_from_the_restored_history(tmp_path):
    # The resumed run's first epoch is worse than epoch 1: no save.
    assert _checkpoint_saves(tmp_path, _model({0: 0.5, 1: 0.25}), 0.375) == (
        False,
        0.25,
    )


def test_checkpoint_best_restored_still_saves_an_improvement(tmp_path):
    assert _checkpoint_saves(tmp_path, _model({0: 0.5, 1: 0.25}), 0.125) == (
        True,
        0.125,
    )


def test_checkpoint_without_backup_and_restore_starts_from_no_best(tmp_path):
    assert _checkpoint_saves(tmp_path, _model(), 0.375) == (True, 0.375)
