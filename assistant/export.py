"""Export of one conversation to Markdown, each citation a footnote quoting its source.

Every `[n]` of an answer becomes a footnote reference `[^t-n]` (turn t, passage n) whose note
holds the exact quote, its file and its character offsets, so a reader of the exported file can
check each claim without Veille. Refused answers list the closest passages instead.

Text from documents and models is written with `literal()`: control characters become visible
symbols, one character for one, so an ANSI escape in a document cannot recolour or move the
terminal of whoever reads the file. The chat shows every such text through the same function.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from assistant.analysis import detect_language
from assistant.prompts import CITATION_PATTERN, CLOSEST_PASSAGES
from assistant.text import shorten

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from assistant.settings import Settings
    from assistant.types import Answer

EXPORTS_DIR = "exports"
"""The folder of the data directory that exports are written to."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 "Control Pictures": ␛ for ESC, ␍ for CR
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls (some terminals read 0x9b as CSI)


def literal(text: str) -> str:
    """The text with every control character except newline and tab made visible.

    One character is replaced by one, so offsets into the text still hold.
    """
    return _CONTROL.sub(_picture, text)


def exports_dir(settings: Settings) -> Path:
    """Where conversations are exported."""
    return settings.data_dir / EXPORTS_DIR


def conversation_markdown(
    title: str, turns: Sequence[Answer], *, exported: float | None = None
) -> str:
    """The conversation as a Markdown document with footnoted quotes."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(exported or time.time()))
    lines = [f"# {_inline(title)}", "", f"_Exported from Veille on {when}._", ""]
    for t, answer in enumerate(turns, start=1):
        lines += [f"## {_inline(answer.question)}", ""]
        if answer.refused:
            lines += [f"> {_inline(answer.text)}", ""]
            lines.append(CLOSEST_PASSAGES[detect_language(answer.question)])
            lines.append("")
            lines += [
                f"- [{p.n}] `{p.source}`: {_inline(shorten(p.chunk.text, 200))}"
                for p in answer.passages[:3]
            ]
            lines.append("")
            continue
        cited = {c.n for c in answer.citations}
        pieces: list[str] = []
        pos = 0
        for match in CITATION_PATTERN.finditer(answer.text):
            n = int(match.group(1))
            pieces.append(_inline(answer.text[pos : match.start()], fold=False))
            pieces.append(f"[^{t}-{n}]" if n in cited else _inline(match.group()))
            pos = match.end()
        pieces.append(_inline(answer.text[pos:], fold=False))
        body = " ".join("".join(pieces).split())
        lines += [body, ""]
        seen: set[int] = set()
        for c in answer.citations:
            if c.n in seen:
                continue
            seen.add(c.n)
            quotes = [x for x in answer.citations if x.n == c.n]
            notes = "; ".join(
                f"«{_inline(q.quote)}» ({q.source}, characters {q.start}–{q.end})" for q in quotes
            )
            lines.append(f"[^{t}-{c.n}]: {notes}")
        if seen:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def export_path(directory: Path, conversation_id: int | None, title: str) -> Path:
    """A file name for an export: the conversation id and a slug of its title."""
    slug = re.sub(r"[^\w]+", "-", title.lower()).strip("-")[:48] or "conversation"
    prefix = f"{conversation_id:04d}-" if conversation_id is not None else ""
    return directory / f"{prefix}{slug}.md"


def write_export(
    directory: Path, conversation_id: int | None, title: str, turns: Sequence[Answer]
) -> Path:
    """Write the conversation's Markdown into `directory` (created if needed).

    Returns:
        The file written (an earlier export of the same conversation is replaced).

    Raises:
        OSError: The file could not be written.
    """
    path = export_path(directory, conversation_id, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(conversation_markdown(title, turns), encoding="utf-8")
    return path


def _inline(text: str, *, fold: bool = True) -> str:
    """Literal text for one Markdown line: HTML and link brackets escaped, whitespace folded."""
    flat = literal(text)
    if fold:
        flat = " ".join(flat.split())
    flat = flat.replace("<", "&lt;").replace(">", "&gt;")
    return flat.replace("[", "\\[").replace("]", "\\]")
