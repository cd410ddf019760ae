"""A reader that stops early (`veille figures --json | head -1`) ends `veille` quietly.

Each command runs as a subprocess writing into a real pipe whose reader goes away: no
traceback, no error line, exit status 141 (128 + SIGPIPE, what a shell reports for other
tools), as `tui/pipes.py` documents.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from assistant.settings import Settings

pytestmark = pytest.mark.integration

HEMA_Q = "Combien de magasins Hema a-t-il ouverts ?"
COMMANDS = [
    pytest.param(["figures", "--json"], id="figures-json"),
    pytest.param(["timeline", "--json"], id="timeline-json"),
    pytest.param(["ask", "--json", "--mode", "extractive", HEMA_Q], id="ask-json"),
    pytest.param(["status"], id="status"),
]


def _env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "VEILLE_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    return env


def _into_pipe(
    args: list[str], env: dict[str, str], tmp_path: Path, *, read: int
) -> tuple[int, bytes, str]:
    """Run `veille ARGS > pipe`, read `read` bytes of its output, close the pipe, wait.

    Returns the exit status, what was read, and stderr.
    """
    reader, writer = os.pipe()
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", *args], stdout=writer, stderr=err, env=env
        )
    os.close(writer)
    got = b""
    with os.fdopen(reader, "rb", buffering=0) as pipe:
        while len(got) < read:
            piece = pipe.read(read - len(got))
            if not piece:
                break
            got += piece
    code = proc.wait(timeout=120)
    return code, got, errors.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", COMMANDS)
def test_a_reader_that_goes_away_at_once_ends_the_command_quietly(
    sample_settings: Settings, tmp_path: Path, args: list[str]
) -> None:
    # The reader closes before `veille` has even started: its first write fails.
    code, _, stderr = _into_pipe(args, _env(sample_settings, tmp_path), tmp_path, read=0)
    assert stderr == ""
    assert code == 141


def test_a_reader_that_takes_a_few_bytes_gets_them_and_the_command_ends_quietly(
    sample_settings: Settings, tmp_path: Path
) -> None:
    env = _env(sample_settings, tmp_path)
    code, got, stderr = _into_pipe(["figures", "--json"], env, tmp_path, read=10)
    assert got.startswith(b"{")
    assert len(got) == 10
    assert stderr == ""
    # The whole object may already sit in the pipe's buffer when the reader leaves.
    assert code in (0, 141)
