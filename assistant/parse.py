"""French dependency parses of single sentences, for the binding checks (`assistant.binding`).

spaCy's small French pipeline (`fr_core_news_sm`) is loaded the first time a parse is asked
for, once per process and under a lock (the chat asks from worker threads), with only the
components a dependency tree needs. Parses are cached by sentence text: the ordering, the
refusal and the verification ask about the same few sentences. If spaCy or the model cannot
load, `parse` returns None and a warning is logged once: the binding checks then say nothing
and the regex rules of `assistant.grounding` decide alone.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

logger = logging.getLogger(__name__)

MODEL: Final = "fr_core_news_sm"

# The tree needs the tagger (POS, for proper nouns and verbs) and the parser; names come from
# the question, lemmas from `assistant.lexicon`, sentence bounds from `assistant.text`.
_EXCLUDE: Final = ("ner", "lemmatizer", "senter", "attribute_ruler")

_CACHE_SIZE: Final = 2048  # sentences; a question touches a few dozen

_lock = threading.Lock()
_parsing = threading.Lock()
_state: dict[str, Any] = {}  # "nlp" once loaded, "failed" once it could not load


def load_seconds() -> float | None:
    """How long the pipeline took to load, or None if it has not loaded."""
    seconds = _state.get("seconds")
    return float(seconds) if seconds is not None else None


def _pipeline() -> Language | None:
    nlp = _state.get("nlp")
    if nlp is not None or _state.get("failed"):
        return nlp
    with _lock:
        if "nlp" in _state or _state.get("failed"):
            loaded_before: Language | None = _state.get("nlp")
            return loaded_before
        started = time.perf_counter()
        try:
            import spacy

            loaded: Language = spacy.load(MODEL, exclude=list(_EXCLUDE))
        except Exception as exc:  # noqa: BLE001 - any failure means "no parses", never a crash
            logger.warning(
                "French parser %s unavailable (%s); figure bindings use the regex rules only",
                MODEL,
                exc,
            )
            _state["failed"] = True
            return None
        _state["seconds"] = time.perf_counter() - started
        _state["nlp"] = loaded
        logger.info("French parser %s loaded in %.1f s", MODEL, _state["seconds"])
        return loaded


@lru_cache(maxsize=_CACHE_SIZE)
def parse(sentence: str) -> Doc | None:
    """The dependency parse of one sentence, or None when no parser could load."""
    nlp = _pipeline()
    if nlp is None:
        return None
    with _parsing:  # one parse at a time: spaCy does not promise a pipeline is thread-safe
        doc: Doc = nlp(sentence)
    return doc
