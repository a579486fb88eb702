"""Starting benchmark workers: one subprocess per implementation and model.

Shared by compare.py and sweep.py. lamina and raw torch run under this Python
with the repository on ``PYTHONPATH``; Keras 3 runs under ``--keras-python``
with ``KERAS_BACKEND`` set, from a temporary working directory (so that
nothing from the repository shadows its imports).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORKER = os.path.join(HERE, "worker.py")
DEFAULT_KERAS_PYTHON = "/tmp/kvenv/bin/python"
KERAS_BACKENDS = {"keras-jax": "jax", "keras-torch": "torch"}
ALL_IMPLS = (
    "lamina",
    "lamina-jit",
    "torch",
    "torch-compile",
    "keras-jax",
    "keras-torch",
)


def add_common_arguments(parser) -> None:
    """The options compare.py and sweep.py share."""
    parser.add_argument("--steps", type=int, default=20, help="batches per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="steady epochs")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--png", help="write the chart to this file")
    parser.add_argument("--keras-python", default=default_keras_python())
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--timeout", type=float, default=3600, help="per worker, s")


def write_outputs(args, result: dict, draw) -> None:
    """``result`` to ``--json``; the figure ``draw(plt)`` returns to ``--png``,
    titled with the machine and date."""
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
        print(f"wrote {args.json}")
    plt = pyplot() if args.png else None
    if plt is not None:
        fig = draw(plt)
        machine = result["machine"]
        fig.suptitle(
            f"{machine['cpu']}, {machine['cpu_count']} CPUs, {machine['date'][:10]}",
            fontsize=10,
        )
        fig.tight_layout()
        fig.savefig(args.png, dpi=110)
        plt.close(fig)
        print(f"wrote {args.png}")


class WorkerError(RuntimeError):
    """A worker exited without a result; the message ends with its stderr."""


def default_keras_python() -> str | None:
    return DEFAULT_KERAS_PYTHON if os.path.exists(DEFAULT_KERAS_PYTHON) else None


def split_list(text: str, known=None) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if known is not None and item not in known]
    if unknown:
        raise SystemExit(f"unknown {', '.join(unknown)}; known: {', '.join(known)}")
    return items


class Runner:
    """Runs workers for the implementations that are available here."""

    def __init__(self, keras_python: str | None, threads: int | None, timeout: float):
        self.keras_python = keras_python
        self.threads = threads
        self.timeout = timeout
        self.workdir = tempfile.mkdtemp(prefix="lamina-bench-")

    def _command(self, impl: str):
        env = dict(os.environ)
        if impl in KERAS_BACKENDS:
            env.pop("PYTHONPATH", None)
            env["KERAS_BACKEND"] = KERAS_BACKENDS[impl]
            return [self.keras_python, WORKER, "--impl", "keras"], env
        env["PYTHONPATH"] = os.pathsep.join(
            [REPO] + [p for p in [env.get("PYTHONPATH")] if p]
        )
        return [sys.executable, WORKER, "--impl", impl], env

    def missing(self, impl: str) -> str | None:
        """Why ``impl`` cannot run here, or None."""
        if impl not in KERAS_BACKENDS:
            return None
        if not self.keras_python or not os.path.exists(self.keras_python):
            return "no Keras Python (pass --keras-python /path/to/python)"
        command, env = self._command(impl)
        probe = subprocess.run(
            [command[0], "-c", "import keras"],
            env=env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
        )
        if probe.returncode:
            last = (probe.stderr.strip().splitlines() or ["?"])[-1]
            return f"keras on {KERAS_BACKENDS[impl]} does not import: {last}"
        return None

    def available(self, impls: list[str]) -> tuple[list[str], dict]:
        """The implementations that can run here, and why each other one cannot
        (also printed)."""
        skipped = {}
        for impl in impls:
            reason = self.missing(impl)
            if reason:
                print(f"skipping {impl}: {reason}")
                skipped[impl] = reason
        return [impl for impl in impls if impl not in skipped], skipped

    def run(self, impl: str, configs: list[dict]) -> dict:
        """The worker's report: ``{"versions": ..., "results": [...]}``."""
        command, env = self._command(impl)
        command += ["--configs", json.dumps(configs)]
        if self.threads:
            command += ["--threads", str(self.threads)]
        try:
            done = subprocess.run(
                command,
                env=env,
                cwd=self.workdir,
                capture_output=True,
                text=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired as error:
            raise WorkerError(f"{impl}: over the {self.timeout:.0f} s limit") from error
        for line in reversed(done.stdout.splitlines()):
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT ") :])
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise WorkerError(f"{impl}: exit status {done.returncode}\n{tail}")


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in f if "model name" in line),
                cpu,
            )
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def pyplot():
    """matplotlib's pyplot on the file-only backend, or None with a message."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install lamina[test]): no PNG")
        return None
    return plt
