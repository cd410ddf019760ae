"""The offline local LLM: assemble the bundled GGUF once, then serve it over HTTP on 127.0.0.1.

`modelfile` joins the 22 byte parts of the `local` extra into one verified file (`ensure_model`);
`server` runs llama.cpp's OpenAI-compatible server on it in a child process (`LocalLLMServer`,
`get_server`); `child` is what runs in that process and `protocol` the pipe between the two.
Nothing here imports `xllamacpp` at import time: the core works without the extra.
"""

from assistant.local_model.errors import INSTALL_HINT, ModelUnavailableError
from assistant.local_model.modelfile import (
    MODEL_FILENAME,
    MODEL_SHA256,
    MODEL_SIZE,
    bundled_parts,
    ensure_model,
    local_model_available,
)
from assistant.local_model.server import LocalLLMServer, get_server, physical_cores

__all__ = [
    "INSTALL_HINT",
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
