"""Turn files on disk into document text, or into a one-line reason why not.

Each loader returns the exact text that chunk offsets and citation offsets refer to, so the
text is normalised once here (newlines to `\\n`, NFC) and never again downstream. Encodings are
detected from BOMs, then strict UTF-8, then charset-normalizer, then cp1252; lone surrogates can
never come out because every decode is strict.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import VeilleError

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})


class SkipFileError(VeilleError):
    """A file cannot be ingested; the message is the one-line reason shown to the user."""


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """The text of one file, as the index and citations see it."""

    path: Path
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_like_utf16(raw: bytes) -> str | None:
    """Detect BOM-less UTF-16 from the zero bytes of ASCII characters."""
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_zeros > 0.3 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.3 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None


def decode_bytes(raw: bytes, name: str = "file") -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding).

    Raises:
        SkipFileError: The bytes are binary or in no encoding we can read.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                msg = f"invalid {encoding} after a byte-order mark ({exc.reason})"
                raise SkipFileError(msg) from None
    utf16 = _looks_like_utf16(raw)
    if utf16:
        try:
            return raw.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        msg = "binary file (contains NUL bytes)"
        raise SkipFileError(msg)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    guess = best.encoding if best is not None else None
    # Latin single-byte code pages are hard to tell apart from a short text; for French and
    # English the Western one (cp1252) is the right choice whenever it decodes.
    if guess is None or guess.replace("_", "").lower() in _LATIN_FAMILY:
        candidates = ["cp1252", "latin-1"]
    else:
        candidates = [guess, "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _control_ratio(text) < 0.01:
            return text, encoding
    msg = f"cannot decode {name}: not UTF-8, UTF-16 or a Western single-byte encoding"
    raise SkipFileError(msg)


_LATIN_FAMILY = frozenset(
    {f"cp125{i}" for i in range(9)}
    | {f"iso8859{i}" for i in range(1, 17)}
    | {"latin1", "maccentraleurope", "macroman", "cp850", "cp437", "ascii"}
)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return bad / len(text)


def normalise_text(text: str) -> str:
    """One canonical form for stored text: NFC, `\\n` newlines, no NUL or other controls."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


_BLOCK_TAGS = re.compile(
    r"</?(p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|pre)\b[^>]*>",
    re.IGNORECASE,
)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: scripts, styles and tags dropped, blocks on their own lines."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    for node in tree.css("script, style, noscript, template, svg, head"):
        node.decompose()
    body = tree.body or tree.root
    if body is None:
        return ""
    # Block elements end a line, so sentences from two paragraphs never merge.
    for node in body.css("p, div, br, li, h1, h2, h3, h4, h5, h6, tr, blockquote, pre, section"):
        node.insert_after("\n")
    text = body.text(separator="", deep=True)
    text = html.unescape(text)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def pdf_to_text(path: Path) -> str:
    """Text of a PDF's pages, one page after another.

    Raises:
        SkipFileError: The PDF is corrupt, encrypted, or has no text layer.
    """
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types here
                msg = "encrypted PDF"
                raise SkipFileError(msg) from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except SkipFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        msg = f"corrupt PDF ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        raise SkipFileError(msg.rstrip(": )") + ")") from None
    except Exception as exc:  # noqa: BLE001 - a damaged PDF can fail anywhere in pypdf
        msg = f"corrupt PDF ({type(exc).__name__})"
        raise SkipFileError(msg) from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        msg = "PDF has no text layer (scanned?)"
        raise SkipFileError(msg)
    return text


def load_file(path: Path, *, max_bytes: int) -> LoadedDocument:
    """Load one file into normalised text.

    Raises:
        SkipFileError: With the one-line reason the file is skipped.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        msg = f"unsupported file type {suffix or '(none)'}"
        raise SkipFileError(msg)
    try:
        size = path.stat().st_size
    except OSError as exc:
        msg = f"cannot read: {exc.strerror}"
        raise SkipFileError(msg) from None
    if size == 0:
        msg = "empty file"
        raise SkipFileError(msg)
    if size > max_bytes:
        msg = f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)"
        raise SkipFileError(msg)
    if suffix == ".pdf":
        text, encoding = pdf_to_text(path), "pdf"
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            msg = f"cannot read: {exc.strerror}"
            raise SkipFileError(msg) from None
        text, encoding = decode_bytes(raw, path.name)
        if suffix in (".html", ".htm"):
            text = html_to_text(text)
    text = normalise_text(text)
    if not text.strip():
        msg = "no text"
        raise SkipFileError(msg)
    return LoadedDocument(path=path, text=text, encoding=encoding)
