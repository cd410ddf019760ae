"""What runs in the child process that owns the model: load it, report the URL, serve, exit.

`LocalLLMServer` starts this module as `python -P -m assistant.local_model.child`. The
`xllamacpp.Server` constructor holds the GIL for the whole load, and a native hang or crash
must not take the app down, so the 100 MB native library is only ever imported here.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request
from typing import Any

from assistant.local_model.errors import ModelUnavailableError
from assistant.local_model.protocol import read_config, write_report

_READY_TIMEOUT_S = 60.0
# llama.cpp can keep past prompt states in RAM for reuse (default cap 8 GiB). Veille's prompts
# share only the system prompt, which the single slot keeps between requests anyway
# (cache_prompt), so saved states buy nothing and cost up to the cap in RSS: keep it off.
_PROMPT_CACHE_RAM_MIB = 0


def serve() -> int:
    """Load the model, report the URL, serve until stdin closes.

    Returns:
        The process exit status: 0 after a clean stop, 1 if the model failed to load.
    """
    config = read_config(sys.stdin)
    # Keep stdout for the report alone: native code that prints goes to stderr instead.
    report_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    try:
        import xllamacpp  # a 100 MB native library: only in this process

        server = xllamacpp.Server(_server_params(xllamacpp.CommonParams(), config))
    except Exception as exc:  # noqa: BLE001 - whatever it is, the parent must hear it.
        write_report(report_stream, {"error": f"{type(exc).__name__}: {exc}"})
        return 1
    root = _http_root(server.listening_address)
    try:
        _wait_until_serving(root, config["api_key"], timeout=_READY_TIMEOUT_S)
    except ModelUnavailableError as exc:
        write_report(report_stream, {"error": str(exc)})
        os._exit(1)  # deleting a server whose loop never started hangs; just leave.
    # llama.cpp installed SIGINT/SIGTERM handlers that stop its loop but not the process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    write_report(report_stream, {"url": root})
    report_stream.close()
    sys.stdin.read()  # returns when the parent closes the pipe, or dies
    del server  # terminates llama.cpp's loop and joins its threads
    return 0


def _server_params(params: Any, config: dict[str, Any]) -> Any:  # xllamacpp has no stubs
    """Fill `xllamacpp.CommonParams` for a small CPU-only machine serving one user."""
    params.model.path = config["model_path"]
    params.n_ctx = config["n_ctx"]
    params.n_parallel = 1  # one answer at a time: a second slot would halve each one's speed.
    params.n_gpu_layers = 0
    params.cpuparams.n_threads = config["n_threads"]  # generation
    params.cpuparams_batch.n_threads = config["n_threads"]  # prompt processing
    params.n_batch = config["n_batch"]
    params.n_ubatch = config["n_batch"]
    params.cache_prompt = True  # reuse the common prefix (system prompt) of the slot's last prompt
    params.cache_ram_mib = _PROMPT_CACHE_RAM_MIB
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the OS picks a free port; listening_address says which
    if config["api_key"]:
        params.api_keys = [config["api_key"]]
    params.cors_origins = ""  # llama.cpp echoes any Origin by default: no web page may read us
    params.ui = False
    params.endpoint_slots = True  # the readiness probe reads /slots
    params.verbosity = config["verbosity"]
    return params


def _http_root(listening_address: str) -> str:
    """Turn llama.cpp's listening address into an http URL without a trailing slash."""
    address = str(listening_address).rstrip("/")
    return address if "://" in address else f"http://{address}"


def _wait_until_serving(root: str, api_key: str | None, *, timeout: float) -> None:
    """Poll `/slots` until the server's task loop answers it.

    The `xllamacpp.Server` constructor returns just before llama.cpp enters its task loop, and
    destroying the server in that window hangs for ever (the loop's start overwrites the stop
    request). `/slots` is answered by the loop itself, so once it replies, stopping is safe.
    """
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    request = urllib.request.Request(f"{root}/slots", headers=headers)  # noqa: S310 - 127.0.0.1
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - see above.
                json.load(response)
        except (OSError, ValueError) as exc:
            last_error = exc
            time.sleep(0.02)
        else:
            return
    msg = f"the local model server at {root} did not answer within {timeout:.0f} s: {last_error}"
    raise ModelUnavailableError(msg)


if __name__ == "__main__":
    sys.exit(serve())
