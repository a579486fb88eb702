"""Command line: ``python -m lamina run script.py [args...]``.

``run`` executes an unchanged Keras script with its ``keras`` and
``tensorflow.keras`` imports served by lamina.
"""

from __future__ import annotations

import argparse
import ast
import runpy
import sys


def _imports_tensorflow(path: str) -> bool:
    with open(path, "rb") as f:
        tree = ast.parse(f.read())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom) and n.module]
    return any(name.split(".")[0] == "tensorflow" for name in names)


def run(script: str, args: list[str]) -> None:
    from lamina import compat

    compat.install(stand_in_tensorflow=_imports_tensorflow(script))
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lamina",
                                     description="lamina command line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run a Keras script on lamina")
    run_parser.add_argument("script")
    run_parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.command == "run":
        run(options.script, options.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
