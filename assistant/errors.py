"""The one base of every error a user can see: what went wrong, and what to do about it.

Front ends (the CLI, the chat, the evals) catch `VeilleError` alone and show `message` and, when
there is one, `hint`; `describe` turns any other exception into one line for a notice (errors
of the OpenAI client are named by class, so `openai` need not be imported). Nothing shown ever
holds a secret: `mask_secrets` is applied to whatever text an error carries from outside (a
server's reply echoing the key, a URL with a password).
"""

from __future__ import annotations

import re
from typing import Final

from assistant.text import shorten

# An OpenAI-style key (sk-..., sk-proj-...) or a bearer token echoed back by a server.
_KEY: Final = re.compile(r"\b(sk-[A-Za-z0-9_*-]{2})[A-Za-z0-9_*-]{6,}")
_BEARER: Final = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{4,}")
# user:password@ in a URL.
_URL_PASSWORD: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")


def mask_secrets(text: str) -> str:
    """`text` with API keys, bearer tokens and URL passwords replaced by an ellipsis."""
    text = _URL_PASSWORD.sub(r"\1:…@", text)
    text = _BEARER.sub(r"\1…", text)
    return _KEY.sub(r"\1…", text)


class VeilleError(Exception):
    """An expected failure a user can act on: one line of `message`, an optional `hint`.

    Attributes:
        message: What went wrong, one line.
        hint: What to do about it, or None.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        """An error with its message and what to do (both shown to the user)."""
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        """The message, then the hint after a semicolon."""
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return mask_secrets(text)


MAX_LENGTH = 300
"""Longest line `describe` returns."""

_OPENAI_HINTS: Final = {
    "APIConnectionError": (
        "cannot reach the model server (is the network down, or the server stopped?)"
    ),
    "APITimeoutError": "the model server did not answer in time (generation.timeout_s)",
    "AuthenticationError": "the API key was refused: check OPENAI_API_KEY / generation.api_key",
    "PermissionDeniedError": "the API key may not use this model",
    "NotFoundError": "the model server does not know this model: check generation.model",
    "RateLimitError": "the model server is rate-limiting or out of quota; try again later",
    "InternalServerError": "the model server failed; try again later",
}


def describe(exc: BaseException) -> str:
    """One line for a notice or `veille: error:`, secrets masked, at most `MAX_LENGTH` long."""
    name = type(exc).__name__
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, VeilleError):
        line = str(exc)
    elif client := next(
        (
            c.__name__
            for c in type(exc).__mro__
            if c.__module__.split(".")[0] == "openai" and c.__name__ in _OPENAI_HINTS
        ),
        None,
    ):
        line = _OPENAI_HINTS[client]
    elif isinstance(exc, RuntimeError | ValueError | OSError) and message:
        # Library errors of these kinds carry the whole story in their message.
        line = message
    else:
        line = f"{name}: {message}" if message else name
    return shorten(mask_secrets(line), MAX_LENGTH)
