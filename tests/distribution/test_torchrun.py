"""Data-parallel `fit` for real: ``torchrun --nproc_per_node=2`` (gloo, CPU)
against the same script in one process (`ddp_script.py`).

Each run starts two Python processes that import torch and lamina (~10-20 s
on two cores), so these tests are slow-marked; `.ci/run` runs them.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest

pytestmark = pytest.mark.slow

SCRIPT = pathlib.Path(__file__).with_name("ddp_script.py")


def run(scenario: str, out: pathlib.Path, processes: int, timeout=240, **env):
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(SCRIPT), scenario, str(out)]
    if processes > 1:
        command[1:1] = [
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={processes}",
            # The agent would end rank 0 as soon as rank 1 dies; the kill test
            # wants to see rank 0 stop by itself.
            "--monitor-interval=60",
        ]
    environment = {
        k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE")
    }
    environment.update(OMP_NUM_THREADS="1", **env)
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=timeout
    )
    return done, [
        json.loads(path.read_text()) for path in sorted(out.glob("rank*.json"))
    ]


@pytest.fixture(scope="module")
def train_runs(tmp_path_factory):
    single, (alone,) = run("train", tmp_path_factory.mktemp("one"), 1)[0:2]
    out = tmp_path_factory.mktemp("two")
    done, ranks = run("train", out, 2)
    assert done.returncode == 0, done.stderr[-3000:]
    return alone, ranks, out


def test_two_processes_train_to_the_single_process_weights(train_runs):
    alone, (rank0, rank1), _ = train_runs
    for w_alone, w0, w1 in zip(alone["weights"], rank0["weights"], rank1["weights"]):
        np.testing.assert_array_equal(w0, w1)  # the replicas never drift apart
        # Dense kernels, biases and the synchronized BatchNormalization's
        # moving statistics after 3 epochs of 6 steps (global batch 16).
        np.testing.assert_allclose(w0, w_alone, rtol=0, atol=1e-6)


def test_history_evaluate_predict_agree_on_ranks_and_with_one_process(train_runs):
    alone, (rank0, rank1), _ = train_runs
    assert rank0["history"] == rank1["history"]
    assert rank0["evaluate"] == rank1["evaluate"]
    assert rank0["predict"] == rank1["predict"]
    assert set(rank0["history"]) == {
        "loss",
        "mae",
        "val_loss",
        "val_mae",
        "learning_rate",
    }
    for name, values in alone["history"].items():
        np.testing.assert_allclose(rank0["history"][name], values, atol=1e-6)
    np.testing.assert_allclose(rank0["evaluate"], alone["evaluate"], atol=1e-6)
    # predict gathers every rank's rows back in the order of the inputs.
    np.testing.assert_allclose(rank0["predict"], alone["predict"], atol=1e-6)
    # ReduceLROnPlateau halved the rate and EarlyStopping stopped after epoch
    # 3 (of 4), on both ranks and in one process alike.
    assert len(rank0["history"]["loss"]) == len(alone["history"]["loss"]) == 3
    assert rank0["learning_rate"] == rank1["learning_rate"] == alone["learning_rate"]
    assert rank0["learning_rate"] == pytest.approx(0.025)


def test_only_rank_0_prints_and_writes_files(train_runs):
    _, _, out = train_runs
    written = sorted(
        str(p.relative_to(out / "files_rank0"))
        for p in (out / "files_rank0").rglob("*")
        if p.is_file()
    )
    assert "ckpt.weights.h5" in written and "log.csv" in written
    assert any(name.startswith("backup") for name in written)
    assert any(name.startswith("tensorboard") for name in written)
    assert list((out / "files_rank1").rglob("*")) == []
    assert "Epoch 1/4" in (out / "stdout_rank0.txt").read_text()
    assert (out / "stdout_rank1.txt").read_text() == ""
    csv = (out / "files_rank0" / "log.csv").read_text().splitlines()
    assert len(csv) == 4  # a header and 3 epochs, written once


def test_shuffle_is_one_permutation_split_between_ranks_and_new_each_epoch(tmp_path):
    done, (rank0, rank1) = run("shuffled", tmp_path, 2)
    assert done.returncode == 0, done.stderr[-3000:]
    for epoch in range(2):
        a, b = rank0["seen"][epoch], rank1["seen"][epoch]
        assert len(a) == len(b) == 12  # 3 steps of 4 (global batch 8)
        assert sorted(a + b) == list(range(24))
    assert rank0["seen"][0] != rank0["seen"][1]


@pytest.mark.parametrize("where", ["forward", "backward"])
def test_a_dead_rank_stops_the_other_with_a_clear_error(tmp_path, where):
    # forward: synchronized BatchNormalization's all-reduce; backward: DDP's.
    start = time.monotonic()
    done, ranks = run(
        f"kill_in_{where}", tmp_path, 2, timeout=180, LAMINA_DISTRIBUTED_TIMEOUT="30"
    )
    assert time.monotonic() - start < 150
    assert len(ranks) == 1  # rank 1 died (os._exit(3) at its 6th step)
    assert "DistributedError" in ranks[0]["error_type"] + ranks[0]["error"]
    assert "Data-parallel training stopped on rank 0 of 2" in ranks[0]["error"]
    assert "another process died" in ranks[0]["error"]
    assert done.returncode != 0  # torchrun reports rank 1's exit code
