"""Metric functions for `veille eval`: pure, small, each defined (with its source) in the README.

Retrieval metrics take the ranked sources of the retrieved passages and the expected sources;
a document counts once, at its best rank (several chunks of one document do not add up).
Answer metrics compare an answer with accepted answer strings after a French-aware
normalisation. Citation, refusal and latency metrics work on plain values, so the runner and
the tests feed them the same way. A metric that is undefined for a question (recall of an
unanswerable one, precision with nothing to judge) is None, and means skip None values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# -- sources -----------------------------------------------------------------------------------


def _path_parts(source: str) -> tuple[str, ...]:
    return tuple(
        p for p in PurePosixPath(source.replace("\\", "/")).parts if p not in ("", ".", "/")
    )


def source_matches(retrieved: str, expected: str) -> bool:
    """True when a retrieved source is the expected document.

    Sources match when their paths are equal or when one is a suffix of the other on whole
    path components, so "a.txt" (a file name) matches "sub/a.txt", and "corpus/sub/a.txt"
    matches "sub/a.txt" (the set was written for a parent folder), but "b_a.txt" never
    matches "a.txt".
    """
    r, e = _path_parts(retrieved), _path_parts(expected)
    if not r or not e:
        return False
    n = min(len(r), len(e))
    return r[-n:] == e[-n:]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def relevance(ranking: Sequence[str], expected: Sequence[str]) -> list[int | None]:
    """For each ranked source, the index of the expected source it first credits, else None.

    An expected source is credited once, at the first position that matches it; later
    chunks of the same document are not relevant again.
    """
    wanted = _unique(expected)
    credited: set[int] = set()
    out: list[int | None] = []
    for source in ranking:
        hit = next(
            (i for i, e in enumerate(wanted) if i not in credited and source_matches(source, e)),
            None,
        )
        if hit is not None:
            credited.add(hit)
        out.append(hit)
    return out


def hit_at_k(ranking: Sequence[str], expected: Sequence[str], k: int) -> float | None:
    """1.0 if an expected source is among the first k passages, else 0.0; None without any."""
    if not expected:
        return None
    return 1.0 if any(r is not None for r in relevance(ranking[:k], expected)) else 0.0


def recall_at_k(ranking: Sequence[str], expected: Sequence[str], k: int) -> float | None:
    """Share of the expected sources found among the first k passages; None without any."""
    wanted = _unique(expected)
    if not wanted:
        return None
    found = sum(r is not None for r in relevance(ranking[:k], wanted))
    return found / len(wanted)


def reciprocal_rank(ranking: Sequence[str], expected: Sequence[str], k: int) -> float | None:
    """1/rank of the first passage from an expected source within k, else 0.0; None without any."""
    if not expected:
        return None
    for rank, r in enumerate(relevance(ranking[:k], expected), 1):
        if r is not None:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranking: Sequence[str], expected: Sequence[str], k: int = 10) -> float | None:
    """nDCG@k with binary gains: each expected source gains 1 at its first rank.

    DCG = sum of 1/log2(rank + 1) over credited ranks; the ideal puts min(|expected|, k)
    documents at ranks 1..; None without expected sources.
    """
    wanted = _unique(expected)
    if not wanted:
        return None
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, r in enumerate(relevance(ranking[:k], wanted), 1)
        if r is not None
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


# -- answers -----------------------------------------------------------------------------------

_CITATION_MARK = re.compile(r"\[\d+(?:\s*[,;\u2013-]\s*\d+)*\]")  # "[1-3]", "[1\u20133]"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
# Thousands groups: "3 000", "3.000", "1 234 567"; not "2016 500" (4 digits before the gap).
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ .]\d{3})+(?!\d|\.\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
# Punctuation and symbols become spaces, except a decimal point between two digits.
_PUNCT = re.compile(r"(?!(?<=\d)\.(?=\d))[^\w\s]|_")
ARTICLES = frozenset(
    # English as in the SQuAD v1.1 script; French definite, indefinite, partitive and
    # contracted articles, and the elided "l"/"d" left when the apostrophe is removed.
    {"a", "an", "the", "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux"}
)


def strip_citations(text: str) -> str:
    """Remove `[n]` and `[1, 2]` markers from an answer.

    Like `fold_accents` and `normalize_numbers`, the scorer's own on purpose: a metric that
    shared `assistant.text`'s helpers would hide a bug of the system in its own score.
    """
    return _CITATION_MARK.sub(" ", text)


def fold_accents(text: str) -> str:
    """Lower-case, strip accents, expand ligatures: "Œuvre Élue" -> "oeuvre elue".

    Independent of `assistant.analysis.fold` on purpose (see `strip_citations`).
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def normalize_numbers(text: str) -> str:
    """French number forms to one: "3 000"/"3.000" -> "3000", "712,2" -> "712.2".

    A dot followed by exactly three digits is a thousands separator (French usage), so
    "8.73" stays a decimal but "1.500" reads as 1500; a comma between digits is a decimal
    comma, so an English "6,100" reads as 6.1.

    This deliberately differs from the core's number canonicaliser (`assistant.numbers.numbers`,
    used by verification), which reads a three-digit group after a comma as thousands
    ("6,100" -> 6100, English convention). The metrics stay independent of the code under
    test on purpose: a scorer that shared the verifier's reading would share its mistakes and
    could never catch them. tests/unit/test_eval_metrics.py shows the difference.
    """
    text = _SPACES.sub(" ", text)
    text = _THOUSANDS.sub(lambda m: re.sub(r"[ .]", "", m.group()), text)
    return _DECIMAL_COMMA.sub(".", text)


