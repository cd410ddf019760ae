from pathlib import Path

import pytest

from ingest.loaders import SkipFileError, decode_bytes, load_file

FRENCH = "Économie : l'été à Zhōngguó coûte 3 000 €.\nDeuxième ligne."


@pytest.mark.parametrize(
    "raw",
    [
        FRENCH.encode("utf-8"),
        b"\xef\xbb\xbf" + FRENCH.encode("utf-8"),
        FRENCH.encode("utf-16"),
        FRENCH.encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16-le-nobom"],
)
def test_unicode_encodings_decode_exactly(raw: bytes):
    text, _ = decode_bytes(raw)
    assert text == FRENCH


def test_cp1252_is_detected():
    text = "Les coûts de l'été ont augmenté de 5 % — selon le rapport. " * 5
    decoded, encoding = decode_bytes(text.encode("cp1252"))
    assert decoded == text
    assert (
        encoding.lower().replace("_", "") in {"cp1252", "windows1252", "latin1", "iso88591"}
        or "1252" in encoding
    )


def test_no_lone_surrogates_ever():
    text, _ = decode_bytes(b"caf\xe9 \xed\xa0\x80 ok " * 10)
    text.encode("utf-8")  # would raise on a lone surrogate


def test_binary_is_refused():
    with pytest.raises(SkipFileError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_html_keeps_visible_text_only(tmp_path: Path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>t</title><style>p{}</style></head><body><h1>Titre</h1>"
        "<script>alert(1)</script><p>Un &amp; deux.</p><p>Trois.</p></body></html>",
        encoding="utf-8",
    )
    assert load_file(page, max_bytes=10**6).text == "Titre\nUn & deux.\nTrois."


def test_empty_oversized_and_unsupported(tmp_path: Path):
    (tmp_path / "e.txt").write_bytes(b"")
    (tmp_path / "big.txt").write_text("x" * 2000, encoding="utf-8")
    (tmp_path / "a.docx").write_bytes(b"PK")
    with pytest.raises(SkipFileError, match="empty"):
        load_file(tmp_path / "e.txt", max_bytes=1000)
    with pytest.raises(SkipFileError, match="too large"):
        load_file(tmp_path / "big.txt", max_bytes=1000)
    with pytest.raises(SkipFileError, match="unsupported"):
        load_file(tmp_path / "a.docx", max_bytes=1000)


def test_corrupt_pdf_is_skipped_with_a_reason(tmp_path: Path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    with pytest.raises(SkipFileError, match="PDF"):
        load_file(bad, max_bytes=10**6)


def _pdf_with_text(text: str) -> bytes:
    """A minimal valid one-page PDF whose text layer says `text`."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_pdf_text_is_extracted(tmp_path: Path):
    pdf = tmp_path / "ok.pdf"
    pdf.write_bytes(_pdf_with_text("Hema a ouvert 22 magasins."))
    assert "Hema a ouvert 22 magasins." in load_file(pdf, max_bytes=10**6).text
