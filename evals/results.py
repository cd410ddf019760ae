"""Typed eval results and their one JSON form: a `QuestionResult` per question, `RunResult` a run.

`veille eval --out` writes `RunResult.to_dict()`, `{"summary", "config", "results"}`, and that
file is a public contract: keys are only ever added. Each result is the `veille ask --json`
object of the question's answer (`Answer.to_dict()`) plus the question's `id`, expected answers
and sources, `answerable`, the ranked sources the retrieval metrics were computed on, and the
per-question `metrics`. `from_dict` reads a file back (this version's or an earlier one's) and
says in one line what is wrong with one that is not a result file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from assistant.errors import VeilleError
from assistant.types import Answer, Passage, Timings

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from evals.questions import Question

Metric: TypeAlias = float | int | bool | None
"""One per-question or summary value: a score, a count, a yes/no, or None where undefined."""

RETRIEVAL_ONLY_MODE = "retrieval-only"
"""The `mode` of a result that was retrieved but never answered (`--retrieval-only`)."""


class ResultFileError(VeilleError):
    """A file is not a `veille eval --out` result; the message names it and what is wrong."""


class _BadFieldError(ValueError):
    """A field of a result has the wrong type; caught and prefixed with where it is."""


def _is_metric(value: object) -> bool:
    return value is None or isinstance(value, int | float)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        msg = f"{key!r} must be a string"
        raise _BadFieldError(msg)
    return str(value)


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"{key!r} must be a list of strings"
        raise _BadFieldError(msg)
    return tuple(value)


def _kind(data: Mapping[str, Any]) -> str | None:
    value = data.get("expected_kind")
    if value is not None and not isinstance(value, str):
        msg = "'expected_kind' must be a string"
        raise _BadFieldError(msg)
    return value


def _elements(data: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    value = data.get("expected_elements") or []
    if not isinstance(value, list) or not all(
        isinstance(e, list) and all(isinstance(v, str) for v in e) for e in value
    ):
        msg = "'expected_elements' must be a list of lists of strings"
        raise _BadFieldError(msg)
    return tuple(tuple(e) for e in value)


def _metrics(value: Any) -> dict[str, Metric]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(_is_metric(v) for v in value.values()):
        msg = "'metrics' must map names to numbers, true/false or null"
        raise _BadFieldError(msg)
    return dict(value)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question of a run: its answer (or retrieval, or error) and its metrics.

    Exactly one of three kinds: answered (`answer` is set), retrieval-only (`answer` is None,
    `passages` and `timings` hold what was retrieved) or failed (`error` is set).

    Attributes:
        id: The question's id in its set.
        question: The question as asked.
        expected_answers: The accepted answers of the set.
        expected_sources: The documents that hold the answer.
        answerable: Whether the corpus answers the question.
        answer: The assistant's answer, None for retrieval-only and failed questions.
        passages: The first k passages of a retrieval-only question (their text is not kept).
        timings: The timings of a retrieval-only question (an answer carries its own).
        ranked_sources: Sources of the deeper ranking the retrieval metrics were computed on.
        metrics: The per-question metrics, None where undefined.
        error: What failed ("Timeout: ..."), for a question whose answer failed.
        expected_kind: The answer shape the set says the question wants, if it says.
        expected_elements: The facts a full answer holds, each as accepted variants.
    """

    id: str
    question: str
    expected_answers: tuple[str, ...] = ()
    expected_sources: tuple[str, ...] = ()
    answerable: bool = True
    answer: Answer | None = None
    passages: tuple[Passage, ...] = ()
    timings: Timings | None = None
    ranked_sources: tuple[str, ...] = ()
    metrics: dict[str, Metric] = field(default_factory=dict)
    error: str | None = None
    expected_kind: str | None = None
    expected_elements: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def for_question(cls, question: Question, **fields: Any) -> QuestionResult:
        """A result of `question`, with its id, expected answers and sources filled in."""
        return cls(
            id=question.id,
            question=question.question,
            expected_answers=question.answers,
            expected_sources=question.sources,
            answerable=question.answerable,
            expected_kind=question.kind,
            expected_elements=question.elements,
            **fields,
        )

    @property
    def failed(self) -> bool:
        """True when the question's answer failed (and so is left out of the summary)."""
        return self.error is not None

    @property
    def refused(self) -> bool | None:
        """Whether the answer was a refusal; None when nothing was answered."""
        return None if self.answer is None else self.answer.refused

    @property
    def phase_timings(self) -> Timings | None:
        """The answer's timings, or the retrieval's; None for a failed question."""
        return self.answer.timings if self.answer is not None else self.timings

    def to_dict(self) -> dict[str, Any]:
        """The `results[]` entry of RESULT.json: the `ask --json` object plus the eval's keys."""
        expected = {
            "id": self.id,
            "expected_answers": list(self.expected_answers),
            "expected_sources": list(self.expected_sources),
            "answerable": self.answerable,
        }
        # Only sets that have them: rows of other sets keep their keys.
        if self.expected_kind is not None:
            expected["expected_kind"] = self.expected_kind
        if self.expected_elements:
            expected["expected_elements"] = [list(e) for e in self.expected_elements]
        if self.error is not None:
            return {
                "question": self.question,
                **expected,
                "error": self.error,
                "metrics": dict(self.metrics),
            }
        if self.answer is not None:
            head = self.answer.to_dict()
        else:
            head = {
                "question": self.question,
                "answer": None,
                "refused": None,
                "mode": RETRIEVAL_ONLY_MODE,
                "model": None,
                "citations": [],
                # Thousands of questions: keep the file small, the ids say enough.
                "passages": [
                    {k: v for k, v in p.to_dict().items() if k != "text"} for p in self.passages
                ],
                "timings_ms": (self.timings or Timings()).to_dict(),
                "standalone_question": None,
                "notes": [],
                "prompt_tokens": None,
            }
        return {
            **head,
            **expected,
            "ranked_sources": list(self.ranked_sources),
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "result") -> QuestionResult:
        """Read a `results[]` entry back.

        Raises:
            ResultFileError: The entry is not an eval result; the message starts with `where`.
        """
        if not isinstance(data, dict):
            msg = f"{where}: expected a JSON object"
            raise ResultFileError(msg)
        try:
            return cls._from_dict(data)
        except KeyError as exc:
            msg = f"{where}: missing {exc}"
        except (_BadFieldError, TypeError, ValueError, AttributeError) as exc:
            msg = f"{where}: {exc}"
        raise ResultFileError(msg)

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> QuestionResult:
        answerable = data.get("answerable", True)
        if not isinstance(answerable, bool):
            msg = "'answerable' must be true or false"
            raise _BadFieldError(msg)
        common: dict[str, Any] = {
            "id": _text(data, "id"),
            "question": _text(data, "question"),
            "expected_answers": _strings(data, "expected_answers"),
            "expected_sources": _strings(data, "expected_sources"),
            "answerable": answerable,
            "ranked_sources": _strings(data, "ranked_sources"),
            "metrics": _metrics(data.get("metrics")),
            "expected_kind": _kind(data),
            "expected_elements": _elements(data),
        }
        if "error" in data:
            return cls(**common, error=str(data["error"]))
        if data.get("mode") == RETRIEVAL_ONLY_MODE:
            passages = data.get("passages") or []
            if not isinstance(passages, list) or not all(isinstance(p, dict) for p in passages):
                msg = "'passages' must be a list of objects"
                raise _BadFieldError(msg)
            return cls(
                **common,
                passages=tuple(Passage.from_dict({"text": "", **p}) for p in passages),
                timings=Timings.from_dict(data.get("timings_ms") or {}),
            )
        if not isinstance(data.get("refused"), bool):
            msg = "'refused' must be true or false"
            raise _BadFieldError(msg)
        return cls(**common, answer=Answer.from_dict(data))


