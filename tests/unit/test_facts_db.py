"""The facts database: stamped like the keyword index, rebuilt in memory when stale, queried."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant import facts
from assistant.derived import facts_db
from assistant.settings import load_settings
from assistant.state import Stamp
from assistant.store import DocumentRecord

HEMA = "Hema est une chaîne qui a ouvert 22 magasins le 9 juin. Pékin compte 3.000 références."
ALIBABA = "En novembre 2017, Alibaba a investi 712,2 millions de dollars dans Huitongda."


@dataclass
class FakeStore:
    """What `assistant.facts` reads of a store: its stamp, its documents and their texts."""

    settings: object
    name: str = "veille"
    seq: int = 2
    texts: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    reads: int = 0

    def stamp(self) -> Stamp:
        return Stamp("c1", self.seq)

    def documents_under(self) -> dict[str, DocumentRecord]:
        return {
            d: DocumentRecord(d, Path(d).name, "/r", str(hash(t)), 1, date=self.dates.get(d, ""))
            for d, t in self.texts.items()
        }

    def document_text(self, doc_id: str) -> str | None:
        self.reads += 1
        return self.texts.get(doc_id)


def _store(tmp_path: Path) -> FakeStore:
    settings = load_settings(data_dir=tmp_path / "data")
    return FakeStore(
        settings,
        texts={"/r/hema.txt": HEMA, "/r/ali.txt": ALIBABA},
        dates={"/r/hema.txt": "2017-06-20", "/r/ali.txt": "2018-04"},
    )


def test_the_writer_saves_facts_a_reader_uses_without_extracting(tmp_path: Path) -> None:
    store = _store(tmp_path)
    facts.update(store, store.stamp())  # type: ignore[arg-type]
    assert facts_db(store.settings, "veille").is_file()  # type: ignore[arg-type]
    store.reads = 0
    rows = facts.figures(store, "magasins")  # type: ignore[arg-type]
    assert [(r.value, r.what, r.entity, r.date) for r in rows] == [
        ("22", "magasins", "Hema", "2017-06-20")
    ]
    assert HEMA[rows[0].start : rows[0].end] == rows[0].quote
    assert store.reads == 0
    events = facts.events(store)  # type: ignore[arg-type]
    assert [(e.date, e.precision, e.text) for e in events] == [
        ("2017-06-09", "day", "le 9 juin"),
        ("2017-11", "month", "En novembre 2017"),
    ]


def test_a_stale_database_is_never_read_and_never_written_by_a_reader(tmp_path: Path) -> None:
    store = _store(tmp_path)
    facts.update(store, store.stamp())  # type: ignore[arg-type]
    path = facts_db(store.settings, "veille")  # type: ignore[arg-type]
    before = path.read_bytes()
    # A writer crashed after changing a document: the counter moved, the database did not.
    store.texts["/r/hema.txt"] = "Hema a ouvert 40 magasins."
    store.seq = 5
    store.reads = 0
    rows = facts.figures(store, "magasins")  # type: ignore[arg-type]
    assert [r.value for r in rows] == ["40"]
    assert store.reads == 1  # only the changed document is extracted again
    assert path.read_bytes() == before


def test_query_words_are_folded_and_filters_narrow(tmp_path: Path) -> None:
    store = _store(tmp_path)
    facts.update(store, store.stamp())  # type: ignore[arg-type]
    assert [r.value for r in facts.figures(store, "PEKIN références")] == ["3.000"]  # type: ignore[arg-type]
    assert facts.figures(store, "zorglub") == []  # type: ignore[arg-type]
    assert [r.source for r in facts.figures(store, source="ali*")] == ["ali.txt"]  # type: ignore[arg-type]
    assert {r.source for r in facts.figures(store, since="2018")} == {"ali.txt"}  # type: ignore[arg-type]
    assert {r.source for r in facts.figures(store, until="2017-12")} == {"hema.txt"}  # type: ignore[arg-type]
    assert [e.text for e in facts.events(store, since="2017-07")] == ["En novembre 2017"]  # type: ignore[arg-type]
    assert len(facts.figures(store)) == 3  # type: ignore[arg-type]


def test_each_row_names_its_document_so_a_front_end_opens_it_directly(tmp_path: Path) -> None:
    store = _store(tmp_path)
    # The same file name in two folders: only the id tells the documents apart.
    store.texts["/s/hema.txt"] = "Hema a ouvert 40 magasins le 2 juillet."
    facts.update(store, store.stamp())  # type: ignore[arg-type]
    rows: list[facts.FigureRow | facts.EventRow] = [
        *facts.figures(store),  # type: ignore[arg-type]
        *facts.events(store),  # type: ignore[arg-type]
    ]
    for row in rows:
        assert store.texts[row.doc_id][row.start : row.end] == row.quote
        assert row.to_dict()["doc_id"] == row.doc_id
    assert {r.doc_id for r in facts.figures(store, "magasins")} == {"/r/hema.txt", "/s/hema.txt"}  # type: ignore[arg-type]
