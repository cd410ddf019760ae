"""The pipe between `LocalLLMServer` and its child: one JSON config line in, one report line out.

The parent writes the server's settings as one JSON line on the child's stdin (the API key
travels here, not in argv, which `ps` shows); the child answers with one stdout line,
`REPORT_PREFIX` then JSON: `{"url": ...}` once it serves, or `{"error": ...}`. Closing stdin
then tells the child to free the model and exit.
"""

from __future__ import annotations

import json
import threading
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

REPORT_PREFIX = "VEILLE-LOCAL-LLM "


def read_config(stream: IO[str]) -> dict[str, Any]:
    """Child side: the settings the parent sent, one JSON object."""
    config: dict[str, Any] = json.loads(stream.readline())
    return config


def write_report(stream: IO[str], message: dict[str, Any]) -> None:
    """Child side: send the one report line and flush it."""
    stream.write(REPORT_PREFIX + json.dumps(message) + "\n")
    stream.flush()


def read_report(
    proc: subprocess.Popen[str], config: dict[str, Any], *, timeout: float
) -> dict[str, Any] | None:
    """Parent side: send the child its settings, then wait for its one report (or its death).

    Returns:
        The child's report, or None if it died or said nothing within `timeout` seconds.
    """
    reports: list[dict[str, Any]] = []
    line_out = json.dumps(config)

    def talk() -> None:
        if proc.stdin is None or proc.stdout is None:
            return
        try:
            proc.stdin.write(line_out + "\n")
            proc.stdin.flush()
            for line in proc.stdout:
                if line.startswith(REPORT_PREFIX):
                    reports.append(json.loads(line.removeprefix(REPORT_PREFIX)))
                    return
        except (OSError, ValueError):
            return

    # A thread so that a child stuck while loading cannot block us past the timeout.
    thread = threading.Thread(target=talk, name="veille-local-llm-start", daemon=True)
    thread.start()
    thread.join(timeout)
    return reports[0] if reports else None
