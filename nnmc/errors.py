"""Error classes raised at the project's boundaries.

Every user-facing error names what was wrong (the field or file), the value received and what is
allowed, so that the CLI can print it without a traceback (``nnmc.cli`` catches ``NnmcError``).
"""

from __future__ import annotations


class NnmcError(Exception):
    """Base class of every error meant for the user rather than for a developer."""


class ConfigError(NnmcError):
    """A config field is missing, unknown, of the wrong type or out of range.

    ``field`` is the dotted key (``"network.widths"``), ``value`` what was received and ``allowed``
    a short description of the admissible values.
    """

    def __init__(self, field: str, value, allowed: str, hint: str = ""):
        self.field = field
        self.value = value
        self.allowed = allowed
        msg = f"config field '{field}': got {value!r}; allowed: {allowed}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class StoreError(NnmcError):
    """An ensemble file is missing, unreadable, of another schema, or does not match the config."""


class BackendUnavailable(NnmcError):
    """The requested compute backend cannot run here; the message says why."""
