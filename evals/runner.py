"""Run a question set through the assistant and score every question, then the whole run.

`run_eval` asks each question through the same `Assistant` that `veille ask` uses (one
instance, so the model stays loaded), or with `retrieval_only` calls only its retriever. Each
result is a `QuestionResult` (evals/results.py): the answer, the question's id, expected answers
and sources, the ranked sources the retrieval metrics were computed on, and the per-question
metrics; `summarise` turns the results into the run's summary. `evaluate_run` gives the run as a
`RunResult`, whose `to_dict()` is RESULT.json, so `compare` and the tables read saved runs and
fresh ones alike.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from assistant.types import Timings
from evals import metrics
from evals.results import RETRIEVAL_ONLY_MODE, Metric, QuestionResult, RunResult

if TYPE_CHECKING:
    from assistant.answer import Assistant
    from assistant.filters import Filters
    from assistant.retrieval import Retrieval
    from assistant.types import Answer
    from evals.questions import Question

RetrieverMode = Literal["hybrid", "dense", "bm25"]
Progress = Callable[[int, int, QuestionResult], None]
"""Called as progress(done, total, result) after each question."""

MRR_DEPTH = 20
NDCG_DEPTH = 10


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a set is run.

    Attributes:
        k: Passages shown to the answerer (and the cut-off of hit@k, recall@k, MRR@k).
        retrieval_only: Skip generation; score retrieval only.
        retriever: Which retriever ranks the passages.
        filters: Only passages of documents in this date window and source glob.
    """

    k: int = 5
    retrieval_only: bool = False
    retriever: RetrieverMode = "hybrid"
    filters: Filters | None = None

    @property
    def depth(self) -> int:
        """How many passages are ranked for the retrieval metrics."""
        return max(self.k, MRR_DEPTH, NDCG_DEPTH)


def retrieval_metric_names(k: int) -> list[str]:
    """The retrieval metrics of a run with k passages, in display order."""
    names = [f"hit@{k}", "recall@1", f"recall@{k}", "recall@10", f"mrr@{k}", f"mrr@{MRR_DEPTH}"]
    return [*dict.fromkeys(names), f"ndcg@{NDCG_DEPTH}"]


def retrieval_metrics(ranking: Sequence[str], expected: Sequence[str], k: int) -> dict[str, Metric]:
    """Per-question retrieval metrics; None for questions without expected sources."""
    return {
        f"hit@{k}": metrics.hit_at_k(ranking, expected, k),
        "recall@1": metrics.recall_at_k(ranking, expected, 1),
        f"recall@{k}": metrics.recall_at_k(ranking, expected, k),
        "recall@10": metrics.recall_at_k(ranking, expected, 10),
        f"mrr@{k}": metrics.reciprocal_rank(ranking, expected, k),
        f"mrr@{MRR_DEPTH}": metrics.reciprocal_rank(ranking, expected, MRR_DEPTH),
        f"ndcg@{NDCG_DEPTH}": metrics.ndcg_at_k(ranking, expected, NDCG_DEPTH),
    }


def answer_metrics(question: Question, answer: Answer, valid: Sequence[bool]) -> dict[str, Metric]:
    """Per-question answer, citation and refusal metrics of an answer.

    `valid[i]` says whether citation i's quote is at its offsets in its document.
    """
    refused = answer.refused
    text = "" if refused else answer.text
    answers = question.answers if question.answerable else ()
    cited = [c.source for c in answer.citations]
    quotes = [c.quote for c in answer.citations]
    contained = metrics.contains_answer(text, answers)
    out: dict[str, Metric] = {
        "containment": contained,
        "exact_match": metrics.exact_match(text, answers),
        "f1": metrics.token_f1(text, answers),
        "correct": metrics.is_correct(question.answerable, refused, contained),
        "citations": len(cited),
        "citations_valid": sum(valid),
        "cites_expected_source": None,
        "alce_citation_recall": None,
        "alce_citation_precision": None,
        "verified_share": metrics.verified_share(
            answer.text, (c.n for c in answer.citations), refused
        ),
    }
    if question.elements:
        out["element_recall"] = metrics.element_recall(answer.text, question.elements, refused)
    if question.answerable and not refused:
        out["cites_expected_source"] = metrics.cites_expected_source(cited, question.sources)
        if contained == 1.0:
            recall, precision = metrics.alce_citation_scores(quotes, answers)
            out["alce_citation_recall"] = recall
            out["alce_citation_precision"] = precision
    return out


