"""`python -m lamina demo` trains on the real MNIST, saves the model and a plot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lamina.demo import SHARED_DATA


@pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(),
                    reason="the real MNIST files are not in ../shared/data/mnist")
def test_demo_runs_offline_and_writes_outputs(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "lamina", "demo", "--epochs", "1", "--limit", "2000",
         "--verbose", "2", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.split("Test accuracy: ")[1].split()[0])
    assert accuracy > 0.5
    assert (tmp_path / "out" / "mnist_mlp.keras").stat().st_size > 0
    out = Path(tmp_path / "out")
    if "No learning-curve plot" not in result.stdout:
        assert (out / "mnist_mlp_history.png").stat().st_size > 0
