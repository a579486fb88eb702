"""Multi-process fit on this CPU: samples/s with 1 and 2 gloo processes.

    python benchmarks/ddp.py                 # figures (run on a quiet machine)
    python benchmarks/ddp.py --smoke         # a few steps, to check it runs

The tutorial MLP (``bench_models.mlp``) trains the same global batch (128)
either in one process or split over ``torchrun --nproc_per_node=2`` (64 per
process), once data-parallel (DistributedDataParallel averages the
gradients) and once under ``ModelParallel`` (FSDP2 shards the variables,
gradients and optimizer state). Each process gets ``threads / processes``
torch threads, so every run uses the same cores. The first epoch is a
warm-up; samples/s is measured over the rest. Prints one line per run with
the bytes of weights, gradients and optimizer state one process holds once
the model is made, during a step and after fit, and the scaling ratios
(2-process samples/s divided by 1-process samples/s; 2.0 would be perfect
scaling).
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


def worker(samples: int, epochs: int, threads: int, out: str, mode: str) -> None:
    """One process's run (under torchrun when there are several)."""
    import bench_models
    import torch

    import lamina

    torch.set_num_threads(threads)
    if mode == "model":
        mesh = lamina.distribution.DeviceMesh(
            (len(lamina.distribution.list_devices()),), ["model"]
        )
        lamina.distribution.set_distribution(
            lamina.distribution.ModelParallel(
                layout_map=lamina.distribution.LayoutMap(mesh),
                batch_dim_name="model",
            )
        )
    data = bench_models.make_data("mlp", samples)
    model = bench_models.keras_model(lamina, "mlp")
    built = held_bytes(model)

    class Clock(lamina.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.held = held_bytes(model)

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
            json.dump(
                {
                    "samples_per_s": samples * (epochs - 1) / seconds,
                    "held_bytes": clock.held,
                    "held_built": built,
                    "held_after": held_bytes(model),
                },
                f,
            )


def held_bytes(model) -> int:
    """Bytes of storage this process holds for the weights, gradients and
    optimizer state: a sharded tensor's local part; under ModelParallel, a
    variable made as its part only (before the model is first sharded) counts
    that part, and one whose value is sharded away its one element."""
    tensors = list(model.parameters()) + list(model.weights)
    tensors += [p.grad for p in model.parameters() if p.grad is not None]
    parts = [getattr(w, "_sharding", None) for w in model.weights]
    tensors += [p.part for p in parts if hasattr(p, "part")]
    if model.optimizer is not None and model.optimizer.built:
        tensors += list(model.optimizer.variables)
    storages = {}
    for t in tensors:
        local = t.to_local() if hasattr(t, "to_local") else t
        storage = local.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
    return sum(storages.values())


def run(processes: int, samples: int, epochs: int, threads: int, mode: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        args = [__file__, "--worker", str(samples), str(epochs)]
        args += [str(max(1, threads // processes)), out, mode]
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
            return json.load(f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few steps only")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        samples, epochs, threads, out, mode = args.worker
        worker(int(samples), int(epochs), int(threads), out, mode)
        return
    samples, epochs = (1024, 2) if args.smoke else (12800, 4)
    results = {}
    runs = {
        "1 process": (1, "data"),
        "2 gloo processes, data-parallel": (2, "data"),
        "2 gloo processes, ModelParallel (FSDP2)": (2, "model"),
    }
    for kind, (processes, mode) in runs.items():
        results[kind] = run(processes, samples, epochs, args.threads, mode)
        print(
            f"mlp, {kind}, {args.threads} threads in all: "
            f"{results[kind]['samples_per_s']:,.0f} samples/s, "
            f"{results[kind]['held_bytes'] / 2**20:.1f} MiB of weights, "
            "gradients and optimizer state per process during a step "
            f"({results[kind]['held_built'] / 2**20:.1f} MiB once made, "
            f"{results[kind]['held_after'] / 2**20:.1f} MiB after fit)"
        )
    one = results["1 process"]["samples_per_s"]
    for kind in list(runs)[1:]:
        print(
            f"scaling ratio ({kind} / 1 process): {results[kind]['samples_per_s'] / one:.2f}"
        )


if __name__ == "__main__":
    main()
