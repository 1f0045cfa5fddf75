"""Typed errors. Every message names the file (and line/row) and says what to do.

The CLI turns any StanceError into a one-paragraph message and exit code 2, so users never see a
traceback from deep inside a dependency for a problem with their input.
"""
from __future__ import annotations


class StanceError(Exception):
    """Base class for all errors the user can fix."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 hint: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        msg = where + self.detail
        if self.hint:
            msg += f"\n  hint: {self.hint}"
        return msg


class InputError(StanceError):
    """A corpus file or manifest that cannot be read as given."""


class ConfigError(StanceError):
    """stance.toml, CLI flags or notebook parameters that are invalid."""


class RegistryError(StanceError):
    """actors.yaml or topics.yaml that is malformed."""


class AnnotationError(StanceError):
    """annotations.csv that is malformed."""


class ModelError(StanceError):
    """An embedding or stance model that cannot be loaded."""


class OutputError(StanceError):
    """An output folder that cannot be written."""
