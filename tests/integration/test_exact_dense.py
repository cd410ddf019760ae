"""The dense search is exact on a store of the size users keep: the true nearest chunks, the
same on every run, and following the store's writes.

Chroma's HNSW graph is rebuilt at random on each start for the vectors added since it was last
saved, so one query could rank differently from one process to the next (a Wikinews list
question's confidence went from 0.39 to 0.17 between two runs of the same code).
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import E5Embeddings
from assistant.settings import Settings
from assistant.store import Store

pytestmark = pytest.mark.integration

QUESTION = "Combien de magasins Hema a-t-il ouverts ?"


def _store(settings: Settings, limit: int) -> Store:
    tuned = settings.model_copy(
        update={"store": settings.store.model_copy(update={"exact_search_limit": limit})}
    )
    return Store(tuned, E5Embeddings())


def test_the_dense_search_is_the_true_nearest_and_hnsw_stays_one_setting_away(
    sample_settings: Settings,
):
    store = _store(sample_settings, 20000)
    vector = store.embeddings.embed_query(QUESTION)
    got = store.chunks.get(include=["embeddings"])
    matrix = np.asarray(got["embeddings"], dtype=np.float64)
    query = np.asarray(vector, dtype=np.float64)
    cosine = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    truth = [got["ids"][i] for i in np.argsort(-cosine)[:5]]

    found = store.dense_search(vector, 5)
    assert [chunk.chunk_id for chunk, _ in found] == truth
    assert [round(s, 4) for _, s in found] == [round(float(c), 4) for c in sorted(cosine)[::-1][:5]]
    assert store.dense_search(vector, 5) == found  # the vectors read once answer again

    approximate = _store(sample_settings, 0).dense_search(vector, 5)
    assert len(approximate) == 5  # Chroma's index answers past the limit
    assert _store(sample_settings, 1).dense_search(vector, 5)  # 25 chunks > 1: HNSW too


def test_the_exact_search_follows_a_write(sample_settings: Settings, tmp_path):
    from ingest.sync import ingest_paths

    store = _store(sample_settings, 20000)
    vector = store.embeddings.embed_query("Combien de magasins Zorglub a-t-il ouverts à Lyon ?")
    before = store.dense_search(vector, 1)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "zorglub.txt").write_text(
        "Zorglub a ouvert 40 magasins à Lyon cette année.", encoding="utf-8"
    )
    ingest_paths([extra], settings=sample_settings)
    ((after, _),) = store.dense_search(vector, 1)
    assert after.source.endswith("zorglub.txt")
    assert before[0][0].chunk_id != after.chunk_id
