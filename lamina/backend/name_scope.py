"""`name_scope`: folders for variable paths (``"block1/dense/kernel"``)."""

from __future__ import annotations

from lamina.backend import global_state
from lamina.errors import ArgumentError


class name_scope:  # noqa: N801 - Keras's name
    """Prefix the paths of the variables made inside with ``name/``.

    Scopes nest: a `Variable` named ``"v"`` made inside ``name_scope("a")`` and
    ``name_scope("b")`` has the path ``"a/b/v"``, and a layer's weights made
    inside ``name_scope("block")`` have ``"block/dense/kernel"``.

    Example:

    >>> from lamina.backend.variables import Variable
    >>> with name_scope("block"):
    ...     Variable(1.0, name="v").path
    'block/v'

    Args:
        name: the scope's name; it cannot contain ``"/"``.
        caller: the object opening the scope (a layer), for `deduplicate`.
        deduplicate: when the enclosing scope has the same name and caller,
            do not open a second one (a layer building inside its own scope).
        override_parent: an absolute path to use instead of the enclosing
            scopes' path.
    """

    def __init__(
        self,
        name: str,
        caller=None,
        deduplicate: bool = True,
        override_parent: str | None = None,
    ):
        if not isinstance(name, str) or "/" in name:
            raise ArgumentError(
                "Argument `name` must be a string and cannot contain character "
                f"`/`. Received: name={name}"
            )
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = False

    def __enter__(self) -> name_scope:
        stack = global_state.scope_stack("name_scope")
        if self.deduplicate and stack and self.caller is not None:
            parent = stack[-1]
            if parent.caller is self.caller and parent.name == self.name:
                return self
        stack.append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc) -> None:
        if self._pushed:
            self._pushed = False
            global_state.scope_stack("name_scope").pop()


def current_path() -> str:
    """The path of the open name scopes (``"a/b"``), ``""`` outside any."""
    parts: list[str] = []
    for scope in global_state.scope_stack("name_scope"):
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)


def scoped_path(path: str) -> str:
    """``path`` inside the open name scopes (``"a/b/" + path``)."""
    prefix = current_path()
    return f"{prefix}/{path}" if prefix else path
