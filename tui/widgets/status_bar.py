"""The status line: answerer, model, store and its size, the last timings, filter, watcher, load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from assistant.export import literal
from assistant.types import Timings

if TYPE_CHECKING:
    from tui.messages import AssistantState

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
    filter_text: reactive[str] = reactive("")
    """The filter in use ("filter: since 2017-01-01"), or empty (tui/filter_state.py)."""
    watch_text: reactive[str] = reactive("")
    """What the background watcher added ("3 new articles", tui/watch_worker.py), or empty."""
    activity: reactive[str] = reactive("opening the store…")
    """What is loading right now ("loading model…"), or empty."""

    def show_state(self, state: AssistantState) -> None:
        """Show where the assistant is: what answers, over which store, and what is loading."""
        if state.phase == "loading":
            self.activity = "opening the store…"
        elif state.phase == "failed":
            self.activity = "no store" if state.empty_store else "unavailable"
        elif state.assistant is not None:
            self.mode = state.assistant.mode
            self.model = state.assistant.generator.model
            self.location = state.assistant.store.location
            self.documents = state.documents
            self.chunks = state.chunks
            self.activity = "loading model…" if state.warming else ""

    def render(self) -> Text:
        """Mode and model · store and counts · last timings · filter · watcher · activity."""
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
        if self.filter_text:
            parts.append(Text(self.filter_text, style="bold"))
        if self.watch_text:
            parts.append(Text(self.watch_text))
        if self.activity:
            parts.append(Text(self.activity, style="italic"))
        return Text(" │ ").join(parts)


def _duration(ms: float) -> str:
    """Milliseconds under a second, else seconds: short enough for one line."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
