"""Lists, summaries, comparisons and explanations come back as cited bullets, every quote exact.

Over a copy of the ingested sample store (real Chroma, real e5), in extractive mode: these
answers are exact sentences in every mode, so what is checked here is what every user gets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from assistant.answer import Assistant
from assistant.store import Store

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.types import Answer

pytestmark = pytest.mark.integration

FIVE_POINTS = "Quels sont les cinq points qui résument Alibaba ?"


@pytest.fixture
def assistant(sample_settings: Settings) -> Assistant:
    return Assistant(sample_settings)


def _exact(answer: Answer, store: Store) -> None:
    """Every bullet is cited, and every citation's quote is at its offsets."""
    bullets = answer.text.splitlines()
    assert bullets
    assert all(line.startswith("- ") and line.rstrip().endswith("]") for line in bullets)
    assert len(answer.citations) == len(bullets)
    by_n = {p.n: p for p in answer.passages}
    for c in answer.citations:
        text = store.document_text(by_n[c.n].chunk.doc_id)
        assert text is not None
        assert text[c.start : c.end] == c.quote


def test_the_five_points_are_the_articles_own_numbered_points(assistant: Assistant):
    answer = assistant.ask(FIVE_POINTS)
    assert answer.kind == "list"
    assert not answer.refused
    _exact(answer, assistant.store)
    lines = answer.text.splitlines()
    assert len(lines) == 5
    assert "New Retail" in lines[1]
    assert "France" in lines[2]
    # The list numbers are not sentences of their own, and each point is labelled once.
    assert not any(line.startswith(("- 1", "- 2")) for line in lines)
    assert all(line.count("**") == 2 for line in lines)


def test_a_comparison_has_evidence_for_each_side(assistant: Assistant):
    answer = assistant.ask("Compare JD et Tmall sur le marché B2C de l'électroménager en Chine.")
    assert answer.kind == "comparison"
    _exact(answer, assistant.store)
    assert any(line.startswith("- **JD**") for line in answer.text.splitlines())
    assert any(line.startswith("- **Tmall**") for line in answer.text.splitlines())
    assert "61%" in answer.text


def test_a_summary_of_one_article_stays_in_it_in_its_order(assistant: Assistant):
    answer = assistant.ask(
        "Résume l'article sur l'investissement d'Alibaba dans Huitongda Network."
    )
    assert answer.kind == "summary"
    _exact(answer, assistant.store)
    by_n = {p.n: p for p in answer.passages}
    docs = {by_n[c.n].chunk.doc_id for c in answer.citations}
    assert len(docs) == 1
    starts = [c.start for c in answer.citations]
    assert starts == sorted(starts)
    assert "712" in answer.text


def test_a_heading_stands_for_the_section_under_it(assistant: Assistant):
    answer = assistant.ask("Que font les concurrents d'Alibaba pour conquérir les campagnes ?")
    _exact(answer, assistant.store)
    assert "JD.com" in answer.text
    assert "drone" in answer.text


def test_a_fact_question_still_gets_one_sentence(assistant: Assistant):
    answer = assistant.ask("Combien de magasins Hema a-t-il ouverts ?")
    assert answer.kind == "fact"
    assert "22 magasins" in answer.text
    assert not answer.text.startswith("- ")


def test_ask_json_says_the_kind_and_keeps_its_schema(sample_settings: Settings, tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VEILLE_DATA_DIR": str(sample_settings.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "ask", "--json", "--mode", "extractive", FIVE_POINTS],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["kind"] == "list"
    assert data["answer"].count("\n- ") == 4
    assert {"quote", "start", "end", "n", "source"} <= set(data["citations"][0])
