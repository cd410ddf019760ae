"""A corpus-wide question whose subject no document writes as asked becomes a summary.

"What does the corpus say about Alibaba's logistics?" over French articles: no text writes
"logistics", but the corpus knows Alibaba, and its passages on "logistique" answer. A name the
corpus has never seen ("Tesla") is still refused.
"""

from __future__ import annotations

import pytest

from assistant.answer import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.integration


def test_a_subject_not_written_as_asked_is_summarised(sample_settings: Settings):
    answer = Assistant(sample_settings.with_mode("extractive")).ask(
        "What does the corpus say about Alibaba's logistics?"
    )
    assert not answer.refused, answer.notes
    assert answer.kind == "summary"
    assert "logistique" in answer.text
    assert answer.citations


def test_an_unknown_name_is_still_refused(sample_settings: Settings):
    answer = Assistant(sample_settings.with_mode("extractive")).ask(
        "Quels articles parlent de Tesla ?"
    )
    assert answer.refused
    assert answer.kind == "corpus"
