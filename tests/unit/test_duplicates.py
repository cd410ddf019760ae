"""Near-duplicate signatures and groups: reposts group together, different articles do not."""

from __future__ import annotations

from pathlib import Path

from assistant import duplicates
from assistant.settings import load_settings
from assistant.state import Stamp

SAMPLE = Path(__file__).resolve().parents[2] / "ingest" / "sample_corpus"
ARTICLE = (SAMPLE / "000_ee5a528fd7f4285d.txt").read_text(encoding="utf-8")
CHANGED = (
    "Le directeur général de Tmall World Liu Peng a indiqué que le chiffre d'affaires de la "
    "journée a probablement augmenté de 500% par rapport à 2016."
)


def repost(text: str) -> str:
    """The article as a syndicated site would run it: a byline added, one sentence rewritten."""
    assert CHANGED in text
    edited = text.replace(CHANGED, "Selon Tmall, les ventes du jour ont été multipliées par six.")
    return "Par Marie Lefèvre, correspondante à Pékin\n" + edited


def test_shingles_fold_case_and_accents() -> None:
    assert duplicates.shingles("Économie DU Monde en été") == duplicates.shingles(
        "economie du monde en ETE"
    )
    assert duplicates.shingles("  ") == set()
    assert len(duplicates.shingles("un deux trois quatre cinq six")) == 2


def test_signature_is_fixed_and_empty_text_has_none() -> None:
    first = duplicates.signature(ARTICLE)
    again = duplicates.signature(ARTICLE.upper())
    assert first is not None
    assert again is not None
    assert len(first) == duplicates.NUM_PERM
    assert (first == again).all()
    assert duplicates.signature("… — !") is None


def test_a_lightly_edited_repost_groups_with_its_article() -> None:
    original = duplicates.signature(ARTICLE)
    copy = duplicates.signature(repost(ARTICLE))
    assert original is not None
    assert copy is not None
    assert duplicates.similarity(original, copy) >= 0.8
    signatures = {"a.txt": original, "copy.txt": copy}
    assert duplicates.group(signatures, 0.8) == [("a.txt", "copy.txt")]


def test_different_articles_do_not_group() -> None:
    signatures = {}
    for path in sorted(SAMPLE.iterdir()):
        signature = duplicates.signature(path.read_text(encoding="utf-8"))
        assert signature is not None
        signatures[path.name] = signature
    assert duplicates.group(signatures, 0.8) == []
    # A looser threshold still keeps two unrelated news articles apart.
    assert duplicates.group(signatures, 0.3) == []


def test_groups_are_transitive_and_follow_the_threshold() -> None:
    once = repost(ARTICLE)
    twice = once.replace("Alibaba -le géant du commerce en ligne-", "Le groupe Alibaba")
    sigs = {
        name: sig
        for name, text in (("a", ARTICLE), ("b", once), ("c", twice))
        if (sig := duplicates.signature(text)) is not None
    }
    assert duplicates.group(sigs, 0.8) == [("a", "b", "c")]
    # At 1.0 only exact copies group: none of these three.
    assert duplicates.group(sigs, 1.0) == []
    exact = dict(sigs, d=sigs["a"].copy())
    assert duplicates.group(exact, 1.0) == [("a", "d")]


def test_groups_name_the_other_sources_and_say_it_in_one_line() -> None:
    found = duplicates.DuplicateGroups(
        groups=(("d1", "d2", "d3"),),
        sources={"d1": "a.txt", "d2": "b/copy.txt", "d3": "c.txt"},
        stamp=Stamp("x", 2),
        threshold=0.8,
    )
    assert found.others("d2") == ("a.txt", "c.txt")
    assert found.others("lonely") == ()
    assert found.group_of("d1") == found.group_of("d3") is not None
    assert found.documents == 3
    assert found.line() == "near copies: 1 group, 3 documents"
    assert duplicates.DuplicateGroups().line() == "near copies: none"


def test_the_threshold_is_a_retrieval_setting() -> None:
    settings = load_settings()
    assert settings.retrieval.duplicate_threshold == 0.8
    assert (
        settings.with_section("retrieval", duplicate_threshold=0.9).retrieval.duplicate_threshold
        == 0.9
    )
