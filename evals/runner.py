"""Run a question set through the assistant and score every question, then the whole run.

`run_eval` asks each question through the same `Assistant` that `veille ask` uses (one
instance, so the model stays loaded), or with `retrieval_only` calls only its retriever. Each
result is the `ask --json` object plus the question's id, expected answers and sources, the
ranked sources the retrieval metrics were computed on, and the per-question metrics;
`summarise` turns the results into the run's summary. The output is plain JSON-ready data, so
`compare` and the tables read saved runs and fresh ones alike.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from evals import metrics

if TYPE_CHECKING:
    from assistant.answer import Assistant
    from assistant.retrieval import Retrieval
    from assistant.types import Answer
    from evals.questions import Question

RetrieverMode = Literal["hybrid", "dense", "bm25"]
Progress = Callable[[int, int, dict[str, Any]], None]
"""Called as progress(done, total, result) after each question."""

MRR_DEPTH = 20
NDCG_DEPTH = 10
RETRIEVAL_ONLY_MODE = "retrieval-only"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a set is run.

    Attributes:
        k: Passages shown to the answerer (and the cut-off of hit@k, recall@k, MRR@k).
        retrieval_only: Skip generation; score retrieval only.
        retriever: Which retriever ranks the passages.
    """

    k: int = 5
    retrieval_only: bool = False
    retriever: RetrieverMode = "hybrid"

    @property
    def depth(self) -> int:
        """How many passages are ranked for the retrieval metrics."""
        return max(self.k, MRR_DEPTH, NDCG_DEPTH)


def retrieval_metric_names(k: int) -> list[str]:
    """The retrieval metrics of a run with k passages, in display order."""
    names = [f"hit@{k}", "recall@1", f"recall@{k}", "recall@10", f"mrr@{k}", f"mrr@{MRR_DEPTH}"]
    return [*dict.fromkeys(names), f"ndcg@{NDCG_DEPTH}"]


def retrieval_metrics(ranking: Sequence[str], expected: Sequence[str], k: int) -> dict[str, Any]:
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


def answer_metrics(
    question: Question,
    answer: dict[str, Any],
    valid: Sequence[bool],
) -> dict[str, Any]:
    """Per-question answer, citation and refusal metrics of an `ask --json` object.

    `valid[i]` says whether citation i's quote is at its offsets in its document.
    """
    refused = bool(answer["refused"])
    text = "" if refused else str(answer["answer"])
    answers = question.answers if question.answerable else ()
    cited = [str(c["source"]) for c in answer["citations"]]
    quotes = [str(c["quote"]) for c in answer["citations"]]
    contained = metrics.contains_answer(text, answers)
    out: dict[str, Any] = {
        "containment": contained,
        "exact_match": metrics.exact_match(text, answers),
        "f1": metrics.token_f1(text, answers),
        "correct": (contained == 1.0 and not refused) if question.answerable else refused,
        "citations": len(cited),
        "citations_valid": sum(valid),
        "cites_expected_source": None,
        "alce_citation_recall": None,
        "alce_citation_precision": None,
    }
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


def _base_result(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "expected_answers": list(question.answers),
        "expected_sources": list(question.sources),
        "answerable": question.answerable,
    }


def _retrieve(assistant: Assistant, text: str, options: RunOptions) -> Retrieval:
    return assistant.retriever.retrieve(text, k=options.depth, mode=options.retriever)


def _retrieval_only(
    assistant: Assistant, question: Question, options: RunOptions
) -> dict[str, Any]:
    retrieval = _retrieve(assistant, question.question.strip(), options)
    passages = []
    for p in retrieval.passages[: options.k]:
        entry = p.to_dict()
        del entry["text"]  # thousands of questions: keep the file small, the ids say enough
        passages.append(entry)
    ranking = [p.source for p in retrieval.passages]
    return {
        "question": question.question,
        "answer": None,
        "refused": None,
        "mode": RETRIEVAL_ONLY_MODE,
        "model": None,
        "citations": [],
        "passages": passages,
        "timings_ms": {
            "retrieve": round(retrieval.milliseconds, 1),
            "first_token": None,
            "total": round(retrieval.milliseconds, 1),
        },
        "standalone_question": None,
        "notes": [],
        "prompt_tokens": None,
        **_base_result(question),
        "ranked_sources": ranking,
        "metrics": retrieval_metrics(ranking, question.sources, options.k),
    }


def _with_answer(
    assistant: Assistant, question: Question, options: RunOptions, documents: _Documents
) -> dict[str, Any]:
    answer: Answer = assistant.ask(question.question, k=options.k)
    result = answer.to_dict()
    # The answerer saw the first k passages; the metrics rank deeper, with the same retriever
    # and question, so the first k of this ranking are the answerer's passages.
    retrieval = _retrieve(assistant, answer.standalone_question or answer.question, options)
    ranking = [p.source for p in retrieval.passages]
    shown = [p.chunk.chunk_id for p in answer.passages]
    if shown != [p.chunk.chunk_id for p in retrieval.passages[: len(shown)]]:
        result["notes"] = [*result["notes"], "eval: the deeper ranking differs from the answer's"]
    by_n = {p.n: p for p in answer.passages}
    valid = []
    for c in answer.citations:
        passage = by_n.get(c.n)
        document = documents.text(passage.chunk.doc_id) if passage is not None else None
        valid.append(metrics.quote_is_valid(document, c.start, c.end, c.quote))
    result.update(_base_result(question))
    result["ranked_sources"] = ranking
    result["metrics"] = {
        **retrieval_metrics(ranking, question.sources, options.k),
        **answer_metrics(question, result, valid),
    }
    return result


