"""Semantic support: how close the question is, in meaning, to the sentence shown as its answer.

The lexical signals of the confidence count the question's words in the best sentence; an
English question over French text, or a French paraphrase, shares few of them, and a sentence
on the right topic that does not answer ("Hema est une chaîne de supermarchés…" for "which
payment method is built into Hema") shares as many as the one that does. The store's own
multilingual embedding model compares meanings across languages: `support()` embeds the best
evidence sentence (as an e5 passage) and measures the question against it, whole (as
retrieval embedded it) and without its names, which is what it asks rather than whom it is
about: the names have their own checks, and they pull the whole question's vector towards any
sentence that repeats them. One sentence and one short query per question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.questions import question_names

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings


@dataclass(frozen=True, slots=True)
class Support:
    """What the embeddings say about one evidence sentence.

    Attributes:
        similarity: Cosine of the question to the sentence.
        focus_similarity: Cosine of the question without its names to the sentence.
    """

    similarity: float = 0.0
    focus_similarity: float = 0.0


def focus_of(question: str) -> str:
    """The question without its names: what it asks ("Which payment method is built into?")."""
    text = question
    for name in sorted({" ".join(n) for n in question_names(question)}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?:['’]s)?(?!\w)", " ", text)
    return " ".join(text.split())


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm if norm else 0.0


def support(
    embeddings: Embeddings,
    question: str,
    sentence: str,
    *,
    question_vector: Sequence[float] | None = None,
) -> Support:
    """The support of `sentence` (the best evidence sentence) for `question`.

    Args:
        embeddings: The store's embedding model (the one retrieval used: the same space).
        question: The standalone question.
        sentence: The evidence sentence shown first.
        question_vector: The question's vector if retrieval already computed it.
    """
    if not sentence.strip():
        return Support()
    [vector] = embeddings.embed_documents([sentence])
    asked = list(question_vector) if question_vector else embeddings.embed_query(question)
    focus = focus_of(question)
    # A question without names is its own focus: no second embedding.
    aimed = embeddings.embed_query(focus) if focus and focus != question else asked
    return Support(similarity=_cosine(asked, vector), focus_similarity=_cosine(aimed, vector))