@dataclass(frozen=True, slots=True)
class RunResult:
    """A whole run: its summary, its configuration and one result per question.

    Attributes:
        summary: Metric groups (`counts`, `retrieval`, ...) and headline values.
        config: What the run was (question set, mode, settings, store, host).
        results: One result per question, in the set's order.
    """

    summary: dict[str, Any]
    config: dict[str, Any]
    results: tuple[QuestionResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The RESULT.json object."""
        return {
            "summary": self.summary,
            "config": self.config,
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "result") -> RunResult:
        """Read a RESULT.json object back.

        Raises:
            ResultFileError: It is not one; the message starts with `where`.
        """
        if not isinstance(data, dict) or not {"summary", "config", "results"} <= data.keys():
            msg = f"{where}: not a `veille eval --out` result (no summary/config/results)"
            raise ResultFileError(msg)
        summary, config, results = data["summary"], data["config"], data["results"]
        if not isinstance(summary, dict) or not all(
            _is_metric(v) or (isinstance(v, dict) and all(_is_metric(m) for m in v.values()))
            for v in summary.values()
        ):
            msg = f"{where}: 'summary' must hold groups of numbers"
            raise ResultFileError(msg)
        if not isinstance(config, dict):
            msg = f"{where}: 'config' must be an object"
            raise ResultFileError(msg)
        if not isinstance(results, list):
            msg = f"{where}: 'results' must be a list"
            raise ResultFileError(msg)
        rows = tuple(
            QuestionResult.from_dict(r, f"{where}: results[{i}]") for i, r in enumerate(results)
        )
        return cls(summary=summary, config=config, results=rows)


def load_result(path: Path) -> RunResult:
    """Read a RESULT.json written by `veille eval --out`.

    Raises:
        ResultFileError: The file is missing, not JSON, or not a result; the message names it.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"cannot read result file {path}: {exc.strerror or exc}"
        raise ResultFileError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"cannot read result file {path}: not UTF-8 text (byte {exc.start})"
        raise ResultFileError(msg) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = f"cannot read result file {path}: invalid JSON ({exc})"
        raise ResultFileError(msg) from None
    return RunResult.from_dict(data, str(path))