class _FixedRetriever:
    """The assistant's retriever with its mode pinned, for `--retriever` with generation."""

    def __init__(self, inner: Any, mode: RetrieverMode) -> None:
        self._inner = inner
        self._mode = mode

    def retrieve(self, question: str, *, k: int | None = None, mode: str = "hybrid") -> Retrieval:
        del mode  # pinned
        result: Retrieval = self._inner.retrieve(question, k=k, mode=self._mode)
        return result


def run_eval(
    questions: Sequence[Question],
    assistant: Assistant,
    options: RunOptions,
    *,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Run every question; one result per question, in order.

    A question whose answer fails (a model timeout, a server error) gets an `error` entry
    and the run goes on; interrupting the run (Ctrl-C) stops it.
    """
    if options.retriever != "hybrid" and not options.retrieval_only:
        assistant.retriever = _FixedRetriever(assistant.retriever, options.retriever)  # type: ignore[assignment]
    documents = _Documents(assistant)
    results: list[dict[str, Any]] = []
    for i, question in enumerate(questions, 1):
        try:
            if options.retrieval_only:
                result = _retrieval_only(assistant, question, options)
            else:
                result = _with_answer(assistant, question, options, documents)
        except Exception as exc:  # noqa: BLE001 - one failed question must not end a long run
            result = {
                "question": question.question,
                **_base_result(question),
                "error": f"{type(exc).__name__}: {exc}",
                "metrics": {},
            }
        results.append(result)
        if progress is not None:
            progress(i, len(questions), result)
    return results


# -- summary -----------------------------------------------------------------------------------


def _values(results: Sequence[dict[str, Any]], name: str) -> list[Any]:
    return [r["metrics"].get(name) for r in results]


def summarise(results: Sequence[dict[str, Any]], options: RunOptions) -> dict[str, Any]:
    """The run's summary: counts, then one group of metrics per kind, then latency."""
    ok = [r for r in results if "error" not in r]
    answerable = [r for r in ok if r["answerable"]]
    summary: dict[str, Any] = {
        "counts": {
            "questions": len(results),
            "answerable": sum(r["answerable"] for r in results),
            "unanswerable": sum(not r["answerable"] for r in results),
            "errors": len(results) - len(ok),
        },
        "retrieval": {
            name: metrics.mean(_values(ok, name)) for name in retrieval_metric_names(options.k)
        },
    }
    if not options.retrieval_only:
        refused = [bool(r["refused"]) for r in ok]
        summary["counts"]["refused"] = sum(refused)
        summary["answer"] = {
            "containment": metrics.mean(_values(answerable, "containment")),
            "exact_match": metrics.mean(_values(answerable, "exact_match")),
            "f1": metrics.mean(_values(answerable, "f1")),
            "correct": metrics.mean(float(v) for v in _values(ok, "correct")),
        }
        n_citations = sum(_values(ok, "citations"))
        summary["citations"] = {
            "validity": sum(_values(ok, "citations_valid")) / n_citations if n_citations else None,
            "cites_expected_source": metrics.mean(_values(ok, "cites_expected_source")),
            "alce_recall": metrics.mean(_values(ok, "alce_citation_recall")),
            "alce_precision": metrics.mean(_values(ok, "alce_citation_precision")),
            "per_answer": metrics.mean(
                float(r["metrics"]["citations"]) for r in ok if not r["refused"]
            ),
        }
        refusal = metrics.refusal_scores(refused, [bool(r["answerable"]) for r in ok])
        paperqa = metrics.paperqa_scores(
            [bool(v) for v in _values(answerable, "correct")],
            [bool(r["refused"]) for r in answerable],
        )
        summary["refusal"] = {
            "precision": refusal["precision"],
            "recall": refusal["recall"],
            "f1": refusal["f1"],
            "paperqa_accuracy": paperqa["accuracy"],
            "paperqa_precision": paperqa["precision"],
        }
    latency: dict[str, float | None] = {}
    phases = ("retrieve",) if options.retrieval_only else ("retrieve", "first_token", "total")
    for phase in phases:
        values = [r["timings_ms"].get(phase) for r in ok]
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
        "mode": RETRIEVAL_ONLY_MODE if options.retrieval_only else assistant.mode,
        "model": None if options.retrieval_only else assistant.generator.model,
        "embedding_model": model_id(assistant.embeddings),
        "retrieval": settings.retrieval.model_dump(mode="json"),
        "ingest": settings.ingest.model_dump(mode="json"),
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
    return {"summary": summarise(results, options), "config": config, "results": results}
