"""Turn files on disk into document text, or into a one-line reason why not.

Each loader returns the exact text that chunk offsets and citation offsets refer to, so the
text is normalised once here (newlines to `\\n`, NFC) and never again downstream. Encodings are
detected from BOMs, then strict UTF-8, then Windows-1252 when it reads as Western text, and only
then charset-normalizer (flagged as a guess); lone surrogates can never come out because every
decode is strict.
"""

from __future__ import annotations

import codecs
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import VeilleError
from ingest.declared import front_matter, html_metadata, pdf_info

if TYPE_CHECKING:
    from pypdf import PdfReader

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})


class SkipFileError(VeilleError):
    """A file cannot be ingested; the message is the one-line reason shown to the user."""


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """The text of one file, as the index and citations see it.

    Attributes:
        path: The file.
        text: Its normalised text.
        encoding: The codec it was read with ("pdf" for a PDF).
        encoding_note: Why the encoding is uncertain (a low-confidence guess), else None.
        metadata: What the file says of itself outside its text: "title", "date", "author",
            "outlet" from Markdown front matter, HTML `<meta>` or PDF metadata (empty if none).
        metadata_source: Where `metadata` came from: "front-matter", "html-meta", "pdf" or "".
    """

    path: Path
    text: str
    encoding: str
    encoding_note: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    metadata_source: str = ""


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


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes, with how it was decoded.

    Attributes:
        text: The decoded text (not yet normalised).
        encoding: The codec used.
        note: Set when the encoding was a low-confidence guess, to show the user; else None.
    """

    text: str
    encoding: str
    note: str | None = None


def decode_bytes(raw: bytes, name: str = "file") -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding); see `decode_text`.

    Raises:
        SkipFileError: The bytes are binary or in no encoding we can read.
    """
    decoded = decode_text(raw, name)
    return decoded.text, decoded.encoding


def decode_text(raw: bytes, name: str = "file") -> DecodedText:
    """Decode bytes to text: BOM, then UTF-16 without BOM, strict UTF-8, then a guess.

    Text that is not UTF-8 is read as Windows-1252 (Western European, a superset of
    Latin-1) whenever that gives plausible French or English. Charset detection is only asked
    when it does not: on a short text its statistics are unreliable and it confuses accented
    Latin with Central European or even UTF-16 ("Déjà vu." came out as CJK).

    Raises:
        SkipFileError: The bytes are binary or in no encoding we can read.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return DecodedText(raw.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                msg = f"invalid {encoding} after a byte-order mark ({exc.reason})"
                raise SkipFileError(msg) from None
    utf16 = _looks_like_utf16(raw)
    if utf16:
        try:
            return DecodedText(raw.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        msg = "binary file (contains NUL bytes)"
        raise SkipFileError(msg)
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    western = _strict_decode(raw, "cp1252")
    if western is not None and _looks_western(western):
        note = None
        if _SUSPICIOUS.search(western):
            note = "not UTF-8: read as Windows-1252, but some characters look wrong (a guess)"
        return DecodedText(western, "cp1252", note)
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    guess = best.encoding if best is not None else None
    # BOM-less UTF-16 was ruled out above; a detector's UTF-16 or UTF-32 here is noise.
    if guess is not None and not guess.replace("_", "").lower().startswith(("utf16", "utf32")):
        text = _strict_decode(raw, guess)
        if text is not None:
            return DecodedText(text, guess, f"not UTF-8: encoding guessed as {guess}")
    for encoding in ("cp1252", "latin-1"):
        text = _strict_decode(raw, encoding)
        if text is not None:
            return DecodedText(text, encoding, f"not UTF-8: read as {encoding} (a guess)")
    msg = f"cannot decode {name}: not UTF-8, UTF-16 or a Western single-byte encoding"
    raise SkipFileError(msg)


def _strict_decode(raw: bytes, encoding: str) -> str | None:
    """`raw` decoded, or None if it does not decode or gives control characters."""
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _control_ratio(text) < 0.01 else None


# Three non-ASCII letters in a row are rare in French or English and the rule in Cyrillic,
# Greek or Hebrew read with a Western code page ("Ïðèâåò").
_FOREIGN_RUN = re.compile(r"[^\W\d_\x00-\x7f]{3,}")
# Characters that turn up inside words of Central European text misread as Windows-1252.
_SUSPICIOUS = re.compile(r"(?<=\w)[¤¦¨¸¬¯´ˆ˜¹³¿¡ŸÞþÐð]")


def _looks_western(text: str) -> bool:
    """Whether Windows-1252 text reads like a Western European language."""
    letters = [ch for ch in text if ch.isalpha()]
    foreign = [ch for ch in letters if not ch.isascii()]
    if not foreign:
        return True
    in_runs = sum(len(m.group()) for m in _FOREIGN_RUN.finditer(text))
    if in_runs > 0.1 * len(foreign):
        return False
    # Accented letters are a few percent of French; a long text of mostly accents is not.
    return len(letters) < 20 or len(foreign) <= 0.4 * len(letters)


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
    # The parser has already decoded entities: decoding again would turn `&amp;lt;` into `<`.
    text = body.text(separator="", deep=True)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def pdf_to_text(path: Path) -> str:
    """Text of a PDF's pages, one page after another.

    Raises:
        SkipFileError: The PDF is corrupt, encrypted, or has no text layer.
    """
    return _read_pdf(path)[0]


def _read_pdf(path: Path) -> tuple[str, dict[str, str]]:
    """A PDF's text (see `pdf_to_text`) and its document information (title, date, author)."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            _decrypt_without_password(reader)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = pdf_info(reader)
    except SkipFileError:
        raise
    except FileNotDecryptedError:
        raise SkipFileError(ENCRYPTED_PDF) from None
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
    return text, info


