"""One calibrated answerability score: the signals of a question's evidence, weighed into 0–1.

The rules of `assistant/answerable.py` refuse what is clearly not in the corpus. What they let
through still holds answers that cite a real sentence that does not answer ("wrong but cited").
`Signals` are what is known before anything is generated: how well the best passage and the
best sentence match the question, whether that sentence gives the kind of answer asked for,
how specific the question is. `confidence()` weighs them with a logistic model whose weights
live in the `[grounding]` settings (`confidence_weights`); a question scoring below
`grounding.min_confidence` is refused. `python -m evals.calibrate` fits the weights from
`veille eval --out` files (the probability that the shown answer is correct) and prints the
sweep of the threshold; evals/README.md keeps the table the default was chosen from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True, slots=True)
class Signals:
    """What the evidence of one question says about whether it is answered right.

    Attributes:
        keyword_coverage: Share of the question's content words in the best passage.
        evidence_score: The best sentence's score (`assistant.evidence.score_sentences`).
        answer_type_checked: 1 when the question asks for a checkable type (a figure, a date,
            a name), else 0.
        answer_type_found: 1 when the best sentence gives that type, bound to the question's
            focus, else 0.
        sentence_coverage: Share of the question's content words in the best sentence.
        context_coverage: The same in the best sentence with the one before it.
        passage_similarity: Cosine similarity of the best sentence's passage to the question.
        passage_rank: 1 / the rank of that passage among the retrieved ones.
        cross_language: 1 when the question and the best sentence are in different languages.
        question_terms: How many content words the question has (a longer question is more
            specific, and a sentence matching it is more often the answer).
        sentence_similarity: Cosine of the question to the best sentence in the store's
            multilingual embedding space (`assistant/support.py`): meaning, across languages.
        focus_similarity: The same for the question without its names (what it asks, not
            whom it is about), which tells the sentence that answers from one on its topic.
    """

    keyword_coverage: float = 0.0
    evidence_score: float = 0.0
    answer_type_checked: float = 0.0
    answer_type_found: float = 0.0
    sentence_coverage: float = 0.0
    context_coverage: float = 0.0
    passage_similarity: float = 0.0
    passage_rank: float = 0.0
    cross_language: float = 0.0
    question_terms: float = 0.0
    sentence_similarity: float = 0.0
    focus_similarity: float = 0.0

    def to_dict(self) -> dict[str, float]:
        """The signals by name, rounded for `ask --json`."""
        return {name: round(value, 4) for name, value in asdict(self).items()}


SIGNAL_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Signals))
BIAS = "bias"
"""The weight every score starts from, beside one weight per signal."""


def confidence(signals: Signals, weights: Mapping[str, float]) -> float:
    """The probability, under the logistic `weights`, that the evidence answers right.

    A signal without a weight counts for nothing; an empty mapping gives 0.5.
    """
    values = asdict(signals)
    logit = weights.get(BIAS, 0.0) + sum(
        weight * values[name] for name, weight in weights.items() if name != BIAS
    )
    # math.exp overflows past ~709; the probability is 0 or 1 long before.
    logit = max(-50.0, min(50.0, logit))
    return 1.0 / (1.0 + math.exp(-logit))


def unknown_weights(weights: Mapping[str, float]) -> list[str]:
    """The names in `weights` that are neither a signal nor the bias (settings reject them)."""
    return sorted(set(weights) - {*SIGNAL_NAMES, BIAS})
