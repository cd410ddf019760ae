"""Document metadata at ingest: what each sample article states, HTML, Markdown, PDF, Wikinews."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import LoadedDocument, load_file
from ingest.metadata import (
    DocumentMetadata,
    dateline,
    extract_metadata,
    fallback_title,
    filename_date,
)
from tests.datasets import WIKINEWS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ingest" / "sample_corpus"
CHECK_LIST = ROOT / "bench" / "results" / "dates_wikinews_check.json"
WIKINEWS_SEED = 13


def _meta(path: Path, **kwargs: bool) -> DocumentMetadata:
    return extract_metadata(load_file(path, max_bytes=10**7), **kwargs)


# What each sample article states of its own date, read by hand from its first lines:
# 000 "Dernière mise à jour à 13h38 le 20/06" (no year anywhere: unresolved, never guessed),
# 001, 003 and 004 state none (their years are in the story, not in a dateline),
# 002 "22 novembre 2017" under the author's name.
SAMPLE_DATES = {
    "000_ee5a528fd7f4285d.txt": (None, "20/06"),
    "001_f00b6cf2c989c739.txt": (None, ""),
    "002_35a95145e6805c4a.txt": ("2017-11-22", ""),
    "003_2922aea180172e7c.txt": (None, ""),
    "004_93719627ca9a1645.txt": (None, ""),
}
SAMPLE_TITLES = {
    # The first line is the dateline; the second is a paragraph too long for a title.
    "000_ee5a528fd7f4285d.txt": "000_ee5a528fd7f4285d",
    "001_f00b6cf2c989c739.txt": (
        "Alibaba investit 712 millions de dollars pour conquérir les campagnes chinoises"
    ),
    # "Article" alone is the page's rubric.
    "002_35a95145e6805c4a.txt": "L'e-commerce chinois s'attaque au offline",
    "003_2922aea180172e7c.txt": "003_2922aea180172e7c",
    "004_93719627ca9a1645.txt": "Alibaba, une ambition démesurée résumée en 5 points",
}


@pytest.mark.parametrize("name", sorted(SAMPLE_DATES))
def test_sample_articles_give_the_date_they_state_and_no_other(name: str) -> None:
    meta = _meta(SAMPLE / name)
    expected, unresolved = SAMPLE_DATES[name]
    assert (meta.date.iso if meta.date else None) == expected
    assert meta.unresolved_date == unresolved
    assert meta.title == SAMPLE_TITLES[name]
    assert meta.language == "fr"
    if meta.date is not None:
        assert meta.date.source == "dateline"
        assert meta.date.precision == "day"


def test_a_yearless_dateline_takes_the_year_of_the_file_name(tmp_path: Path) -> None:
    text = (SAMPLE / "000_ee5a528fd7f4285d.txt").read_text(encoding="utf-8")
    dated = tmp_path / "2017-06-21-chine.txt"
    dated.write_text(text, encoding="utf-8")
    meta = _meta(dated)
    assert meta.date is not None
    assert (meta.date.iso, meta.date.source, meta.date.phrase) == (
        "2017-06-20",
        "dateline",
        "20/06",
    )
    # Without the file name, the year is unknown: left unresolved rather than this year's.
    assert _meta(dated, use_filename=False).date is None


@pytest.mark.parametrize(
    ("head", "iso", "precision"),
    [
        ("1er janvier 2016, 14h30 . –\nUn homme", "2016-01-01", "day"),
        ("Titre\n\n3 mars 2018 . – Les championnats", "2018-03-03", "day"),
        ("Publié en novembre 2017\nLe groupe", "2017-11", "month"),
        ("Posted November 22, 2017 by the desk", "2017-11-22", "day"),
        ("Mis à jour le 20/06/17\nTexte", "2017-06-20", "day"),
        ("1 er octobre 2017 . – Ce dimanche", "2017-10-01", "day"),
    ],
)
def test_datelines(head: str, iso: str, precision: str) -> None:
    found, _ = dateline(head)
    assert found is not None
    assert (found.iso, found.precision) == (iso, precision)


def test_a_dateline_after_a_preamble_is_found_but_a_late_date_in_the_story_is_not() -> None:
    preamble = "Vous pouvez également consulter les articles sur ce sujet. " * 6
    found, _ = dateline(f"Titre\n\n{preamble}\n2 mai 2016 . –\nTexte.")
    assert found is not None
    assert found.iso == "2016-05-02"
    story = "Le groupe a ouvert des magasins. " * 12 + "Le 9 juin 2016, il a annoncé."
    assert dateline(story) == (None, "")


def test_filename_dates() -> None:
    assert filename_date(Path("2018_03_03-002.txt")).iso == "2018-03-03"  # type: ignore[union-attr]
    assert filename_date(Path("rapport-20171122.txt")).iso == "2017-11-22"  # type: ignore[union-attr]
    assert filename_date(Path("2017-13-45.txt")) is None
    assert filename_date(Path("000_ee5a528fd7f4285d.txt")) is None


def test_the_file_name_is_the_last_resort(tmp_path: Path) -> None:
    page = tmp_path / "2017-11-22-note.txt"
    page.write_text("Une note sans date.\nLe groupe a ouvert 22 magasins.", encoding="utf-8")
    meta = _meta(page)
    assert meta.date is not None
    assert (meta.date.iso, meta.date.source) == ("2017-11-22", "filename")


def test_html_meta_comes_before_the_text_and_the_text_is_unchanged(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Titre court</title>"
        '<meta property="og:title" content="Hema ouvre 22 magasins">'
        '<meta property="article:published_time" content="2017-11-22T08:30:00+01:00">'
        '<meta name="author" content="Jean Dupont">'
        '<meta property="og:site_name" content="Le Quotidien">'
        "</head><body><p>1er janvier 2016 . – Texte.</p></body></html>",
        encoding="utf-8",
    )
    loaded = load_file(page, max_bytes=10**6)
    assert loaded.text == "1er janvier 2016 . – Texte."
    meta = extract_metadata(loaded)
    assert meta.title == "Hema ouvre 22 magasins"
    assert meta.date is not None
    assert (meta.date.iso, meta.date.source) == ("2017-11-22", "html-meta")
    assert (meta.author, meta.outlet) == ("Jean Dupont", "Le Quotidien")


def test_html_title_and_time_element(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Le titre</title></head><body>"
        '<p>Publié <time datetime="2018-01">en janvier</time>.</p></body></html>',
        encoding="utf-8",
    )
    meta = _meta(page)
    assert meta.title == "Le titre"
    assert meta.date is not None
    assert (meta.date.iso, meta.date.precision) == ("2018-01", "month")


def test_markdown_front_matter_wins_and_stays_in_the_text(tmp_path: Path) -> None:
    note = tmp_path / "2016-01-01-note.md"
    body = '---\ntitle: "Alibaba en 2017"\ndate: 2017-11\n---\n\n22 novembre 2017\n\nTexte.\n'
    note.write_text(body, encoding="utf-8")
    loaded = load_file(note, max_bytes=10**6)
    assert loaded.text == body
    meta = extract_metadata(loaded)
    assert meta.title == "Alibaba en 2017"
    assert meta.date is not None
    assert (meta.date.iso, meta.date.precision, meta.date.source) == (
        "2017-11",
        "month",
        "front-matter",
    )


def test_pdf_metadata(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "Rapport annuel", "/CreationDate": "D:20171122103000+01'00'"})
    buffer = io.BytesIO()
    writer.write(buffer)
    doc = LoadedDocument(
        path=tmp_path / "r.pdf",
        text="Hema a ouvert 22 magasins.",
        encoding="pdf",
        metadata=_pdf_info(buffer.getvalue()),
        metadata_source="pdf",
    )
    meta = extract_metadata(doc)
    assert meta.title == "Rapport annuel"
    assert meta.date is not None
    assert (meta.date.iso, meta.date.source) == ("2017-11-22", "pdf")


def _pdf_info(raw: bytes) -> dict[str, str]:
    from pypdf import PdfReader

    from ingest.declared import pdf_info

    return pdf_info(PdfReader(io.BytesIO(raw)))


def test_title_fallback() -> None:
    assert fallback_title("\n\nHema ouvre 22 magasins\nTexte", Path("x.txt")) == (
        "Hema ouvre 22 magasins"
    )
    assert fallback_title("mot " * 60, Path("/a/long-one.txt")) == "long-one"


def _wikinews_sample() -> list[Path]:
    files = sorted(
        p for p in WIKINEWS.rglob("*.txt") if re.fullmatch(r"\d{4}_\d\d_\d\d-\d+\.txt", p.name)
    )
    return random.Random(WIKINEWS_SEED).sample(files, 50)


@pytest.mark.skipif(not WIKINEWS.is_dir(), reason="the shared Wikinews corpus is not here")
def test_wikinews_dates_from_the_text_alone_match_the_file_names() -> None:
    checked = json.loads(CHECK_LIST.read_text(encoding="utf-8"))
    rows = []
    for path in _wikinews_sample():
        expected = date(*map(int, re.findall(r"\d+", path.stem)[:3])).isoformat()
        meta = _meta(path, use_filename=False)
        found = meta.date.iso if meta.date else None
        rows.append({"file": path.relative_to(WIKINEWS).as_posix(), "expected": expected,
                     "found": found, "ok": found == expected})  # fmt: skip
    # The committed check list is this very sample, with these very verdicts.
    assert [{k: r[k] for k in ("file", "expected", "found", "ok")} for r in checked] == rows
    assert sum(1 for r in rows if r["ok"] is True) >= 0.98 * len(rows)
