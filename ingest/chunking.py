"""Split document text into overlapping chunks of whole sentences, keeping exact offsets.

A chunk is a few sentences (up to `chunk_size` characters, never cutting a sentence unless the
sentence alone is longer), and the next chunk repeats the last `overlap` sentences so an answer
spanning a chunk boundary is still found whole (fewer when they would leave no room for a new
sentence: every chunk brings text the previous one did not have). Every chunk's text is exactly
`document_text[start:end]`, which is what makes citation offsets checkable.
"""

from __future__ import annotations

from assistant.text import sentence_spans
from assistant.types import CHUNKER_VERSION, Chunk

__all__ = ["CHUNKER_VERSION", "chunk_text"]


def chunk_text(
    text: str, *, source: str, doc_id: str, chunk_size: int = 700, overlap: int = 1
) -> list[Chunk]:
    """Chunks of `text`, in order, each with its character offsets.

    Args:
        text: The document text exactly as stored.
        source: Document path relative to the ingested root.
        doc_id: Unique document key.
        chunk_size: Target chunk length in characters.
        overlap: Sentences repeated from the end of one chunk at the start of the next.
    """
    spans: list[tuple[int, int]] = []
    for a, b in sentence_spans(text):
        if b - a > chunk_size:
            spans.extend(_cut_at_spaces(text, a, b, chunk_size))
        else:
            spans.append((a, b))
    chunks: list[Chunk] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= chunk_size:
            j += 1
        start, end = spans[i][0], spans[j][1]
        chunks.append(
            Chunk(source=source, doc_id=doc_id, text=text[start:end], start=start, end=end)
        )
        if j + 1 >= len(spans):
            break
        # Step forward, repeating up to `overlap` sentences but always making progress.
        nxt = max(i + 1, j + 1 - overlap)
        # Repeat fewer when the repeated sentences leave no room for the next one: a chunk of
        # repeated sentences alone would only be a copy of part of this one.
        while nxt <= j and spans[j + 1][1] - spans[nxt][0] > chunk_size:
            nxt += 1
        i = nxt
    return chunks


def _cut_at_spaces(text: str, a: int, b: int, size: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while b - a > size:
        cut = text.rfind(" ", a + size // 2, a + size)
        if cut <= a:
            cut = a + size
        pieces.append((a, cut))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a:
        pieces.append((a, b))
    return pieces
