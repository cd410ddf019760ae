"""Exceptions turned into one line for a notice: what went wrong and what to do, never a secret.

The core's own errors already say what to do in one line. Errors from the OpenAI client (network
down, key refused, model unknown) are named by their class so that `openai` need not be imported,
and anything that looks like an API key is masked, whatever raised it.
"""

from __future__ import annotations

import re

MAX_LENGTH = 300

_KEY = re.compile(r"\b(sk-[A-Za-z0-9_*-]{2})[A-Za-z0-9_*-]{6,}")

_OPENAI_HINTS = {
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
    """One line for a notice, with any API-key-like string masked."""
    name = type(exc).__name__
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if type(exc).__module__.split(".")[0] == "openai" and name in _OPENAI_HINTS:
        line = _OPENAI_HINTS[name]
    elif isinstance(exc, RuntimeError | ValueError | OSError) and message:
        # The core's errors (StoreError, GeneratorError, StoreBusyError, IngestError, ...)
        # are RuntimeErrors whose message is the whole story.
        line = message
    else:
        line = f"{name}: {message}" if message else name
    line = _KEY.sub(r"\1…", line)
    return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 1] + "…"
