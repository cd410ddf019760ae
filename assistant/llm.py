"""Chat models: one code path (`ChatOpenAI`) for OpenAI, any compatible server, and the local model.

`resolve_generator(settings)` decides which answerer `auto` means here: OpenAI or a server when
one is configured, else the bundled local model when its extra is installed, else extractive.
The local model is an embedded llama.cpp server on 127.0.0.1 that starts lazily, once per
process, and keeps the model loaded between questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import VeilleError
from assistant.types import EXTRACTIVE_MODEL

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.settings import Settings
    from assistant.types import Mode


class GeneratorError(VeilleError):
    """The configured model cannot be used; the message names the setting to fix."""


@dataclass(frozen=True, slots=True)
class Generator:
    """Which answerer to use, and how to reach its model."""

    mode: Mode
    model: str
    base_url: str | None = None


def resolve_generator(settings: Settings) -> Generator:
    """The answerer the settings ask for (`auto` resolved).

    Raises:
        GeneratorError: The mode cannot be used as configured.
    """
    gen = settings.generation
    mode = gen.mode
    if mode == "auto":
        if gen.base_url:
            mode = "server"
        elif gen.api_key is not None:
            mode = "openai"
        elif gen.local_model is not None or _local_available():
            mode = "local"
        else:
            mode = "extractive"
    if mode == "extractive":
        return Generator("extractive", EXTRACTIVE_MODEL)
    if mode == "openai":
        if gen.api_key is None:
            msg = "generation.mode is openai but no key is set: set OPENAI_API_KEY"
            raise GeneratorError(msg)
        return Generator("openai", gen.model, gen.base_url)
    if mode == "server":
        if not gen.base_url:
            msg = "generation.mode is server but generation.base_url is not set"
            raise GeneratorError(msg)
        return Generator("server", gen.model, gen.base_url)
    if gen.local_model is not None:
        if not gen.local_model.is_file():
            msg = f"VEILLE_LOCAL_MODEL / generation.local_model: no such file {gen.local_model}"
            raise GeneratorError(msg)
        return Generator("local", gen.local_model.name)
    if not _local_available():
        msg = "the local model is not installed: pip install 'veille[local]'"
        raise GeneratorError(msg)
    from assistant.local_model import MODEL_FILENAME

    return Generator("local", MODEL_FILENAME)


def _local_available() -> bool:
    try:
        from assistant.local_model import local_model_available
    except ImportError:
        return False
    return local_model_available()


def local_base_url(settings: Settings) -> str:
    """Start (once per process) the embedded llama.cpp server, and return its `/v1` URL."""
    try:
        from assistant.local_model import ensure_model, get_server
    except ImportError as exc:
        msg = f"the local model runtime is not installed ({exc}): pip install 'veille[local]'"
        raise GeneratorError(msg) from None
    gen = settings.generation
    path = gen.local_model if gen.local_model is not None else ensure_model(settings.models_dir)
    server = get_server(path, n_ctx=gen.n_ctx, n_threads=gen.threads)
    url: str = server.base_url
    return url


def make_chat_model(settings: Settings, generator: Generator) -> BaseChatModel:
    """A streaming `ChatOpenAI` for the generator's endpoint."""
    from langchain_openai import ChatOpenAI

    gen = settings.generation
    kwargs: dict[str, Any] = {
        "model": generator.model,
        "temperature": gen.temperature,
        "max_tokens": gen.max_tokens,
        "timeout": gen.timeout_s,
        "max_retries": 1,
        "streaming": True,
        "stream_usage": True,
    }
    if generator.mode == "local":
        kwargs["base_url"] = local_base_url(settings)
        kwargs["api_key"] = "local"
    else:
        if generator.base_url:
            kwargs["base_url"] = generator.base_url
        kwargs["api_key"] = gen.api_key if gen.api_key is not None else "not-needed"
    return ChatOpenAI(**kwargs)


_SERVER_ERRORS = {
    "APIConnectionError": "cannot reach the model server at {url} (connection failed)",
    "APITimeoutError": "the model server at {url} did not answer in time (generation.timeout_s)",
    "AuthenticationError": "the model server at {url} refused the API key",
    "PermissionDeniedError": "the API key may not use model {model} at {url}",
    "NotFoundError": "the model server at {url} does not know model {model}",
    "RateLimitError": "the model server at {url} is rate-limiting or out of quota",
    "InternalServerError": "the model server at {url} failed",
}
_SETTING_HINTS = {
    "openai": "check OPENAI_API_KEY / generation.api_key and generation.model, "
    "or answer without a model: --mode extractive",
    "server": "check OPENAI_BASE_URL / generation.base_url and generation.model, "
    "or answer without a model: --mode extractive",
    "local": "the bundled model server stopped; run the command again, "
    "or answer without a model: --mode extractive",
}


def model_error(exc: BaseException, generator: Generator) -> GeneratorError | None:
    """A one-line error naming the endpoint and the setting to fix, for an OpenAI-client error.

    None for anything else. The client's own message is not repeated: servers echo the request,
    key included, into it.
    """
    # langchain-openai re-raises the client's errors as subclasses of its own
    # (OpenAIConnectionError(openai.APIConnectionError)): look for the client's class.
    name = next(
        (
            cls.__name__
            for cls in type(exc).__mro__
            if cls.__module__.split(".")[0] == "openai" and cls.__name__ in _SERVER_ERRORS
        ),
        None,
    )
    if name is None:
        return None
    url = generator.base_url or ("the local model" if generator.mode == "local" else "OpenAI")
    message = _SERVER_ERRORS[name].format(url=url, model=generator.model)
    return GeneratorError(message, _SETTING_HINTS.get(generator.mode))
