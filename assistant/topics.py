"""Which articles a topic summary reads: those about the topic, not those that only mention it.

"Résume la fin de mission de la sonde Cassini" is told by the articles on Cassini's Grand
Final; an article on a moon of Saturn names the probe once or twice, as the source of its
images. News names its subject again and again, so an article is about the question's topic
when the question's words occur in it nearly as often as in the article that repeats them most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from assistant.analysis import analyse

if TYPE_CHECKING:
    from assistant.store import Store


def about_topic(
    question: str, doc_ids: Iterable[str], store: Store, share: float
) -> frozenset[str]:
    """The documents among `doc_ids` whose count of the question's words is near the highest.

    Args:
        question: The standalone question.
        doc_ids: The candidate documents (those naming the question's subject).
        store: Where whole documents are read.
        share: A document is kept when its count is at least this share of the highest.

    Returns:
        The kept documents; empty when no document holds any of the question's words.
    """
    wanted = set(analyse(question))
    counts: dict[str, int] = {}
    for doc_id in dict.fromkeys(doc_ids):
        words = Counter(analyse(store.document_text(doc_id) or ""))
        counts[doc_id] = sum(words[w] for w in wanted)
    most = max(counts.values(), default=0)
    if most <= 0:
        return frozenset()
    return frozenset(d for d, n in counts.items() if n >= share * most)
