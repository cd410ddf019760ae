"""The command line's promises, as a script or a terminal sees them: exit codes, one-line errors,
no secret and no terminal control sequence ever printed.

Each test runs `python -m tui.cli` in a subprocess and reads the raw bytes it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.fake_openai_server import serve

if TYPE_CHECKING:
    from assistant.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
CANARY = "sk-canary-5e1d7c3b9a2f4e6d8c0b"
HEMA_Q = "Combien de magasins Hema a-t-il ouverts ?"


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
        "VEILLE_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        env={**base, **env},
        check=False,
        timeout=300,
    )


def _one_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 1, result
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("veille: error: ")
    assert "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [["frobnicate"], ["ask"], ["ask", "q", "--no-such-flag"], ["ingest", "--rebuild=x"]],
    ids=["unknown-command", "missing-question", "unknown-flag", "flag-with-value"],
)
def test_bad_arguments_exit_1_with_one_line(args: list[str], tmp_path: Path):
    _one_error_line(_run(args, tmp_path))


def test_version_prints_the_version(tmp_path: Path):
    result = _run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.decode().startswith("veille ")


@pytest.mark.parametrize("question", ["", "   ", "\t\n"], ids=["empty", "spaces", "whitespace"])
def test_an_empty_question_is_an_error_not_an_answer(question: str, tmp_path: Path):
    line = _one_error_line(_run(["ask", "--mode", "extractive", question], tmp_path))
    assert "empty" in line


@pytest.mark.parametrize("k", ["-1", "0", "100000"])
def test_k_out_of_the_settings_bounds_is_an_error(k: str, tmp_path: Path):
    line = _one_error_line(_run(["ask", "--mode", "extractive", "-k", k, HEMA_Q], tmp_path))
    assert "retrieval.k" in line


def test_settings_errors_name_the_setting(tmp_path: Path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    assert "data_dir" in _one_error_line(_run(["status"], tmp_path, VEILLE_DATA_DIR=""))
    line = _one_error_line(_run(["status"], tmp_path, VEILLE_DATA_DIR=str(tmp_path / "afile")))
    assert "is a file" in line
    line = _one_error_line(_run(["status"], tmp_path, VEILLE_CONFIG=str(tmp_path / "no.toml")))
    assert "VEILLE_CONFIG" in line


def test_a_chroma_url_password_is_never_printed(tmp_path: Path):
    url = "http://analyst:hunter2-secret@127.0.0.1:9"
    result = _run(["ask", "--mode", "extractive", HEMA_Q], tmp_path, VEILLE_CHROMA_URL=url)
    line = _one_error_line(result)
    assert b"hunter2" not in result.stdout + result.stderr
    assert "127.0.0.1:9" in line


@pytest.mark.slow
def test_a_key_echoed_by_the_server_is_never_printed(sample_settings: Settings, tmp_path: Path):
    server = serve(error="Incorrect API key provided")
    try:
        result = _run(
            ["ask", "--mode", "server", HEMA_Q],
            tmp_path,
            VEILLE_DATA_DIR=str(sample_settings.data_dir),
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY=CANARY,
        )
    finally:
        server.shutdown()
    line = _one_error_line(result)
    assert CANARY.encode() not in result.stdout + result.stderr
    assert CANARY[-8:].encode() not in result.stdout + result.stderr
    assert server.base_url in line
    assert "generation.base_url" in line


@pytest.mark.slow
def test_a_connection_error_names_the_url_and_the_setting(sample_settings: Settings, tmp_path):
    result = _run(
        ["ask", "--mode", "server", HEMA_Q],
        tmp_path,
        VEILLE_DATA_DIR=str(sample_settings.data_dir),
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        VEILLE_GENERATION__TIMEOUT_S="3",
    )
    line = _one_error_line(result)
    assert "http://127.0.0.1:9/v1" in line
    assert "OPENAI_BASE_URL" in line


ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m"]


def _no_control_sequences(result: subprocess.CompletedProcess[bytes]) -> None:
    raw = result.stdout + result.stderr
    assert b"\x1b" not in raw
    assert b"\x07" not in raw
    assert "\x9b".encode() not in raw


@pytest.mark.slow
def test_escape_sequences_in_a_file_name_never_reach_the_terminal(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = "hema\x1b[2J\x1b]0;pwned\x07.txt"
    (corpus / name).write_text(
        "Hema a ouvert 22 magasins à Shanghai et Pékin ces derniers mois.", encoding="utf-8"
    )
    (corpus / "notes\x1b[31m.doc").write_text("unsupported", encoding="utf-8")
    ingested = _run(["ingest", str(corpus)], tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    _no_control_sequences(ingested)
    asked = _run(["ask", "--mode", "extractive", HEMA_Q], tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert b"22 magasins" in asked.stdout
    assert b"\\x1b" in asked.stdout  # shown escaped, so the reader still sees it is there
    _no_control_sequences(asked)
    as_json = _run(["ask", "--json", "--mode", "extractive", HEMA_Q], tmp_path)
    _no_control_sequences(as_json)
    assert json.loads(as_json.stdout)["citations"][0]["source"] == name


@pytest.mark.slow
def test_escape_sequences_in_model_output_never_reach_the_terminal(
    sample_settings: Settings, tmp_path: Path
):
    server = serve(answer="Hema a ouvert 22 magasins \x1b[2J\x1b]0;pwned\x07\x9b31m [1].")
    try:
        env: dict[str, Any] = {
            "VEILLE_DATA_DIR": str(sample_settings.data_dir),
            "OPENAI_BASE_URL": server.base_url,
        }
        streamed = _run(["ask", "--mode", "server", HEMA_Q], tmp_path, **env)
        as_json = _run(["ask", "--json", "--mode", "server", HEMA_Q], tmp_path, **env)
    finally:
        server.shutdown()
    assert streamed.returncode == 0, streamed.stderr
    _no_control_sequences(streamed)
    assert as_json.returncode == 0, as_json.stderr
    _no_control_sequences(as_json)
    json.loads(as_json.stdout)


def test_a_damaged_store_says_what_to_run(sample_settings: Settings, tmp_path: Path):
    database = sample_settings.data_dir / "chroma" / "chroma.sqlite3"
    with database.open("r+b") as f:
        f.seek(100)
        f.write(b"\x00" * 16384)
    for args in (["ask", "--mode", "extractive", HEMA_Q], ["ingest", "--rebuild"]):
        line = _one_error_line(_run(args, tmp_path, VEILLE_DATA_DIR=str(sample_settings.data_dir)))
        assert "damaged" in line
        assert "mv " in line
        assert "malformed" in line


@pytest.mark.slow
def test_status_shows_the_store_when_the_embeddings_server_is_down(
    sample_settings: Settings, tmp_path: Path
):
    result = _run(
        ["status"],
        tmp_path,
        VEILLE_DATA_DIR=str(sample_settings.data_dir),
        VEILLE_EMBEDDINGS__PROVIDER="openai",
        VEILLE_EMBEDDINGS__BASE_URL="http://127.0.0.1:9/v1",
        OPENAI_API_KEY=CANARY,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "5 documents" in out
    assert "embeddings: unavailable" in out
    assert CANARY.encode() not in result.stdout + result.stderr


def test_two_identical_files_are_one_passage_not_two(tmp_path: Path):
    from assistant.answer import Assistant
    from assistant.settings import load_settings
    from ingest.sync import ingest_paths

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "Hema a ouvert 22 magasins à Shanghai. Le groupe vise 2 000 magasins en Chine."
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "b.txt").write_text(text, encoding="utf-8")
    (corpus / "c.txt").write_text("JD.com livre par drone dans trois provinces.", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data").with_mode("extractive")
    ingest_paths([corpus], settings=settings)
    answer = Assistant(settings).ask(HEMA_Q)
    texts = [p.chunk.text for p in answer.passages]
    assert len(texts) == len(set(texts))
    assert sum(p.source in ("a.txt", "b.txt") for p in answer.passages) == 1
