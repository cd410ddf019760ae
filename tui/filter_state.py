"""The chat's filters in words: the one the user set and the one a question's date phrase set.

The chat keeps two things apart: a filter chosen in the filter dialog (kept until cleared) and
the window a question's own date phrase asked for (that turn only, shown so it can be dropped).
This module says how the status line writes them; it holds no Textual code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.date_phrases import window_label
from assistant.export import literal

if TYPE_CHECKING:
    from assistant.date_phrases import DatePhrase
    from assistant.filters import Filters

DROP_KEY = "F6"
"""The key that re-asks a question without its date phrase's filter (tui/keys.py binds it)."""


def status_text(chosen: Filters | None, from_question: DatePhrase | None) -> str:
    """The status line's filter field: "filter: …", "filter from the question: …", or "".

    Args:
        chosen: The filter set in the dialog, if any.
        from_question: The date phrase of the turn shown, if it set a window.
    """
    parts = []
    if chosen is not None and chosen.active:
        parts.append(f"filter: {literal(window_label(chosen))}")
    if from_question is not None:
        parts.append(
            f"filter from the question: {from_question.label} "
            f"(« {literal(from_question.phrase)} ») · {DROP_KEY} drops it"
        )
    return " · ".join(parts)
