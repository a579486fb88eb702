"""lamina against Keras 3.15's public API (tests/fixtures/keras_api.json).

For every public name of every Keras module in the file, ``lamina.<module>.<name>``
exists, or the name is in keras_api_missing.json with its reason; for every name
lamina has, the signature matches Keras's (parameter names, kinds and order;
defaults where Keras's is a plain literal), or the name is in
keras_api_signatures.json with the reason. A listed gap that lamina has closed
fails too, so the lists only shrink: ``python tests/fixtures/api_coverage.py
--prune`` drops such entries. The comparison itself lives in api_coverage.py,
which also prints the README's coverage table.
"""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

import lamina

_SPEC = importlib.util.spec_from_file_location(
    "api_coverage",
    pathlib.Path(__file__).parent / "fixtures" / "api_coverage.py",
)
api_coverage = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(api_coverage)

KERAS = api_coverage.keras_modules()
MISSING = api_coverage.load(api_coverage.MISSING_FILE)
SIGNATURES = api_coverage.load(api_coverage.SIGNATURES_FILE)
SURVEY = api_coverage.survey()

# The names lamina will not provide: each `will not:` reason in
# keras_api_missing.json must be for one of these.
WILL_NOT = {
    ("keras.layers", "JaxLayer"),
    ("keras.layers", "FlaxLayer"),
    ("keras.layers", "TFSMLayer"),
    ("keras.callbacks", "OrbaxCheckpoint"),
}


def _report(title: str, names: dict[str, str]) -> str:
    return title + "".join(f"\n  {name}: {why}" for name, why in sorted(names.items()))


@pytest.mark.parametrize("module", sorted(KERAS))
def test_every_keras_name_is_in_lamina_or_listed_as_missing(module):
    unlisted = {
        name: "not in lamina"
        for name in SURVEY[module]["missing"]
        if name not in MISSING.get(module, {})
    }
    assert not unlisted, _report(
        f"{module}: add to lamina, or to keras_api_missing.json with a reason:",
        unlisted,
    )


@pytest.mark.parametrize("module", sorted(KERAS))
def test_signatures_match_keras_or_are_listed(module):
    unlisted = {
        name: why
        for name, why in SURVEY[module]["differs"].items()
        if name not in SIGNATURES.get(module, {})
    }
    assert not unlisted, _report(
        f"{module}: match Keras's signature, or add to keras_api_signatures.json "
        "with a reason:",
        unlisted,
    )


@pytest.mark.parametrize("module", sorted(KERAS))
@pytest.mark.parametrize(
    "listing, key, now",
    [
        ("keras_api_missing.json", "missing", "lamina has it now"),
        ("keras_api_signatures.json", "differs", "matches Keras now"),
    ],
)
def test_listed_gaps_are_still_open(module, listing, key, now):
    listed = (MISSING if key == "missing" else SIGNATURES).get(module, {})
    closed = {name: now for name in listed if name not in SURVEY[module][key]}
    assert not closed, _report(
        f"{module}: drop from {listing} (python tests/fixtures/api_coverage.py "
        "--prune):",
        closed,
    )


def test_lists_name_keras_names_with_reasons():
    for listing, prefixes in (
        (MISSING, ("not yet: ", "will not: ")),
        (SIGNATURES, ("lamina: ", "not yet: ")),
    ):
        for module, names in listing.items():
            assert module in KERAS, module
            for name, reason in names.items():
                assert name in KERAS[module], f"{module}.{name} is not a Keras name"
                assert reason.startswith(prefixes) and len(reason) > 20, (
                    f"{module}.{name}: {reason!r}"
                )


def test_only_the_agreed_names_are_refused():
    refused = {
        (module, name)
        for module, names in MISSING.items()
        for name, reason in names.items()
        if reason.startswith("will not")
    }
    assert refused == WILL_NOT


def test_coverage_table_adds_up():
    table = api_coverage.coverage_table(SURVEY)
    rows = table.splitlines()
    assert rows[0].startswith("| module | Keras 3.15 | lamina |")
    assert len(rows) == 2 + len(KERAS) + 1
    total = sum(len(names) for names in KERAS.values())
    assert f"| **{total}** |" in rows[-1]


# ------------------------------------------------------------ the top level


def test_missing_top_level_names_raise_attribute_error():
    # hasattr() and getattr(..., default) rely on AttributeError.
    for name in ("not_a_name",):
        assert not hasattr(lamina, name)
        with pytest.raises(AttributeError, match=name):
            getattr(lamina, name)


def test_every_listed_submodule_imports():
    for name in sorted(lamina._SUBMODULES):
        module = getattr(lamina, name)
        assert module.__name__ == f"lamina.{name}"
