"""Read what a file declares about itself beside its text: HTML meta tags, front matter, PDF info.

The loaders (`ingest/loaders.py`) call these and pass the result on untouched in
`LoadedDocument.metadata`; `ingest/metadata.py` weighs it against the text. Nothing here changes
the document text, whose offsets citations refer to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader


def pdf_info(reader: PdfReader) -> dict[str, str]:
    """Title, creation date and author from a PDF's document information dictionary."""
    try:
        info = reader.metadata
        if info is None:
            return {}
        out: dict[str, str] = {}
        try:
            created = info.creation_date
        except ValueError:  # a /CreationDate that is not a PDF date string
            created = None
        if created is not None:
            out["date"] = created.date().isoformat()
        for key, value in (("title", info.title), ("author", info.author)):
            if isinstance(value, str) and value.strip():
                out[key] = " ".join(value.split())
    except Exception:  # noqa: BLE001 - a damaged info dictionary must not lose a readable PDF
        return {}
    return out


# (key, CSS selector, attribute) in order of preference: the first found gives the key.
_HTML_META = (
    ("title", 'meta[property="og:title"]', "content"),
    ("title", "title", ""),
    ("date", 'meta[property="article:published_time"]', "content"),
    ("date", 'meta[name="date"]', "content"),
    ("date", "time[datetime]", "datetime"),
    ("author", 'meta[name="author"]', "content"),
    ("author", 'meta[property="article:author"]', "content"),
    ("outlet", 'meta[property="og:site_name"]', "content"),
)


def html_metadata(markup: str) -> dict[str, str]:
    """Title, date, author and outlet an HTML page declares (`<meta>`, `<title>`, `<time>`)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    out: dict[str, str] = {}
    for key, selector, attribute in _HTML_META:
        if key in out:
            continue
        node = tree.css_first(selector)
        if node is None:
            continue
        value = node.attributes.get(attribute) if attribute else node.text(deep=True)
        if value and value.strip():
            out[key] = " ".join(value.split())
    return out


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEYS = {"title": "title", "date": "date", "author": "author", "source": "outlet"}


def front_matter(text: str) -> dict[str, str]:
    """The `title:`, `date:`, `author:` and `source:` lines of a Markdown front matter block."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}
    out: dict[str, str] = {}
    for line in match.group(1).split("\n"):
        key, sep, value = line.partition(":")
        name = _FRONT_KEYS.get(key.strip().lower())
        value = value.strip().strip("\"'").strip()
        if sep and name and value and name not in out:
            out[name] = value
    return out
