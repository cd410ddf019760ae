"""`veille mcp` as an MCP client sees it: the real server in a subprocess, the SDK's own client.

Over a copy of the ingested sample store in extractive mode (no model): the tools are listed,
`search` returns passages at their offsets, `ask` returns the `veille ask --json` object with
citations whose quotes are at their offsets in the document text the server itself serves as
a resource, `figures` and `timeline` quote that same text, the date filters filter, and
failures come back as tool errors with a hint rather than a dead server.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult, TextResourceContents

if TYPE_CHECKING:
    from assistant.settings import Settings

pytestmark = [pytest.mark.integration]

HEMA_Q = "Combien de magasins Hema a-t-il ouverts ?"
ROOT = Path(__file__).parents[2]


def _params(data_dir: Path, home: Path) -> StdioServerParameters:
    env = {
        "VEILLE_DATA_DIR": str(data_dir),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "tui.cli", "mcp", "--mode", "extractive"],
        env=env,
        cwd=str(ROOT),
    )


def _structured(result: Any) -> dict[str, Any]:
    assert isinstance(result, CallToolResult)
    assert not result.is_error, result.content
    data = result.structured_content
    assert isinstance(data, dict)
    # The text content is the same object, for clients that read only text.
    text = result.content[0]
    assert json.loads(getattr(text, "text", "")) == data
    return data


async def test_the_real_server_searches_answers_and_serves_documents(
    sample_settings: Settings, tmp_path: Path
) -> None:
    async with (
        stdio_client(_params(sample_settings.data_dir, tmp_path / "home")) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert {"search", "ask", "figures", "timeline"} <= set(tools)
        assert {"query", "k", "since", "until", "source"} <= set(
            tools["search"].input_schema["properties"]
        )
        assert "question" in tools["ask"].input_schema["properties"]

        found = _structured(await session.call_tool("search", {"query": "magasins Hema", "k": 3}))
        passages = found["passages"]
        assert 0 < len(passages) <= 3
        assert passages[0]["source"] == "002_35a95145e6805c4a.txt"

        answer = _structured(await session.call_tool("ask", {"question": HEMA_Q}))
        assert {"question", "answer", "refused", "citations", "passages", "timings_ms"} <= set(
            answer
        )
        assert answer["mode"] == "extractive"
        assert not answer["refused"], answer["notes"]
        assert "22" in answer["answer"]
        assert answer["citations"]

        listed = (await session.list_resources()).resources
        uris = {r.name: str(r.uri) for r in listed}
        assert len(uris) == len(list((ROOT / "ingest" / "sample_corpus").glob("*.txt")))
        for c in answer["citations"]:
            read_back = await session.read_resource(uris[c["source"]])
            content = read_back.contents[0]
            assert isinstance(content, TextResourceContents)
            assert content.text[c["start"] : c["end"]] == c["quote"]
        # A passage's offsets point into the same text, read by doc_id this time.
        p = passages[0]
        by_id = await session.read_resource("veille://documents/" + p["doc_id"])
        content = by_id.contents[0]
        assert isinstance(content, TextResourceContents)
        assert content.text[p["start"] : p["end"]] == p["text"]

        texts: dict[str, str] = {}
        for name, uri in uris.items():
            content = (await session.read_resource(uri)).contents[0]
            assert isinstance(content, TextResourceContents)
            texts[name] = content.text

        # The filters of `veille ask`: a window with no article in it leaves no passage.
        dated = _structured(
            await session.call_tool(
                "search", {"query": "magasins Hema", "since": "2017-11", "until": "2017-11"}
            )
        )
        assert dated["filters"] == {"since": "2017-11-01", "until": "2017-11-30", "source": None}
        assert any(p["source"] == "002_35a95145e6805c4a.txt" for p in dated["passages"])
        none = _structured(
            await session.call_tool("search", {"query": "magasins Hema", "until": "1990"})
        )
        assert none["passages"] == []

        figures = _structured(await session.call_tool("figures", {"query": "Hema"}))
        assert figures["figures"]
        assert figures["total"] >= len(figures["figures"])
        for f in figures["figures"]:
            assert texts[f["source"]][f["start"] : f["end"]] == f["quote"]
        assert any(f["number"] == 22 for f in figures["figures"]), figures
        events = _structured(await session.call_tool("timeline", {"limit": 5}))
        assert 0 < len(events["events"]) <= 5
        for e in events["events"]:
            assert texts[e["source"]][e["start"] : e["end"]] == e["quote"]

        bad = await session.call_tool("search", {"query": "Hema", "since": "novembre"})
        assert isinstance(bad, CallToolResult)
        assert bad.is_error
        assert "2017-11" in getattr(bad.content[0], "text", "")  # the hint says what to write

        empty = await session.call_tool("ask", {"question": "  "})
        assert isinstance(empty, CallToolResult)
        assert empty.is_error
        assert "the question is empty" in getattr(empty.content[0], "text", "")


async def test_an_empty_store_is_a_tool_error_with_a_hint(tmp_path: Path) -> None:
    async with (
        stdio_client(_params(tmp_path / "nothing-here", tmp_path / "home")) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool("search", {"query": "Hema"})
        assert isinstance(result, CallToolResult)
        assert result.is_error
        text = getattr(result.content[0], "text", "")
        assert "veille ingest" in text, text
