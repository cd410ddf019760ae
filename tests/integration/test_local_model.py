"""The local LLM server: its child-process lifecycle, then the real bundled model end to end.

The lifecycle tests put a fake `xllamacpp` (a tiny HTTP server) on the child's path, so they
take a second. The `slow` tests assemble the real 1.1 GB model (into `$VEILLE_TEST_MODELS_DIR`
when set, so a session can share it) and stream real answers; they need the `local` extra.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from assistant.local_model import (
    MODEL_FILENAME,
    MODEL_SHA256,
    MODEL_SIZE,
    LocalLLMServer,
    ModelUnavailableError,
    ensure_model,
    get_server,
    local_model_available,
)

pytestmark = pytest.mark.integration

FAKE_XLLAMACPP = textwrap.dedent(
    '''
    """A stand-in for xllamacpp: records its params, serves /slots, notes its deletion."""
    import json, os, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from types import SimpleNamespace

    class CommonParams:
        def __init__(self):
            self.model = SimpleNamespace(path="")
            self.cpuparams = SimpleNamespace(n_threads=-1)
            self.cpuparams_batch = SimpleNamespace(n_threads=-1)
            self.api_keys = []

    class Server:
        def __init__(self, params):
            if os.environ.get("FAKE_LLAMA_FAIL"):
                raise Exception("Failed to init server, please check the input params.")
            record = {k: v for k, v in vars(params).items() if not hasattr(v, "__dict__")}
            record["model_path"] = params.model.path
            record["n_threads"] = params.cpuparams.n_threads
            record["n_threads_batch"] = params.cpuparams_batch.n_threads
            with open(os.environ["FAKE_LLAMA_LOG"], "a") as log:
                log.write(json.dumps(record) + "\\n")
            keys = params.api_keys

            class Handler(BaseHTTPRequestHandler):
                def do_GET(self):
                    if keys and self.headers.get("Authorization") != f"Bearer {keys[0]}":
                        self.send_response(401)
                        self.end_headers()
                        return
                    body = b'[{"id": 0}]'
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def log_message(self, *args):
                    pass

            self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
            self.listening_address = f"http://127.0.0.1:{self._httpd.server_port}"

        def __del__(self):
            self._httpd.shutdown()
            with open(os.environ["FAKE_LLAMA_LOG"], "a") as log:
                log.write('"deleted"\\n')
    '''
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _wait_dead(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fake_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the child import the fake `xllamacpp`; return the log it writes."""
    package = tmp_path / "fake_runtime"
    package.mkdir()
    (package / "xllamacpp.py").write_text(FAKE_XLLAMACPP)
    log = tmp_path / "fake_llama.log"
    log.touch()
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.setenv("FAKE_LLAMA_LOG", str(log))
    return log


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


def _log(log: Path) -> list[object]:
    return [json.loads(line) for line in log.read_text().splitlines()]


# --- lifecycle, with a fake runtime -------------------------------------------------------------


def test_starts_once_on_loopback_with_one_slot_and_stops_cleanly(fake_runtime, model_file):
    server = LocalLLMServer(model_file, n_ctx=2048, n_threads=2)
    assert not server.running

    url = server.start()

    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v1")
    assert server.start() == url
    assert server.base_url == url
    assert server.running
    pid = server.pid
    assert pid is not None
    assert _alive(pid)
    assert server.load_seconds is not None
    (params,) = _log(fake_runtime)
    assert params["model_path"] == str(model_file)
    assert params["n_ctx"] == 2048
    assert params["n_parallel"] == 1
    assert params["n_threads"] == params["n_threads_batch"] == 2
    assert params["hostnames"] == ["127.0.0.1"]
    assert params["port"] == 0
    assert params["cache_prompt"] is True
    assert params["cors_origins"] == ""
    assert params["api_keys"] == []

    server.close()

    assert _wait_dead(pid)
    assert _log(fake_runtime)[-1] == "deleted"  # the native server was destroyed, not killed
    assert not server.running
    server.close()


def test_context_manager_and_api_key(fake_runtime, model_file):
    with LocalLLMServer(model_file, n_threads=1, api_key="s3cret") as server:
        assert server.api_key == "s3cret"
        pid = server.pid
        assert pid is not None
    assert _wait_dead(pid)
    assert _log(fake_runtime)[0]["api_keys"] == ["s3cret"]  # and the readiness probe sent it


