"""One writer at a time on a data directory: an OS file lock plus the holder's PID.

Two processes writing to one embedded Chroma silently lose vectors and can corrupt the store,
so every write (ingest, rebuild) holds this lock. The lock is an `fcntl`/`msvcrt` lock via
`filelock`, released by the OS if the holder dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import VeilleError


class StoreBusyError(VeilleError):
    """Another process holds the write lock; the message names its PID."""


@contextmanager
def writer_lock(data_dir: Path, *, timeout: float = 0) -> Iterator[None]:
    """Hold the data directory's write lock for the duration of the block.

    Raises:
        StoreBusyError: Another process holds it ("store in use by PID N").
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    pid_file = data_dir / "write.pid"
    lock = FileLock(data_dir / "write.lock", timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        try:
            holder = pid_file.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            holder = "?"
        msg = f"store in use by PID {holder} ({data_dir}); wait for it to finish"
        raise StoreBusyError(msg) from None
    try:
        pid_file.write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        pid_file.unlink(missing_ok=True)
        lock.release()
