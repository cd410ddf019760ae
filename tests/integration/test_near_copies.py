"""Near copies of an article show once in the results, with the copies named, and in status.

The sample corpus plus two copies of its Tmall article: the same file under another name, and a
repost with a byline added and one sentence rewritten. Everything runs through the real
`veille` entry point over a real ingested store (real e5, extractive mode, no model).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import load_settings
from ingest.sync import ingest_paths

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[2] / "ingest" / "sample_corpus"
ORIGINAL = "000_ee5a528fd7f4285d.txt"
COPY = "reprise/tmall_copie.txt"
REPOST = "reprise/tmall_repost.txt"
CHANGED = (
    "Le directeur général de Tmall World Liu Peng a indiqué que le chiffre d'affaires de la "
    "journée a probablement augmenté de 500% par rapport à 2016."
)
QUESTION = "Quelle clientèle Tmall vise-t-il à l'échelle mondiale ?"


@pytest.fixture(scope="module")
def store_with_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data directory, corpus folder) with the sample corpus and two copies of one article."""
    corpus = tmp_path_factory.mktemp("dups") / "articles"
    shutil.copytree(SAMPLE, corpus)
    text = (corpus / ORIGINAL).read_text(encoding="utf-8")
    assert CHANGED in text
    (corpus / "reprise").mkdir()
    shutil.copyfile(corpus / ORIGINAL, corpus / COPY)
    repost = text.replace(CHANGED, "Selon Tmall, les ventes du jour ont été multipliées par six.")
    (corpus / REPOST).write_text("Par Marie Lefèvre, à Pékin\n" + repost, encoding="utf-8")
    data = tmp_path_factory.mktemp("dups-data")
    ingest_paths([corpus], settings=load_settings(data_dir=data))
    return data, corpus


def _veille(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def _ask(data: Path) -> dict[str, Any]:
    import json

    out = _veille(data, "ask", "--json", "--mode", "extractive", QUESTION).stdout
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_copies_never_show_twice_and_the_kept_passage_names_them(
    store_with_copies: tuple[Path, Path],
) -> None:
    data, _ = store_with_copies
    answer = _ask(data)
    passages = answer["passages"]
    assert passages
    group = {ORIGINAL, COPY, REPOST}
    texts = [" ".join(p["text"].split()) for p in passages]
    assert len(texts) == len(set(texts)), "the same sentence twice"
    shown = {p["source"] for p in passages} & group
    assert len(shown) == 1, f"two copies of one article in the results: {shown}"
    kept = shown.pop()
    for p in passages:
        if p["source"] == kept:
            assert sorted(p["also_in"]) == sorted(group - {kept})
        else:
            assert p["also_in"] == []
    assert {c["source"] for c in answer["citations"]} <= {p["source"] for p in passages}
    assert "2 milliards" in answer["answer"]


def test_status_reports_the_group(store_with_copies: tuple[Path, Path]) -> None:
    data, _ = store_with_copies
    assert "near copies: 1 group, 3 documents" in _veille(data, "status").stdout


def test_a_damaged_file_is_recomputed_by_readers_and_never_rewritten(
    store_with_copies: tuple[Path, Path], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(store_with_copies[0], data)
    [saved] = data.glob("dups-*.npz")
    saved.write_bytes(b"not an index")
    assert "near copies: 1 group, 3 documents" in _veille(data, "status").stdout
    passages = _ask(data)["passages"]
    assert len({p["source"] for p in passages} & {ORIGINAL, COPY, REPOST}) == 1
    assert saved.read_bytes() == b"not an index"


def test_removing_a_copy_updates_the_group_at_the_next_ingest(tmp_path: Path) -> None:
    corpus, settings = tmp_path / "news", load_settings(data_dir=tmp_path / "data")
    corpus.mkdir()
    shutil.copyfile(SAMPLE / ORIGINAL, corpus / "tmall.txt")
    shutil.copyfile(SAMPLE / ORIGINAL, corpus / "tmall_copie.txt")
    shutil.copyfile(SAMPLE / "002_35a95145e6805c4a.txt", corpus / "hema.txt")
    ingest_paths([corpus], settings=settings)
    assert "near copies: 1 group, 2 documents" in _veille(settings.data_dir, "status").stdout
    (corpus / "tmall_copie.txt").unlink()
    ingest_paths([corpus], settings=settings)
    assert "near copies: none" in _veille(settings.data_dir, "status").stdout
