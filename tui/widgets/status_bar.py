"""The status line: answerer and model, store and its size, and the last answer's timings."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from assistant.types import Timings
from tui.text import literal

LOCATION_WIDTH = 40
"""Longest store location shown; longer paths keep their end (the informative part)."""


class StatusBar(Static):
    """One line at the bottom of the chat; every field is an attribute set by the screen."""

    mode: reactive[str] = reactive("")
    model: reactive[str] = reactive("")
    location: reactive[str] = reactive("")
    documents: reactive[int | None] = reactive(None)
    chunks: reactive[int | None] = reactive(None)
    timings: reactive[Timings | None] = reactive(None)
    activity: reactive[str] = reactive("opening the store…")
    """What is loading right now ("loading model…"), or empty."""

    def render(self) -> Text:
        """Mode and model · store and counts · last timings · activity."""
        parts: list[Text] = []
        if self.mode:
            model = literal(self.model)
            parts.append(
                Text(model, style="bold")
                if model.startswith(self.mode)
                else Text.assemble((self.mode, "bold"), " · ", model)
            )
        if self.location:
            where = literal(self.location)
            if len(where) > LOCATION_WIDTH:
                where = "…" + where[-(LOCATION_WIDTH - 1) :]
            counts = ""
            if self.documents is not None and self.chunks is not None:
                counts = f" · {self.documents} docs · {self.chunks} chunks"
            parts.append(Text(f"{where}{counts}"))
        if self.timings is not None:
            t = self.timings
            first = (
                f" · first token {_duration(t.first_token)}" if t.first_token is not None else ""
            )
            parts.append(
                Text(f"retrieve {_duration(t.retrieve)}{first} · total {_duration(t.total)}")
            )
        if self.activity:
            parts.append(Text(self.activity, style="italic"))
        return Text(" │ ").join(parts)


def _duration(ms: float) -> str:
    """Milliseconds under a second, else seconds: short enough for one line."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
