"""`veille figures --json` and `veille timeline --json` as a script runs them, on the sample store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from assistant.settings import Settings

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).parents[2] / "ingest" / "sample_corpus"


def _veille(settings: Settings, tmp_path: Path, *args: str) -> Any:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "VEILLE_DATA_DIR": str(settings.data_dir),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_figures_json_lists_each_figure_with_an_exact_quote(
    sample_settings: Settings, tmp_path: Path
) -> None:
    rows = _veille(sample_settings, tmp_path, "figures", "--json")["figures"]
    assert len(rows) >= 40
    for row in rows:
        assert set(row) == {
            "value", "number", "unit", "what", "entity", "source", "date", "quote", "start", "end",
            "doc_id",
        }  # fmt: skip
        text = (SAMPLE / row["source"]).read_text(encoding="utf-8")
        assert text[row["start"] : row["end"]] == row["quote"]
        # The id is the ingested file itself: a front end opens it without a lookup.
        opened = Path(row["doc_id"]).read_text(encoding="utf-8")
        assert opened[row["start"] : row["end"]] == row["quote"]
    hema = _veille(sample_settings, tmp_path, "figures", "magasins hema", "--json")["figures"]
    assert [(r["value"], r["what"], r["entity"]) for r in hema] == [("22", "magasins", "Hema")]
    only = _veille(sample_settings, tmp_path, "figures", "--json", "--source", "003*")["figures"]
    assert only
    assert {r["source"] for r in only} == {"003_2922aea180172e7c.txt"}


def test_timeline_json_is_in_date_order_unresolved_last(
    sample_settings: Settings, tmp_path: Path
) -> None:
    events = _veille(sample_settings, tmp_path, "timeline", "--json")["events"]
    dated = [e["date"] for e in events if e["date"] is not None]
    assert dated == sorted(dated)
    first_unresolved = next(i for i, e in enumerate(events) if e["date"] is None)
    assert all(e["date"] is None for e in events[first_unresolved:])
    texts = {(e["text"], e["date"], e["precision"]) for e in events}
    assert ("depuis janvier 2018", "2018-01", "month") in texts
    assert ("22 novembre 2017", "2017-11-22", "day") in texts
    for e in events:
        text = (SAMPLE / e["source"]).read_text(encoding="utf-8")
        assert text[e["start"] : e["end"]] == e["quote"]
        assert e["text"] in e["quote"]


def test_timeline_lists_every_hand_listed_date_of_the_sample_with_its_precision(
    sample_settings: Settings, tmp_path: Path
) -> None:
    hand = json.loads((SAMPLE.parents[1] / "evals" / "timeline_sample.json").read_text("utf-8"))
    events = _veille(sample_settings, tmp_path, "timeline", "--json")["events"]
    for name, item in hand["files"].items():
        got = [(e["text"], e["date"], e["precision"]) for e in events if e["source"] == name]
        for d in item["dates"]:
            assert (d["phrase"], d["expected"], d["precision"]) in got, (name, d)
        (doc_id,) = {e["doc_id"] for e in events if e["source"] == name}
        assert Path(doc_id).name == name
