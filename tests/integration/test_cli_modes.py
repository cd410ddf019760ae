"""Every command a script runs, as a subprocess, in every answering mode.

`ask`, `ask --json`, `status` and `eval` through the real `veille` entry point, over a copy of
the ingested sample store: extractive (no model), `server` against a real OpenAI-compatible
HTTP server on loopback (tests/integration/fake_openai_server.py), and — slow, in CI — the
bundled local model. `ask --json` once crashed whenever a model answered; no test ran it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.fake_openai_server import serve

if TYPE_CHECKING:
    from collections.abc import Iterator

    from assistant.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HEMA_Q = "Combien de magasins Hema a-t-il ouverts ?"
OUT_Q = "Qui est le PDG de Pinduoduo ?"
SAMPLE = Path(__file__).parents[2] / "ingest" / "sample_corpus"
QUESTIONS = [
    {
        "id": "hema",
        "question": HEMA_Q,
        "answers": ["22"],
        "sources": ["002_35a95145e6805c4a.txt"],
        "answerable": True,
    },
    {"id": "pdg", "question": OUT_Q, "answers": [], "sources": [], "answerable": False},
]


def _run(args: list[str], env: dict[str, str], timeout: int = 300) -> Any:
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=timeout,
    )


def _env(settings: Settings, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "VEILLE_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    env.update(extra)
    return env


def _check_json_answer(stdout: str, mode: str) -> dict[str, Any]:
    data = json.loads(stdout)
    assert data["mode"] == mode
    assert {"question", "answer", "refused", "citations", "passages", "timings_ms"} <= set(data)
    assert not data["refused"], data["notes"]
    assert "22" in data["answer"]
    assert data["citations"]
    for c in data["citations"]:
        original = (SAMPLE / c["source"]).read_text(encoding="utf-8")
        assert original[c["start"] : c["end"]] == c["quote"]
    return data


def _check_commands(env: dict[str, str], mode: str, tmp_path: Path) -> None:
    plain = _run(["ask", "--mode", mode, HEMA_Q], env)
    assert plain.returncode == 0, plain.stderr
    assert "22" in plain.stdout
    assert "002_35a95145e6805c4a.txt" in plain.stdout

    as_json = _run(["ask", "--json", "--mode", mode, HEMA_Q], env)
    assert as_json.returncode == 0, as_json.stderr
    _check_json_answer(as_json.stdout, mode)

    refused = _run(["ask", "--json", "--mode", mode, OUT_Q], env)
    assert refused.returncode == 0, refused.stderr
    refusal = json.loads(refused.stdout)
    assert refusal["refused"] is True
    # Refused before any model was called, it still reports the mode it ran in.
    assert refusal["mode"] == mode

    status = _run(["status"], env)
    assert status.returncode == 0, status.stderr
    assert "5 documents" in status.stdout

    questions = tmp_path / "set.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    out = tmp_path / f"result-{mode}.json"
    evaluated = _run(["eval", str(questions), "--mode", mode, "--out", str(out)], env)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"summary", "config", "results"} <= set(result)
    rows = {r["id"]: r for r in result["results"]}
    assert rows["hema"]["mode"] == mode
    assert "22" in rows["hema"]["answer"]
    assert rows["pdg"]["refused"] is True


@pytest.fixture
def fake_server() -> Iterator[Any]:
    server = serve()
    yield server
    server.shutdown()


def test_every_command_in_extractive_mode(sample_settings: Settings, tmp_path: Path):
    _check_commands(_env(sample_settings, tmp_path), "extractive", tmp_path)


def test_every_command_against_an_openai_compatible_server(
    sample_settings: Settings, tmp_path: Path, fake_server: Any
):
    env = _env(sample_settings, tmp_path, OPENAI_BASE_URL=fake_server.base_url)
    _check_commands(env, "server", tmp_path)
    streamed = [r for r in fake_server.requests if r.get("stream")]
    assert streamed, "ask never streamed from the server"


@pytest.mark.slow
def test_every_command_with_the_bundled_local_model(sample_settings: Settings, tmp_path: Path):
    pytest.importorskip("xllamacpp", reason="the `local` extra is not installed")
    from assistant.local_model import ensure_model

    cache = os.environ.get("VEILLE_TEST_MODELS_DIR")
    model = ensure_model(Path(cache) if cache else tmp_path / "models")
    env = _env(sample_settings, tmp_path, VEILLE_LOCAL_MODEL=str(model))
    _check_commands(env, "local", tmp_path)
