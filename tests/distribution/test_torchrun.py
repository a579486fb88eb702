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


def run(
    scenario: str,
    out: pathlib.Path,
    processes: int,
    timeout=240,
    monitor_interval=60,
    **env,
):
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
            f"--monitor-interval={monitor_interval}",
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


@pytest.mark.parametrize(
    ("save_freq", "kill_at", "backed_up_at", "sharded"),
    [
        ("4", 10, {"epoch": 1, "batch": 1}, False),
        ("epoch", 9, {"epoch": 1, "batch": 0}, False),
        # ModelParallel (the first kernel split by columns): rank 0 saves the
        # backup from the weights and optimizer state every process gathers
        # at the epoch's end; on restart each loads its own parts.
        ("epoch", 9, {"epoch": 1, "batch": 0}, True),
    ],
)
def test_a_killed_job_restarted_resumes_from_the_backup_on_every_rank(
    tmp_path, save_freq, kill_at, backed_up_at, sharded
):
    # Adam, Dropout with a different seed on each rank, shuffled batches; 3
    # epochs of 6 steps. Rank 1 dies at global batch `kill_at` and torchrun
    # ends rank 0; the same command run again resumes from rank 0's backup.
    def fit(out, **env):
        if sharded:
            env["MODEL_PARALLEL"] = "1"
        return run("resumed", out, 2, monitor_interval=1, SAVE_FREQ=save_freq, **env)

    done, full = fit(tmp_path / "uninterrupted")
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "interrupted"
    done, ranks = fit(out, KILL_AT=str(kill_at))
    assert done.returncode != 0 and ranks == []
    backup = out / "backup"
    assert json.loads((backup / "training_metadata.json").read_text()) == backed_up_at
    assert sorted(p.name for p in backup.iterdir()) == [
        "latest.weights.h5",
        "training_metadata.json",
    ]
    done, resumed = fit(out)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not backup.exists()  # removed by rank 0 once training ended
    for alone, again in zip(full, resumed):
        # Each rank got back its own generators (dropout masks) and running
        # metrics: bit-identical weights, optimizer state and History.
        assert again["history"] == alone["history"]
        assert again["epochs"] == [0, 1, 2]
        for a, b in zip(
            alone["weights"] + alone["optimizer"], again["weights"] + again["optimizer"]
        ):
            np.testing.assert_array_equal(a, b)


def test_a_backup_folder_that_not_every_rank_reads_is_refused(tmp_path):
    done, _ = run(
        "resumed", tmp_path, 2, monitor_interval=1, SAVE_FREQ="4", KILL_AT="10"
    )
    assert done.returncode != 0
    # Rank 0's folder holds the backup, rank 1's nothing (no shared file system).
    (tmp_path / "backup").rename(tmp_path / "backup_rank0")
    done, ranks = run(
        "resumed",
        tmp_path,
        2,
        monitor_interval=1,
        SAVE_FREQ="4",
        BACKUP_PER_RANK="1",
        LAMINA_DISTRIBUTED_TIMEOUT="30",
    )
    assert done.returncode != 0 and ranks == []
    assert "Rank 1 found the backup in" in done.stderr
    assert "must be one folder that every process reads" in done.stderr


