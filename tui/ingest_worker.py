"""Ingesting from inside the app: `ingest_paths` in a worker thread, and the messages it posts.

The app starts the run (a folder picked in the palette, or every folder the store already
knows); the worker reports each file and the end of the run to the app, which shows progress and
then reopens the store. The chat keeps answering with the assistant it has meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from assistant.errors import describe

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_core.embeddings import Embeddings
    from textual.dom import DOMNode
    from textual.worker import Worker

    from assistant.answer import Assistant
    from assistant.settings import Settings
    from assistant.types import IngestReport

GROUP = "ingest"
"""The worker group of ingest runs (one at a time)."""


class IngestProgressed(Message):
    """One more file of an ingest run was handled."""

    def __init__(self, done: int, total: int, name: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.name = name


class IngestFinished(Message):
    """An ingest run ended; the chat now answers on the new index."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report


class IngestFailed(Message):
    """An ingest run failed; nothing was changed or the run stopped early."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


def ingest_running(app: DOMNode) -> bool:
    """Whether an ingest run is under way."""
    return any(w.group == GROUP and w.is_running for w in app.workers)


def start_ingest(
    app: DOMNode,
    paths: list[Path] | None,
    *,
    settings: Settings,
    embeddings: Embeddings | None,
    assistant: Assistant | None,
) -> Worker[None]:
    """Ingest `paths` (None: the folders the assistant's store lists) in a thread of `app`."""

    def run() -> None:
        _ingest(app.post_message, paths, settings, embeddings, assistant)

    return app.run_worker(run, thread=True, exclusive=True, group=GROUP, exit_on_error=False)


def _ingest(
    post: Callable[[Message], bool],
    paths: list[Path] | None,
    settings: Settings,
    embeddings: Embeddings | None,
    assistant: Assistant | None,
) -> None:
    from ingest.sync import ingest_paths

    def progressed(done: int, total: int, name: str) -> None:
        post(IngestProgressed(done, total, name))

    try:
        if paths is None:
            if assistant is None:
                return
            roots = {r.root for r in assistant.store.documents_under().values() if r.root}
            paths = [Path(r) for r in sorted(roots)]
            if not paths:
                post(IngestFailed("the store lists no folder to re-sync"))
                return
        report = ingest_paths(paths, settings=settings, embeddings=embeddings, progress=progressed)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a notice
        post(IngestFailed(describe(exc)))
        return
    post(IngestFinished(report))
