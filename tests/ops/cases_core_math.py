"""Parity cases for ``ops.core_math`` (see cases.py)."""

from __future__ import annotations

from tests.ops.cases import Cases

CASES = Cases()
c = CASES