ENCRYPTED_PDF = "encrypted PDF (password-protected)"


def _decrypt_without_password(reader: PdfReader) -> None:
    """Open a PDF that is encrypted with an empty user password (only printing restricted).

    Raises:
        SkipFileError: A password is needed, or the cipher needs a missing package.
    """
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except DependencyError:
        msg = "encrypted PDF (AES: reading it needs the 'cryptography' package)"
        raise SkipFileError(msg) from None
    except Exception:  # noqa: BLE001 - pypdf raises several types for a bad security handler
        raise SkipFileError(ENCRYPTED_PDF) from None
    if opened == PasswordType.NOT_DECRYPTED:
        raise SkipFileError(ENCRYPTED_PDF)


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
        info = path.stat()
    except OSError as exc:
        msg = f"cannot read: {exc.strerror}"
        raise SkipFileError(msg) from None
    # Opening a fifo would block the run forever, and a device never ends.
    if not stat.S_ISREG(info.st_mode):
        msg = "not a regular file (a fifo, socket or device)"
        raise SkipFileError(msg)
    size = info.st_size
    if size == 0:
        msg = "empty file"
        raise SkipFileError(msg)
    if size > max_bytes:
        msg = f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)"
        raise SkipFileError(msg)
    note = None
    metadata: dict[str, str] = {}
    if suffix == ".pdf":
        (text, metadata), encoding = _read_pdf(path), "pdf"
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            msg = f"cannot read: {exc.strerror}"
            raise SkipFileError(msg) from None
        decoded = decode_text(raw, path.name)
        text, encoding, note = decoded.text, decoded.encoding, decoded.note
        if suffix in (".html", ".htm"):
            metadata = html_metadata(text)
            text = html_to_text(text)
        elif suffix in (".md", ".markdown"):
            # The block stays in the text, whose offsets citations refer to; it is only read.
            metadata = front_matter(normalise_text(text))
    text = normalise_text(text)
    if not text.strip():
        msg = "no text"
        raise SkipFileError(msg)
    source = {".pdf": "pdf", ".html": "html-meta", ".htm": "html-meta"}.get(suffix, "front-matter")
    return LoadedDocument(
        path=path,
        text=text,
        encoding=encoding,
        encoding_note=note,
        metadata={k: normalise_text(v) for k, v in metadata.items()},
        metadata_source=source if metadata else "",
    )
