"""Veille beside the textbook RAG chain a user would build instead, on the same questions, model
and embeddings, in one run.

The baseline is the plain LangChain recipe: the corpus split into 700-character pieces
(`RecursiveCharacterTextSplitter`, 100 characters of overlap), embedded with Veille's own
embedding model into a Chroma collection, the dense top 3 stuffed into one prompt that says to
answer from the context or say it does not know, and the same chat model (the bundled local
one by default) at Veille's temperature and token limit. It has no citations: an answer that
says it does not know (French or English, generously matched) counts as a refusal, anything
else as an answer, scored by the same `contains_answer` and `is_correct` as `veille eval`.
"Wrong answered" is then the same formula as Veille's wrong-but-cited rate: answered and not
correct, over all questions.

    .venv/bin/python bench/textbook_baseline.py [--questions FILE ...] [--limit N]
        [--every N] [--systems baseline,veille]

Writes bench/results/textbook_baseline.json: the summary table and one row per question and
system (answer, refused, correct, seconds, sources of the passages).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import ROOT, SAMPLE_QUESTIONS, ingest_sample, median, pct, table, write

from assistant.answer import Assistant
from assistant.embeddings import make_embeddings
from assistant.llm import make_chat_model, resolve_generator
from assistant.settings import Settings
from evals import metrics
from evals.questions import Question, load_questions
from ingest.loaders import load_file

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

CORPUS = ROOT / "ingest" / "sample_corpus"
HELDOUT = ROOT / "evals" / "heldout_questions.jsonl"
CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 700, 100, 3

# The prompt a user writes from the tutorials: context, question, "say you don't know".
BASELINE_PROMPT = (
    "You answer questions about a collection of documents. Use only the context below. "
    "If the context does not contain the answer, say that you don't know. "
    "Answer in the language of the question, in at most three sentences.\n\n"
    "Context:\n{context}"
)

# What "I don't know" looks like in the replies of a small model, in both languages. Matched
# generously: every reply that declines in any of these ways is counted as a refusal.
_DECLINES = re.compile(
    r"je ne sais pas|ne (?:le )?sais pas|i don'?t know|i do not know|"
    r"ne (?:contient|mentionne|pr[ée]cise|fournit|donne|dit|indique) (?:pas|aucune?)|"
    r"n'(?:est|a) pas (?:mentionn|indiqu|pr[ée]cis|fourni|donn|sp[ée]cifi)|"
    r"pas (?:d'information|de r[ée]ponse|mentionn)|aucune (?:information|mention|donn[ée]e)|"
    r"(?:is|are) not (?:mentioned|specified|provided|stated|given)|"
    r"does not (?:contain|mention|provide|specify|say|state)|doesn'?t (?:contain|mention|say)|"
    r"no (?:information|mention)|not (?:enough|sufficient) information|"
    r"cannot (?:answer|determine|find)|can'?t (?:answer|determine)|impossible de (?:r[ée]pondre|d[ée]terminer)",
    re.IGNORECASE,
)


def declines(answer: str) -> bool:
    """True when a baseline reply says it does not know (its refusal)."""
    return not answer.strip() or bool(_DECLINES.search(answer.replace("\u2019", "'")))


def build_baseline(settings: Settings, corpus: Path, store_dir: Path) -> tuple[Any, Runnable]:
    """The textbook chain over `corpus`: its retriever (for recall) and the whole chain."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        loaded = load_file(path, max_bytes=int(settings.ingest.max_file_mb * 1e6))
        docs.append(Document(page_content=loaded.text, metadata={"source": path.name}))
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    splits = splitter.split_documents(docs)
    store = Chroma(
        collection_name="baseline",
        embedding_function=make_embeddings(settings),
        persist_directory=str(store_dir),
        collection_metadata={"hnsw:space": "cosine"},
    )
    store.add_documents(splits)
    retriever = store.as_retriever(search_kwargs={"k": TOP_K})
    prompt = ChatPromptTemplate.from_messages(
        [("system", BASELINE_PROMPT), ("human", "{question}")]
    )
    llm = make_chat_model(settings, resolve_generator(settings))

    def context(documents: list[Any]) -> str:
        return "\n\n".join(d.page_content for d in documents)

    chain = (
        {"context": retriever | context, "question": RunnablePassthrough()}
        | prompt
        | llm
        | StrOutputParser()
    )
    print(f"baseline: {len(docs)} documents, {len(splits)} splits", file=sys.stderr)
    return retriever, chain


def ask_baseline(retriever: Any, chain: Runnable, q: Question) -> dict[str, Any]:
    started = time.perf_counter()
    sources = [d.metadata["source"] for d in retriever.invoke(q.question)]
    answer = str(chain.invoke(q.question))
    seconds = time.perf_counter() - started
    return _row(q, "baseline", answer, declines(answer), sources, seconds)


