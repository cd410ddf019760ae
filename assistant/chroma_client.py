"""Connect to Chroma (embedded in the data directory, or a server), and the store's errors.

A reader never creates an embedded store where there is none: `make_client(create=False)`
refuses before `PersistentClient` would make an empty database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant.errors import VeilleError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.settings import Settings


class StoreError(VeilleError):
    """The store cannot be used as configured; the message says what to do."""


class StoreMismatchError(StoreError):
    """The store was built with other settings than the current ones."""


class StoreEmptyError(StoreError):
    """Nothing has been ingested yet."""


def make_client(settings: Settings, *, create: bool = False) -> ClientAPI:
    """A Chroma client: a server's if `store.chroma_url` is set, else the embedded store.

    Raises:
        StoreEmptyError: Embedded, no store exists and `create` is False (nothing is created).
        StoreError: The server URL is invalid or unreachable.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.store.chroma_url
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            msg = f"invalid store.chroma_url {url!r}: expected http://HOST:PORT"
            raise StoreError(msg)
        headers = {}
        if settings.store.chroma_token is not None:
            headers["Authorization"] = f"Bearer {settings.store.chroma_token.get_secret_value()}"
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                headers=headers,
                settings=chroma_settings,
            )
        except Exception as exc:  # noqa: BLE001 - chromadb raises bare Exception/ValueError
            msg = f"cannot reach the Chroma server at {url}: {exc}"
            raise StoreError(msg) from None
    if not create and not (settings.chroma_dir / "chroma.sqlite3").is_file():
        # A reader must not create an empty store where there is none.
        msg = "the store is empty: run `veille ingest` first"
        raise StoreEmptyError(msg)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


# What SQLite says of a damaged file, as chromadb passes it on.
_DAMAGED = ("database disk image is malformed", "file is not a database", "malformed database")


def damaged_store_error(exc: BaseException, settings: Settings) -> StoreError | None:
    """A one-line error saying what to do when the embedded store's SQLite file is damaged.

    None for any other exception. `--rebuild` cannot help (it reads the store first); moving the
    damaged folder aside keeps it for recovery and lets a new store be built from the folders.
    """
    if settings.store.chroma_url or not any(m in str(exc).lower() for m in _DAMAGED):
        return None
    where = settings.chroma_dir
    return StoreError(
        f"the store {where} is damaged (its SQLite file is malformed)",
        f"move it aside and ingest again: mv {where} {where}.damaged && veille ingest PATH ...",
    )
