"""BackupAndRestore against kill -9: a run killed at any moment, even while it
writes its backup, and restarted until it finishes, ends with the weights and
History of a run never interrupted, bit for bit (tests/callbacks/resume_run.py
is the run: shuffled batches, dropout, Adam, an accuracy metric). With
CSVLogger(append=True) and ModelCheckpoint beside it, the restarted run also
ends with the uninterrupted run's CSV file, byte for byte, and its checkpoints;
every file left by a kill is loadable and the CSV holds whole rows only."""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from resume_run import build_model

import lamina

SCRIPT = Path(__file__).with_name("resume_run.py")


def _run(backup, out, save_freq, *kill, logs=()):
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *map(str, (backup, out, save_freq, *kill, *logs)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _same(a_path, b_path):
    a, b = np.load(a_path), np.load(b_path)
    assert sorted(a.files) == sorted(b.files)
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert list(a["epochs"]) == [0, 1, 2, 3]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    done = _run(folder / "backup", folder / "out.npz", "epoch")
    assert done.returncode == 0, done.stderr
    return folder / "out.npz"


@pytest.mark.parametrize(
    "save_freq, kills",
    [
        ("epoch", [("45", "BEFORE")]),  # mid-epoch: epoch 1 is redone from its start
        (7, [("10", "AFTER"), ("23", "BEFORE"), ("9", "AFTER")]),
    ],
)
def test_killed_runs_restarted_end_as_an_uninterrupted_run(
    tmp_path, reference, save_freq, kills
):
    backup, out = tmp_path / "backup", tmp_path / "out.npz"
    for kill in kills:
        killed = _run(backup, out, save_freq, *kill)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert (backup / "latest.weights.h5").exists()
    finished = _run(backup, out, save_freq)
    assert finished.returncode == 0, finished.stderr
    _same(out, reference)
    assert not backup.exists()


def _kill_at_random(command, wanted, window, seed, after_each_kill=lambda: None):
    """Start ``command`` again and again, each run SIGKILLed after a random time
    in [0, window) seconds once its fit began, until ``wanted`` kills landed or
    a run finished. Returns (kills, the last run's exit code)."""
    rng = random.Random(seed)
    kills, returncode = 0, None
    while kills < wanted:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "training"
        time.sleep(rng.uniform(0.0, window))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=300)
        process.stdout.close()
        returncode = process.returncode
        assert returncode in (0, -signal.SIGKILL)
        if returncode == 0:
            break
        after_each_kill()
    return kills, returncode


