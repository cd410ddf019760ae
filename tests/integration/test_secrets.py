"""A canary API key must never appear in any output, log or traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CANARY = "sk-canary-7f3a9c1e5b2d4f6a8c0e"


@pytest.mark.parametrize("debug", ["", "1"], ids=["normal", "debug-traceback"])
def test_canary_key_never_printed_when_the_server_fails(
    sample_settings: Settings, debug: str, tmp_path
):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OPENAI_API_KEY": CANARY,
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens: the request fails
        "OPENAI_LOG": "debug",  # the openai client's own debug logging, headers included
        "VEILLE_DEBUG": debug,
        "VEILLE_DATA_DIR": str(sample_settings.data_dir),
        "VEILLE_GENERATION__TIMEOUT_S": "3",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui.cli",
            "ask",
            "--mode",
            "server",
            "Combien de magasins Hema a-t-il ouverts ?",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Connection" in output or "connect" in output.lower()
    assert CANARY not in output
    assert CANARY[-8:] not in output


def test_canary_key_not_in_settings_dump_or_status(sample_settings: Settings, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OPENAI_API_KEY": CANARY,
        "VEILLE_DATA_DIR": str(sample_settings.data_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "status"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "openai" in result.stdout
    assert CANARY not in result.stdout + result.stderr
