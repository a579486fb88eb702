"""lamina against raw torch and Keras 3, side by side, on the tutorial models.

Each implementation runs in its own process per model, interleaved in rounds
(the order rotates each round, so a busy moment on a shared machine hits all
alike), on the same synthetic data and the same model: same shapes, Keras's
initializers, optimizer and batch (bench_models.py, torch_models.py).

    python benchmarks/compare.py [--models mlp,cnn,lstm,lstm_dropout,wide_deep]
        [--impls lamina,lamina-jit,torch,torch-compile,keras-jax,keras-torch]
        [--rounds 3] [--steps 50] [--epochs 2] [--json out.json] [--png out.png]
        [--keras-python /tmp/kvenv/bin/python] [--threads N]

Per model it prints fit and predict samples/s per implementation (the median
over rounds of each worker's best steady epoch, and of its best predict call
after the first), their ratios to the fastest and to raw torch, the first
epoch's extra time over a steady one (warm-up: building, tracing, compiling),
each worker's peak RSS, and for the MLP the fraction of this CPU's fp32 GEMM
limit reached (torch.matmul's FLOP/s at the step's own shapes, measured in a
worker each round; the step is 4,782,080 FLOPs per sample: forward plus
backward without the input's gradient). The Keras rows need Keras 3 in another
Python (``--keras-python``; default /tmp/kvenv/bin/python when it exists) and
are skipped with a message otherwise; ``keras-jax`` uses Keras's default
``jit_compile``. ``lamina-jit`` is ``compile(jit_compile=True)``;
``torch-compile`` is the raw loop with ``torch.compile`` on the model and the
optimizer step (skipped with a message when compiling fails).
"""

from __future__ import annotations

import argparse

