"""Veille's one settings object, read from `veille.toml` and `VEILLE_*` environment variables.

Precedence, highest first: arguments given in code (the CLI's flags), environment variables
(`VEILLE_SECTION__FIELD`, plus the shortcuts `VEILLE_DATA_DIR`, `VEILLE_CHROMA_URL`,
`VEILLE_LOCAL_MODEL` and `OPENAI_API_KEY`), the TOML file, then the defaults. The TOML file is
`$VEILLE_CONFIG` if set, else `./veille.toml`, else `veille.toml` in the user config directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import VeilleError
from assistant.sections import (
    CoverageSettings,
    EmbeddingSettings,
    GenerationSettings,
    GroundingSettings,
    IngestSettings,
    RetrievalSettings,
    StoreSettings,
)
from assistant.types import ModeSetting

__all__ = [
    "CoverageSettings",
    "EmbeddingSettings",
    "GenerationSettings",
    "GroundingSettings",
    "IngestSettings",
    "RetrievalSettings",
    "Settings",
    "SettingsError",
    "StoreSettings",
    "load_settings",
]

APP_NAME = "veille"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def config_file() -> Path | None:
    """The TOML file that settings are read from, if any.

    Raises:
        SettingsError: `$VEILLE_CONFIG` names a file that does not exist (a typo there must
            not silently fall back to the defaults).
    """
    explicit = os.environ.get("VEILLE_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            msg = f"settings file {path} (VEILLE_CONFIG) not found"
            raise SettingsError(msg, "fix the path or unset VEILLE_CONFIG")
        return path
    for candidate in (
        Path.cwd() / "veille.toml",
        Path(platformdirs.user_config_dir(APP_NAME)) / "veille.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


class _ShortcutEnvSource(PydanticBaseSettingsSource):
    """Maps the documented one-word environment variables onto nested fields."""

    _MAP: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("VEILLE_DATA_DIR", ("data_dir",)),
        ("VEILLE_CHROMA_URL", ("store", "chroma_url")),
        ("VEILLE_LOCAL_MODEL", ("generation", "local_model")),
        ("VEILLE_MODE", ("generation", "mode")),
        ("OPENAI_API_KEY", ("generation", "api_key")),
        ("OPENAI_BASE_URL", ("generation", "base_url")),
    )

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for var, path in self._MAP:
            value = os.environ.get(var)
            if not value:
                continue
            node = out
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        return out


class Settings(BaseSettings):
    """All of Veille's configuration, in sections."""

    model_config = SettingsConfigDict(
        env_prefix="VEILLE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the store, sync records and history live.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where the local model is assembled, once for every data directory.",
    )
    store: StoreSettings = Field(default_factory=StoreSettings, description="The vector store.")
    embeddings: EmbeddingSettings = Field(
        default_factory=EmbeddingSettings, description="The embedding model."
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Chunking.")
    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings, description="Retrieval and fusion."
    )
    generation: GenerationSettings = Field(
        default_factory=GenerationSettings, description="Answer generation."
    )
    coverage: CoverageSettings = Field(
        default_factory=CoverageSettings,
        description="Evidence budgets of lists, summaries, comparisons and explanations.",
    )
    grounding: GroundingSettings = Field(
        default_factory=GroundingSettings,
        description="Evidence, verification and refusal thresholds.",
    )

    @model_validator(mode="after")
    def _deprecated_min_similarity(self) -> Settings:
        # retrieval.min_similarity moved to grounding; a settings file that still sets it
        # keeps working.
        old = self.retrieval.min_similarity
        if old is not None and "min_similarity" not in self.grounding.model_fields_set:
            grounding = self.grounding.model_copy(update={"min_similarity": old})
            object.__setattr__(self, "grounding", grounding)
        return self

    @field_validator("data_dir", "cache_dir", mode="before")
    @classmethod
    def _data_dir_is_a_folder(cls, value: Any, info: ValidationInfo) -> Any:
        # An empty VEILLE_DATA_DIR would silently mean the current directory.
        if isinstance(value, str | Path) and not str(value).strip():
            variable = f"VEILLE_{(info.field_name or 'data_dir').upper()}"
            msg = f"is empty: give a folder, or unset {variable} for the default"
            raise ValueError(msg)
        path = Path(value).expanduser() if isinstance(value, str | Path) else value
        if isinstance(path, Path) and path.exists() and not path.is_dir():
            msg = f"{path} is a file, not a folder"
            raise ValueError(msg)
        return path

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init arguments, then environment, then the TOML file."""
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            _ShortcutEnvSource(settings_cls),
        ]
        path = config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def with_mode(self, mode: ModeSetting | None) -> Settings:
        """A copy that answers in `mode` (None: unchanged)."""
        return self.with_section("generation", mode=mode) if mode is not None else self

    def with_section(self, section: str, **values: Any) -> Settings:
        """A copy with fields of one section replaced: `with_section("ingest", chunk_size=300)`.

        The new values are validated as the settings file's would be.

        Raises:
            SettingsError: A value is out of its field's bounds; the message names it.
        """
        from pydantic import ValidationError

        current = getattr(self, section, None)
        if not isinstance(current, BaseModel):
            msg = f"no settings section {section!r}"
            raise SettingsError(msg)
        unknown = sorted(set(values) - set(type(current).model_fields))
        if unknown:
            msg = f"no setting {section}.{unknown[0]}"
            raise SettingsError(msg)
        try:
            replaced = type(current).model_validate({**dict(current), **values})
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join([section, *(str(p) for p in err["loc"])])
            msg = f"invalid setting {where}: {err['msg']}"
            raise SettingsError(msg) from None
        return self.model_copy(update={section: replaced})

    @property
    def chroma_dir(self) -> Path:
        """The embedded Chroma's directory."""
        return self.data_dir / "chroma"

    @property
    def records_db(self) -> Path:
        """The SQLite file of the indexing API's record manager."""
        return self.data_dir / "records.sqlite"

    @property
    def models_dir(self) -> Path:
        """Where the assembled local model lives: the cache, shared by every data directory.

        A data directory made before the cache holds its own copy in `data_dir/models`, which
        stays in use rather than being joined again (1.1 GB, about a minute).
        """
        from assistant.local_model.modelfile import MODEL_FILENAME

        own = self.data_dir / "models"
        if (own / MODEL_FILENAME).is_file():
            return own
        return self.cache_dir / "models"

    @property
    def history_db(self) -> Path:
        """The SQLite file of saved conversations."""
        return self.data_dir / "history.sqlite"


class SettingsError(VeilleError):
    """A settings file or variable is invalid; the message names it."""


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation errors into one readable line.

    Raises:
        SettingsError: A value is invalid; the message names the setting and its source.
    """
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        path = config_file()
        origin = f" (settings file {path})" if path else ""
        detail = str(err["msg"]).removeprefix("Value error, ")
        msg = f"invalid setting {where}: {detail}{origin}"
        raise SettingsError(msg) from None
    except (OSError, ValueError) as exc:  # e.g. a TOML syntax error
        path = config_file()
        msg = f"cannot read settings file {path}: {exc}"
        raise SettingsError(msg) from None