def test_processes_exit_cleanly_right_after_a_collective(tmp_path):
    # gloo's worker threads let go of a finished collective a moment after the
    # step goes on; a process that exited in that moment aborted (SIGABRT) in
    # about a quarter of 2-process runs before lamina's exit handler waited
    # for them. 6 runs.
    for attempt in range(6):
        done, ranks = run(
            "exit_after_step", tmp_path / str(attempt), 2, monitor_interval=0.5
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert len(ranks) == 2


def _compiled_against_eager(out: pathlib.Path, **env):
    done, eager = run("compiled", out / "eager", 2, JIT="0", **env)
    assert done.returncode == 0, done.stderr[-3000:]
    done, jit = run("compiled", out / "jit", 2, JIT="1", **env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "jit_compile" not in done.stderr  # no fallback warning
    return eager, jit


def _assert_compiled_equals_eager(eager, jit, rtol=1e-5):
    for e, j in zip(eager, jit):
        assert j["compiled"]
        # 2 epochs of 4 compiled steps and a partial (eager) one: the losses,
        # History, weights (with the synchronized BatchNormalization's
        # statistics) and evaluate of the eager DDP run.
        assert len(j["losses"]) == 10
        np.testing.assert_allclose(j["losses"], e["losses"], rtol=rtol)
        for key in ("loss", "mae"):
            np.testing.assert_allclose(j["history"][key], e["history"][key], rtol=rtol)
        for w_jit, w_eager in zip(j["weights"], e["weights"]):
            np.testing.assert_allclose(w_jit, w_eager, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(j["evaluate"], e["evaluate"], rtol=rtol)
    assert jit[0]["weights"] == jit[1]["weights"]


def test_compiled_step_under_ddp_equals_eager(tmp_path):
    # DDP's forward runs eagerly (dynamo cannot trace its reducer's logging);
    # the model's forward inside it and the loss after it are compiled.
    _assert_compiled_equals_eager(*_compiled_against_eager(tmp_path))


def test_compiled_step_under_ddp_on_cuda(tmp_path):
    if torch_cuda_devices() < 2:
        pytest.skip("needs 2 CUDA devices (NCCL)")
    eager, jit = _compiled_against_eager(tmp_path, LAMINA_DEVICE="cuda")
    _assert_compiled_equals_eager(eager, jit, rtol=1e-4)


def torch_cuda_devices() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def test_model_parallel_shards_the_variables_and_trains_as_one_process(tmp_path):
    # A MultiOptimizer (Adam for the split layer, RMSprop for the rest): built
    # on the whole variables, its state sharded with them.
    done, (alone,) = run("model_parallel", tmp_path / "one", 1, OPTIMIZER="multi")
    assert done.returncode == 0, done.stderr[-3000:]
    done, (rank0, rank1) = run("model_parallel", tmp_path / "two", 2, OPTIMIZER="multi")
    assert done.returncode == 0, done.stderr[-3000:]
    # During the batches each process held half of the wide kernel (6, 10),
    # split along its columns as the LayoutMap says; in one process, all.
    assert rank0["seen"] == rank1["seen"] == [["DTensor", [6, 5]]] * 12
    assert alone["seen"] == [["Variable", [6, 10]]] * 12
    # Reading the weights mid-epoch says why it cannot (once per epoch here).
    assert alone["refusals"] == []
    assert (
        rank0["refusals"]
        == rank1["refusals"]
        == [
            "The value of 'wide/kernel' is sharded over the processes during a "
            "ModelParallel epoch's batches: read the weights in on_epoch_end or "
            "after fit, when every process gathers them together."
        ]
        * 2
    )
    # Each process holds about half of the trainable weights from the moment
    # the model is made, and of the optimizer's state and gradients, which
    # stay sharded after fit (in DTensors). Above half: BatchNormalization's
    # statistics stay whole (80 bytes), FSDP2 pads, and each sharded-away
    # variable keeps one element (the model has 211 trainable floats).
    assert alone["parameter_types"] == ["Variable"]
    for key in ("held_built", "held"):
        assert max(rank0[key], rank1[key]) < 0.6 * alone[key], key
    for result in (rank0, rank1):
        assert result["parameter_types"] == ["DTensor", "Variable"]
        # Sharded Adam and RMSprop, synchronized BatchNormalization and a
        # layer called twice: the weights and the optimizer's state of one
        # process (2 fits: the second shards the state again).
        for got, want in zip(result["weights"], alone["weights"]):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
        for got, want in zip(result["optimizer"], alone["optimizer"]):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
        for key in ("history", "more"):
            for name, values in alone[key].items():
                np.testing.assert_allclose(result[key][name], values, atol=1e-6)
        np.testing.assert_allclose(result["evaluate"], alone["evaluate"], atol=1e-6)
        np.testing.assert_allclose(result["predict"], alone["predict"], atol=1e-6)
        # 17 rows in batches of 8: rank 1 has no row of the last batch and
        # runs its forward pass on an empty one (all gather the weights).
        np.testing.assert_allclose(
            result["predict_uneven"], alone["predict_uneven"], atol=1e-6
        )
        assert result["uneven"] == (
            "ArgumentError: The LayoutMap splits 'wide/kernel' (shape (6, 9)) "
            "along dimension 1, whose size 9 is not a multiple of the 2 "
            "processes (FSDP2 pads only the first dimension)."
        )
    assert rank0["weights"] == rank1["weights"]
    for result in (rank0, rank1):
        # First use; a model built by data; one made as parts, used whole.
        for key in ("before_fit", "lazy", "made_then_whole"):
            np.testing.assert_allclose(result[key], alone[key], atol=1e-6)
        assert result["unsharded_types"] == ["Variable"]
        for got, want in zip(result["unsharded"], alone["unsharded"]):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    # ModelCheckpoint wrote whole weights (the first fit's), on rank 0 only.
    assert "checkpoint" not in rank1
    for got, want in zip(rank0["checkpoint"], alone["checkpoint"]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_model_parallel_under_mixed_precision(tmp_path, policy="mixed_float16"):
    # FSDP2 gathers the float32 weights in the compute dtype and reduces the
    # gradients in float32 (mixed_bfloat16 takes the same path); mixed_float16
    # adds the LossScaleOptimizer, whose finiteness check meets an empty part
    # of the 1-element head bias on rank 1.
    done, (alone,) = run("model_parallel", tmp_path / "one", 1, POLICY=policy)
    assert done.returncode == 0, done.stderr[-3000:]
    done, ranks = run("model_parallel", tmp_path / "two", 2, POLICY=policy)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = "LossScaleOptimizer" if policy == "mixed_float16" else "Adam"
    assert alone["optimizer_type"] == expected
    assert ranks[0]["weights"] == ranks[1]["weights"]
    for result in ranks:
        assert result["optimizer_type"] == expected
        assert result["parameter_types"] == ["DTensor", "Variable"]
        # Half-precision sums in another order: equal to about 1e-2.
        for got, want in zip(result["weights"], alone["weights"]):
            np.testing.assert_allclose(got, want, rtol=0, atol=2e-2)
        for name, values in alone["history"].items():
            np.testing.assert_allclose(result["history"][name], values, rtol=2e-2)
