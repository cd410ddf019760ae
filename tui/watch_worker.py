"""The chat's background watcher: `ingest.watch.watch_paths` over the store's folders, in a thread.

With the `ingest.watch` setting (or `veille chat --watch`), the app starts one watcher once the
store is open. It is the same watcher as `veille ingest --watch`: each batch of changes is an
ordinary incremental sync under the data directory's write lock, so it is one more writer, never
a second code path. It reports each sync to the app (which counts "3 new articles" and reopens
the store); quitting sets its stop event and waits for the sync under way, so the write lock is
free once the app has exited.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from assistant.errors import describe

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_core.embeddings import Embeddings
    from textual.dom import DOMNode

    from assistant.answer import Assistant
    from assistant.settings import Settings
    from assistant.types import IngestReport

GROUP = "watch"
"""The worker group of the background watcher (one per app)."""

STOP_WAIT_S = 120.0
"""Longest wait, on quitting, for the sync under way to finish (a sync is never cut short)."""


@dataclass(frozen=True, slots=True)
class WatchTally:
    """What the watcher changed since the chat opened, in documents."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    def plus(self, report: IngestReport) -> WatchTally:
        """This tally with one more sync's counts."""
        return WatchTally(
            self.added + report.added,
            self.changed + report.updated,
            self.removed + report.deleted,
        )

    def line(self) -> str:
        """The status line's words: "watching", "1 new article", "3 new articles · 1 removed"."""
        parts = []
        if self.added:
            parts.append(f"{self.added} new article{'s' if self.added > 1 else ''}")
        if self.changed:
            parts.append(f"{self.changed} changed")
        if self.removed:
            parts.append(f"{self.removed} removed")
        return " · ".join(parts) or "watching"


class WatchSynced(Message):
    """The watcher synced a batch of changes (or the first sync) into the store."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report


class WatchWarned(Message):
    """The watcher skipped a file, found the store busy, or could not sync a folder."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class WatchStopped(Message):
    """The watcher ended; `error` says why when it did not end because it was asked to."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


@dataclass
class WatchHandle:
    """A running watcher: set `stop` to end it; `finished` is set once it has let go."""

    stop: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    async def close(self) -> bool:
        """Stop the watcher and wait for it; False if it was still syncing after `STOP_WAIT_S`."""
        self.stop.set()
        return await asyncio.to_thread(self.finished.wait, STOP_WAIT_S)


def store_folders(assistant: Assistant) -> list[Path]:
    """The folders (or files) the store's documents were ingested from, that still exist."""
    roots = {r.root for r in assistant.store.documents_under().values() if r.root}
    return [Path(r) for r in sorted(roots) if Path(r).exists()]


def start_watch(
    app: DOMNode,
    assistant: Assistant,
    *,
    settings: Settings,
    embeddings: Embeddings | None,
) -> WatchHandle:
    """Watch the folders of `assistant`'s store in a thread worker of `app`."""
    handle = WatchHandle()

    def run() -> None:
        try:
            _watch(app.post_message, assistant, settings, embeddings, handle.stop)
        finally:
            handle.finished.set()

    app.run_worker(run, thread=True, exclusive=True, group=GROUP, exit_on_error=False)
    return handle


def _watch(
    post: Callable[[Message], bool],
    assistant: Assistant,
    settings: Settings,
    embeddings: Embeddings | None,
    stop: threading.Event,
) -> None:
    from ingest.watch import watch_paths

    started = threading.Event()

    def synced(report: IngestReport) -> None:
        post(WatchSynced(report))

    def first(report: IngestReport) -> None:
        started.set()
        if report.skipped:
            # One notice for the first sync's skipped files (a folder can hold many), not one each.
            count = len(report.skipped)
            example = report.skipped[0]
            post(
                WatchWarned(
                    f"{count} file{'s' if count > 1 else ''} skipped, e.g. "
                    f"{example.path}: {example.reason}"
                )
            )
        synced(report)

    def warned(line: str) -> None:
        if started.is_set():  # before, only the first sync's skipped files: `first` sums them up
            post(WatchWarned(line))

    try:
        roots = store_folders(assistant)
        if not roots:
            post(WatchStopped("the store lists no folder that still exists"))
            return
        watch_paths(
            roots,
            settings=settings,
            embeddings=embeddings,
            stop=stop,
            echo=lambda _line: None,  # the status line and notices say it instead
            on_start=first,
            on_batch=lambda batch: synced(batch.report),
            warn=warned,
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes a notice
        post(WatchStopped(describe(exc)))
        return
    post(WatchStopped())
