"""The inspector: how the last answer was made, for readers who want to check the machinery.

It shows the question after follow-up rewriting, every retrieved passage with its BM25 rank,
dense rank, cosine similarity and fused score, the question's kind and the calibrated confidence
with its signals, the verification notes, the timings, and the exact prompt sent to the model
with its token count. All text is rendered literally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from assistant.export import literal

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from assistant.types import Answer

CHARS_PER_TOKEN = 4
"""Rough estimate used only when the model did not report the prompt's token count."""


def _rank(rank: int | None) -> str:
    return "—" if rank is None else str(rank)


def _confidence_line(answer: Answer) -> str:
    """The calibrated confidence and the signals it weighed, on one line."""
    signals = answer.signals or {}
    shown = " · ".join(f"{name.replace('_', ' ')} {value:g}" for name, value in signals.items())
    return f"{answer.kind} · confidence {answer.confidence:.2f} ({shown})"


class InspectorScreen(ModalScreen[None]):
    """Retrieval and prompt details of one answer."""

    BINDINGS = [  # noqa: RUF012 - Textual's API
        Binding("escape,f2,i,q", "dismiss(None)", "Close"),
    ]

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def compose(self) -> ComposeResult:
        """Question, rewritten question, passages, timings, notes, prompt."""
        a = self.answer
        with VerticalScroll(id="inspector-dialog", classes="dialog"):
            yield Static(Text("Question", style="bold"), classes="heading")
            yield Static(Text(literal(a.question)), id="inspector-question")
            standalone = a.standalone_question or "(unchanged: not a follow-up)"
            yield Static(
                Text("Standalone question (after rewriting)", style="bold"), classes="heading"
            )
            yield Static(Text(literal(standalone)), id="inspector-standalone")
            yield Static(Text("Passages", style="bold"), classes="heading")
            yield DataTable(id="inspector-passages", cursor_type="row", zebra_stripes=True)
            t = a.timings
            first = "—" if t.first_token is None else f"{t.first_token:.0f} ms"
            yield Static(
                Text(
                    f"{a.mode} · {literal(a.model)} · retrieve {t.retrieve:.0f} ms · "
                    f"first token {first} · total {t.total:.0f} ms"
                ),
                id="inspector-timings",
            )
            if a.confidence is not None:
                yield Static(Text(_confidence_line(a)), id="inspector-confidence")
            if a.notes:
                yield Static(Text("Notes", style="bold"), classes="heading")
                yield Static(Text(literal("\n".join(a.notes))), id="inspector-notes")
            yield Static(
                Text(self._prompt_heading(), style="bold"),
                classes="heading",
                id="inspector-prompt-heading",
            )
            prompt = (
                a.prompt
                if a.prompt is not None
                else "(no prompt: the answer is extractive, no model was called)"
            )
            yield Static(Text(literal(prompt)), id="inspector-prompt")

    def _prompt_heading(self) -> str:
        a = self.answer
        if a.prompt is None:
            return "Prompt"
        if a.prompt_tokens is not None:
            return f"Prompt sent to the model ({a.prompt_tokens} tokens)"
        estimate = len(a.prompt) // CHARS_PER_TOKEN
        return f"Prompt sent to the model (≈{estimate} tokens, estimated: the model reported none)"

    def on_mount(self) -> None:
        """Title the dialog and fill the passage table."""
        dialog = self.query_one(".dialog")
        dialog.border_title = "Inspector — how this answer was made"
        dialog.border_subtitle = "Esc close"
        table = self.query_one(DataTable)
        labels = ("[n]", "file", "BM25 rank", "dense rank", "similarity", "fused score", "cited")
        table.add_columns(*(Text(label) for label in labels))  # str labels would be markup
        cited = {c.n for c in self.answer.citations}
        for p in self.answer.passages:
            similarity = "—" if p.dense_similarity is None else f"{p.dense_similarity:.3f}"
            table.add_row(
                Text(f"[{p.n}]"),
                Text(literal(p.source)),
                _rank(p.bm25_rank),
                _rank(p.dense_rank),
                similarity,
                f"{p.score:.4f}",
                "yes" if p.n in cited else "",
            )
