"""What `import lamina` costs on top of `import torch`.

Each measurement is a fresh interpreter timing its own imports (so interpreter
start-up is left out), alternating `import torch` and `import torch; import
lamina`; prints the median of each and the difference. On a busy machine the
difference of two medians is noisy, so the second interpreter also times
`import lamina` alone after torch: the median of that is the figure to read.
Byte-code caches are used (an untimed first run writes them), as for an
installed package.
The target is under 0.3 s. To see what lamina imports eagerly:
`python -X importtime -c "import torch; import lamina" 2>&1 | sort -t'|' -k2 -n`.

    python benchmarks/import_time.py [--repeats 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_S = 0.3

_TIMED = """
import time
start = time.perf_counter()
import torch
middle = time.perf_counter()
{more}
print(time.perf_counter() - start, time.perf_counter() - middle)
"""
STATEMENTS = {"torch": "", "torch+lamina": "import lamina"}


def time_import(more: str, python: str = sys.executable) -> tuple[float, float]:
    """Seconds a fresh interpreter spends on ``import torch`` then ``more``:
    (the whole, ``more`` alone)."""
    env = dict(os.environ, PYTHONPATH=REPO)
    # Byte-code caches are written and used, as for an installed package.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(
        [python, "-c", _TIMED.format(more=more)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=REPO,
    )
    whole, more_alone = out.stdout.split()
    return float(whole), float(more_alone)


def measure(repeats: int) -> dict:
    times = {name: [] for name in STATEMENTS}
    lamina_alone = []
    time_import(STATEMENTS["torch+lamina"])  # untimed: writes the byte-code caches
    for _ in range(repeats):
        for name, more in STATEMENTS.items():
            whole, more_alone = time_import(more)
            times[name].append(whole)
            if more:
                lamina_alone.append(more_alone)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "repeats": repeats,
        "times_s": times,
        "median_s": medians,
        "difference_of_medians_s": medians["torch+lamina"] - medians["torch"],
        "lamina_after_torch_s": lamina_alone,
        "lamina_adds_s": statistics.median(lamina_alone),
        "target_s": TARGET_S,
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    result = measure(args.repeats)
    median = result["median_s"]
    print(
        f"import torch                 {median['torch']:.3f} s (median of {args.repeats})"
    )
    print(
        f"import torch; import lamina  {median['torch+lamina']:.3f} s "
        f"(difference {result['difference_of_medians_s']:+.3f} s)"
    )
    verdict = "within" if result["lamina_adds_s"] < TARGET_S else "over"
    print(
        f"import lamina after torch    {result['lamina_adds_s']:.3f} s "
        f"(median; {verdict} the {TARGET_S} s target)"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    main()
