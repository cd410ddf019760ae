"""The Veille chat app: assembled once from `Settings`, then the chat screen does the talking.

`build_app(settings, assistant=None)` is the one place the chat gets its collaborators: tests
pass an assistant with a fake model; `veille chat` passes none and the app builds it in a
background worker, so the prompt is usable at once while the store opens and the model loads
(the status line says "loading model…"). Errors become notices. An unexpected crash exits
non-zero with one line, never Textual's traceback with locals (they can hold API keys).

The app owns the state the chat does not: the assistant's lifecycle (`state`, an
`AssistantState`: loading, ready or failed) and the ingest run (`ingest`), both reactives the
chat screen is bound to (attributes down); workers report with messages (up). Ingests run from
here, through `tui.ingest_worker`, and reopen the store when they finish. With the `ingest.watch`
setting the app also runs the background watcher (`tui.watch_worker`) once the store is open,
counts what it adds (`watching`, bound to the chat too), and stops it before it exits.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import var

from assistant.errors import describe
from assistant.export import literal
from tui.ingest_worker import (
    IngestFailed,
    IngestFinished,
    IngestProgressed,
    ingest_running,
    start_ingest,
)
from tui.messages import AssistantFailed, AssistantLoaded, AssistantState, ModelWarmed
from tui.screens.chat import ChatScreen
from tui.screens.folder import AddFolderScreen
from tui.watch_worker import WatchHandle, WatchStopped, WatchSynced, WatchTally, WatchWarned
from tui.watch_worker import start_watch as start_watcher
from tui.widgets.ingest_progress import IngestRun

if TYPE_CHECKING:
    from collections.abc import Iterable

    from langchain_core.embeddings import Embeddings
    from rich.console import RenderableType
    from textual.binding import BindingType
    from textual.screen import Screen

    from assistant.answer import Assistant
    from assistant.conversations import History
    from assistant.filters import Filters
    from assistant.settings import Settings


class VeilleApp(App[None]):
    """Ask questions about a folder of documents; check every citation."""

    CSS_PATH = Path(__file__).with_name("veille.tcss")  # absolute: subclasses live elsewhere
    TITLE = "Veille"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    state: var[AssistantState] = var(AssistantState(), init=False)
    """The assistant's lifecycle; the chat screen is bound to it."""
    ingest: var[IngestRun | None] = var(None, init=False)
    """The ingest run under way, if any; the chat screen's progress line is bound to it."""
    watching: var[WatchTally | None] = var(None, init=False)
    """What the background watcher changed since the chat opened (None: not watching)."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant | None = None,
        *,
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._given = assistant
        self._start_filters = filters  # App._filters is Textual's own
        self._watcher: WatchHandle | None = None
        self._watch_started = False
        self.embeddings: Embeddings | None = assistant.embeddings if assistant is not None else None
        """The embedding model, shared by every assistant the app builds and by ingests."""
        self.history: History | None = None
        self._history_error: str | None = None
        try:
            from assistant.conversations import History

            self.history = History(settings.history_db)
        except Exception as exc:  # noqa: BLE001 - the chat works without saving
            self._history_error = describe(exc)

    @property
    def assistant(self) -> Assistant | None:
        """Who answers now (None until a store has opened)."""
        return self.state.assistant

    @property
    def loading(self) -> bool:
        """Whether the assistant is being built."""
        return self.state.phase == "loading"

    @property
    def chat(self) -> ChatScreen:
        """The main screen."""
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        msg = "the chat screen is not installed"  # pragma: no cover - on_mount installs it
        raise LookupError(msg)

    def get_default_screen(self) -> ChatScreen:
        """The chat is the app's only base screen; it renders the app's state."""
        chat = ChatScreen(self.settings, self.history, filters=self._start_filters)
        return chat.data_bind(VeilleApp.state, VeilleApp.ingest, VeilleApp.watching)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands, and the app's own (they have no key)."""
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Add a folder",
            "Ingest a folder; the chat keeps answering meanwhile",
            self.action_add_folder,
        )
        yield SystemCommand(
            "Re-sync the index", "Ingest again the folders already in the store", self.action_resync
        )

    def on_mount(self) -> None:
        """Build the assistant in the background (say if conversations cannot be saved)."""
        if self._history_error is not None:
            self.notify(
                f"Conversations will not be saved: {self._history_error}", severity="warning"
            )
        # After the first refresh the chat screen is composed, so the loader's report has a
        # status line to land on.
        self.call_after_refresh(self._load, self._given)

    async def on_unmount(self) -> None:
        """Stop the watcher and close the history file.

        The watcher ends after the sync under way, so the write lock is free once the app exits.
        """
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            await watcher.close()
        if self.history is not None:
            self.history.close()

    # -- the assistant -----------------------------------------------------------------------

    def reload_assistant(self) -> None:
        """Open the store again (after an ingest); the current assistant answers meanwhile."""
        if self.state.assistant is None:
            self.state = AssistantState("loading")
        self._load(None, reuse=self.state.assistant)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, given: Assistant | None, reuse: Assistant | None = None) -> None:
        from assistant.answer import Assistant
        from assistant.llm import GeneratorError
        from assistant.store import StoreEmptyError

        note = None
        try:
            if given is not None:
                assistant = given
            else:
                # The embedding model is loaded once and kept, even when the store is missing:
                # an ingest from the app and the assistant built after it reuse it.
                if self.embeddings is None:
                    from assistant.embeddings import make_embeddings

                    self.embeddings = make_embeddings(self.settings)
                if reuse is not None:
                    # The chat model stays loaded: only the store and keyword index reopen.
                    assistant = Assistant(
                        self.settings,
                        embeddings=self.embeddings,
                        generator=reuse.generator,
                        llm=reuse.llm if reuse.mode != "extractive" else None,
                    )
                else:
                    try:
                        assistant = Assistant(self.settings, embeddings=self.embeddings)
                    except GeneratorError as exc:
                        note = f"{describe(exc)}; answering extractively (no model)"
                        assistant = Assistant(
                            _extractive(self.settings), embeddings=self.embeddings
                        )
            documents, chunks = assistant.store.document_count(), assistant.store.count()
        except StoreEmptyError as exc:
            self.post_message(AssistantFailed(describe(exc), empty_store=True))
            return
        except Exception as exc:  # noqa: BLE001 - every failure becomes a notice
            from assistant.chroma_client import damaged_store_error

            self.post_message(
                AssistantFailed(describe(damaged_store_error(exc, self.settings) or exc))
            )
            return
        self.post_message(AssistantLoaded(assistant, documents=documents, chunks=chunks, note=note))

    def on_assistant_loaded(self, message: AssistantLoaded) -> None:
        """Answer with this assistant from now on; load its model in the background."""
        current = self.state.assistant
        first = current is None or message.assistant.generator != current.generator
        warming = first and message.assistant.mode != "extractive"
        self.state = AssistantState(
            "ready",
            message.assistant,
            documents=message.documents,
            chunks=message.chunks,
            warming=warming,
        )
        if message.note:
            self.notify(message.note, title="Model unavailable", severity="warning", timeout=10)
        if first:
            self._warm_up(message.assistant)
        if self.settings.ingest.watch and not self._watch_started:
            self._watch_started = True
            self.watching = WatchTally()
            self._watcher = start_watcher(
                self, message.assistant, settings=self.settings, embeddings=self.embeddings
            )

    def on_assistant_failed(self, message: AssistantFailed) -> None:
        """Say why the chat cannot answer, and what to do."""
        self.state = AssistantState(
            "failed",
            self.state.assistant,
            error=message.error,
            empty_store=message.empty_store,
        )
        hint = (
            " (Ctrl+P, then “Add a folder”, ingests one from here)" if message.empty_store else ""
        )
        self.notify(message.error + hint, title="Cannot answer yet", severity="error", timeout=15)

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False)
    def _warm_up(self, assistant: Assistant) -> None:
        try:
            assistant.warm_up()
        except Exception as exc:  # noqa: BLE001 - a missing model is a notice, and a fallback
            error = describe(exc)
            try:
                fallback = _extractive_copy(assistant)
                documents, chunks = fallback.store.document_count(), fallback.store.count()
            except Exception:  # noqa: BLE001 - keep the first error, it says more
                self.post_message(ModelWarmed(error))
                return
            self.post_message(ModelWarmed(error))
            self.post_message(
                AssistantLoaded(
                    fallback,
                    documents=documents,
                    chunks=chunks,
                    note=f"{error}; answering extractively (no model)",
                )
            )
            return
        self.post_message(ModelWarmed())

    def on_model_warmed(self, message: ModelWarmed) -> None:
        """The model is loaded (or is not coming): clear "loading model…"."""
        self.state = replace(self.state, warming=False)

    # -- ingest ----------------------------------------------------------------------------------

    def action_add_folder(self) -> None:
        """Ask for a folder, then ingest it."""

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.start_ingest([path])

        self.push_screen(AddFolderScreen(), chosen)

    def action_resync(self) -> None:
        """Ingest again every folder already in the store (new, changed and deleted files)."""
        if self.state.assistant is None:
            self.notify("Nothing ingested yet: add a folder first (Ctrl+P, Add a folder).")
            return
        self.start_ingest(None)

    def start_ingest(self, paths: list[Path] | None) -> None:
        """Run an ingest in the background; the chat keeps answering meanwhile."""
        if ingest_running(self):
            self.notify("An ingest is already running.", severity="warning")
            return
        self.ingest = IngestRun(str(paths[0]) if paths else "known folders")
        start_ingest(
            self,
            paths,
            settings=self.settings,
            embeddings=self.embeddings,
            assistant=self.state.assistant,
        )

    def on_ingest_progressed(self, message: IngestProgressed) -> None:
        """Advance the progress line."""
        self.ingest = IngestRun(message.name, message.done, message.total)

    def on_ingest_finished(self, message: IngestFinished) -> None:
        """Report, then open the new index."""
        self.ingest = None
        self.notify(message.report.summary(), title="Ingest done", timeout=8)
        self.reload_assistant()

    def on_ingest_failed(self, message: IngestFailed) -> None:
        """Say why the ingest stopped."""
        self.ingest = None
        self.notify(message.error, title="Ingest failed", severity="error", timeout=10)

    # -- the background watcher ----------------------------------------------------------------

    def on_watch_synced(self, message: WatchSynced) -> None:
        """Count what the watcher changed; answer on the new index when it changed anything."""
        report = message.report
        self.watching = (self.watching or WatchTally()).plus(report)
        if report.added or report.updated or report.deleted:
            self.reload_assistant()

    def on_watch_warned(self, message: WatchWarned) -> None:
        """A file skipped, a busy store, a folder that could not be synced."""
        line = literal(message.line)  # a file name's control characters, made visible
        self.notify(line, title="Watch", severity="warning", timeout=8, markup=False)

    def on_watch_stopped(self, message: WatchStopped) -> None:
        """The watcher ended: say why, unless it was asked to."""
        self._watcher = None
        self.watching = None
        if message.error is not None:
            self.notify(
                message.error, title="Watch stopped", severity="error", timeout=10, markup=False
            )

    # -- crashes ---------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Textual renders the crash with `rich.traceback.Traceback(show_locals=True)` (in
        # `App._fatal_error`, or `panic` for exceptions with `__rich__`): locals can hold API keys
        # and document text. Every crash goes through `_fatal_error` below instead; the return
        # code stays 1 and Pilot still re-raises the exception in tests.
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._fatal_error()

    def _fatal_error(self) -> None:
        import sys

        from rich.console import Group

        if self._exit_renderables:  # a second failure while closing adds nothing useful
            self._close_messages_no_wait()
            return
        self.bell()
        error = self._exception or sys.exc_info()[1]
        line = describe(error) if error is not None else "unknown error"
        parts: list[RenderableType] = [Text(f"veille: crashed: {line}")]
        if os.environ.get("VEILLE_DEBUG") and error is not None:
            from rich.traceback import Traceback

            parts.append(
                Traceback.from_exception(type(error), error, error.__traceback__, show_locals=False)
            )
        else:
            parts.append(Text("veille: set VEILLE_DEBUG=1 for the traceback (without locals)"))
        # One renderable: Textual prints only the first unless run in its dev mode.
        self._exit_renderables.append(Group(*parts))
        self._close_messages_no_wait()


def _extractive(settings: Settings) -> Settings:
    return settings.with_mode("extractive")


def _extractive_copy(assistant: Assistant) -> Assistant:
    """The same store and embeddings, answering without a model."""
    from assistant.answer import Assistant
    from assistant.llm import Generator
    from assistant.types import EXTRACTIVE_MODEL

    return Assistant(
        _extractive(assistant.settings),
        store=assistant.store,
        embeddings=assistant.embeddings,
        keywords=assistant.keywords,
        generator=Generator("extractive", EXTRACTIVE_MODEL),
    )


def build_app(
    settings: Settings, assistant: Assistant | None = None, *, filters: Filters | None = None
) -> VeilleApp:
    """The chat app for these settings; `assistant` is built in the background if not given.

    Args:
        settings: The configuration (`ingest.watch` starts the background watcher).
        assistant: Who answers (tests); None builds one from the settings.
        filters: The filter chosen at start (`veille chat --since …`), as if set in the dialog.
    """
    return VeilleApp(settings, assistant, filters=filters)


def run_chat(settings: Settings, filters: Filters | None = None) -> int:
    """Run the chat in the terminal; returns the exit code (non-zero after a crash)."""
    app = build_app(settings, filters=filters)
    app.run()
    return app.return_code or 0
