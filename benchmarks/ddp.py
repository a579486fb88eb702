"""Data-parallel fit on this CPU: samples/s with 1 and 2 gloo processes.

    python benchmarks/ddp.py                 # figures (run on a quiet machine)
    python benchmarks/ddp.py --smoke         # a few steps, to check it runs

The tutorial MLP (``bench_models.mlp``) trains the same global batch (128)
either in one process or split over ``torchrun --nproc_per_node=2`` (64 per
process, gradients averaged by DistributedDataParallel over gloo). Each
process gets ``threads / processes`` torch threads, so both runs use the same
cores. The first epoch is a warm-up; samples/s is measured over the rest.
Prints one line per run and the scaling ratio (2-process samples/s divided by
1-process samples/s; 2.0 would be perfect scaling).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))


def worker(samples: int, epochs: int, threads: int, out: str) -> None:
    """One process's run (under torchrun when there are several)."""
    import bench_models
    import torch

    import lamina

    torch.set_num_threads(threads)
    data = bench_models.make_data("mlp", samples)
    model = bench_models.keras_model(lamina, "mlp")

    class Clock(lamina.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.start = time.perf_counter()

    clock = Clock()
    model.fit(
        data["x"],
        data["y"],
        batch_size=bench_models.BATCH_SIZES["mlp"],
        epochs=epochs,
        verbose=0,
        callbacks=[clock],
    )
    seconds = time.perf_counter() - clock.start
    if int(os.environ.get("RANK", 0)) == 0:
        with open(out, "w") as f:
            json.dump({"samples_per_s": samples * (epochs - 1) / seconds}, f)


def run(processes: int, samples: int, epochs: int, threads: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        args = [__file__, "--worker", str(samples), str(epochs)]
        args += [str(max(1, threads // processes)), out]
        command = [sys.executable, *args]
        if processes > 1:
            command = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                "--standalone",
                f"--nproc_per_node={processes}",
                *args,
            ]
        env = dict(os.environ, OMP_NUM_THREADS=str(max(1, threads // processes)))
        subprocess.run(command, check=True, env=env, capture_output=True, text=True)
        with open(out) as f:
            return json.load(f)["samples_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few steps only")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        samples, epochs, threads, out = args.worker
        worker(int(samples), int(epochs), int(threads), out)
        return
    samples, epochs = (1024, 2) if args.smoke else (12800, 4)
    rates = {}
    for processes in (1, 2):
        rates[processes] = run(processes, samples, epochs, args.threads)
        kind = "1 process" if processes == 1 else f"{processes} gloo processes"
        print(
            f"mlp, {kind}, {args.threads} threads in all: "
            f"{rates[processes]:,.0f} samples/s"
        )
    print(f"scaling ratio (2 processes / 1): {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
