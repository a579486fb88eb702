"""The MLP's time per training sample over batch size and width.

The tutorial MLP (784-W x3-10, dropout 0.2, RMSprop) for each hidden width W
and batch size, with lamina, raw torch and (when Keras 3 is installed in
another Python, as for compare.py) Keras 3 on JAX. Shows where lamina's fixed
per-step cost stops mattering: at small batches and widths the step is short
and per-step Python shows; at large ones the GEMMs dominate and every
implementation converges on the CPU's matmul speed. One worker process per
implementation and width (all batch sizes in it), interleaved in rounds.

    python benchmarks/sweep.py [--impls lamina,torch,keras-jax] [--quick]
        [--batch-sizes 32,64,128,256,512,1024] [--widths 256,512,1024,2048,4096]
        [--steps 20] [--epochs 2] [--rounds 1] [--json sweep.json] [--png sweep.png]

It prints and writes (JSON) microseconds per training sample (the best steady
epoch's time over its samples, median over rounds) and plots them against the
batch size, one line per implementation and width (log-log).
"""

from __future__ import annotations

import argparse

import runner

BATCH_SIZES = (32, 64, 128, 256, 512, 1024)
WIDTHS = (256, 512, 1024, 2048, 4096)
QUICK_BATCH_SIZES, QUICK_WIDTHS = (32, 256), (256, 1024)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impls", default="lamina,torch,keras-jax")
    parser.add_argument("--batch-sizes", help="default: 32..1024 (--quick: 32,256)")
    parser.add_argument("--widths", help="default: 256..4096 (--quick: 256,1024)")
    parser.add_argument("--quick", action="store_true", help="a 2x2 grid")
    parser.add_argument("--rounds", type=int, default=1)
    runner.add_common_arguments(parser)
    args = parser.parse_args(argv)
    args.impls = runner.split_list(args.impls, runner.ALL_IMPLS)
    quick = args.quick
    args.batch_sizes = [
        int(b)
        for b in runner.split_list(args.batch_sizes or "")
        or (QUICK_BATCH_SIZES if quick else BATCH_SIZES)
    ]
    args.widths = [
        int(w)
        for w in runner.split_list(args.widths or "")
        or (QUICK_WIDTHS if quick else WIDTHS)
    ]
    return args


def sweep(args, workers: runner.Runner) -> dict:
    """``{impl: {width: {batch_size: [us per sample, one per round]}}}`` and skips."""
    impls, skipped = workers.available(args.impls)
    times = {
        impl: {w: {b: [] for b in args.batch_sizes} for w in args.widths}
        for impl in impls
    }
    versions = {}
    for round_index in range(args.rounds):
        for width in args.widths:
            configs = [
                {
                    "model": "mlp",
                    "width": width,
                    "batch_size": batch_size,
                    "steps": args.steps,
                    "epochs": args.epochs,
                    "predict": False,
                }
                for batch_size in args.batch_sizes
            ]
            for impl in impls:
                try:
                    report = workers.run(impl, configs)
                except runner.WorkerError as error:
                    print(f"{impl} failed at width {width}: {error}")
                    continue
                versions[impl] = report["versions"]
                for result in report["results"]:
                    per_sample = result["steady_epoch_s"] / result["samples"]
                    times[impl][width][result["batch_size"]].append(1e6 * per_sample)
            print(
                f"round {round_index + 1}/{args.rounds}: width {width} done", flush=True
            )
    medians = {
        impl: {
            str(width): {
                str(batch): runner.median(values) for batch, values in by_batch.items()
            }
            for width, by_batch in by_width.items()
        }
        for impl, by_width in times.items()
    }
    return {"us_per_sample": medians, "skipped": skipped, "versions": versions}


def print_table(args, medians: dict) -> None:
    print("\nmicroseconds per training sample (MLP 784-W x3-10, RMSprop)")
    print(
        f"{'impl':14s} {'width':>6s} " + " ".join(f"{b:>8d}" for b in args.batch_sizes)
    )
    for impl, by_width in medians.items():
        for width, by_batch in by_width.items():
            cells = " ".join(
                "       -" if value is None else f"{value:8.1f}"
                for value in by_batch.values()
            )
            print(f"{impl:14s} {width:>6s} {cells}")


def plot(plt, medians: dict):
    """Time per sample against batch size, log-log, a line per impl and width."""
    fig, ax = plt.subplots(figsize=(8, 5.5))
    styles = ("-", "--", ":", "-.")
    for impl_index, (impl, by_width) in enumerate(medians.items()):
        for width_index, (width, by_batch) in enumerate(by_width.items()):
            points = [(int(b), v) for b, v in by_batch.items() if v is not None]
            if not points:
                continue
            ax.plot(
                *zip(*points),
                marker="o",
                color=f"C{width_index}",
                linestyle=styles[impl_index % len(styles)],
                label=f"{impl}, width {width}",
            )
    ax.set_xscale("log", base=2)
    batch_sizes = sorted(
        {int(b) for w in medians.values() for bs in w.values() for b in bs}
    )
    ax.set_xticks(batch_sizes, [str(b) for b in batch_sizes])
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("microseconds per training sample")
    ax.set_title("MLP 784-W x3-10, time per training sample", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    return fig


def main(argv=None) -> dict:
    args = parse_args(argv)
    workers = runner.Runner(args.keras_python, args.threads, args.timeout)
    swept = sweep(args, workers)
    print_table(args, swept["us_per_sample"])
    result = {
        "machine": runner.machine(),
        "settings": {
            key: getattr(args, key)
            for key in ("impls", "batch_sizes", "widths", "steps", "epochs", "rounds")
        },
        **swept,
    }
    runner.write_outputs(args, result, lambda plt: plot(plt, swept["us_per_sample"]))
    return result


if __name__ == "__main__":
    main()
