"""`LocalLLMServer`: llama.cpp's OpenAI-compatible server on 127.0.0.1, run in a child process.

It serves one GGUF file (usually from `ensure_model`) so the rest of Veille talks to the local
model through the same client it uses for remote ones. `get_server` keeps one loaded model per
process between questions; every server still running is stopped at exit. The child process
is `assistant.local_model.child`; the pipe between them is `assistant.local_model.protocol`.
Nothing here imports `xllamacpp`: the core works without the extra.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

from assistant.local_model.errors import INSTALL_HINT, ModelUnavailableError
from assistant.local_model.protocol import read_report

if TYPE_CHECKING:
    from types import TracebackType

logger = logging.getLogger(__name__)

_CHILD_MODULE = "assistant.local_model.child"
_LOAD_TIMEOUT_S = 180.0  # for a cold disk and a busy CPU: on 2 idle cores a load takes ~3 s
_STOP_TIMEOUT_S = 10.0
_DEFAULT_BATCH = 512
_VERBOSITY_ERRORS = 1  # llama.cpp log levels: 1 errors, 2 warnings, 3 info, 4 debug
_VERBOSITY_INFO = 3


def physical_cores() -> int:
    """Return the number of physical cores this process may run on.

    llama.cpp is fastest with one thread per physical core: SMT siblings share the vector
    units that the matrix products saturate, and an extra thread only adds contention.
    """
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:  # macOS and Windows have no affinity API; assume 2-way SMT.
        return max(1, (os.cpu_count() or 2) // 2)
    cores: set[str] = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
        try:
            cores.add(topology.read_text(encoding="ascii").strip())
        except OSError:
            cores.add(str(cpu))
    return max(1, len(cores))


class LocalLLMServer:
    """llama.cpp's OpenAI-compatible server for one GGUF model, on 127.0.0.1 and a free port.

    The model is loaded by the first `start()` (or `base_url`), kept loaded for later
    requests, and released by `close()`, which also runs at interpreter exit. One slot
    (`n_parallel=1`) with prompt caching: a request that starts like the previous one (the
    same system prompt) only computes the tokens after the shared prefix.

    The server runs in a child process that owns the `xllamacpp.Server`: its constructor holds
    the GIL for the whole load (3 to 20 s on 2 cores), which would freeze the terminal UI, and
    a native hang or crash there cannot take the app down. The child exits when its stdin
    closes: on `close()`, or when this process dies in any way.

    Browsers may not read its responses (no CORS origin is allowed, where llama.cpp allows all
    by default). Pass `api_key` to also refuse requests without it, e.g. on a shared machine;
    clients send `server.api_key` either way.

    Example:
        >>> with LocalLLMServer(ensure_model(models_dir)) as server:  # doctest: +SKIP
        ...     llm = ChatOpenAI(base_url=server.base_url, api_key=server.api_key, model="local")
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        n_batch: int = _DEFAULT_BATCH,
        api_key: str | None = None,
        verbose: bool = False,
    ) -> None:
        """Describe the server; nothing is loaded until `start()`.

        Args:
            model_path: A GGUF file, usually from `ensure_model`.
            n_ctx: Context size in tokens (prompt plus answer).
            n_threads: CPU threads for reading the prompt and generating; None uses the
                physical cores (best on an idle machine; on a busy one, fewer threads win).
            n_batch: Prompt tokens computed per step (llama.cpp's batch and micro-batch).
            api_key: A key every request must carry; None accepts any (see `api_key`).
            verbose: Let llama.cpp log to this process's stderr; off, only its errors are kept,
                for the exception raised when loading fails.
        """
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or physical_cores()
        self.n_batch = n_batch
        self.verbose = verbose
        self._required_key = api_key
        self.api_key = api_key or "local"
        """What clients should send as their API key (any value works when none is required)."""
        self.load_seconds: float | None = None
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._base_url: str | None = None
        self._closed = False
        _live_servers.add(self)

    def __repr__(self) -> str:
        """Show the model, the settings and the state."""
        state = self._base_url or ("closed" if self._closed else "not started")
        return (
            f"LocalLLMServer({self.model_path.name!r}, n_ctx={self.n_ctx}, "
            f"n_threads={self.n_threads}, {state})"
        )

    @property
    def running(self) -> bool:
        """Whether the model is loaded and the server is listening."""
        proc = self._proc
        return self._base_url is not None and proc is not None and proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The process id of the child that holds the model, while it runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (ending in `/v1`), starting the server if needed."""
        return self.start()

    def start(self) -> str:
        """Load the model and start listening, once; later calls return at once.

        Thread-safe: concurrent callers wait for the same load. If the server died since
        (killed, out of memory), it is started again.

        Returns:
            The base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:40123/v1`.

        Raises:
            ModelUnavailableError: If `xllamacpp` is not installed or the model fails to load.
            RuntimeError: If the server was closed.
        """
        with self._lock:
            if self._closed:
                msg = "this LocalLLMServer was closed; create a new one"
                raise RuntimeError(msg)
            if self.running and self._base_url is not None:
                return self._base_url
            if self._proc is not None:
                logger.warning(
                    "local model server exited (code %s); starting it again", self._proc.poll()
                )
                self._stop_locked()
            self._base_url = self._spawn_locked()
            return self._base_url

    def _spawn_locked(self) -> str:
        if importlib.util.find_spec("xllamacpp") is None:
            msg = f"the local model runtime (xllamacpp) is not installed: {INSTALL_HINT}"
            raise ModelUnavailableError(msg)
        if not self.model_path.is_file():
            msg = f"the local model file {self.model_path} does not exist"
            raise ModelUnavailableError(msg)
        config = {
            "model_path": str(self.model_path),
            "n_ctx": self.n_ctx,
            "n_threads": self.n_threads,
            "n_batch": self.n_batch,
            "verbosity": _VERBOSITY_INFO if self.verbose else _VERBOSITY_ERRORS,
            "api_key": self._required_key,  # through the pipe, not argv, which `ps` shows.
        }
        started = time.perf_counter()
        with contextlib.ExitStack() as stack:
            errors = None if self.verbose else stack.enter_context(tempfile.TemporaryFile())
            # -P: do not put the working directory first on sys.path, where any `xllamacpp.py`
            # or `types.py` lying there would shadow the real modules.
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module.
                [sys.executable, "-P", "-m", _CHILD_MODULE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
                start_new_session=True,  # Ctrl+C in the terminal is for the app, not the model.
            )
            self._proc = proc
            report = read_report(proc, config, timeout=_LOAD_TIMEOUT_S)
            if report is None or "url" not in report:
                self._stop_locked()
                detail = report.get("error") if report else None
                if not detail and errors is not None:
                    detail = _tail(errors)
                detail = detail or "no reason given"
                msg = f"the local model failed to load from {self.model_path}: {detail}"
                raise ModelUnavailableError(msg)
        self.load_seconds = time.perf_counter() - started
        url = f"{report['url']}/v1"
        logger.info("local model loaded in %.1f s, serving at %s", self.load_seconds, url)
        return url

    def close(self) -> None:
        """Stop the server and free the model; safe to call twice or before `start()`."""
        with self._lock:
            self._closed = True
            self._stop_locked()
        _live_servers.discard(self)

    def _stop_locked(self) -> None:
        proc, self._proc, self._base_url = self._proc, None, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the child's cue to free the model and exit
        try:
            proc.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.warning("local model server did not stop in %s s; killing it", _STOP_TIMEOUT_S)
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        logger.info("local model server stopped")

    def __enter__(self) -> Self:
        """Start the server."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.close()


def _tail(stream: IO[bytes], limit: int = 2000) -> str:
    stream.seek(0)
    text = stream.read().decode("utf-8", errors="replace").strip()
    return " | ".join(text[-limit:].splitlines())


# --- one server per process ---------------------------------------------------------------------

_live_servers: weakref.WeakSet[LocalLLMServer] = weakref.WeakSet()
_cache_lock = threading.Lock()
_cached: dict[tuple[Path, int, int | None], LocalLLMServer] = {}


def get_server(
    model_path: Path, *, n_ctx: int = 4096, n_threads: int | None = None
) -> LocalLLMServer:
    """Return this process's server for `model_path`, created (not started) on first use.

    Asking with other settings closes the previous server first: the app needs one model, and
    two copies would not fit the memory and cores a laptop can spare.

    Args:
        model_path: The GGUF file.
        n_ctx: Context size in tokens.
        n_threads: CPU threads; None uses the physical cores.

    Returns:
        A `LocalLLMServer`; call `start()` or read `base_url` to load it.
    """
    key = (Path(model_path).resolve(), n_ctx, n_threads)
    with _cache_lock:
        server = _cached.get(key)
        if server is not None and not server._closed:  # noqa: SLF001 - same module.
            return server
        for old in _cached.values():
            old.close()
        _cached.clear()
        server = LocalLLMServer(key[0], n_ctx=n_ctx, n_threads=n_threads)
        _cached[key] = server
        return server


@atexit.register
def _close_all() -> None:
    """Stop every server still running, so no child outlives the app by even a second."""
    for server in list(_live_servers):
        server.close()
