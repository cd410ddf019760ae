"""The confidence's logistic score, its settings, and `python -m evals.calibrate`'s fit."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest

from assistant.confidence import BIAS, SIGNAL_NAMES, Signals, confidence
from assistant.settings import SettingsError, load_settings
from evals import calibrate


def test_no_weights_is_a_coin_toss_and_weights_move_it():
    strong = Signals(evidence_score=1.5)
    assert confidence(strong, {}) == 0.5
    assert confidence(strong, {"evidence_score": 2.0}) > confidence(
        Signals(), {"evidence_score": 2.0}
    )
    assert math.isclose(confidence(Signals(), {BIAS: math.log(3)}), 0.75)


def test_extreme_weights_saturate_instead_of_overflowing():
    assert confidence(Signals(question_terms=1e6), {"question_terms": 1e6}) == pytest.approx(1.0)
    assert confidence(Signals(question_terms=1e6), {"question_terms": -1e6}) == pytest.approx(0.0)


def test_settings_reject_a_weight_for_an_unknown_signal():
    with pytest.raises(SettingsError, match="unknown signal"):
        load_settings(grounding={"confidence_weights": {"evidence_scor": 1.0}})
    assert set(load_settings().grounding.confidence_weights) == {*SIGNAL_NAMES, BIAS}


def _row(qid: str, *, score: float, correct: bool, answerable: bool = True) -> dict:
    signals = dict.fromkeys(SIGNAL_NAMES, 0.0) | {"evidence_score": score}
    return {
        "id": qid, "question": qid, "answer": "…", "refused": False, "kind": "fact",
        "answerable": answerable, "signals": signals, "metrics": {"correct": correct},
    }  # fmt: skip


def _run(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"summary": {}, "config": {}, "results": rows}), encoding="utf-8")
    return path


def test_the_fit_learns_which_signal_separates_right_from_wrong(tmp_path: Path):
    # Right answers come with strong sentences, wrong ones (unanswerable included) with weak.
    rows = [_row(f"r{i}", score=1.0 + i / 20, correct=True) for i in range(12)]
    rows += [
        _row(f"w{i}", score=0.2 + i / 20, correct=False, answerable=i % 2 == 0) for i in range(12)
    ]
    loaded = calibrate.load_rows(_run(tmp_path, rows))
    weights = calibrate.fit(loaded)
    assert weights["evidence_score"] > 0
    assert confidence(Signals(evidence_score=1.3), weights) > 0.8
    assert confidence(Signals(evidence_score=0.3), weights) < 0.2
    # Threshold 0 is the run itself; 0.5 refuses the wrong ones and keeps the right ones.
    before, after = (calibrate.outcome(loaded, weights, t) for t in (0.0, 0.5))
    assert (before.wrong_but_cited, before.correct, before.refused) == (12, 12, 0)
    assert (after.wrong_but_cited, after.correct, after.refused) == (0, 12, 12)
    assert after.right_refusals == 6


def test_too_few_answers_to_fit_is_an_error_not_a_model(tmp_path: Path, capsys):
    path = _run(tmp_path, [_row("r", score=1.0, correct=True)])
    assert calibrate.main([str(path)]) == 1
    assert "at least 10" in capsys.readouterr().err


def test_printed_weights_are_a_settings_table_that_loads(tmp_path: Path, capsys):
    rows = [_row(f"r{i}", score=1.0 + i / 10, correct=True) for i in range(8)]
    rows += [_row(f"w{i}", score=0.5 + i / 10, correct=False) for i in range(8)]
    assert calibrate.main([str(_run(tmp_path, rows))]) == 0
    out = capsys.readouterr().out
    table = out.split("\n\n")[0]
    weights = tomllib.loads(table)["grounding"]["confidence_weights"]
    settings = load_settings(grounding={"confidence_weights": weights})
    assert settings.grounding.confidence_weights == weights
    assert "| 0.50 |" in out
