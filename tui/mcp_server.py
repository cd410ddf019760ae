"""`veille mcp`: Veille served over MCP on stdio, for desktop assistants and editors.

A front end like the CLI, over the same core: the tools `search` (retrieved passages), `ask`
(exactly the `veille ask --json` object), `figures` and `timeline` (the rows of
`assistant.facts`), each with the `since`/`until`/`source` filters of `assistant.filters`, and
every ingested document as a resource `veille://documents/{source or doc_id}`.
The official `mcp` SDK speaks the protocol; while it serves, the process's stdout carries
only protocol messages (the SDK points fd 1 at stderr for everything else), and logs go to
stderr. The assistant (the e5 model, the store) is opened at the first request rather than at
start, so a client connects at once, and a store that cannot be opened is reported to the
client as a tool error with its message and hint rather than as a dead server. Expected
failures (`VeilleError`) become tool errors; nothing here imports Textual.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mcp.server.mcpserver import MCPServer, ResourceSecurity
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import Resource

from assistant.errors import VeilleError, describe
from assistant.filters import Filters, parse_filters

if TYPE_CHECKING:
    from collections.abc import Iterator

    from assistant.answer import Assistant
    from assistant.settings import Settings
    from assistant.store import DocumentRecord

__all__ = ["DOCUMENT_URI", "VeilleTools", "build_server", "serve"]

DOCUMENT_URI = "veille://documents/"
"""Prefix of a document's resource URI; the rest is its source path or its doc_id."""

log = logging.getLogger("veille.mcp")

LIMIT = 50
"""Rows `figures` and `timeline` return by default: a client's context is not a spreadsheet."""
MAX_LIMIT = 1000

INSTRUCTIONS = (
    "Veille answers questions about a folder of documents (mostly French news articles) and "
    "cites them: every citation's quote is exactly document_text[start:end]. Use `search` for "
    "passages, `ask` for a checked answer with citations; read a whole document with the "
    "resource veille://documents/{source}. since/until take dates (2017, 2017-11, "
    "2017-11-22) and source a file-name glob."
)


