"""Training samples/s on one device: lamina's modes against raw torch, in one process.

    python benchmarks/gpu.py                                  # CUDA, figures
    python benchmarks/gpu.py --device cpu --steps 2 --epochs 1 --models mlp   # smoke

For each model (the tutorial MLP, the CIFAR-10 CNN, the IMDB LSTM of
``bench_models.py``) and each implementation, one ``fit`` of ``1 + --epochs``
epochs of ``--steps`` batches; the first epoch is the warm-up (building,
tracing, compiling, cuDNN autotuning) and samples/s is taken from the best of
the others. Implementations, all in this process, one after the other:

- ``lamina``: ``model.fit`` as a user writes it;
- ``lamina-jit``: ``compile(jit_compile=True)`` (torch.compile of the step);
- ``lamina-mixed``: the ``mixed_float16`` policy on CUDA (with the
  LossScaleOptimizer ``compile`` adds), ``mixed_bfloat16`` on the CPU;
- ``torch``: a hand-written loop on the torch twin of the model (``torch_models.py``);
- ``torch-compile``: the same loop with ``torch.compile`` on the model and the
  optimizer's step.

The loops are ``worker.py``'s (its ``run_keras_api`` and ``run_torch``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

MODELS = ("mlp", "cnn", "lstm")
IMPLS = ("lamina", "lamina-jit", "lamina-mixed", "torch", "torch-compile")


def mixed_policy(device: str) -> str:
    return "mixed_float16" if device.startswith("cuda") else "mixed_bfloat16"


def run_one(impl: str, config: dict, device: str) -> dict:
    """One implementation on one model configuration: worker.py's figures."""
    import torch
    import worker

    import lamina

    torch._dynamo.reset()  # each compiled run starts from empty caches
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    if impl in ("torch", "torch-compile"):
        result = worker.run_torch(config, compiled=impl == "torch-compile")
    else:
        policy = mixed_policy(device) if impl == "lamina-mixed" else "float32"
        lamina.mixed_precision.set_global_policy(policy)
        try:
            jit = True if impl == "lamina-jit" else None
            result = worker.run_keras_api(lamina, config, jit_compile=jit)
        finally:
            lamina.mixed_precision.set_global_policy("float32")
        result["policy"] = policy
    if device.startswith("cuda"):
        result["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return result


def device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return platform.processor() or platform.machine()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda, cuda:1, cpu, ...")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--impls", default=",".join(IMPLS))
    parser.add_argument("--steps", type=int, default=100, help="batches per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs")
    parser.add_argument("--threads", type=int, help="torch's CPU threads")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    models = args.models.split(",")
    impls = args.impls.split(",")
    for name, allowed in (("model", MODELS), ("implementation", IMPLS)):
        chosen = models if name == "model" else impls
        unknown = sorted(set(chosen) - set(allowed))
        if unknown:
            parser.error(f"unknown {name}(s) {unknown}; choose from {list(allowed)}")
    # lamina and worker.run_torch both read the device from LAMINA_DEVICE.
    os.environ["LAMINA_DEVICE"] = args.device
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.exit(2, "gpu.py: this machine has no CUDA device (try --device cpu)\n")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # as lamina does; the torch loops too
    import worker

    rows = []
    print(f"{'model':<6} {'implementation':<14} {'samples/s':>11} {'vs torch':>8}")
    for model in models:
        config = worker.full_config(
            {"model": model, "steps": args.steps, "epochs": args.epochs}
        )
        config["predict"] = False
        results = {impl: run_one(impl, config, args.device) for impl in impls}
        torch_speed = results.get("torch", {}).get("fit_samples_per_s")
        for impl, result in results.items():
            speed = result["fit_samples_per_s"]
            ratio = f"{speed / torch_speed:8.2f}" if torch_speed else f"{'-':>8}"
            print(f"{model:<6} {impl:<14} {speed:>11,.0f} {ratio}", flush=True)
            rows.append({"impl": impl, **result})
    report = {
        "device": args.device,
        "device_name": device_name(args.device),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "settings": {"steps": args.steps, "epochs": args.epochs},
        "results": rows,
    }
    print(f"device: {report['device_name']} ({args.device})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
