"""Where a lamina training step's time goes, per benchmark model (torch.profiler).

    python benchmarks/profile_step.py --models mlp,cnn,lstm,lstm_dropout,wide_deep

For each model: `fit` one warm-up epoch, then one epoch of `--steps` batches
under `torch.profiler`; every operator's self time (on the calling thread: an
operator that runs on two threads counts once, by its wall time) goes into one
category:

- matrix math: matmul/linear/addmm and their backward, convolutions, the fused
  LSTM kernel, embedding gathers and their backward;
- optimizer: the update (`_foreach_*`, fused Adam, the compiled update);
- activations, dropout, loss and softmax, metric updates, data (the batch's
  gather/slice), and everything else (`other aten`);
- Python and dispatch: the epoch's wall time minus all operators' self time:
  lamina's and torch's Python, autograd bookkeeping, callbacks.

Prints a table of milliseconds per step and shares of the step, and writes it
with `--json`. A profile is slower than a plain run (the profiler's own cost is
in "Python and dispatch"); read the shares, not the totals.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_models  # noqa: E402

# First match wins: (category, substrings of the operator's name).
CATEGORIES = (
    (
        "optimizer",
        ("_foreach", "_fused_adam", "fused_adam", "addcdiv", "addcmul", "lerp"),
    ),
    (
        "matrix math",
        (
            "addmm",
            "aten::mm",
            ": mmbackward",
            "bmm",
            "matmul",
            "linear",
            "convolution",
            "conv2d",
            "mkldnn",
            "lstm",
            "_thnn_fused",
            "embedding",
        ),
    ),
    (
        "dropout",
        # Dropout's masks: integer draws ("random_") against a threshold
        # ("aten::ge", which the tutorial models call for nothing else).
        ("dropout", "rand_like", "uniform_", "random_", "aten::ge", "bernoulli"),
    ),
    (
        "activations",
        ("relu", "threshold", "sigmoid", "tanh", "max_pool", "pool2d", "clamp_min"),
    ),
    (
        "loss and softmax",
        ("softmax", "log_softmax", "nll_loss", "cross_entropy", "binary_cross", "log"),
    ),
    ("metric updates", ("argmax", "eq", "sum", "mean", "div_")),
    ("data", ("index_select", "randperm", "slice", "select", "copy_", "_to_copy")),
)
ORDER = [name for name, _ in CATEGORIES] + ["other aten", "Python and dispatch"]


def category(op_name: str) -> str:
    op_name = op_name.lower()
    for name, parts in CATEGORIES:
        if any(part in op_name for part in parts):
            return name
    return "other aten"


def _top_level(events):
    """The operators called from Python or by autograd, not from inside another
    operator (a `_foreach_mul_` counts whole, not as the `mul_`s it runs)."""
    for event in events:
        if not _is_operator(event.name):
            continue
        parent = event.cpu_parent
        while parent is not None and not _is_operator(parent.name):
            parent = parent.cpu_parent
        if parent is None:
            yield event


def _is_operator(name: str) -> bool:
    return name.startswith(("aten::", "autograd::engine::evaluate_function"))


def profile(name: str, steps: int, jit_compile) -> dict:
    import torch
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    import lamina

    batch_size = bench_models.BATCH_SIZES[name]
    data = bench_models.make_data(name, steps * batch_size)
    lamina.utils.set_random_seed(0)
    model = bench_models.keras_model(lamina, name, bench_models.MLP_WIDTH, jit_compile)
    fit = dict(batch_size=batch_size, verbose=0, shuffle=True)
    model.fit(data["x"], data["y"], epochs=1, **fit)  # warm-up (and compile)
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        model.fit(data["x"], data["y"], epochs=1, **fit)
        wall = time.perf_counter() - start
    totals = dict.fromkeys(ORDER, 0.0)
    operators: dict[str, float] = {}
    for event in _top_level(prof.events()):
        seconds = event.cpu_time_total / 1e6  # with the operators it calls
        totals[category(event.name)] += seconds
        operators[event.name] = operators.get(event.name, 0.0) + seconds
    busy = sum(totals.values())
    totals["Python and dispatch"] = max(wall - busy, 0.0)
    return {
        "model": name,
        "jit_compile": jit_compile,
        "steps": steps,
        "step_ms": 1e3 * wall / steps,
        "ms_per_step": {k: 1e3 * v / steps for k, v in totals.items()},
        "share": {k: v / wall for k, v in totals.items()},
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "top": sorted(
            ((1e3 * v / steps, k, category(k)) for k, v in operators.items()),
            reverse=True,
        )[:12],
    }


def print_table(results: list[dict]) -> None:
    names = [f"{r['model']}{' (jit)' if r['jit_compile'] else ''}" for r in results]
    print(f"| category | {' | '.join(names)} |")
    print(f"|---|{'---:|' * len(results)}")
    print(
        "| step (ms, profiled) | "
        + " | ".join(f"{r['step_ms']:.2f}" for r in results)
        + " |"
    )
    for key in ORDER:
        cells = [
            f"{r['ms_per_step'][key]:.2f} ({100 * r['share'][key]:.0f}%)"
            for r in results
        ]
        print(f"| {key} | {' | '.join(cells)} |")


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(bench_models.MODELS))
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--jit", action="store_true", help="also jit_compile=True")
    parser.add_argument("--top", action="store_true", help="list the top operators")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    results = []
    for name in args.models.split(","):
        results.append(profile(name, args.steps, None))
        if args.jit:
            results.append(profile(name, args.steps, True))
    print_table(results)
    if args.top:
        for r in results:
            print(f"\n{r['model']}: the operators that take most time (ms per step)")
            for ms, op, group in r["top"]:
                print(f"  {ms:8.3f}  {op}  [{group}]")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
