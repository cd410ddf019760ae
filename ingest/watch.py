"""`veille ingest --watch`: keep the store in sync with folders as files appear, change or vanish.

One initial sync, then `watchfiles` reports batches of changes (debounced, so an editor's save
or a copy of many files is one batch); each batch re-runs the ordinary incremental sync
(`ingest.sync.ingest_paths`) on the given paths it touched. That sync takes the data
directory's write lock and skips unchanged files by their sha256, so the watcher is just
another writer, never a second code path. The e5 model is loaded once for the whole run.

Ctrl-C (or `stop`, for tests and embedding) ends the watch after the sync under way, never in
the middle of a write; a second Ctrl-C aborts at once.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import VeilleError, describe
from assistant.lock import StoreBusyError
from assistant.text import printable
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.sync import ingest_paths

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType

    from langchain_core.embeddings import Embeddings
    from watchfiles import Change

    from assistant.settings import Settings
    from assistant.types import IngestReport

__all__ = ["DEBOUNCE_MS", "WatchBatch", "batch_line", "watch_paths"]

DEBOUNCE_MS = 1000
"""How long the folder must stay quiet before a batch of changes is synced."""

BUSY_RETRY_S = 2.0
"""Wait before syncing again when another writer holds the store."""


@dataclass(frozen=True)
class WatchBatch:
    """One synced batch of changes: which given paths it touched, and what the sync did."""

    roots: tuple[Path, ...]
    report: IngestReport


def batch_line(report: IngestReport) -> str:
    """The one line printed per synced batch, e.g. `+1 added, 0 changed, 0 removed`."""
    return f"+{report.added} added, {report.updated} changed, {report.deleted} removed"


def _relevant(change: Change, path: str) -> bool:
    """A document file, or anything deleted (a removed folder takes its documents with it)."""
    from watchfiles import Change as Kind

    name = Path(path).name
    if name.startswith(".") or name.endswith("~"):
        return False  # editors' swap and backup files
    return change == Kind.deleted or Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def affected_roots(roots: list[Path], changed: set[str]) -> list[Path]:
    """The given paths (folders or files) that contain a changed path, in the given order."""
    hit: list[Path] = []
    for root in roots:
        for path in changed:
            p = Path(path)
            if p == root or root in p.parents:
                hit.append(root)
                break
    return hit


def watch_paths(
    paths: list[Path],
    *,
    settings: Settings,
    embeddings: Embeddings | None = None,
    allow_empty: bool = False,
    follow_links: bool = False,
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    echo: Callable[[str], None] | None = None,
    on_batch: Callable[[WatchBatch], None] | None = None,
    on_start: Callable[[IngestReport], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> int:
    """Sync `paths` once, then again after every batch of changes, until stopped.

    Args:
        paths: Folders or files, as for `ingest_paths`.
        settings: The configuration.
        embeddings: The embedding model (default: loaded once from settings).
        allow_empty: Let a folder emptied of documents remove what was indexed from it.
        follow_links: As for `ingest_paths`.
        stop: Set it to end the watch (Ctrl-C sets it too, when run in the main thread).
        debounce_ms: Quiet time that closes a batch of changes.
        echo: Where the summary lines go (default: stdout, flushed at once).
        on_batch: Called after each synced batch.
        on_start: Called with the first sync's report (the chat counts what it added too).
        warn: Where skipped files and failed or busy syncs are told (default: stderr).

    Returns:
        0 once stopped.

    Raises:
        VeilleError: The initial sync failed (a missing folder, a busy or mismatched store).
    """
    import watchfiles

    roots = [p.expanduser().resolve() for p in paths]
    echo = echo or _say
    own_terminal = warn is None  # a caller with its own `warn` (the chat) has no Ctrl-C to tell
    warn = warn or _warn
    stop = stop or threading.Event()
    if embeddings is None:
        from assistant.embeddings import make_embeddings

        embeddings = make_embeddings(settings)

    def sync(targets: list[Path]) -> IngestReport:
        return ingest_paths(
            targets,
            settings=settings,
            embeddings=embeddings,
            allow_empty=allow_empty,
            follow_links=follow_links,
        )

    with _stop_on_interrupt(stop):
        first = sync(roots)
        told = {(s.path, s.reason) for s in first.skipped}
        for skipped in first.skipped:
            warn(f"skipped {skipped.path}: {skipped.reason}")
        echo(first.summary())
        if on_start is not None:
            on_start(first)
        if own_terminal:
            _warn(f"watching {', '.join(str(r) for r in roots)} (Ctrl-C to stop)")
        pending: list[Path] = []
        caught_up = False
        for changes in watchfiles.watch(
            *roots,
            watch_filter=_relevant,
            debounce=debounce_ms,
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=1000,
            yield_on_timeout=True,
        ):
            if not changes:
                if caught_up:
                    continue
                # The watcher starts after the first sync: a file written meanwhile is
                # caught by one more (sha256-cheap) sync, reported only if it changed anything.
                caught_up = True
                pending = _sync_batch(roots, sync, echo, on_batch, told, warn, quiet=True)
            else:
                pending = _merge(pending, affected_roots(roots, {p for _, p in changes}))
                pending = _sync_batch(pending, sync, echo, on_batch, told, warn)
            while pending and not stop.is_set():
                # Another writer held the store: try again shortly, changes or not.
                stop.wait(BUSY_RETRY_S)
                pending = _sync_batch(pending, sync, echo, on_batch, told, warn)
    return 0


def _sync_batch(
    targets: list[Path],
    sync: Callable[[list[Path]], IngestReport],
    echo: Callable[[str], None],
    on_batch: Callable[[WatchBatch], None] | None,
    told: set[tuple[str, str]],
    warn: Callable[[str], None],
    *,
    quiet: bool = False,
) -> list[Path]:
    """Sync `targets`; returns those still to sync (the store was busy).

    With `quiet`, a sync that changed nothing prints nothing.
    """
    if not targets:
        return []
    try:
        report = sync(targets)
    except StoreBusyError as exc:
        warn(f"{describe(exc)}; trying again")
        return targets
    except VeilleError as exc:
        # A folder emptied without --prune, a vanished folder: say so and keep watching.
        warn(f"veille: error: {describe(exc)}")
        return []
    if quiet and not (report.added or report.updated or report.deleted):
        return []
    for skipped in report.skipped:
        # Each sync walks the whole folder: say once that a file is skipped, not every batch.
        if (skipped.path, skipped.reason) not in told:
            told.add((skipped.path, skipped.reason))
            warn(f"skipped {skipped.path}: {skipped.reason}")
    echo(batch_line(report))
    if on_batch is not None:
        on_batch(WatchBatch(tuple(targets), report))
    return []


def _merge(a: list[Path], b: list[Path]) -> list[Path]:
    return a + [p for p in b if p not in a]


def _say(line: str) -> None:
    # Flushed: a script reading the pipe sees each batch when it is synced, not at exit.
    print(line, flush=True)


def _warn(line: str) -> None:
    print(printable(line), file=sys.stderr, flush=True)


@contextmanager
def _stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """While inside, in the main thread: the first SIGINT sets `stop`, the second aborts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        _warn("stopping after the sync under way (Ctrl-C again to abort)")

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
