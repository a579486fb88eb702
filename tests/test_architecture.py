"""The package's import graph: acyclic, and every import runs down the floors.

Reads the imports of every module under lamina/ with `ast` (module-level and
function-level ones, relative ones, and ``importlib.import_module("lamina...")``
with a literal name). ARCHITECTURE.md draws the floors; `FLOORS` below is that
drawing, and `SEAMS` lists the few imports that run upward on purpose.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "lamina"

# Bottom to top: a module may import from its own floor (without a cycle) or
# from a floor below. The key is the first name under ``lamina.``.
FLOORS: list[tuple[str, ...]] = [
    ("backend", "errors", "io_utils", "serialization", "signatures", "tree", "version"),
    (
        "ops",
        "activations",
        "initializers",
        "constraints",
        "regularizers",
        "random",
        "quantizers",
        "dtype_policies",
        "legacy",
        "distribution",
    ),
    ("layers",),
    ("losses", "metrics", "optimizers", "mixed_precision"),
    ("callbacks",),
    ("trainers",),
    ("models",),
    ("saving", "export"),
    (
        "applications",
        "datasets",
        "distillation",
        "preprocessing",
        "utils",
        "visualization",
    ),
    ("compat", "config", "keras2_backend", "wrappers", "demo", "__main__", ""),
]

# The imports that run upward, each a function-level import with its reason
# (ARCHITECTURE.md, "Seams"). (importer, imported) module names.
SEAMS: dict[tuple[str, str], str] = {
    ("lamina.models.model", "lamina.saving.saving_api"): (
        "Model.save/save_weights/load_weights/export and models.load_model reach "
        "the saving floor at call time, as Keras's Model.save reaches saving_api"
    ),
    ("lamina.models.model", "lamina.models.functional"): (
        "Model(inputs, outputs) and Model.from_config return a Functional, the "
        "subclass defined above Model (as in Keras)"
    ),
    ("lamina.models.model", "lamina.models.summary"): (
        "Model.summary() prints through the summary module, which reads the "
        "structure of Functional and Sequential models"
    ),
    ("lamina.layers.core.lambda_layer", "lamina"): (
        "a Lambda's code loaded from a file sees `keras` (the whole API) as its "
        "global, as it did when it was saved"
    ),
    ("lamina.compat", "lamina"): (
        "the `keras` import hook serves the whole package as `keras`"
    ),
    ("lamina.backend.variables", "lamina.initializers"): (
        "Variable('glorot_uniform', shape=...) looks the initializer up by name, "
        "as Keras's own Variable does"
    ),
}


def _modules() -> dict[str, pathlib.Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module an import of ``name`` loads (``pkg.mod.Class`` -> ``pkg.mod``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module: str, path: pathlib.Path):
    """(name, line, function_level) for every lamina import in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    function_level = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function_level.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        inner = id(node) in function_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, inner
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            for alias in node.names:
                full = f"{name}.{alias.name}"
                yield (full if full in MODULES else name), node.lineno, inner
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, node.lineno, inner


def _edges():
    """module -> {imported module: (line, function_level)}.

    Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``, so those
    count as imported too, except the importer's own parent packages (Python
    has them loaded, or loading, before the importer runs).
    """
    edges: dict[str, dict[str, tuple[int, bool]]] = defaultdict(dict)
    for module, path in MODULES.items():
        for name, line, inner in _imported_names(module, path):
            if not (name == "lamina" or name.startswith("lamina.")):
                continue
            target = _resolve(name)
            if target is None or target == module:
                continue
            edges[module].setdefault(target, (line, inner))
            parts = target.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if module == parent or module.startswith(parent + "."):
                    continue
                edges[module].setdefault(parent, (line, inner))
    return edges


EDGES = _edges()


def _floor(module: str) -> int:
    key = module.split(".")[1] if "." in module else ""
    for level, names in enumerate(FLOORS):
        if key in names:
            return level
    raise AssertionError(
        f"{module} is on no floor: add {key!r} to FLOORS and to ARCHITECTURE.md"
    )


def _is_seam(importer: str, target: str) -> bool:
    return any(
        importer == a and (target == b or b.startswith(target + ".")) for a, b in SEAMS
    )


def test_every_module_is_on_a_floor():
    for module in MODULES:
        _floor(module)


def test_no_import_runs_up_a_floor_outside_the_seams():
    upward = []
    for module, targets in sorted(EDGES.items()):
        for target, (line, _) in sorted(targets.items()):
            if _floor(target) > _floor(module) and not _is_seam(module, target):
                upward.append(f"{module}:{line} -> {target}")
    assert not upward, "imports that run up a floor:\n" + "\n".join(upward)


def test_seams_are_function_level_imports_that_exist():
    for (importer, target), reason in SEAMS.items():
        assert reason
        found = EDGES.get(importer, {}).get(target)
        assert found is not None, f"seam {importer} -> {target} is gone: drop it"
        line, inner = found
        assert inner, f"{importer}:{line} must import {target} inside a function"


def test_import_graph_has_no_cycle():
    graph = {
        module: [t for t in targets if not _is_seam(module, t)]
        for module, targets in EDGES.items()
    }
    # Iterative depth-first search; a grey node met again closes a cycle.
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(MODULES, white)
    for start in MODULES:
        if colour[start] != white:
            continue
        stack = [(start, iter(graph.get(start, ())))]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            for child in children:
                if colour.get(child, black) == grey:
                    path = [n for n, _ in stack]
                    cycle = path[path.index(child) :] + [child]
                    pytest.fail("import cycle: " + " -> ".join(cycle))
                if colour.get(child, black) == white:
                    colour[child] = grey
                    stack.append((child, iter(graph.get(child, ()))))
                    break
            else:
                colour[node] = black
                stack.pop()


def test_the_checker_sees_function_level_and_relative_imports(tmp_path):
    # The reader itself: a function-level import and a relative one are found.
    path = tmp_path / "probe.py"
    path.write_text(
        "def f():\n    from lamina.saving import saving_api\nfrom .layer import Layer\n"
    )
    found = list(_imported_names("lamina.layers.probe", path))
    assert ("lamina.saving.saving_api", 2, True) in found
    assert ("lamina.layers.layer", 3, False) in found