class VeilleTools:
    """The work behind each MCP tool and resource, with no protocol in it (tests call it too).

    The `Assistant` is built once, on first use, under a lock: the SDK runs synchronous tools
    in worker threads, and two first calls must not load the models twice.
    """

    def __init__(self, settings: Settings) -> None:
        """Serve from the store `settings` point at, answering in `settings`' mode."""
        self.settings = settings
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()

    def assistant(self) -> Assistant:
        """The assistant, opened on first use.

        Raises:
            VeilleError: The store is empty, busy or mismatched, or the model is unavailable.
        """
        with self._lock:
            if self._assistant is None:
                from assistant.answer import Assistant

                self._assistant = Assistant(self.settings)
            return self._assistant

    # -- tools ---------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """`{"query", "passages": [Passage.to_dict()...]}` for the `k` best passages."""
        query = _nonempty(query, "query")
        filters = parse_filters(since, until, source)
        # The same bounds as `retrieval.k` (and `veille ask -k`), checked before any search.
        self.settings.with_section("retrieval", k=k)
        assistant = self.assistant()
        with self._lock:
            retrieval = assistant.retriever.retrieve(query, k=k, filters=filters)
        return _with_filters(
            {"query": query, "passages": [p.to_dict() for p in retrieval.passages]}, filters
        )

    def ask(
        self,
        question: str,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """The `veille ask --json` object for one question."""
        question = _nonempty(question, "question")
        filters = parse_filters(since, until, source)
        assistant = self.assistant()
        with self._lock:
            answer = assistant.ask(question, filters=filters)
        return _with_filters(answer.to_dict(), filters)

    def figures(
        self,
        query: str | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        limit: int = LIMIT,
    ) -> dict[str, Any]:
        """`{"figures": [...], "total"}`: the `veille figures --json` rows, at most `limit`."""
        return self._facts("figures", query, since, until, source, limit)

    def timeline(
        self,
        query: str | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        limit: int = LIMIT,
    ) -> dict[str, Any]:
        """`{"events": [...], "total"}`: the `veille timeline --json` rows, at most `limit`."""
        return self._facts("events", query, since, until, source, limit)

    def _facts(
        self,
        table: str,
        query: str | None,
        since: str | None,
        until: str | None,
        source: str | None,
        limit: int,
    ) -> dict[str, Any]:
        from assistant import facts

        filters = parse_filters(since, until, source)
        store = self.assistant().store
        find = facts.figures if table == "figures" else facts.events
        with self._lock:
            rows = find(store, query or None, source, *_iso_bounds(filters))
        return {table: [r.to_dict() for r in rows[: _limit(limit)]], "total": len(rows)}

    # -- documents -----------------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        """Every ingested document, by source."""
        store = self.assistant().store
        with self._lock:
            records = store.documents_under()
        return sorted(records.values(), key=lambda r: (r.source, r.doc_id))

    def document_uri(self, record: DocumentRecord, records: list[DocumentRecord]) -> str:
        """A document's resource URI: its source, or its doc_id when another shares the source."""
        shared = sum(1 for r in records if r.source == record.source) > 1
        return DOCUMENT_URI + quote(record.doc_id if shared else record.source, safe="/")

    def document_text(self, ref: str) -> str:
        """The stored text of the document whose doc_id, or else whose source, is `ref`.

        Raises:
            ResourceNotFoundError: No such document.
            ResourceError: Several documents have this source (name one by its doc_id).
        """
        store = self.assistant().store
        with self._lock:
            text = store.document_text(ref)
            if text is not None:
                return text
            named = [r for r in store.documents_under().values() if r.source == ref]
            if len(named) > 1:
                ids = ", ".join(r.doc_id for r in named)
                msg = f"{len(named)} documents are named {ref}; read one by its doc_id: {ids}"
                raise ResourceError(msg)
            text = store.document_text(named[0].doc_id) if named else None
        if text is None:
            msg = f"no document {ref} in the store (list the resources to see what is there)"
            raise ResourceNotFoundError(msg)
        return text


def _with_filters(data: dict[str, Any], filters: Filters | None) -> dict[str, Any]:
    """`data` with the `filters` object `veille ask --json` adds when a filter is given."""
    if filters is not None:
        data["filters"] = filters.to_dict()
    return data


def _iso_bounds(filters: Filters | None) -> tuple[str | None, str | None]:
    """The window's first and last days, ISO, as the facts queries take them."""
    if filters is None:
        return None, None
    since = filters.since.isoformat() if filters.since else None
    until = filters.until.isoformat() if filters.until else None
    return since, until


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        msg = f"limit must be between 1 and {MAX_LIMIT}, not {limit}"
        raise VeilleError(msg, "narrow the query, or filter by since/until/source")
    return limit


def _nonempty(text: str, name: str) -> str:
    text = text.strip()
    if not text:
        msg = f"the {name} is empty"
        raise VeilleError(msg, "ask something, e.g. Combien de magasins Hema a-t-il ouverts ?")
    return text


@contextmanager
def _tool_errors() -> Iterator[None]:
    """Turn any failure inside a tool into a tool error the client's model can read."""
    try:
        yield
    except ToolError:
        raise
    except VeilleError as exc:
        # str() is the message and the hint, secrets masked.
        raise ToolError(str(exc)) from exc
    except Exception as exc:
        log.exception("tool failed")
        raise ToolError(describe(exc)) from exc


class _VeilleServer(MCPServer[Any]):
    """The SDK's server, listing the store's documents as resources when asked."""

    def __init__(self, tools: VeilleTools, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.veille = tools

    async def list_resources(self) -> list[Resource]:
        """The static resources, then one per ingested document (read when asked)."""
        import anyio.to_thread

        listed = await super().list_resources()
        try:
            records = await anyio.to_thread.run_sync(self.veille.documents)
        except VeilleError as exc:
            raise ResourceError(str(exc)) from exc
        for r in records:
            listed.append(
                Resource(
                    uri=self.veille.document_uri(r, records),
                    name=r.source,
                    title=r.title or None,
                    description=_describe_document(r),
                    mime_type="text/plain",
                )
            )
        return listed


def _describe_document(r: DocumentRecord) -> str:
    parts = [f"doc_id {r.doc_id}", f"{r.chunks} chunks"]
    if r.date:
        parts.insert(0, f"dated {r.date}")
    return "; ".join(parts)


def build_server(settings: Settings) -> MCPServer[Any]:
    """The MCP server for the store `settings` point at (not yet running)."""
    from tui.cli import _version

    tools = VeilleTools(settings)
    server = _VeilleServer(
        tools,
        name="veille",
        title="Veille",
        version=_version(),
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )

    def search(
        query: str,
        k: int = 5,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """Retrieve the k passages of the ingested documents that best match a query.

        Each passage has its source, doc_id, text and its start/end offsets in the document
        text. since/until bound the document date (2017, 2017-11 or 2017-11-22); source is a
        glob on the document path (e.g. "*hema*").
        """
        with _tool_errors():
            return tools.search(query=query, k=k, since=since, until=until, source=source)

    def ask(
        question: str,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """Answer a question from the documents, with checked citations.

        Returns the `veille ask --json` object: answer (with [n] markers), refused,
        citations (each quote is exactly document_text[start:end]), passages, notes, timings.
        """
        with _tool_errors():
            return tools.ask(question=question, since=since, until=until, source=source)

    def figures(
        query: str | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        limit: int = LIMIT,
    ) -> dict[str, Any]:
        """List the figures of the documents (amounts, counts, percentages), found at ingest.

        Each has its value, number, unit, what it counts, the entity it belongs to, the
        document's source and date, and its sentence as an exact quote at start/end. query
        keeps the figures whose sentence holds every word; total counts all that matched.
        """
        with _tool_errors():
            return tools.figures(query, since, until, source, limit)

    def timeline(
        query: str | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        limit: int = LIMIT,
    ) -> dict[str, Any]:
        """List dated events across the documents, in date order (unresolved dates last).

        Each has its date (ISO cut to its precision: 2017, 2017-11, 2017-11-22), precision,
        source, and its sentence as an exact quote at start/end; total counts all that matched.
        """
        with _tool_errors():
            return tools.timeline(query, since, until, source, limit)

    for fn in (search, ask, figures, timeline):
        server.add_tool(fn, name=fn.__name__, description=fn.__doc__)

    def document(ref: str) -> str:
        try:
            return tools.document_text(ref)
        except VeilleError as exc:
            raise ResourceError(str(exc)) from exc

    server.resource(
        DOCUMENT_URI + "{+ref}",
        name="document",
        description="The stored text of a document, by its source path or its doc_id; "
        "citation offsets refer to this text.",
        mime_type="text/plain",
        # Only a store lookup by name: no file is opened, and doc_ids are absolute paths.
        security=ResourceSecurity(exempt_params=frozenset({"ref"})),
    )(document)
    return server


def serve(settings: Settings) -> int:
    """Serve MCP on stdin/stdout until the client disconnects; returns the exit code."""
    logging.basicConfig(level=logging.WARNING)
    build_server(settings).run("stdio")
    return 0