def ask_veille(assistant: Assistant, q: Question) -> dict[str, Any]:
    started = time.perf_counter()
    answer = assistant.ask(q.question)
    seconds = time.perf_counter() - started
    sources = [p.chunk.source for p in answer.passages]
    return _row(q, "veille", answer.text, answer.refused, sources, seconds)


def _row(
    q: Question, system: str, answer: str, refused: bool, sources: list[str], seconds: float
) -> dict[str, Any]:
    answers = q.answers if q.answerable else ()
    contained = metrics.contains_answer("" if refused else answer, answers)
    return {
        "id": q.id,
        "system": system,
        "question": q.question,
        "answerable": q.answerable,
        "answer": answer,
        "refused": refused,
        "correct": metrics.is_correct(q.answerable, refused, contained),
        "hit@3": metrics.hit_at_k(sources, q.sources, 3) if q.answerable else None,
        "sources": sources,
        "seconds": round(seconds, 2),
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline figures of one system over some questions."""
    if not rows:
        return {}
    refused = [r["refused"] for r in rows]
    correct = [r["correct"] for r in rows]
    answerable = [r["answerable"] for r in rows]
    near = [r for r in rows if "near" in r["id"]]
    scores = metrics.refusal_scores(refused, answerable)
    n_ans = sum(answerable)
    return {
        "questions": len(rows),
        "wrong_answered": metrics.wrong_but_cited(refused, correct),
        "wrong_answered_n": sum(not r and not c for r, c in zip(refused, correct, strict=True)),
        "correct_of_answerable": (
            sum(r["correct"] for r in rows if r["answerable"]) / n_ans if n_ans else None
        ),
        "refusal_precision": scores["precision"],
        "refusal_recall": scores["recall"],
        "near_misses_refused": f"{sum(r['refused'] for r in near)}/{len(near)}",
        "hit@3": metrics.mean(r["hit@3"] for r in rows),
        "seconds_p50": median([r["seconds"] for r in rows]),
        "seconds_p95": pct([r["seconds"] for r in rows], 0.95),
    }


def _fmt(value: Any) -> Any:
    return "-" if value is None else value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=[SAMPLE_QUESTIONS, HELDOUT])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="first N questions")
    parser.add_argument("--every", type=int, default=1, help="every Nth question (a spread subset)")
    parser.add_argument("--systems", default="baseline,veille")
    parser.add_argument("--mode", default="local", help="generation.mode for both systems")
    args = parser.parse_args()

    questions = [q for f in args.questions for q in load_questions(f)][:: args.every]
    questions = questions[: args.limit]
    systems = args.systems.split(",")
    work = Path(tempfile.mkdtemp(prefix="veille-baseline-"))
    settings = Settings(data_dir=work / "data").with_section("generation", mode=args.mode)

    rows: list[dict[str, Any]] = []
    if "veille" in systems:
        if args.corpus == CORPUS:
            ingest_sample(work / "data")
        else:
            _ingest(work / "data", args.corpus)
        assistant = Assistant(settings)
    if "baseline" in systems:
        retriever, chain = build_baseline(settings, args.corpus, work / "baseline")
    for i, q in enumerate(questions, 1):
        if "baseline" in systems:
            rows.append(ask_baseline(retriever, chain, q))
        if "veille" in systems:
            rows.append(ask_veille(assistant, q))
        print(f"{i}/{len(questions)} {q.id}", file=sys.stderr, flush=True)

    heldout = {q.id for q in load_questions(HELDOUT)}
    parts = {
        "all": lambda _r: True,
        "sample": lambda r: r["id"] not in heldout,
        "heldout": lambda r: r["id"] in heldout,
    }
    result: dict[str, Any] = {}
    out_rows = []
    for part, keep in parts.items():
        for system in systems:
            s = summary([r for r in rows if r["system"] == system and keep(r)])
            if s:
                result[f"{part}/{system}"] = s
                out_rows.append([part, system, *(_fmt(v) for v in s.values())])
    headers = ["set", "system", *next(iter(result.values())).keys()]
    print(table(headers, out_rows))
    config = {
        "questions": [str(f) for f in args.questions],
        "every": args.every,
        "limit": args.limit,
        "mode": args.mode,
        "model": resolve_generator(settings).model,
        "baseline": {"chunk_size": CHUNK_SIZE, "overlap": CHUNK_OVERLAP, "k": TOP_K},
    }
    path = write("textbook_baseline", {"config": config, "summary": result, "rows": rows})
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _ingest(data_dir: Path, corpus: Path) -> None:
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-m",
            "tui.cli",
            "--data-dir",
            str(data_dir),
            "ingest",
            "--quiet",
            str(corpus),
        ],
        check=True,
        cwd=ROOT,
    )


if __name__ == "__main__":
    sys.exit(main())