class _Documents:
    """Full document texts, read once per run, to check citation offsets independently."""

    def __init__(self, assistant: Assistant) -> None:
        self._store = assistant.store
        self._texts: dict[str, str | None] = {}

    def text(self, doc_id: str) -> str | None:
        if doc_id not in self._texts:
            self._texts[doc_id] = self._store.document_text(doc_id)
        return self._texts[doc_id]


def _retrieve(assistant: Assistant, text: str, options: RunOptions) -> Retrieval:
    return assistant.retriever.retrieve(
        text, k=options.depth, mode=options.retriever, filters=options.filters
    )


def _retrieval_only(
    assistant: Assistant, question: Question, options: RunOptions
) -> QuestionResult:
    retrieval = _retrieve(assistant, question.question.strip(), options)
    ranking = [p.source for p in retrieval.passages]
    return QuestionResult.for_question(
        question,
        # Thousands of questions: the ids say enough, the texts are not kept.
        passages=tuple(
            replace(p, chunk=replace(p.chunk, text="")) for p in retrieval.passages[: options.k]
        ),
        timings=Timings(retrieve=retrieval.milliseconds, total=retrieval.milliseconds),
        ranked_sources=tuple(ranking),
        metrics=retrieval_metrics(ranking, question.sources, options.k),
    )


def _with_answer(
    assistant: Assistant, question: Question, options: RunOptions, documents: _Documents
) -> QuestionResult:
    answer: Answer = assistant.ask(question.question, k=options.k, filters=options.filters)
    # The answerer saw the first k passages; the metrics rank deeper, with the same retriever
    # and question, so the first k of this ranking are the answerer's passages.
    retrieval = _retrieve(assistant, answer.standalone_question or answer.question, options)
    ranking = [p.source for p in retrieval.passages]
    shown = [p.chunk.chunk_id for p in answer.passages]
    if shown != [p.chunk.chunk_id for p in retrieval.passages[: len(shown)]]:
        note = "eval: the deeper ranking differs from the answer's"
        answer = replace(answer, notes=(*answer.notes, note))
    by_n = {p.n: p for p in answer.passages}
    valid = []
    for c in answer.citations:
        passage = by_n.get(c.n)
        document = documents.text(passage.chunk.doc_id) if passage is not None else None
        valid.append(metrics.quote_is_valid(document, c.start, c.end, c.quote))
    return QuestionResult.for_question(
        question,
        answer=answer,
        ranked_sources=tuple(ranking),
        metrics={
            **retrieval_metrics(ranking, question.sources, options.k),
            **answer_metrics(question, answer, valid),
        },
    )


