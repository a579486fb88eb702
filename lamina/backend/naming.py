"""Automatic unique names (``dense``, ``dense_1``, ...), as Keras makes them."""

from __future__ import annotations

import collections
import re

_UIDS: collections.defaultdict[str, int] = collections.defaultdict(int)


def get_uid(prefix: str = "") -> int:
    """Return 1, 2, 3, ... on successive calls with the same prefix."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids() -> None:
    _UIDS.clear()


def to_snake_case(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ..."""
    uid = get_uid(base)
    return base if uid == 1 else f"{base}_{uid - 1}"


def auto_name(class_name: str) -> str:
    return unique_name(to_snake_case(class_name))
