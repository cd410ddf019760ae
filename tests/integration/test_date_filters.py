"""`--since`, `--until` and `--source` over real dated news: every passage lies in the window.

A few dozen Wikinews articles (their dates are in their file names and datelines) are ingested
into a fresh store; many windows are asked through the core, and a few through the real
`veille ask --json` command.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.filters import date_ordinal, parse_filters
from assistant.settings import Settings, load_settings
from assistant.store import Store
from ingest.sync import ingest_paths
from tests.datasets import sample_wikinews

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    "Qui a été élu président ?",
    "Combien de personnes ont été tuées ?",
    "football",
    # Answered from the whole index, and with bullets from extra retrievals: filtered too.
    "Quels articles parlent de la France ?",
    "Compare la France et l'Allemagne.",
]
WINDOWS = [
    ("2016", "2016"),
    ("2017", "2017"),
    ("2018", None),
    (None, "2016-06"),
    ("2016-07", "2017-03"),
    ("2017-04", "2017-12"),
    ("2016-03-01", "2016-03-31"),
    ("2017-11-01", "2018-02-28"),
]


@pytest.fixture(scope="module")
def news_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    corpus = sample_wikinews(tmp_path_factory.mktemp("news") / "wikinews", 36, seed=7)
    data = tmp_path_factory.mktemp("news-data")
    settings = load_settings(data_dir=data).with_mode("extractive")
    ingest_paths([corpus], settings=settings)
    return settings


def _in_window(iso: str, since: str | None, until: str | None) -> bool:
    f = parse_filters(since, until)
    assert f is not None
    return f.matches("", iso)


def test_every_document_got_its_dateline_date(news_settings: Settings) -> None:
    from assistant.embeddings import make_embeddings

    records = Store(news_settings, make_embeddings(news_settings)).documents_under()
    assert len(records) == 36
    for record in records.values():
        y, m, d = re.findall(r"\d+", Path(record.source).stem)[:3]
        assert record.date == date(int(y), int(m), int(d)).isoformat()
        assert (record.date_precision, record.date_source, record.language) == (
            "day",
            "dateline",
            "fr",
        )
        assert record.title


def test_every_passage_lies_in_the_window(news_settings: Settings) -> None:
    assistant = Assistant(news_settings)
    seen_any = 0
    for since, until in WINDOWS:
        filters = parse_filters(since, until)
        for question in QUESTIONS:
            answer = assistant.ask(question, filters=filters)
            for p in answer.passages:
                assert _in_window(p.chunk.date, since, until), (since, until, p.chunk.date)
            seen_any += bool(answer.passages)
            # What is cited was retrieved, so it lies in the window too.
            shown = {p.n for p in answer.passages}
            assert all(c.n in shown for c in answer.citations)
    assert seen_any >= len(WINDOWS)  # the windows do select passages, not nothing
    unfiltered = assistant.ask(QUESTIONS[1])
    assert len({p.chunk.date[:4] for p in unfiltered.passages}) > 1


def _veille(settings: Settings, *args: str) -> dict[str, object]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(settings.data_dir.parent),
        "VEILLE_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(ROOT),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def test_ask_json_since_until_and_source(news_settings: Settings) -> None:
    data = _veille(
        news_settings,
        "ask",
        "Combien de personnes ont été tuées ?",
        "--json",
        "--mode",
        "extractive",
        "--since",
        "2017",
        "--until",
        "2017-06",
    )
    assert data["filters"] == {"since": "2017-01-01", "until": "2017-06-30", "source": None}
    passages = data["passages"]
    assert isinstance(passages, list)
    assert passages
    for p in passages:
        assert 20170101 <= date_ordinal(p["date"]) <= 20170630, p["date"]
        assert p["title"]
    data = _veille(
        news_settings, "ask", "football", "--json", "--mode", "extractive", "--source", "2018/*"
    )
    passages = data["passages"]
    assert isinstance(passages, list)
    assert passages
    assert all(p["source"].startswith("2018/") for p in passages)


def test_no_filter_no_filters_key_and_a_bad_date_is_one_error_line(
    news_settings: Settings,
) -> None:
    data = _veille(news_settings, "ask", "football", "--json", "--mode", "extractive")
    assert "filters" not in data
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", "football", "--since", "2017-13"],
        capture_output=True,
        text=True,
        env={**os.environ, "VEILLE_DATA_DIR": str(news_settings.data_dir)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("veille: error: '2017-13' is not a real date")


def test_a_store_indexed_by_the_previous_chunker_asks_for_a_rebuild(
    sample_settings: Settings,
) -> None:
    from assistant import state
    from assistant.store import make_client

    client = make_client(sample_settings)
    chunks = client.get_collection(state.live_name(client, sample_settings.store.collection))
    meta = {k: v for k, v in (chunks.metadata or {}).items() if not k.startswith("hnsw:")}
    chunks.modify(metadata={**meta, "chunker": "sentences-v1"})
    del client, chunks
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", "Combien de magasins Hema a-t-il ouverts ?"],
        capture_output=True,
        text=True,
        env={**os.environ, "VEILLE_DATA_DIR": str(sample_settings.data_dir)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert "older Veille" in done.stderr
    assert "`veille ingest --rebuild`" in done.stderr
