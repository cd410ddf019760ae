"""Where the store's derived state lives: the record manager, the BM25 index, the facts database.

All three belong to one generation of the store's collections (see `assistant.state`), so a
rebuild that builds generation N+1 never touches generation N's, and a crash before the
swap leaves the live generation's derived state as it was.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from langchain_classic.indexes import SQLRecordManager

    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings


def _where(settings: Settings) -> str:
    return settings.store.chroma_url or "embedded"


def record_manager(settings: Settings, name: str | None = None) -> SQLRecordManager:
    """The indexing API's record of which chunk hashes are in one generation of the store."""
    from langchain_classic.indexes import SQLRecordManager

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    manager = SQLRecordManager(
        f"chroma/{_where(settings)}/{name or settings.store.collection}",
        db_url=f"sqlite:///{settings.records_db}",
    )
    manager.create_schema()
    return manager


def keyword_dir(settings: Settings, name: str | None = None) -> Path:
    """The BM25 index directory of one generation of the store (default: generation 0)."""
    suffix = (
        "embedded"
        if not settings.store.chroma_url
        else hashlib.sha256(settings.store.chroma_url.encode()).hexdigest()[:12]
    )
    return settings.data_dir / f"bm25-{name or settings.store.collection}-{suffix}"


def facts_db(settings: Settings, name: str | None = None) -> Path:
    """The figures-and-dates database of one generation of the store (`assistant.facts`)."""
    return keyword_dir(settings, name).with_name(
        keyword_dir(settings, name).name.replace("bm25-", "facts-", 1) + ".sqlite"
    )


def keyword_index(settings: Settings, name: str | None = None) -> KeywordIndex:
    """The on-disk BM25 index that belongs to the store (it follows the store it is used with)."""
    from assistant.keyword import KeywordIndex

    return KeywordIndex(keyword_dir(settings, name))
