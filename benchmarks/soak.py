"""Soak test: many cycles of fit / evaluate / predict / save / load on one model.

Runs the tutorial MNIST MLP (784-512x3-10, dropout, RMSprop; `lamina.demo`) on
small synthetic data, `--cycles` times: `fit` (1 epoch), `evaluate`, `predict`,
`save` to a `.keras` file, `load_model` of it (the loaded model is the next
cycle's model). It reports the process's resident memory (RSS, after
`malloc_trim`, and raw), open file descriptors and threads at the start, after
the warm-up cycles and at the end:
after warm-up, memory should stay flat (growth under 5%) and no descriptor or
thread should be left behind.

    python benchmarks/soak.py --cycles 500 --json soak.json

Not a speed benchmark; on a shared machine the figures are still meaningful
(memory and descriptors do not depend on contention). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_bytes() -> int:
    """Resident memory of this process, from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def open_fds() -> list[str]:
    """What this process's descriptors point at (files, sockets, pipes)."""
    folder = "/proc/self/fd"
    targets = []
    for fd in os.listdir(folder):
        try:
            targets.append(os.readlink(os.path.join(folder, fd)))
        except OSError:
            pass  # the descriptor listdir itself used, closed meanwhile
    return sorted(targets)


def os_threads() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return threading.active_count()


def release_freed_memory() -> None:
    """Return memory that glibc's malloc keeps after `free` to the system.

    torch's CPU tensors come from malloc; freed blocks stay in malloc's arenas
    (RSS) until trimmed, so raw RSS creeps up with fragmentation even when no
    object is leaked. Measured after a trim, RSS is the memory in use.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: raw RSS only


def snapshot(label: str, cycle: int, started: float) -> dict:
    gc.collect()
    raw = rss_bytes()
    release_freed_memory()
    return {
        "at": label,
        "cycle": cycle,
        "seconds": round(time.perf_counter() - started, 2),
        "rss_raw_mb": round(raw / 2**20, 1),
        "rss_mb": round(rss_bytes() / 2**20, 1),
        "open_fds": len(open_fds()),
        "threads": os_threads(),
        "python_threads": threading.active_count(),
    }


def run(cycles: int = 500, warmup: int = 20, samples: int = 512, seed: int = 0):
    """Runs the soak and returns the snapshots and the descriptors left open.

    Returns:
        `{"snapshots": [start, after warm-up, end], "rss_growth_after_warmup":
        fraction, "leaked_fds": [targets open at the end but not after
        warm-up]}`.
    """
    import lamina
    from lamina.demo import build_model

    lamina.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, samples)]
    started = time.perf_counter()
    snapshots = [snapshot("start", 0, started)]
    fds_after_warmup: list[str] = []
    model = build_model()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "soak.keras")
        for cycle in range(1, cycles + 1):
            model.fit(x, y, batch_size=128, epochs=1, verbose=0)
            model.evaluate(x, y, batch_size=128, verbose=0)
            model.predict(x, batch_size=128, verbose=0)
            model.save(path)
            model = lamina.models.load_model(path)
            if cycle == min(warmup, cycles):
                snapshots.append(snapshot("after warm-up", cycle, started))
                fds_after_warmup = open_fds()
        snapshots.append(snapshot("end", cycles, started))
        fds_end = open_fds()
    leaked = sorted(set(fds_end) - set(fds_after_warmup))
    rss_warm, rss_end = snapshots[1]["rss_mb"], snapshots[-1]["rss_mb"]
    return {
        "cycles": cycles,
        "warmup": warmup,
        "snapshots": snapshots,
        "rss_growth_after_warmup": round((rss_end - rss_warm) / rss_warm, 4),
        "fd_growth_after_warmup": len(fds_end) - len(fds_after_warmup),
        "leaked_fds": leaked,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args(argv)
    report = run(args.cycles, args.warmup, args.samples)
    print(
        f"{'at':<14} {'cycle':>6} {'s':>8} {'RSS MB':>8} {'raw RSS':>8} {'fds':>5} "
        f"{'threads':>8}"
    )
    for snap in report["snapshots"]:
        print(
            f"{snap['at']:<14} {snap['cycle']:>6} {snap['seconds']:>8} "
            f"{snap['rss_mb']:>8} {snap['rss_raw_mb']:>8} {snap['open_fds']:>5} "
            f"{snap['threads']:>8}"
        )
    print(
        f"RSS growth after warm-up: {report['rss_growth_after_warmup']:.2%}; "
        f"descriptors left open: {report['leaked_fds'] or 'none'}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
