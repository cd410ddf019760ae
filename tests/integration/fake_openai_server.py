"""A tiny OpenAI-compatible chat server on loopback, for CLI tests of the `server` mode.

It speaks the part of the protocol `ChatOpenAI` uses (`POST /v1/chat/completions`, streamed as
server-sent events or not, usage in the last chunk) and answers from a table keyed by words of
the question, so a subprocess `veille ask --mode server` gets a real HTTP exchange and a
deterministic answer. Run it in a thread with `serve()`; it records the requests it received.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWERS = {
    "hema": "Hema a ouvert 22 magasins [1].",
    "huitongda": "Alibaba investit 712,2 millions de dollars dans Huitongda Network [1].",
}
NOT_FOUND = "NOT_IN_CORPUS"


def _answer_for(messages: list[dict[str, Any]]) -> str:
    prompt = str(messages[-1].get("content", "")) if messages else ""
    question = prompt.rsplit("Question:", 1)[-1].lower()
    for key, answer in ANSWERS.items():
        if key in question:
            return answer
    return NOT_FOUND


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        del format, args  # quiet: pytest shows failures, not access logs

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append(body)
        if not self.path.endswith("/chat/completions"):
            self.send_error(404)
            return
        if self.server.error is not None:
            # A server that refuses the request and echoes what it was sent, key included.
            key = self.headers.get("Authorization", "")
            data = json.dumps(
                {"error": {"message": f"{self.server.error}: {key}", "type": "invalid_request"}}
            ).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        text = self.server.answers.get("*") or _answer_for(body.get("messages", []))
        model = body.get("model", "fake")
        created = int(time.time())
        if not body.get("stream"):
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = re.findall(r"\S+\s*", text)
        for i, piece in enumerate(pieces):
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": piece}
                        if i == 0
                        else {"content": piece},
                        "finish_reason": None,
                    }
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        last = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": len(pieces), "total_tokens": 110},
        }
        self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answers: dict[str, str] | None, error: str | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.answers = answers or {}
        self.error = error

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


def serve(*, answer: str | None = None, error: str | None = None) -> _Server:
    """Start the server in a daemon thread; call `.shutdown()` when done.

    Args:
        answer: Give this answer to every question (default: the table above).
        error: Refuse every request with HTTP 401 and this message, followed by the
            request's Authorization header (as some servers echo it).
    """
    server = _Server({"*": answer} if answer is not None else None, error)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
