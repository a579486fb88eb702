"""One benchmark process: one implementation, one or more model configurations.

compare.py and sweep.py start it, once per implementation and model (so each
has its own process, memory and warm-up), and read the JSON line it prints
last. It runs under lamina's Python or, for the Keras rows, under Keras's own
(with ``KERAS_BACKEND`` set), so it imports only what its implementation needs.

    python benchmarks/worker.py --impl lamina --configs '[{"model": "mlp", "steps": 10}]'

Implementations: ``lamina``, ``lamina-jit`` (``compile(jit_compile=True)``),
``torch`` (a hand-written loop, flush-denormal on), ``torch-compile`` (the same
with ``torch.compile`` on the model and the optimizer step), ``keras`` (Keras 3
on ``KERAS_BACKEND``, Keras's default ``jit_compile``), and ``gemm``
(torch.matmul's FLOP/s at the MLP's step shapes).

A configuration: ``model``, ``batch_size`` (default: the model's own), ``width``
(MLP hidden width), ``steps`` (per epoch), ``epochs`` (steady epochs after the
first), ``predict`` (false: fit only), ``predict_repeats`` (timed calls after
the first). Per configuration it reports each epoch's time
(the first one includes every warm-up: building, tracing, compiling), the best
steady epoch, the predict times (the first call apart) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import bench_models

RESULT_PREFIX = "RESULT "
IMPLS = ("lamina", "lamina-jit", "torch", "torch-compile", "keras", "gemm")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _summary(config, n, epoch_times, predict_times) -> dict:
    """The figures compare.py and sweep.py read, from raw timings."""
    steady = min(epoch_times[1:]) if len(epoch_times) > 1 else epoch_times[0]
    predict_best = min(predict_times[1:]) if len(predict_times) > 1 else None
    return {
        **config,
        "samples": n,
        "epoch_s": epoch_times,
        "first_epoch_s": epoch_times[0],
        "steady_epoch_s": steady,
        "warmup_s": epoch_times[0] - steady,
        "fit_samples_per_s": n / steady,
        "predict_s": predict_times,
        "predict_samples_per_s": n / predict_best if predict_best else None,
        "peak_rss_mb": peak_rss_mb(),
    }


# ---------------------------------------------------------------- Keras API


def run_keras_api(keras, config, jit_compile=None) -> dict:
    """lamina or Keras 3: ``fit`` once for all epochs, timing each epoch."""
    name, batch_size = config["model"], config["batch_size"]
    data = bench_models.make_data(name, config["steps"] * batch_size)
    keras.utils.set_random_seed(0)
    model = bench_models.keras_model(keras, name, config["width"], jit_compile)

    class EpochTimer(keras.callbacks.Callback):
        # Epoch ends only: a callback with batch hooks would cost per step. Keras
        # reads the logs back at each epoch's end, so queued work is done by then.
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())

    ends = [time.perf_counter()]
    model.fit(
        data["x"],
        data["y"],
        batch_size=batch_size,
        epochs=1 + config["epochs"],
        verbose=0,
        callbacks=[EpochTimer()],
    )
    epoch_times = [b - a for a, b in zip(ends, ends[1:])]
    predict_times = []
    for _ in range(1 + config["predict_repeats"] if config["predict"] else 0):
        start = time.perf_counter()
        model.predict(data["x"], batch_size=batch_size, verbose=0)
        predict_times.append(time.perf_counter() - start)
    return _summary(config, len(data["x"]), epoch_times, predict_times)


# ---------------------------------------------------------------- raw torch


def run_torch(config, compiled: bool) -> dict:
    """A hand-written torch loop: shuffle, slice, forward, loss, backward, step."""
    import torch
    import torch_models

    name, batch_size = config["model"], config["batch_size"]
    device = torch.device(
        os.environ.get("LAMINA_DEVICE")
        or ("cuda" if torch.cuda.is_available() else "cpu")
    )
    data = bench_models.make_data(name, config["steps"] * batch_size)
    torch.manual_seed(0)
    model, loss_fn, make_optimizer, output_fn = torch_models.torch_model(
        name, config["width"]
    )
    model = model.to(device)
    optimizer = make_optimizer(model.parameters())
    forward, optimizer_step = model, optimizer.step
    if compiled:
        forward = torch.compile(model)
        optimizer_step = torch.compile(optimizer.step)
    x = torch_models.torch_inputs(name, data["x"]).to(device)
    y = torch.from_numpy(data["y_torch"]).to(device)
    n = x.shape[0]

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    epoch_times = []
    for _ in range(1 + config["epochs"]):
        start = time.perf_counter()
        model.train()
        perm = torch.randperm(n, device=device)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(forward(x[idx]), y[idx])
            loss.backward()
            optimizer_step()
        sync()
        epoch_times.append(time.perf_counter() - start)

    predict_times = []
    for _ in range(1 + config["predict_repeats"] if config["predict"] else 0):
        start = time.perf_counter()
        model.eval()
        with torch.inference_mode():
            outputs = [
                output_fn(forward(x[i : i + batch_size]))
                for i in range(0, n, batch_size)
            ]
            torch.cat(outputs).cpu().numpy()
        predict_times.append(time.perf_counter() - start)
    return _summary(config, n, epoch_times, predict_times)


def run_gemm(config) -> dict:
    import torch_models

    width, batch_size = config["width"], config["batch_size"]
    return {
        **config,
        "gemm_flops_per_s": torch_models.mlp_gemm_peak(width, batch_size),
        "flops_per_sample": bench_models.mlp_flops_per_sample(width),
        "peak_rss_mb": peak_rss_mb(),
    }


# ---------------------------------------------------------------- main


def full_config(config: dict) -> dict:
    """``config`` with every default filled in."""
    name = config["model"]
    return {
        "model": name,
        "batch_size": config.get("batch_size") or bench_models.BATCH_SIZES[name],
        "width": config.get("width") or bench_models.MLP_WIDTH,
        "steps": config.get("steps", 50),
        "epochs": config.get("epochs", 2),
        "predict_repeats": config.get("predict_repeats", 2),
        "predict": config.get("predict", True),
    }


def run(impl: str, configs: list[dict], threads: int | None) -> list[dict]:
    on_torch = impl != "keras" or os.environ.get("KERAS_BACKEND") == "torch"
    if on_torch:  # Keras on JAX never imports torch: its RSS stays its own
        import torch

        if threads:
            torch.set_num_threads(threads)
        if impl in ("torch", "torch-compile"):
            torch.set_flush_denormal(True)  # as lamina, TensorFlow and JAX do
    keras = None
    if impl in ("lamina", "lamina-jit"):
        import lamina as keras
    elif impl == "keras":
        import keras
    results = []
    for config in map(full_config, configs):
        if impl == "gemm":
            results.append(run_gemm(config))
        elif impl in ("torch", "torch-compile"):
            results.append(run_torch(config, compiled=impl == "torch-compile"))
        else:
            jit = True if impl == "lamina-jit" else None
            results.append(run_keras_api(keras, config, jit_compile=jit))
    return results


def versions() -> dict:
    """The versions of what this process imported, for the report."""
    found = {"python": sys.version.split()[0]}
    for name in ("lamina", "keras", "torch", "jax", "numpy"):
        module = sys.modules.get(name)
        if module is not None:
            found[name] = getattr(module, "__version__", "?")
    return found


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=IMPLS, required=True)
    parser.add_argument("--configs", required=True, help="a JSON list of configs")
    parser.add_argument("--threads", type=int, help="torch's intra-op threads")
    args = parser.parse_args(argv)
    results = run(args.impl, json.loads(args.configs), args.threads)
    sys.stdout.flush()
    report = {"versions": versions(), "results": results}
    print(RESULT_PREFIX + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
