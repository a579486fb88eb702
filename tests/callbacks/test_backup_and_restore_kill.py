"""BackupAndRestore against kill -9: a run killed at any moment, even while it
writes its backup, and restarted until it finishes, ends with the weights and
History of a run never interrupted, bit for bit (tests/callbacks/resume_run.py
is the run: shuffled batches, dropout, Adam, an accuracy metric)."""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).with_name("resume_run.py")


def _run(backup, out, save_freq, *kill):
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(backup), str(out), str(save_freq), *kill],
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


@pytest.mark.slow
def test_random_kill_9_twenty_times_then_finish(tmp_path, reference):
    # Kills at random moments: between batches, inside an optimizer step, while
    # the backup file is written or renamed (save_freq=2 saves often).
    backup, out = tmp_path / "backup", tmp_path / "out.npz"
    command = [sys.executable, str(SCRIPT), str(backup), str(out), "2"]

    def start():
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "training"
        return process, time.perf_counter()

    process, began = start()  # the first run, timed: how long fit takes here
    process.wait(timeout=300)
    process.stdout.close()
    fit_seconds = time.perf_counter() - began
    rng = random.Random(1234)
    kills = 0
    while kills < 20:
        process, _ = start()
        # Each run lives a random fraction of a whole fit's time, so about
        # twenty kills land before training could finish.
        time.sleep(rng.uniform(0.0, fit_seconds / 12))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=300)
        process.stdout.close()
        assert process.returncode in (0, -signal.SIGKILL)
        if process.returncode == 0:
            break
    if process.returncode != 0:
        finished = _run(backup, out, 2)
        assert finished.returncode == 0, finished.stderr
    print(f"{kills} kills; fit alone {fit_seconds:.2f} s")
    assert kills >= 10
    _same(out, reference)
