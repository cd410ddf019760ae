"""What kind of answer a question wants: fact, list, summary, comparison, explanation, corpus.

"Combien de magasins compte Hema ?" wants one fact; "Quels sont les cinq points qui résument
Alibaba ?" a list; "Résume l'article sur Huitongda" a summary; "Compare JD et Tmall" a
comparison; "Pourquoi Alibaba investit-il dans les campagnes ?" an explanation; "Quels articles
parlent de Tencent ?" an inventory of the corpus. Read by rules from the French or English
question, on the same folded text as `assistant.questions.expect`; the first rule that matches
wins, in the order of `_RULES` (a corpus question that says "compare" is still about the
corpus). A question no rule matches is a fact: that is what Veille answered before it knew kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from assistant.analysis import fold

QuestionKind = Literal["fact", "list", "summary", "comparison", "explanation", "corpus"]
"""The answer shapes Veille knows; `Answer.kind` holds one of them."""

KINDS: Final[tuple[str, ...]] = get_args(QuestionKind)


def normalise(question: str) -> str:
    """The question as the rules read it: folded (lower case, no accents), one apostrophe."""
    return " ".join(fold(question).replace("’", "'").split())


# A document of the corpus, as a question names it ("articles", "documents", "textes").
_DOCS = r"(?:articles?|documents?|textes?|depeches?|sources?|fichiers?|papers?|stories|files?)"
# What a document does with a subject ("parlent de", "mentionnent", "which articles mention").
_MENTION = (
    r"(?:parl\w*|mentionn\w*|evoqu\w*|cit(?:e|es|ent|ant|er)\b|trait(?:e|ent|ant)\b|abord\w*|"
    r"concern(?:e|ent|ant)\b|contien\w*|discut\w*|nomm\w*|rapportent|question\b|mention\w*|"
    r"talk\w*|discuss\w*|cover\w*|refer(?:s|red)? to|deal\w*|are about|is about|say about|"
    r"disent|dit)"
)

# What the corpus says about a subject, rather than which documents mention it.
_ABOUT = (
    r"\b(?:que|qu'est-ce que) (?:dit|disent|raconte|racontent) (?:le corpus|les (?:articles|"
    r"documents|sources))\b"
    r"|\bwhat (?:does|do) (?:the )?(?:corpus|articles|documents|sources) (?:say|tell|report)\b"
)

CORPUS_ABOUT: Final = re.compile(_ABOUT)
"""The corpus questions that ask what the documents say about a subject ("Que dit le corpus
sur Hema ?"), not which of them mention it: answered with several sentences per document."""

CORPUS_TRIGGER: Final = re.compile(  # also where `assistant.corpus` finds the subject
    # "Quels articles parlent de Tencent", "combien d'articles du corpus mentionnent JD.com",
    # "dans quels documents est-il question de", "which articles mention", "how many
    # documents talk about": a document word, then (soon after) a verb of mentioning.
    rf"\b(?:(?:quel(?:le)?s?|combien de|lesquel(?:le)?s|which|what|how many)\s+|combien d')"
    rf"{_DOCS}\b(?:\s+\S+){{0,4}}?\s+{_MENTION}"
    # "que dit le corpus sur Hema", "what does the corpus say about", "dans le corpus, qui…"
    r"|" + _ABOUT + r"|\b(?:dans|in) (?:quels?|which) " + _DOCS + r"\b"
    r"|\b(?:liste|enumere|list) (?:les |tous les |all (?:the )?|the )?" + _DOCS + r"\b"
)

_COMPARISON: Final = re.compile(
    r"\bcompar\w*|\bdifferences? (?:entre|between)\b|\bdiffer\w* (?:de|from)\b|\bversus\b"
    r"|\bvs\.? |\bpar rapport (?:a|au|aux)\b|\bcontrairement (?:a|au|aux)\b"
    r"|\bqu'est-ce qui (?:distingue|differencie|separe)\b|\bdistingu\w* (?:de|from)\b"
    r"|\b(?:points? communs?|ressemblances?|similarit\w*|in common|what distinguishes)\b"
    r"|\bmieux que\b|\bbetter than\b"
)

_SUMMARY: Final = re.compile(
    r"\bresum\w*|\bsummar\w*|\bsynthes\w*|\bsynthetis\w*|\boverview\b|\ben bref\b|\bin brief\b"
    r"|\bque (?:dit|raconte|rapporte|explique) (?:l'article|le texte|le document|la depeche)\b"
    r"|\bde quoi (?:parle|traite) (?:l'article|le texte|le document)\b"
    r"|\bwhat (?:does|did) the (?:article|text|document|story) (?:say|tell|report)\b"
    r"|\bwhat is the (?:article|text|document|story) about\b"
    r"|\bgrandes lignes\b|\bl'essentiel de\b|\bmain points of\b|\bthe gist\b"
    r"|\bque (?:fait|prepare) \S+"
    r"|\bwhat is \S+ doing\b|\bwhat are \S+ doing\b"
)

_EXPLANATION: Final = re.compile(
    r"^pourquoi\b|\bpourquoi\b|^why\b|\bwhy (?:do|does|did|is|are|was|were|has|have|would)\b"
    # "comment" asks how, but "comment s'appelle" asks a name (a fact).
    r"|\bcomment (?!s'appell|se nomm|s'ecri|se dit|dit-on)"
    r"|\bhow (?:do|does|did|is|are|was|were|can|could|will|would|has|have)\b(?!.*\bcalled\b)"
    r"|\bexpliqu\w*|\bexplain\w*|\ben quoi\b|\bde quelle (?:maniere|facon)\b|\bin what way\b"
    r"|\bquelle(?:s)? (?:est|sont|etait|etaient) (?:la |les )?(?:raisons?|causes?)\b"
    r"|\bqu'est-ce qui (?:a )?(?:explique|provoqu|caus|motiv|pouss|justifi)\w*"
    r"|\bwhat (?:caused|explains|led to|drives|is behind)\b|\bfor what reason\b"
    r"|\bqu'est-ce que (?:le |la |les |l')|\bwhat is meant by\b|\bque signifie\b"
)

# Words that ask for one number or one name, never for a list ("quel est", "what is").
_NUMBERS: Final = (
    r"(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|two|three|four|five|six|seven|eight|"
    r"nine|ten|\d+)"
)

# A list asked in so many words: it wins over "résument" or "compare" in the same question.
_NUMBERED: Final = re.compile(
    r"\b(?:liste\w*|enumer\w*|list|name (?:the|all|some)|cite(?:z|r)? (?:les|des))\b"
    rf"|\b(?:les|the) {_NUMBERS} (?:points?|raisons?|etapes?|mesures?|axes?|piliers?|"
    r"chiffres?|reasons|steps|ways|things|key|facts|main)\b"
    rf"|\b(?:quel(?:le)?s sont|what are|which are|quel(?:le)?s etaient|what were) "
    rf"(?:les |the )?{_NUMBERS}\b"
)

_LIST: Final = re.compile(
    r"\b(?:quel(?:le)?s sont|what are|which are|what were|quel(?:le)?s etaient) "
    r"(?:les |the )?\w+"
    # "dans quelles provinces", "quels services", "which markets": a plural "which".
    r"|\bquel(?:le)?s (?!sont\b|etaient\b|seront\b|ont\b)\w+"
    r"|\bwhich \w{3,}s\b(?! (?:is|was)\b)|\bdans quel ordre\b|\bin what order\b|\bque font\b"
    r"|\bwhat did \S+(?: \S+)? (?:win|do|announce|launch)\b"
    r"|\bet lesquel(?:le)?s\b|\band which\b"
)

# Questions that ask one figure, date, person or place even where a list rule matched
# ("Combien de magasins… dans quelles villes" still wants a count).
_FACT_OVERRIDE: Final = re.compile(
    r"^(?:(?:en )?combien|how many|how much|how long|how far|quand|when|qui|who|ou |where|"
    r"en quelle)\b"
    r"|\bcombien (?:de |d')(?!" + _DOCS + r"\b)"
)

_RULES: Final[tuple[tuple[QuestionKind, re.Pattern[str]], ...]] = (
    ("corpus", CORPUS_TRIGGER),
    ("list", _NUMBERED),
    ("comparison", _COMPARISON),
    ("summary", _SUMMARY),
    ("explanation", _EXPLANATION),
    ("list", _LIST),
)


@dataclass(frozen=True, slots=True)
class Classification:
    """A question's kind and the words that decided it.

    Attributes:
        kind: The answer shape asked for.
        matched: The words of the (normalised) question the rule matched; empty when no rule
            did and the kind is "fact" by default (the case a model call could settle).
    """

    kind: QuestionKind
    matched: str = ""

    @property
    def sure(self) -> bool:
        """Whether a rule decided it (a default "fact" is a guess)."""
        return bool(self.matched)


def explain(question: str) -> Classification:
    """The question's kind, with the words that decided it (for the inspector).

    Args:
        question: The question as asked (French or English).

    Returns:
        The first kind whose rule matches, or "fact" with nothing matched.
    """
    q = normalise(question)
    for kind, pattern in _RULES:
        match = pattern.search(q)
        if match is None:
            continue
        if kind in ("list", "summary", "explanation") and _single_answer(q, kind):
            return Classification("fact", match.group().strip())
        return Classification(kind, match.group().strip())
    return Classification("fact")


def classify(question: str) -> QuestionKind:
    """The kind of answer a question wants.

    One of "fact", "list", "summary", "comparison", "explanation" or "corpus".

    Args:
        question: The question as asked (French or English).
    """
    return explain(question).kind


def _single_answer(q: str, kind: QuestionKind) -> bool:
    """Whether a list, summary or how-question asks one figure, date or name after all.

    "Combien de magasins… dans quelles villes", "how many stores…", "en combien de points
    le magazine a-t-il résumé…": one count.
    """
    if kind == "explanation":
        return bool(re.match(r"^(?:combien|how many|how much|how long|how far)\b", q))
    return bool(_FACT_OVERRIDE.search(q)) and not re.search(r"\bet lesquel|\band which\b", q)
