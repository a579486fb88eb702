"""Command line: ``python -m lamina run script.py [args...]``,
``python -m lamina inspect FILE`` and ``python -m lamina demo [options]``.

``run`` executes an unchanged Keras script with its ``keras`` and
``tensorflow.keras`` imports served by lamina. ``inspect`` describes a model or
weights file (format, Keras version, layers, array shapes) without running any
code from it. ``demo`` trains the tutorial MNIST MLP on real data (`lamina.demo`).
"""

from __future__ import annotations

import argparse
import ast
import runpy
import sys


def _imports_tensorflow(path: str) -> bool:
    with open(path, "rb") as f:
        tree = ast.parse(f.read())
    names = [
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    ]
    names += [
        n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    ]
    return any(name.split(".")[0] == "tensorflow" for name in names)


def run(script: str, args: list[str]) -> None:
    from lamina import compat

    compat.install(stand_in_tensorflow=_imports_tensorflow(script))
    sys.argv = [script, *args]
    try:
        runpy.run_path(script, run_name="__main__")
    except (ImportError, AttributeError) as err:
        missing = compat.describe_missing(err)
        if missing:
            print(f"lamina: {missing}", file=sys.stderr)
        raise


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo"]:  # its own options: `python -m lamina demo --help`
        from lamina import demo

        demo.main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m lamina", description="lamina command line tools"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run a Keras script on lamina")
    run_parser.add_argument("script")
    run_parser.add_argument("args", nargs=argparse.REMAINDER)
    inspect_parser = commands.add_parser(
        "inspect", help="describe a .keras / .h5 file without loading its code"
    )
    inspect_parser.add_argument("file")
    commands.add_parser("demo", help="train the tutorial MNIST MLP on real data")
    options = parser.parse_args(argv)
    if options.command == "run":
        run(options.script, options.args)
    elif options.command == "inspect":
        return inspect(options.file)
    return 0


def inspect(path: str) -> int:
    from lamina.errors import FileFormatError
    from lamina.saving.inspect_file import describe

    try:
        print(describe(path))
    except (FileFormatError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