def normalize_answer(text: str) -> str:
    """The form compared by every answer metric.

    Citation markers dropped, lower-cased, accents folded, numbers unified, punctuation and
    apostrophes turned into spaces, English and French articles removed, spaces collapsed.
    """
    text = fold_accents(strip_citations(text))
    text = normalize_numbers(text)
    text = _PUNCT.sub(" ", text)
    return " ".join(w for w in text.split() if w not in ARTICLES)


def contains_answer(prediction: str, answers: Sequence[str]) -> float | None:
    """1.0 if a normalised accepted answer occurs in the normalised prediction as whole words.

    "22" is found in "22 magasins" but not in "225 magasins". None without accepted answers.
    """
    golds = [g for g in (normalize_answer(a) for a in answers) if g]
    if not golds:
        return None
    padded = f" {normalize_answer(prediction)} "
    return 1.0 if any(f" {g} " in padded for g in golds) else 0.0


def exact_match(prediction: str, answers: Sequence[str]) -> float | None:
    """SQuAD exact match: 1.0 if the normalised prediction equals a normalised answer."""
    if not answers:
        return None
    pred = normalize_answer(prediction)
    return 1.0 if any(pred == normalize_answer(a) for a in answers) else 0.0


def token_f1(prediction: str, answers: Sequence[str]) -> float | None:
    """SQuAD token F1: the best F1 of shared normalised tokens over the accepted answers."""
    if not answers:
        return None
    pred = normalize_answer(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize_answer(answer).split()
        if not pred or not gold:
            best = max(best, float(pred == gold))
            continue
        same = sum((Counter(pred) & Counter(gold)).values())
        if same == 0:
            continue
        precision, recall = same / len(pred), same / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


# -- elements and bullets ----------------------------------------------------------------------


def element_recall(
    prediction: str, elements: Sequence[Sequence[str]], refused: bool
) -> float | None:
    """Share of the elements (facts) of which at least one variant is in the answer.

    A variant is found as `contains_answer` finds an accepted answer: normalised (case and
    accents folded, articles and punctuation dropped, numbers unified), as whole words. A
    refused answer holds no element (0.0); None without elements.
    """
    if not elements:
        return None
    if refused:
        return 0.0
    found = sum(contains_answer(prediction, variants) == 1.0 for variants in elements)
    return found / len(elements)


# A Markdown bullet or a numbered point: "- ", "* ", "• ", "1. ", "1/ ", "1) ".
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d{1,2}\s*[./)])\s+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\u2026])\s+(?!\[\d)(?=\S)")  # "frais. [2]" is one
_CITED = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def answer_units(text: str) -> list[str]:
    """The claims of an answer: each bullet (or numbered point) whole, other lines by sentence.

    A line that only introduces a list ("3 articles mentionnent Tencent :"), a Markdown
    heading or table rule, and pieces without a letter or digit are not claims.
    """
    units: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or set(line) <= set("|-: "):
            continue
        if _BULLET.match(line):
            units.append(_BULLET.sub("", line, count=1))
            continue
        if line.endswith(":"):
            continue
        units.extend(piece for piece in _SENTENCE_BREAK.split(line))
    return [u for u in units if re.search(r"[^\W_]", strip_citations(u))]


def verified_share(text: str, cited: Iterable[int], refused: bool) -> float | None:
    """Share of the answer's claims (bullets or sentences) that carry a verified citation.

    A claim is verified when one of its `[n]` markers names a citation the answer kept
    (`cited`: the numbers of its citations, which Veille keeps only once checked). None for
    a refusal or an answer without claims.
    """
    if refused:
        return None
    units = answer_units(text)
    if not units:
        return None
    kept = set(cited)
    verified = 0
    for unit in units:
        numbers = {int(n) for group in _CITED.findall(unit) for n in re.split(r"[,;]", group)}
        verified += bool(numbers & kept)
    return verified / len(units)


# -- citations ---------------------------------------------------------------------------------


def quote_is_valid(document: str | None, start: int, end: int, quote: str) -> bool:
    """A citation is valid when the document's text at its offsets is exactly its quote."""
    if document is None or not quote or not 0 <= start <= end <= len(document):
        return False
    return document[start:end] == quote


def cites_expected_source(cited: Sequence[str], expected: Sequence[str]) -> float | None:
    """1.0 if any cited source is an expected source; None without expected sources."""
    if not expected:
        return None
    return 1.0 if any(source_matches(c, e) for c in cited for e in expected) else 0.0


def alce_citation_scores(
    quotes: Sequence[str], answers: Sequence[str]
) -> tuple[float | None, float | None]:
    """ALCE-style citation (recall, precision), with answer containment in place of NLI.

    The statement is "the accepted answer"; a set of quotes supports it when their
    concatenation contains an accepted answer (`contains_answer`). Recall is 1.0 when all the
    citations together support it. A citation is relevant when it supports it alone, or when
    the citations support it together and no longer do without it; precision is the share of
    relevant citations. Recall is 0.0 and precision None when there is no citation.
    """
    if not answers:
        return None, None
    if not quotes:
        return 0.0, None

    def supports(texts: Sequence[str]) -> bool:
        return bool(texts) and contains_answer(" \n ".join(texts), answers) == 1.0

    together = supports(quotes)
    relevant = 0
    for i, quote in enumerate(quotes):
        alone = supports([quote])
        needed = together and not supports([q for j, q in enumerate(quotes) if j != i])
        relevant += alone or needed
    return (1.0 if together else 0.0), relevant / len(quotes)


# -- refusals ----------------------------------------------------------------------------------


def is_correct(answerable: bool, refused: bool, containment: float | None) -> bool:
    """The `correct` of one question.

    An answerable question is correct when it is answered (not refused) and an accepted
    answer is contained in the answer; an unanswerable one when it is refused.
    """
    return (containment == 1.0 and not refused) if answerable else refused


def wrong_but_cited(refused: Sequence[bool], correct: Sequence[bool]) -> float | None:
    """Share of all questions answered (not refused) and not `correct`; None without any.

    An answered unanswerable question counts (it is never correct): the failure a reader
    cannot see, since Veille only shows an answer with a verified citation.
    """
    pairs = list(zip(refused, correct, strict=True))
    if not pairs:
        return None
    return sum(not r and not c for r, c in pairs) / len(pairs)


def refusal_scores(refused: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float | None]:
    """Precision, recall and F1 of refusing, with "unanswerable" as the positive class."""
    pairs = list(zip(refused, answerable, strict=True))
    true_pos = sum(r and not a for r, a in pairs)
    n_refused = sum(r for r, _ in pairs)
    n_unanswerable = sum(not a for _, a in pairs)
    precision = true_pos / n_refused if n_refused else None
    recall = true_pos / n_unanswerable if n_unanswerable else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else (0.0 if precision is not None and recall is not None else None)
    )
    return {"precision": precision, "recall": recall, "f1": f1}


def paperqa_scores(correct: Sequence[bool], refused: Sequence[bool]) -> dict[str, float | None]:
    """PaperQA accuracy and precision over answerable questions, a refusal being "unsure".

    Accuracy = correct / questions; precision = correct / questions answered (not refused).
    """
    pairs = list(zip(correct, refused, strict=True))
    if not pairs:
        return {"accuracy": None, "precision": None}
    n_correct = sum(c and not r for c, r in pairs)
    answered = sum(not r for _, r in pairs)
    return {
        "accuracy": n_correct / len(pairs),
        "precision": n_correct / answered if answered else None,
    }


# -- aggregation and latency -------------------------------------------------------------------


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the defined values; None when there is none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Iterable[float | None], q: float) -> float | None:
    """The q-th percentile (0-100) of the defined values, by linear interpolation.

    The interpolation between closest ranks of NumPy's default ("linear", Hyndman and Fan's
    type 7): p50 of [1, 2, 3, 4] is 2.5, p95 of [10, 20] is 19.5. None when there is no value.
    """
    kept = sorted(v for v in values if v is not None)
    if not kept:
        return None
    position = (len(kept) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(kept) - 1)
    return kept[low] + (kept[high] - kept[low]) * (position - low)
