"""Shared fixtures: keep the developer's machine out of tests, and one ingested sample store.

Every test runs with its own empty data directory, no settings file and no API keys, so nothing
a developer has configured leaks in and nothing a test writes leaks out.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings, load_settings

SAMPLE = Path(__file__).resolve().parents[1] / "ingest" / "sample_corpus"

_ENV_TO_CLEAR = (
    "VEILLE_CONFIG",
    "VEILLE_DATA_DIR",
    "VEILLE_CHROMA_URL",
    "VEILLE_LOCAL_MODEL",
    "VEILLE_MODE",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name in _ENV_TO_CLEAR or (
            name.startswith("VEILLE_") and name != "VEILLE_TEST_MODELS_DIR"
        ):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("VEILLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sample_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the sample corpus ingested once per test session (real e5)."""
    from ingest.sync import ingest_paths

    data = tmp_path_factory.mktemp("sample-store")
    corpus = tmp_path_factory.mktemp("corpus") / "articles"
    shutil.copytree(SAMPLE, corpus)
    settings = load_settings(data_dir=data)
    ingest_paths([corpus], settings=settings)
    return data


@pytest.fixture
def sample_settings(sample_store_dir: Path, tmp_path: Path) -> Settings:
    """Settings on a private copy of the ingested sample store, in extractive mode."""
    data = tmp_path / "sample-data"
    shutil.copytree(sample_store_dir, data)
    settings = load_settings(data_dir=data)
    return settings.with_mode("extractive")