def _fit_seconds(command) -> float:
    """How long one whole run takes from the start of its fit."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "training"
    began = time.perf_counter()
    process.wait(timeout=300)
    process.stdout.close()
    assert process.returncode == 0
    return time.perf_counter() - began


@pytest.mark.slow
def test_random_kill_9_twenty_times_then_finish(tmp_path, reference):
    # Kills at random moments: between batches, inside an optimizer step, while
    # the backup file is written or renamed (save_freq=2 saves often).
    backup, out = tmp_path / "backup", tmp_path / "out.npz"
    command = [sys.executable, str(SCRIPT), str(backup), str(out), "2"]

    fit_seconds = _fit_seconds(command)  # a whole run (its backup removed at the end)
    # Each run lives a random fraction of a whole fit's time, so about twenty
    # kills land before training could finish.
    kills, returncode = _kill_at_random(command, 20, fit_seconds / 12, seed=1234)
    if returncode != 0:
        finished = _run(backup, out, 2)
        assert finished.returncode == 0, finished.stderr
    print(f"{kills} kills; fit alone {fit_seconds:.2f} s")
    assert kills >= 10
    _same(out, reference)


# --- CSVLogger and ModelCheckpoint beside BackupAndRestore ------------------------


@pytest.fixture(scope="module")
def reference_logs(tmp_path_factory, reference):
    folder = tmp_path_factory.mktemp("reference_logs")
    done = _run(folder / "backup", folder / "out.npz", "epoch", logs=_logs(folder))
    assert done.returncode == 0, done.stderr
    _same(folder / "out.npz", reference)  # the callbacks change nothing
    return folder / "logs"


def _logs(folder, after=False):
    return ("--logs", folder / "logs", *(["--logs-after"] if after else []))


def _csv_epochs(path):
    """The epochs of the CSV rows; asserts whole rows only."""
    text = path.read_bytes() if path.exists() else b""
    assert not text or text.endswith(b"\r\n"), text[-80:]
    return [int(line.split(b",")[0]) for line in text.splitlines()[1:]]


def _weights(logs, name):
    """The weights in a checkpoint file (which must load)."""
    if name.endswith(".keras"):
        return lamina.models.load_model(logs / name).get_weights()
    model = build_model()
    model.load_weights(logs / name)
    return model.get_weights()


def _check_files_left_by_a_kill(logs):
    epochs = _csv_epochs(logs / "log.csv")
    assert epochs == list(range(len(epochs)))
    for name in ("best.weights.h5", "last.keras", "often.weights.h5"):
        if (logs / name).exists():
            _weights(logs, name)


def _same_logs(logs, reference_logs, best=True):
    assert (logs / "log.csv").read_bytes() == (reference_logs / "log.csv").read_bytes()
    # best.weights.h5 keeps the first epoch only (largest loss): a restart
    # must not replace it with its own first epoch.
    names = ["last.keras"] + (["best.weights.h5"] if best else [])
    for name in names:
        for ours, theirs in zip(_weights(logs, name), _weights(reference_logs, name)):
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
    # Saved by batch count, which restarts with the process (as in Keras):
    # the last save may come from another batch; it must load.
    _weights(logs, "often.weights.h5")


@pytest.mark.parametrize(
    "save_freq, after, kills",
    [
        # The epoch's row and checkpoints written, the backup not: the epoch is
        # redone, its first row dropped.
        ("epoch", False, [("1", "EPOCH")]),
        # The backup written, the row not: the row comes from the History.
        ("epoch", True, [("1", "EPOCH")]),
        (7, False, [("23", "BEFORE"), ("2", "EPOCH"), ("12", "AFTER")]),
    ],
)
def test_killed_runs_keep_the_csv_log_and_checkpoints(
    tmp_path, reference_logs, save_freq, after, kills
):
    backup, out = tmp_path / "backup", tmp_path / "out.npz"
    logs = _logs(tmp_path, after)
    for kill in kills:
        killed = _run(backup, out, save_freq, *kill, logs=logs)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        _check_files_left_by_a_kill(tmp_path / "logs")
    finished = _run(backup, out, save_freq, logs=logs)
    assert finished.returncode == 0, finished.stderr
    _same_logs(tmp_path / "logs", reference_logs)


@pytest.mark.slow
@pytest.mark.parametrize("after", [False, True], ids=["logs_first", "backup_first"])
def test_random_kill_9_ten_times_each_order_keeps_the_csv_log_and_checkpoints(
    tmp_path, reference_logs, after
):
    # save_freq=2 and checkpoints every 5 batches: kills land inside backups,
    # checkpoint saves and CSV writes as well as between them.
    timing = tmp_path / "timing"
    fit_seconds = _fit_seconds(
        [sys.executable, str(SCRIPT)]
        + [
            str(v)
            for v in (timing / "backup", timing / "out.npz", 2, *_logs(timing, after))
        ]
    )
    backup, out, logs = (
        tmp_path / "backup",
        tmp_path / "out.npz",
        _logs(tmp_path, after),
    )
    command = [sys.executable, str(SCRIPT), *map(str, (backup, out, 2, *logs))]
    kills, returncode = _kill_at_random(
        command,
        10,
        fit_seconds / 6,
        seed=4321 + after,
        after_each_kill=lambda: _check_files_left_by_a_kill(tmp_path / "logs"),
    )
    if returncode != 0:
        finished = _run(backup, out, 2, logs=logs)
        assert finished.returncode == 0, finished.stderr
    print(f"{kills} kills")
    assert kills >= 5
    _same(out, reference_logs.parent / "out.npz")
    # Backup first: a kill between the backup and the checkpoint at the end of
    # epoch 0 loses that epoch's best checkpoint for good (documented).
    _same_logs(tmp_path / "logs", reference_logs, best=not after)
