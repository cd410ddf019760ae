"""`veille ask` turns a date phrase of the question into a filter it shows, and can drop it.

A couple of dozen dated Wikinews articles (2016-2018) are ingested into a fresh store; the
real command is run as a subprocess, plain and `--json`, with and without `--no-date-filter`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.filters import date_ordinal
from assistant.settings import Settings, load_settings
from ingest.sync import ingest_paths
from tests.datasets import sample_wikinews

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Qui a gagné le match en 2016 ?"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    corpus = sample_wikinews(tmp_path_factory.mktemp("news") / "wikinews", 24, seed=11)
    settings = load_settings(data_dir=tmp_path_factory.mktemp("news-data"))
    ingest_paths([corpus], settings=settings)
    return settings


def _ask(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(settings.data_dir.parent),
        "VEILLE_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(ROOT),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", *args, "--mode", "extractive"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def _years(data: dict[str, list[dict[str, str]]]) -> set[str]:
    return {p["date"][:4] for p in data["passages"]}


def test_a_year_in_the_question_filters_and_json_says_so(news: Settings) -> None:
    data = json.loads(_ask(news, QUESTION, "--json").stdout)
    assert data["filters"] == {
        "since": "2016-01-01",
        "until": "2016-12-31",
        "source": None,
        "keep_undated": True,  # a window read from the question keeps undated articles
    }
    start = QUESTION.index("en 2016")
    assert data["filter_from_question"] == {"phrase": "en 2016", "start": start, "end": start + 7}
    assert data["passages"]
    for p in data["passages"]:
        assert 20160101 <= date_ordinal(p["date"]) <= 20161231, p["date"]

    dropped = json.loads(_ask(news, QUESTION, "--json", "--no-date-filter").stdout)
    assert "filter_from_question" not in dropped
    assert "filters" not in dropped
    assert len(_years(dropped)) > 1  # every date again: not only 2016


def test_the_plain_answer_shows_the_filter_on_stderr(news: Settings) -> None:
    done = _ask(news, "Qu'est-ce qui s'est passé depuis janvier 2018 ?")
    assert (
        "filter from the question: since 2018-01-01 (« depuis janvier 2018 »; undated "
        "articles kept); --no-date-filter to search every date"
    ) in done.stderr
    assert "filter from the question" not in done.stdout
    done = _ask(news, "Qu'est-ce qui s'est passé depuis janvier 2018 ?", "--no-date-filter")
    assert "filter from the question" not in done.stderr


def test_a_flag_wins_over_the_phrase_and_when_questions_get_none(news: Settings) -> None:
    data = json.loads(_ask(news, QUESTION, "--json", "--since", "2018").stdout)
    assert data["filters"]["since"] == "2018-01-01"
    assert "filter_from_question" not in data
    assert _years(data) == {"2018"}
    data = json.loads(_ask(news, "Quand le match a-t-il eu lieu en 2016 ?", "--json").stdout)
    assert "filter_from_question" not in data
    assert "filters" not in data
    # A source glob alone is kept beside the question's window.
    data = json.loads(_ask(news, QUESTION, "--json", "--source", "2016/*").stdout)
    assert data["filters"] == {
        "since": "2016-01-01",
        "until": "2016-12-31",
        "source": "2016/*",
        "keep_undated": True,
    }
    assert data["filter_from_question"]["phrase"] == "en 2016"