def test_concurrent_starts_share_one_child(fake_runtime, model_file):
    server = LocalLLMServer(model_file, n_threads=1)
    urls: list[str] = []
    threads = [threading.Thread(target=lambda: urls.append(server.start())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert len(urls) == 4
        assert len(set(urls)) == 1
        assert len(_log(fake_runtime)) == 1
    finally:
        server.close()


def test_a_killed_child_is_started_again(fake_runtime, model_file):
    server = LocalLLMServer(model_file, n_threads=1)
    try:
        server.start()
        first = server.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert _wait_dead(first)
        deadline = time.monotonic() + 10
        while server.running and time.monotonic() < deadline:  # its threads are still exiting
            time.sleep(0.05)
        assert not server.running

        server.start()

        assert server.pid not in (None, first)
        assert len([entry for entry in _log(fake_runtime) if entry != "deleted"]) == 2
    finally:
        server.close()


def test_a_load_failure_is_one_clear_error(fake_runtime, model_file, monkeypatch):
    monkeypatch.setenv("FAKE_LLAMA_FAIL", "1")
    server = LocalLLMServer(model_file, n_threads=1)
    with pytest.raises(
        ModelUnavailableError, match=r"model\.gguf: Exception: Failed to init server"
    ):
        server.start()
    assert not server.running
    assert server.pid is None


def test_the_child_exits_when_the_app_is_killed(fake_runtime, model_file):
    app = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from assistant.local_model import LocalLLMServer
        server = LocalLLMServer(Path({str(model_file)!r}), n_threads=1)
        server.start()
        print(server.pid, flush=True)
        time.sleep(60)
        """
    )
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", app], stdout=subprocess.PIPE, text=True, cwd=repo
    )
    try:
        assert proc.stdout is not None
        child = int(proc.stdout.readline())
        assert _alive(child)
        proc.kill()  # no atexit, no close(): only the closed pipe tells the child
        proc.wait()
        assert _wait_dead(child)
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


# --- the real model -----------------------------------------------------------------------------

SYSTEM = (
    "Tu es un assistant de recherche. Réponds en français, en une phrase courte, "
    "uniquement à partir du passage fourni."
)
PASSAGE = "La Seine est un fleuve français long de 777 kilomètres qui traverse Paris."


@pytest.fixture(scope="session")
def real_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("xllamacpp")
    if not local_model_available():
        pytest.skip("the local model parts are not installed (extra `local`)")
    shared = os.environ.get("VEILLE_TEST_MODELS_DIR")
    models_dir = Path(shared) if shared else tmp_path_factory.mktemp("models")
    return ensure_model(models_dir)


@pytest.fixture(scope="session")
def real_server(real_model: Path):
    server = LocalLLMServer(real_model, n_ctx=2048)
    yield server
    server.close()


@pytest.mark.slow
def test_the_real_model_is_assembled_and_verified(real_model):
    assert real_model.name == MODEL_FILENAME
    assert real_model.stat().st_size == MODEL_SIZE
    sidecar = real_model.with_name(MODEL_FILENAME + ".sha256")
    assert sidecar.read_text().split()[0] == MODEL_SHA256
    assert ensure_model(real_model.parent) == real_model  # reused, by size and sidecar


@pytest.mark.slow
def test_streams_a_short_french_answer(real_server):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(
        base_url=real_server.base_url,
        api_key=real_server.api_key,
        model="local",
        streaming=True,
        temperature=0,
        max_tokens=40,
        timeout=300,
    )
    messages = [
        ("system", SYSTEM),
        ("user", f"Passage : {PASSAGE}\n\nQuestion : Quelle est la longueur de la Seine ?"),
    ]

    chunks = [chunk.content for chunk in llm.stream(messages) if chunk.content]

    assert len(chunks) > 1  # streamed, not sent in one piece
    answer = "".join(chunks)
    assert "777" in answer


@pytest.mark.slow
def test_the_system_prompt_is_reused_from_the_prompt_cache(real_server):
    import httpx

    def prompt_tokens_computed(question: str) -> tuple[int, int]:
        response = httpx.post(
            f"{real_server.base_url}/chat/completions",
            json={
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"Passage : {PASSAGE}\n\nQuestion : {question}"},
                ],
                "max_tokens": 1,
                "temperature": 0,
            },
            headers={"Authorization": f"Bearer {real_server.api_key}"},
            timeout=300,
        )
        response.raise_for_status()
        body = response.json()
        return body["timings"]["prompt_n"], body["usage"]["prompt_tokens"]

    prompt_tokens_computed("Quel fleuve traverse Paris ?")
    computed, total = prompt_tokens_computed("Combien mesure la Seine ?")

    assert computed < total / 2  # only the tail after the shared prefix was computed


@pytest.mark.slow
def test_get_server_keeps_the_model_loaded_between_questions(real_model):
    server = get_server(real_model, n_ctx=2048)
    try:
        url = server.base_url
        pid = server.pid
        assert get_server(real_model, n_ctx=2048).base_url == url
        assert server.pid == pid
    finally:
        server.close()