class _FixedRetriever:
    """The assistant's retriever with its mode pinned, for `--retriever` with generation."""

    def __init__(self, inner: Any, mode: RetrieverMode) -> None:
        self._inner = inner
        self._mode = mode

    def retrieve(
        self,
        question: str,
        *,
        k: int | None = None,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> Retrieval:
        del mode  # pinned
        result: Retrieval = self._inner.retrieve(question, k=k, mode=self._mode, filters=filters)
        return result


def run_eval(
    questions: Sequence[Question],
    assistant: Assistant,
    options: RunOptions,
    *,
    progress: Progress | None = None,
) -> list[QuestionResult]:
    """Run every question; one result per question, in order.

    A question whose answer fails (a model timeout, a server error) gets an `error` entry
    and the run goes on; interrupting the run (Ctrl-C) stops it.
    """
    if options.retriever != "hybrid" and not options.retrieval_only:
        assistant.retriever = _FixedRetriever(assistant.retriever, options.retriever)  # type: ignore[assignment]
    documents = _Documents(assistant)
    results: list[QuestionResult] = []
    for i, question in enumerate(questions, 1):
        try:
            if options.retrieval_only:
                result = _retrieval_only(assistant, question, options)
            else:
                result = _with_answer(assistant, question, options, documents)
        except Exception as exc:  # noqa: BLE001 - one failed question must not end a long run
            result = QuestionResult.for_question(question, error=f"{type(exc).__name__}: {exc}")
        results.append(result)
        if progress is not None:
            progress(i, len(questions), result)
    return results


# -- summary -----------------------------------------------------------------------------------


def _values(results: Sequence[QuestionResult], name: str) -> list[float | None]:
    return [r.metrics.get(name) for r in results]


def _count(results: Sequence[QuestionResult], name: str) -> int:
    return sum(int(r.metrics.get(name) or 0) for r in results)


def wrong_but_cited(results: Sequence[QuestionResult]) -> float | None:
    """Share of the answered questions (not failed) given an answer that is not `correct`.

    Refused answers are never wrong-but-cited; answered unanswerable questions always are.
    None for a run without answers (retrieval-only).
    """
    answered = [r for r in results if r.answer is not None and not r.failed]
    return metrics.wrong_but_cited(
        [bool(r.refused) for r in answered], [bool(r.metrics.get("correct")) for r in answered]
    )


def element_summary(results: Sequence[QuestionResult]) -> dict[str, Metric]:
    """Element recall and the share of verified claims over the questions with elements.

    `element_recall` is the mean over those questions (a refusal scores 0); `verified_share`
    the mean over their answered ones; then the element recall of each `kind` of the set.
    """
    out: dict[str, Metric] = {
        "questions": len(results),
        "element_recall": metrics.mean(_values(results, "element_recall")),
        "verified_share": metrics.mean(_values(results, "verified_share")),
    }
    kinds = sorted({r.expected_kind for r in results if r.expected_kind})
    for kind in kinds:
        of_kind = [r for r in results if r.expected_kind == kind]
        out[f"element_recall_{kind}"] = metrics.mean(_values(of_kind, "element_recall"))
    return out


def summarise(results: Sequence[QuestionResult], options: RunOptions) -> dict[str, Any]:
    """The run's summary: the headline rate, counts, one group of metrics per kind, latency.

    `wrong_but_cited` comes first (answered runs only): the share of all questions (failed
    ones left out, as everywhere in the summary) answered and not correct.
    """
    ok = [r for r in results if not r.failed]
    answerable = [r for r in ok if r.answerable]
    summary: dict[str, Any] = {}
    if not options.retrieval_only:
        summary["wrong_but_cited"] = wrong_but_cited(ok)
    summary["counts"] = {
        "questions": len(results),
        "answerable": sum(r.answerable for r in results),
        "unanswerable": sum(not r.answerable for r in results),
        "errors": len(results) - len(ok),
    }
    summary["retrieval"] = {
        name: metrics.mean(_values(ok, name)) for name in retrieval_metric_names(options.k)
    }
    if not options.retrieval_only:
        refused = [bool(r.refused) for r in ok]
        summary["counts"]["refused"] = sum(refused)
        summary["answer"] = {
            "containment": metrics.mean(_values(answerable, "containment")),
            "exact_match": metrics.mean(_values(answerable, "exact_match")),
            "f1": metrics.mean(_values(answerable, "f1")),
            "correct": metrics.mean(float(bool(v)) for v in _values(ok, "correct")),
        }
        n_citations = _count(ok, "citations")
        summary["citations"] = {
            "validity": _count(ok, "citations_valid") / n_citations if n_citations else None,
            "cites_expected_source": metrics.mean(_values(ok, "cites_expected_source")),
            "alce_recall": metrics.mean(_values(ok, "alce_citation_recall")),
            "alce_precision": metrics.mean(_values(ok, "alce_citation_precision")),
            "per_answer": metrics.mean(
                float(r.metrics.get("citations") or 0) for r in ok if not r.refused
            ),
        }
        refusal = metrics.refusal_scores(refused, [r.answerable for r in ok])
        paperqa = metrics.paperqa_scores(
            [bool(v) for v in _values(answerable, "correct")],
            [bool(r.refused) for r in answerable],
        )
        summary["refusal"] = {
            "precision": refusal["precision"],
            "recall": refusal["recall"],
            "f1": refusal["f1"],
            "paperqa_accuracy": paperqa["accuracy"],
            "paperqa_precision": paperqa["precision"],
        }
        with_elements = [r for r in ok if r.expected_elements]
        if with_elements:
            summary["elements"] = element_summary(with_elements)
    latency: dict[str, float | None] = {}
    phases = ("retrieve",) if options.retrieval_only else ("retrieve", "first_token", "total")
    timings = [t.to_dict() for r in ok if (t := r.phase_timings) is not None]
    for phase in phases:
        values = [t.get(phase) for t in timings]
        latency[f"{phase}_p50"] = metrics.percentile(values, 50)
        latency[f"{phase}_p95"] = metrics.percentile(values, 95)
    summary["latency_ms"] = latency
    return summary


# -- config ------------------------------------------------------------------------------------


def run_config(
    assistant: Assistant,
    options: RunOptions,
    *,
    questions_file: str,
    questions_sha256: str,
    limit: int | None,
) -> dict[str, Any]:
    """What a run was: enough to tell two result files apart (never a secret)."""
    settings = assistant.settings
    from assistant.embeddings import model_id

    return {
        "questions_file": questions_file,
        "questions_sha256": questions_sha256,
        "limit": limit,
        "k": options.k,
        "retrieval_only": options.retrieval_only,
        "retriever": options.retriever,
        "filters": options.filters.to_dict() if options.filters is not None else None,
        "mode": RETRIEVAL_ONLY_MODE if options.retrieval_only else assistant.mode,
        "model": None if options.retrieval_only else assistant.generator.model,
        "embedding_model": model_id(assistant.embeddings),
        "retrieval": settings.retrieval.model_dump(mode="json"),
        "ingest": settings.ingest.model_dump(mode="json"),
        "grounding": settings.grounding.model_dump(mode="json"),
        "generation": settings.generation.model_dump(
            mode="json", include={"mode", "model", "temperature", "max_tokens", "n_ctx"}
        ),
        "store": {
            "location": str(getattr(assistant.store, "location", "")),
            "documents": assistant.store.document_count(),
            "chunks": assistant.store.count(),
        },
        "veille_version": _version(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }


def _version() -> str:
    try:
        return importlib.metadata.version("veille")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def evaluate_run(
    questions: Sequence[Question],
    assistant: Assistant,
    options: RunOptions,
    *,
    questions_file: str = "",
    questions_sha256: str = "",
    limit: int | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run and score a set."""
    config = run_config(
        assistant,
        options,
        questions_file=questions_file,
        questions_sha256=questions_sha256,
        limit=limit,
    )
    started = time.perf_counter()
    results = run_eval(questions, assistant, options, progress=progress)
    config["seconds"] = round(time.perf_counter() - started, 1)
    return RunResult(summary=summarise(results, options), config=config, results=tuple(results))


def evaluate(
    questions: Sequence[Question],
    assistant: Assistant,
    options: RunOptions,
    *,
    questions_file: str = "",
    questions_sha256: str = "",
    limit: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run and score a set: the `{"summary", "config", "results"}` object of RESULT.json."""
    return evaluate_run(
        questions,
        assistant,
        options,
        questions_file=questions_file,
        questions_sha256=questions_sha256,
        limit=limit,
        progress=progress,
    ).to_dict()