import bench_models
import runner


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(bench_models.MODELS))
    parser.add_argument("--impls", default=",".join(runner.ALL_IMPLS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--predict-repeats", type=int, default=2)
    runner.add_common_arguments(parser)
    parser.set_defaults(steps=50)
    args = parser.parse_args(argv)
    args.models = runner.split_list(args.models, bench_models.MODELS)
    args.impls = runner.split_list(args.impls, runner.ALL_IMPLS)
    return args


def collect(args, workers: runner.Runner) -> dict:
    """Every worker's raw result, by model and implementation; the
    implementations skipped (absent here) and those that failed on a model."""
    impls, skipped = workers.available(args.impls)
    failed = {}
    raw = {name: {impl: [] for impl in impls} for name in args.models}
    gemm, versions = [], {}
    for round_index in range(args.rounds):
        order = impls[round_index % len(impls) :] + impls[: round_index % len(impls)]
        for name in args.models:
            config = {
                "model": name,
                "steps": args.steps,
                "epochs": args.epochs,
                "predict_repeats": args.predict_repeats,
            }
            if name == "mlp":
                gemm += workers.run("gemm", [config])["results"]
            for impl in order:
                if impl in failed.get(name, {}):
                    continue
                try:
                    report = workers.run(impl, [config])
                except runner.WorkerError as error:
                    print(f"skipping {impl} on {name}: {error}")
                    failed.setdefault(name, {})[impl] = str(error)
                    continue
                versions[impl] = report["versions"]
                raw[name][impl] += report["results"]
            print(f"round {round_index + 1}/{args.rounds}: {name} done", flush=True)
    return {
        "raw": raw,
        "gemm": gemm,
        "skipped": skipped,
        "failed": failed,
        "versions": versions,
    }


def summarise(args, collected: dict) -> dict:
    """Medians over rounds, ratios and the GEMM fraction, per model."""
    gemm_peak = max((r["gemm_flops_per_s"] for r in collected["gemm"]), default=None)
    models = {}
    for name, by_impl in collected["raw"].items():
        rows = {}
        for impl, rounds in by_impl.items():
            if not rounds:
                continue
            rows[impl] = {
                key: runner.median(r[key] for r in rounds)
                for key in (
                    "fit_samples_per_s",
                    "predict_samples_per_s",
                    "warmup_s",
                    "first_epoch_s",
                    "steady_epoch_s",
                )
            }
            rows[impl]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in rounds)
            rows[impl]["rounds"] = rounds
        for kind in ("fit", "predict"):
            key = f"{kind}_samples_per_s"
            values = {impl: row[key] for impl, row in rows.items() if row[key]}
            fastest = max(values.values(), default=None)
            torch_value = values.get("torch")
            for row in rows.values():
                value = row[key]
                row[f"{kind}_vs_fastest"] = value / fastest if value else None
                row[f"{kind}_vs_torch"] = (
                    value / torch_value if value and torch_value else None
                )
        model = {
            "description": bench_models.DESCRIPTIONS[name],
            "batch_size": bench_models.BATCH_SIZES[name],
            "samples_per_epoch": args.steps * bench_models.BATCH_SIZES[name],
            "impls": rows,
        }
        if name == "mlp":
            flops = bench_models.mlp_flops_per_sample()
            model["flops_per_sample"] = flops
            model["gemm_peak_flops_per_s"] = gemm_peak
            for row in rows.values():
                row["gemm_fraction"] = (
                    row["fit_samples_per_s"] * flops / gemm_peak if gemm_peak else None
                )
        models[name] = model
    return models


def _fmt(value, spec: str) -> str:
    """``value`` formatted, or a dash as wide (``spec`` starts with the width)."""
    if value is None:
        return "-".rjust(int(spec.split(".")[0] or 0))
    return format(value, spec)


def print_table(models: dict) -> None:
    for name, model in models.items():
        print(
            f"\n{name}: {model['description']}, batch {model['batch_size']}, "
            f"{model['samples_per_epoch']} samples per epoch"
        )
        gemm = "flops_per_sample" in model
        header = (
            f"{'impl':14s} {'fit/s':>9s} {'/best':>6s} {'/torch':>6s} "
            f"{'predict/s':>10s} {'/best':>6s} {'/torch':>6s} {'warm-up s':>9s} "
            f"{'RSS MB':>7s}" + (f" {'GEMM %':>6s}" if gemm else "")
        )
        print(header)
        for impl, row in model["impls"].items():
            line = (
                f"{impl:14s} {_fmt(row['fit_samples_per_s'], '9.0f')} "
                f"{_fmt(row['fit_vs_fastest'], '6.2f')} "
                f"{_fmt(row['fit_vs_torch'], '6.2f')} "
                f"{_fmt(row['predict_samples_per_s'], '10.0f')} "
                f"{_fmt(row['predict_vs_fastest'], '6.2f')} "
                f"{_fmt(row['predict_vs_torch'], '6.2f')} "
                f"{_fmt(row['warmup_s'], '9.2f')} {row['peak_rss_mb']:7.0f}"
            )
            if gemm:
                fraction = row["gemm_fraction"]
                line += f" {_fmt(fraction and 100 * fraction, '6.1f')}"
            print(line)
        if gemm:
            peak = model["gemm_peak_flops_per_s"]
            print(
                f"GEMM %: fit FLOP/s ({model['flops_per_sample']:,} FLOPs per sample)"
                f" over torch.matmul's {_fmt(peak and peak / 1e9, '.1f')} GFLOP/s"
                " at the step's shapes"
            )


def plot(plt, models: dict):
    """One bar chart per model: fit samples/s above, predict below."""
    fig, axes = plt.subplots(
        2, len(models), figsize=(3.2 * len(models) + 1, 6.5), squeeze=False
    )
    for column, (name, model) in enumerate(models.items()):
        impls = list(model["impls"])
        for row_index, kind in enumerate(("fit", "predict")):
            ax = axes[row_index][column]
            values = [model["impls"][i][f"{kind}_samples_per_s"] or 0 for i in impls]
            bars = ax.bar(
                range(len(impls)), values, color=[f"C{i}" for i in range(len(impls))]
            )
            ax.bar_label(bars, fmt="%.0f", fontsize=7)
            ax.set_xticks(range(len(impls)), impls, rotation=45, ha="right", fontsize=8)
            ax.set_title(f"{name} {kind}", fontsize=10)
            if column == 0:
                ax.set_ylabel("samples/s")
    return fig


def main(argv=None) -> dict:
    args = parse_args(argv)
    workers = runner.Runner(args.keras_python, args.threads, args.timeout)
    collected = collect(args, workers)
    models = summarise(args, collected)
    print_table(models)
    result = {
        "machine": runner.machine(),
        "settings": {
            key: getattr(args, key)
            for key in ("models", "impls", "rounds", "steps", "epochs", "threads")
        },
        "versions": collected["versions"],
        "skipped": collected["skipped"],
        "failed": collected["failed"],
        "gemm": collected["gemm"],
        "models": models,
    }
    runner.write_outputs(args, result, lambda plt: plot(plt, models))
    return result


if __name__ == "__main__":
    main()
