"""Fixtures for the chat's Pilot and snapshot tests.

The sample corpus is ingested once per session into a temporary data directory (real Chroma,
the real embedding model); each test then gets its own data directory (history, exports, eval
cases) and an `Assistant` over the shared store with a `GenericFakeChatModel` queue of answers.
Nothing here reads the developer's settings, store or history (`tests/conftest.py` isolates each
test; the session store is isolated here the same way).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from langchain_core.embeddings import Embeddings
    from textual.pilot import Pilot

    from assistant.answer import Assistant
    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings
    from assistant.store import Store
    from tui.app import VeilleApp


@dataclass(frozen=True)
class Facts:
    """Questions and answers the sample corpus is known to give (see the issue's "done when")."""

    hema: str = "Combien de magasins Hema a-t-il ouverts ?"
    hema_answer: str = "Hema a ouvert 22 magasins, situés principalement à Shanghai et Pékin [1]."
    hema_quote: str = (
        "Hema est une chaîne de supermarchés qui a ouvert 22 magasins ces derniers mois, "
        "situés principalement à Shanghai et Pékin."
    )
    hema_file: str = "002_35a95145e6805c4a.txt"
    hema_span: tuple[int, int] = (872, 994)
    refused: str = "Qui est le PDG de Pinduoduo ?"


@pytest.fixture(scope="session")
def facts() -> Facts:
    """Known questions and answers of the sample corpus."""
    return Facts()


_ENV_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "VISUAL", "EDITOR", "PAGER")


def _isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name.startswith("VEILLE_") and name != "VEILLE_TEST_MODELS_DIR":
            mp.delenv(name, raising=False)
    for name in _ENV_VARS:
        mp.delenv(name, raising=False)
    mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
    mp.setenv("XDG_DATA_HOME", str(home / "share"))
    mp.setenv("XDG_CACHE_HOME", str(home / "cache"))
    mp.chdir(home)


@pytest.fixture(autouse=True)
def _no_user_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No editor or pager of the developer's runs (tests/conftest.py isolates the rest)."""
    for name in ("VISUAL", "EDITOR", "PAGER"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class SampleStore:
    """The ingested sample corpus, opened once."""

    settings: Settings
    embeddings: Embeddings
    store: Store
    keywords: KeywordIndex


@pytest.fixture(scope="session")
def sample_store(sample_store_dir: Path) -> SampleStore:
    """The session's one ingested sample store (tests/conftest.py), opened for reading."""
    from assistant.embeddings import make_embeddings
    from assistant.settings import load_settings
    from assistant.store import Store, keyword_index

    settings = load_settings(data_dir=sample_store_dir)
    embeddings = make_embeddings(settings)
    store = Store(settings, embeddings)
    return SampleStore(settings, embeddings, store, keyword_index(settings))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """This test's settings: its own data directory (history, exports, eval cases)."""
    from assistant.settings import load_settings

    return load_settings(data_dir=tmp_path / "data")


def fake_llm(*answers: str) -> Any:
    """A chat model that streams `answers` in turn (word by word), one per call."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    return GenericFakeChatModel(messages=iter([AIMessage(a) for a in answers]))


@pytest.fixture
def make_assistant(sample_store: SampleStore, settings: Settings) -> Callable[..., Assistant]:
    """An assistant over the shared sample store; with answers, a fake model gives them."""
    from assistant.answer import Assistant
    from assistant.llm import Generator
    from assistant.types import EXTRACTIVE_MODEL

    def make(*answers: str) -> Assistant:
        if answers:
            llm = fake_llm(*answers)
            generator = None
        else:
            llm = None
            generator = Generator("extractive", EXTRACTIVE_MODEL)
        return Assistant(
            settings,
            store=sample_store.store,
            embeddings=sample_store.embeddings,
            keywords=sample_store.keywords,
            llm=llm,
            generator=generator,
        )

    return make


@pytest.fixture
def make_app(
    settings: Settings, make_assistant: Callable[..., Assistant]
) -> Callable[..., VeilleApp]:
    """The real app over the sample store; `make_app("answer 1", ...)` queues fake answers."""
    from tui.app import build_app

    def make(*answers: str) -> VeilleApp:
        return build_app(settings, make_assistant(*answers))

    return make


async def _settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker is done and every message they posted has been handled."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return
    msg = "workers did not settle"
    raise AssertionError(msg)


@pytest.fixture
def settle() -> Callable[[Pilot[Any]], Awaitable[None]]:
    """`await settle(pilot)`: wait for workers and their messages."""
    return _settle


async def _ask(pilot: Pilot[Any], question: str) -> None:
    from textual.widgets import Input

    await _settle(pilot)
    prompt = pilot.app.screen.query_one("#prompt", Input)
    prompt.focus()
    prompt.value = question
    await pilot.press("enter")
    await _settle(pilot)


@pytest.fixture
def ask() -> Callable[[Pilot[Any], str], Awaitable[None]]:
    """`await ask(pilot, question)`: type a question, press Enter, wait for the answer."""
    return _ask


def screen_text(app: Any) -> str:
    """Everything the terminal shows now, as plain text."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)  # as App.export_screenshot does
    return console.export_text(styles=False)


@pytest.fixture
def text_of() -> Callable[[Any], str]:
    """`text_of(app)`: the screen as plain text."""
    return screen_text
