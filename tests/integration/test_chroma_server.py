"""Veille against a real `chroma run` server on loopback: ingest, ask, then stop it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.settings import load_settings
from ingest.sync import ingest_paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SAMPLE = Path(__file__).parents[2] / "ingest" / "sample_corpus"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    server = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server-db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()}"
                    )
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_ingest_and_ask_through_a_chroma_server(chroma_url: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VEILLE_CHROMA_URL", chroma_url)
    corpus = tmp_path / "articles"
    shutil.copytree(SAMPLE, corpus)
    settings = load_settings()
    assert settings.store.chroma_url == chroma_url
    report = ingest_paths([corpus], settings=settings)
    assert report.added == 5
    assert not (settings.data_dir / "chroma").exists()  # nothing went to the embedded store
    again = ingest_paths([corpus], settings=settings)
    assert (again.added, again.unchanged) == (0, 5)

    extractive = settings.with_mode("extractive")
    answer = Assistant(extractive).ask("Combien Alibaba investit-il dans Huitongda Network ?")
    assert "712,2 millions" in answer.text
    assert answer.citations[0].source == "001_f00b6cf2c989c739.txt"

    # A second reader elsewhere (another data dir: no local BM25 cache) sees the same store.
    reader = extractive.model_copy(update={"data_dir": tmp_path / "other-machine"})
    again_answer = Assistant(reader).ask("Combien de magasins Hema a-t-il ouverts ?")
    assert "22" in again_answer.text
