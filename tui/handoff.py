"""Hand-offs out of the chat: to the clipboard, `$EDITOR`, a Markdown file, the eval set.

A quote goes to the clipboard, a document to the reader's editor or pager, a conversation to a
Markdown file, a turn to the eval set. Each helper does one hand-off for a screen and says how
it went in a notice, so the screens only decide what to hand over. Opening a file suspends the
Textual app while the editor or pager owns the terminal; editors and pagers that understand
`+LINE` are given the cited line.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from assistant.errors import describe
from assistant.export import write_export
from assistant.text import shorten
from evals.questions import eval_cases_path, save_eval_case

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from textual.widget import Widget

    from assistant.settings import Settings
    from assistant.types import Answer
    from tui.widgets.document_viewer import Shown

LINE_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
"""Files whose loaded text has the file's own lines, so `$EDITOR +LINE` lands on the quote."""

_PLUS_LINE = frozenset(
    "vi vim nvim nano emacs emacsclient micro kak mg ne joe jed hx helix more most".split()  # noqa: SIM905
)


def copy_quote(screen: Widget, shown: Shown | None) -> None:
    """Copy the first highlighted quote (or the passage) of the shown document."""
    if shown is None:
        screen.notify("Open a source first (its number, or Enter in the sources pane).", timeout=3)
        return
    span = shown.quotes[0] if shown.quotes else shown.passage
    if span is None:
        return
    quote = shown.text[span[0] : span[1]]
    screen.app.copy_to_clipboard(quote)
    screen.notify(f"Copied «{shorten(quote, 60)}»", timeout=3)


def open_in_editor(screen: Widget, shown: Shown | None) -> None:
    """Open the shown document in $EDITOR or $PAGER at the quote (the app is suspended)."""
    if shown is None:
        screen.notify("Open a source first.", timeout=3)
        return
    path = Path(shown.doc_id)
    if not path.is_file():
        screen.notify(
            f"{shown.source} is not on this machine ({path}).", severity="warning", timeout=6
        )
        return
    line = 1
    span = shown.quotes[0] if shown.quotes else shown.passage
    if span is not None and path.suffix.lower() in LINE_SUFFIXES:
        line = shown.text.count("\n", 0, span[0]) + 1
    command = viewer_command(path, line)
    if command is None:
        screen.notify("Set $EDITOR or $PAGER to open files.", severity="warning")
        return
    try:
        with screen.app.suspend():
            subprocess.run(command, check=False)  # noqa: S603 - the user's own editor
    except SuspendNotSupported:
        screen.notify("This terminal cannot hand over to an editor.", severity="warning")
    except OSError as exc:
        screen.notify(f"Cannot run {command[0]}: {describe(exc)}", severity="error")


def viewer_command(
    path: Path, line: int = 1, env: Mapping[str, str] | None = None
) -> list[str] | None:
    """The argv opening `path` at `line`: $VISUAL, $EDITOR, $PAGER or less (None: none exists)."""
    env = os.environ if env is None else env
    for variable in ("VISUAL", "EDITOR", "PAGER"):
        value = env.get(variable, "").strip()
        if value:
            argv = shlex.split(value)
            break
    else:
        argv = ["less"]
    if not argv or shutil.which(argv[0], path=env.get("PATH")) is None:
        return None
    program = Path(argv[0]).name
    if program == "less":
        argv.append(f"+{line}g")  # less runs "Ng": go to line N
    elif program in _PLUS_LINE:
        argv.append(f"+{line}")
    return [*argv, str(path)]


def export_conversation(
    screen: Widget,
    directory: Path,
    conversation_id: int | None,
    title: str,
    turns: Sequence[Answer],
) -> None:
    """Write a conversation to Markdown in `directory`, quotes as footnotes."""
    try:
        path = write_export(directory, conversation_id, title, turns)
    except OSError as exc:
        screen.notify(f"Export failed: {describe(exc)}", severity="error")
        return
    screen.notify(f"Exported to {path}", title="Export", timeout=8)


def save_to_eval_set(screen: Widget, settings: Settings, answer: Answer) -> None:
    """Append the answer to the eval set `veille eval` reads (once)."""
    path = eval_cases_path(settings)
    try:
        case = save_eval_case(path, answer)
    except OSError as exc:
        screen.notify(f"Could not save the eval case: {describe(exc)}", severity="error")
        return
    if case is None:
        screen.notify(f"Already in the eval set {path}", timeout=4)
        return
    screen.notify(f"Saved as eval case {case['id']} in {path}", title="Eval set", timeout=6)
