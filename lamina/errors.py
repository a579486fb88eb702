"""lamina's error classes.

Every error lamina raises on bad input is one of these. Each subclasses the
built-in class Keras raises in the same situation (ValueError or TypeError; a
missing dataset file is a FileNotFoundError), so code written against Keras
(``except ValueError``) keeps working.
"""

from __future__ import annotations

import difflib
import functools
import warnings
from collections.abc import Callable, Iterable


class ShapeError(ValueError):
    """An input, weight or output has a shape the layer cannot take."""


class ArgumentError(ValueError):
    """A constructor or function argument has an invalid value."""


class GraphError(ValueError):
    """A functional model's layer graph is malformed (disconnected, duplicate names)."""


class NotCompiledError(ValueError):
    """A training method was called before `compile()`."""


class UnknownObjectError(ValueError):
    """A string or config names an object lamina does not know."""

    @classmethod
    def for_name(cls, kind: str, name: str, known: Iterable[str]) -> UnknownObjectError:
        known = sorted(set(known))
        close = difflib.get_close_matches(str(name), known, n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        return cls(
            f"Unknown {kind}: {name!r}.{hint} Valid names are: {', '.join(known)}. "
            "For a custom object, pass it in `custom_objects` or register it with "
            "`lamina.saving.register_keras_serializable()`."
        )


class ConfigError(ValueError):
    """A serialized config (`model_from_json`, `Model.from_config`) is malformed."""


class FileFormatError(ValueError):
    """A model or weights file is corrupt, truncated, of another format or hostile."""


class ModelFileNotFoundError(FileFormatError, FileNotFoundError):
    """A model or weights file to load does not exist.

    A FileNotFoundError, as the file is missing, and (as Keras's "File not
    found" error) a ValueError.
    """


class DatasetNotFoundError(FileNotFoundError):
    """A `lamina.datasets` file is neither on disk nor downloadable (e.g. offline).

    A FileNotFoundError, as the data it stands for is a missing file.
    """


class DatasetIntegrityError(ValueError):
    """A `lamina.datasets` file exists but fails its check (hash, format or content)."""


class DatasetCacheError(DatasetNotFoundError, DatasetIntegrityError):
    """Cached data files are damaged (truncated, corrupt, wrong hash) and no good
    copy could be downloaded. Both a `DatasetIntegrityError` (a ValueError) and a
    `DatasetNotFoundError` (a FileNotFoundError); the message names the files."""


def reports_config_errors(what: str) -> Callable:
    """Decorates a function that rebuilds objects from a config: what a malformed
    config provokes inside (a TypeError, KeyError, RecursionError...) becomes a
    `ConfigError` naming ``what`` and the original error; lamina's own errors
    pass through as they are.
    """

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except _LAMINA_ERRORS:
                raise
            except (
                TypeError,
                LookupError,
                AttributeError,
                ValueError,
                RecursionError,
                OverflowError,
                RuntimeError,  # torch's, e.g. a layer too large to allocate
            ) as err:
                raise ConfigError(
                    f"{what}: the config is malformed ({type(err).__name__}: {err})."
                ) from err

        return wrapper

    return decorate


_WARNED: set[str] = set()


def warn_deprecated_once(key: str, message: str) -> None:
    """Emit ``message`` as a DeprecationWarning the first time ``key`` is seen."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, DeprecationWarning, stacklevel=3)


_LAMINA_ERRORS = (
    ShapeError,
    ArgumentError,
    GraphError,
    NotCompiledError,
    UnknownObjectError,
    ConfigError,
    FileFormatError,
    ModelFileNotFoundError,
    DatasetNotFoundError,
    DatasetIntegrityError,
)
