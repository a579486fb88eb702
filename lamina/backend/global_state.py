"""Keras's global state: the settings `clear_session` resets, and the scopes.

Settings (interactive logging, the dtype policy, flash attention, traceback
filtering) hold for the whole process; `clear_session` puts them back to their
defaults, as Keras's does (Keras keeps them per thread). Scopes (`name_scope`, `StatelessScope`,
`SymbolicScope`, `RematScope`, `device`) are entered with ``with`` and belong
to the thread that entered them.
"""

from __future__ import annotations

import threading
from typing import Any

_SETTINGS: dict[str, Any] = {}
_THREAD = threading.local()


def get_setting(name: str, default: Any = None) -> Any:
    """A setting's value, or ``default`` when it was never set (or was reset)."""
    return _SETTINGS.get(name, default)


def set_setting(name: str, value: Any) -> None:
    _SETTINGS[name] = value


def scope_stack(kind: str) -> list:
    """This thread's stack of open scopes of one kind (innermost last)."""
    stacks = getattr(_THREAD, "stacks", None)
    if stacks is None:
        stacks = _THREAD.stacks = {}
    return stacks.setdefault(kind, [])


def innermost_scope(kind: str) -> Any:
    """The innermost open scope of one kind in this thread, or None."""
    stack = getattr(_THREAD, "stacks", {}).get(kind)
    return stack[-1] if stack else None


def reset_settings() -> None:
    """Forget every setting (`clear_session`); open scopes stay open until they end."""
    _SETTINGS.clear()
