"""The benchmark scripts run end to end in their quickest mode and write what
benchmarks/README.md says they write (the figures themselves are not checked:
this is a smoke test, on a machine that may be busy)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks")
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def run_script(name: str, *args: str, cwd) -> str:
    done = subprocess.run(
        [sys.executable, os.path.join(BENCHMARKS, name), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def positive(value) -> bool:
    return isinstance(value, (int, float)) and value > 0


def test_compare_quickest(tmp_path):
    out, png = tmp_path / "compare.json", tmp_path / "compare.png"
    stdout = run_script(
        "compare.py",
        *("--models", "mlp", "--impls", "lamina,torch", "--rounds", "1"),
        *("--steps", "2", "--epochs", "1", "--predict-repeats", "1"),
        *("--threads", "1", "--json", str(out), "--png", str(png)),
        cwd=tmp_path,
    )
    assert "GEMM %" in stdout
    result = json.loads(out.read_text())
    assert set(result) >= {"machine", "settings", "versions", "skipped", "models"}
    assert result["skipped"] == {} and result["failed"] == {}
    assert set(result["versions"]) == {"lamina", "torch"}
    mlp = result["models"]["mlp"]
    assert mlp["batch_size"] == 128 and mlp["samples_per_epoch"] == 256
    assert mlp["flops_per_sample"] == 4_782_080
    assert positive(mlp["gemm_peak_flops_per_s"])
    assert set(mlp["impls"]) == {"lamina", "torch"}
    for row in mlp["impls"].values():
        for key in (
            "fit_samples_per_s",
            "predict_samples_per_s",
            "fit_vs_fastest",
            "fit_vs_torch",
            "predict_vs_fastest",
            "first_epoch_s",
            "steady_epoch_s",
            "peak_rss_mb",
            "gemm_fraction",
        ):
            assert positive(row[key]), (key, row[key])
        assert isinstance(row["warmup_s"], float)
        assert max(row["fit_vs_fastest"], row["predict_vs_fastest"]) <= 1.0
        (raw,) = row["rounds"]
        assert len(raw["epoch_s"]) == 2 and len(raw["predict_s"]) == 2
    assert mlp["impls"]["torch"]["fit_vs_torch"] == 1.0
    assert png.exists() == HAS_MATPLOTLIB


def test_sweep_quickest(tmp_path):
    out, png = tmp_path / "sweep.json", tmp_path / "sweep.png"
    run_script(
        "sweep.py",
        *("--impls", "lamina,torch", "--batch-sizes", "16,32", "--widths", "32"),
        *("--steps", "2", "--epochs", "1", "--threads", "1"),
        *("--json", str(out), "--png", str(png)),
        cwd=tmp_path,
    )
    result = json.loads(out.read_text())
    assert result["settings"]["batch_sizes"] == [16, 32]
    table = result["us_per_sample"]
    assert set(table) == {"lamina", "torch"}
    for by_width in table.values():
        assert list(by_width) == ["32"]
        assert list(by_width["32"]) == ["16", "32"]
        assert all(positive(v) for v in by_width["32"].values())
    assert png.exists() == HAS_MATPLOTLIB


def test_keras_rows_are_skipped_without_keras(tmp_path):
    """A missing Keras Python is a message, not a failure (no worker starts)."""
    stdout = run_script(
        "sweep.py",
        *("--impls", "keras-jax", "--keras-python", str(tmp_path / "none")),
        *("--widths", "32", "--batch-sizes", "16", "--json", "out.json"),
        cwd=tmp_path,
    )
    assert "skipping keras-jax: no Keras Python" in stdout
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["us_per_sample"] == {} and "keras-jax" in result["skipped"]


@pytest.mark.parametrize("name", ["mlp", "cnn", "lstm", "lstm_dropout", "wide_deep"])
def test_torch_twins_match_the_keras_models(name):
    """Each torch twin has the parameters of its lamina model (torch.nn.LSTM has
    a second, recurrent bias of 4 x 128: zero, and no extra computation)."""
    sys.path.insert(0, BENCHMARKS)
    try:
        import bench_models
        import torch_models
    finally:
        sys.path.remove(BENCHMARKS)
    import lamina

    model = bench_models.keras_model(lamina, name)
    twin = torch_models.torch_model(name)[0]
    extra = 4 * 128 if name == "lstm" else 0
    assert model.count_params() + extra == sum(p.numel() for p in twin.parameters())


@pytest.mark.parametrize(
    "impls",
    [
        "lamina,lamina-mixed,torch",
        pytest.param(
            "lamina,lamina-jit,lamina-mixed,torch,torch-compile",
            marks=pytest.mark.slow,  # two torch.compile runs
        ),
    ],
)
def test_gpu_script_on_the_cpu(tmp_path, impls):
    out = tmp_path / "gpu.json"
    stdout = run_script(
        "gpu.py",
        *("--device", "cpu", "--models", "mlp", "--impls", impls),
        *("--steps", "2", "--epochs", "1", "--threads", "1", "--json", str(out)),
        cwd=tmp_path,
    )
    assert "vs torch" in stdout and "device:" in stdout
    result = json.loads(out.read_text())
    assert result["device"] == "cpu" and result["settings"] == {"steps": 2, "epochs": 1}
    rows = {row["impl"]: row for row in result["results"]}
    assert list(rows) == impls.split(",")
    for row in rows.values():
        assert row["model"] == "mlp" and positive(row["fit_samples_per_s"])
    # Mixed precision on the CPU is bfloat16 (float16 is CUDA's).
    assert rows["lamina-mixed"]["policy"] == "mixed_bfloat16"
    assert rows["lamina"]["policy"] == "float32"


def test_gpu_script_without_cuda_says_so(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    done = subprocess.run(
        [sys.executable, os.path.join(BENCHMARKS, "gpu.py"), "--models", "mlp"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 2 and "no CUDA device" in done.stderr


def test_profile_step_quickest(tmp_path):
    out = tmp_path / "profile.json"
    printed = run_script(
        "profile_step.py",
        *("--models", "wide_deep", "--steps", "3", "--json", str(out)),
        cwd=tmp_path,
    )
    (result,) = json.loads(out.read_text())
    assert result["model"] == "wide_deep"
    assert set(result["share"]) == {
        "optimizer",
        "matrix math",
        "dropout",
        "activations",
        "loss and softmax",
        "metric updates",
        "data",
        "other aten",
        "Python and dispatch",
    }
    # The categories and "Python and dispatch" (the rest) cover the whole step.
    assert all(v >= 0 for v in result["share"].values())
    assert sum(result["share"].values()) >= 0.99
    assert "| Python and dispatch |" in printed


@pytest.mark.slow  # three runs, two of them under torchrun
def test_ddp_script_quickest(tmp_path):
    stdout = run_script("ddp.py", "--smoke", "--threads", "2", cwd=tmp_path)
    held, made, after = {}, {}, {}
    for line in stdout.splitlines():
        if line.startswith("mlp, "):
            kind = line.split(", ", 1)[1].split(", 2 threads")[0]
            held[kind] = float(line.split(" MiB")[0].rsplit(" ", 1)[1])
            made[kind] = float(line.split(" MiB once made")[0].rsplit("(", 1)[1])
            after[kind] = float(line.split(" MiB after fit")[0].rsplit(" ", 1)[1])
    assert list(held) == [
        "1 process",
        "2 gloo processes, data-parallel",
        "2 gloo processes, ModelParallel (FSDP2)",
    ]
    assert stdout.count("scaling ratio") == 2
    # Weights, gradients and RMSprop's state of the 932,362-parameter MLP:
    # whole in every data-parallel process, half each under ModelParallel.
    assert held["1 process"] == held["2 gloo processes, data-parallel"] == 10.7
    assert held["2 gloo processes, ModelParallel (FSDP2)"] == 5.3
    # ModelParallel keeps half from the moment the model is made (its 3.6 MiB
    # of weights) to after fit, when the gradients are still there.
    assert made["1 process"] == made["2 gloo processes, data-parallel"] == 3.6
    assert made["2 gloo processes, ModelParallel (FSDP2)"] == 1.8
    assert after["1 process"] == after["2 gloo processes, data-parallel"] == 10.7
    assert after["2 gloo processes, ModelParallel (FSDP2)"] == 5.3
