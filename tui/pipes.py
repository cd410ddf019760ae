"""A reader that stops early (`veille figures --json | head -1`) ends the command quietly.

Other Unix tools die of SIGPIPE when the reader of their output goes away; Python ignores
that signal and raises `BrokenPipeError` instead, at a write or at the interpreter's last
flush. Following the Python documentation's advice (the "Note on SIGPIPE" of the `signal`
module), stdout is pointed at /dev/null so that nothing is written or reported any more, and
the command exits with 141, the status a shell gives a process killed by SIGPIPE (128 + 13).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

EXIT_BROKEN_PIPE: Final = 141
"""What `veille` returns when its output's reader went away: 128 + SIGPIPE, as a shell says."""


def quiet_when_closed(command: Callable[[], int]) -> int:
    """Run `command`, flush its output, and end quietly if the reader closed the pipe.

    Args:
        command: The command line's work; returns its exit code and lets `BrokenPipeError`
            through.

    Returns:
        The command's exit code, or `EXIT_BROKEN_PIPE` when stdout's reader went away.
    """
    try:
        code = command()
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush has somewhere to go."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (stdout replaced in a test)
        pass
