"""What a question asks for, and whether a sentence gives it: the answer-type and binding checks.

A sentence that shares the question's words is not an answer unless it holds what the question
asks for, bound to the right thing. "Combien de drones JD.com utilise-t-il ?" wants a figure
that counts drones; "JD.com expérimente la livraison par drone dans trois provinces" has a
figure, but it counts provinces. `expect(question)` reads the expected answer type and its
focus (the thing counted) from the question, in French or English; `figures(sentence)` finds
each figure with the noun it is bound to ("22 magasins", "712,2 millions de dollars",
"17,3% des ventes"); `gives(expectation, sentence)` says whether the sentence answers.

Rules, not a model: French puts a figure before what it counts, so the noun after the figure
(past multipliers and "de") is what it counts; a noun just before it ("une clientèle de 2
milliards") counts too. Nouns match by stem, close spelling, or a group of `lexicon.GROUPS`,
which is also what carries an English question over French text. The checks run in every mode,
the extractive one included, and feed the refusal decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Final, Literal

from assistant import lexicon
from assistant.analysis import STOP_WORDS, analyse, fold

Kind = Literal["quantity", "date", "who", "place", "name", "other"]

_TOKEN: Final = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*|[%$€¥]|[^\W\d_]+(?:['’][^\W\d_]+)?")
_YEAR: Final = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH_NAMES: Final = (
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "january february march april may june july august september october november december"
)
_MONTHS: Final = frozenset(_MONTH_NAMES.split())
_WEEKDAY_NAMES: Final = (
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "monday tuesday wednesday thursday friday saturday sunday"
)
_WEEKDAYS: Final = frozenset(_WEEKDAY_NAMES.split())
# A quantity of money: "quel montant", "combien ... investi", "how much ... spend".
_MONEY: Final = re.compile(
    r"\b(?:quel montant|quelle somme|chiffre d'affaires|volume d'affaires|"
    r"combien\b.*\b(?:investi|depens|coute|leve|apport|pay|rapport|gagn|vaut|valoris)|"
    r"how much\b.*\b(?:invest|spen|cost|rais|pa(?:y|id)|earn|worth|value)|"
    r"what (?:amount|sum|revenue|turnover)|business volume|sales volume)"
)
_CHANGE: Final = re.compile(
    r"\b(?:augment|progress|hausse|baiss|recul|croiss|increas|grow|grew|rose|fell|drop)"
)
# "Combien de temps", "how long": a duration in any unit of time.
_DURATION_WORDS: Final = frozenset({"temps", "duree", "delai", "time", "long"})
_DURATION_UNITS: Final = ("an", "mois", "semaine", "jour", "heure", "minute")
_LINKS: Final = frozenset({"de", "d", "des", "du", "of", "en"})
_PAUSE: Final = re.compile(r"[,;:()\[\]«»\"“”–—!?]|\s-\s|\.\s")

# Question forms, on folded text. The first group is the focus where there is one.
_QUANTITY_FOCUSED: Final = (
    re.compile(r"\bcombien (?:de |d['’]|d )(?:l['’])?([a-z-]+)"),
    re.compile(r"\bhow many ([a-z-]+)"),
    re.compile(
        r"\b(?:quel(?:le)?s?|what) (?:est|etait|sont|is|was|are) (?:le |la |les |the )?"
        r"(?:nombre|number|total) (?:de |d['’]|des |du |of )(?:l['’]|the )?([a-z-]+)"
    ),
)
_SHARE: Final = re.compile(
    r"\b(?:quelle part|quel pourcentage|quelle proportion|what share|what percentage|"
    r"what proportion|how much of|(?:quel|quelle) (?:est|etait) (?:la |le )?"
    r"(?:part|pourcentage|proportion|taux)|what (?:is|was) the (?:share|percentage|proportion|"
    r"rate)|market share)\b"
)
_QUANTITY: Final = re.compile(
    r"\b(combien|how much|how many|quel montant|what amount|quel chiffre|quel prix|"
    r"what price|how long|how far|combien de temps)\b"
)
_DATE: Final = re.compile(
    r"\b(quand|en quelle annee|quelle annee|a quelle date|quel jour|depuis quand|when|"
    r"what year|which year|what date|on what day)\b"
)
_WHO: Final = re.compile(
    r"^(?:qui|who)\b|\b(?:quelle (?:entreprise|societe|firme|compagnie)|quel groupe|"
    r"which (?:company|firm|group|investor)|who)\b"
)
# "où" is matched before folding: folded, it is "ou" (or).
_WHERE: Final = re.compile(r"(?:^|\s|d['’])où\b")
_PLACE: Final = re.compile(
    r"\b(?:where|dans quelle ville|quelle ville|quel pays|which city|"
    r"which country|dans quel pays|in which city|in which country)\b"
)
_NAME: Final = re.compile(
    r"\b(?:quel (?:est le )?nom|comment s['’]appelle|comment se nomme|what is the name|"
    r"what name|how is .* called)\b"
)


# What a question asks about the thing it names, on folded text.
_ATTRIBUTE: Final = (
    re.compile(
        r"\b(?:quel|quelle|quels|quelles) (?:est|sont|etait|etaient) (?:le |la |les |l')?"
        r"([a-z-]+)"
    ),
    re.compile(r"\bqui (?:est|etait|sont) (?:le |la |les |l')?([a-z-]+)"),
    re.compile(r"\bqui (?:a |ont |avait )?(?!est\b|etait\b|sont\b)([a-z-]+)"),
    re.compile(r"\b(?:se trouve|se situe|est situe|est installe) (?:le |la |les |l')?([a-z-]+)"),
    re.compile(r"\bcomment (?:s'appelle|se nomme|s'appellent) (?:le |la |les |l')?([a-z-]+)"),
    re.compile(r"\bwhat (?:is|was|are|were) (?:the )?([a-z-]+)"),
    re.compile(r"\bwho (?:is|was|are|were) (?:the )?([a-z-]+)"),
    re.compile(r"\bwho ([a-z-]+ed)\b"),
)
# Words that ask for nothing in particular ("quel est le nom", "what is the name").
_VAGUE_WORDS: Final = (
    "nom name chose thing cas objet role type sorte genre kind moyen way raison reason "
    "principal principale main premier premiere first full complet complete exact exacte "
    "officiel officielle official"
)
_VAGUE: Final = frozenset(_VAGUE_WORDS.split())


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a question asks for.

    Attributes:
        kind: The answer type.
        focus: The stems of what a quantity must count ("magasin"), synonyms and translations
            included; empty when the question does not say ("Combien investit Alibaba ?").
        focus_word: The focus as the question wrote it, for messages.
        share: The question asks for a share or a percentage.
        attribute: The stems of what the question asks about the thing it names ("le siège
            de Huitongda", "qui a fondé", "the head of Hema"): a sentence that answers says it.
        attribute_word: The attribute as the question wrote it.
    """

    kind: Kind
    focus: frozenset[str] = field(default_factory=frozenset)
    focus_word: str = ""
    share: bool = False
    attribute: frozenset[str] = field(default_factory=frozenset)
    attribute_word: str = ""

    @property
    def checkable(self) -> bool:
        """Whether there is anything to check a sentence against."""
        return self.kind != "other" or bool(self.attribute)


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure of a sentence and the nouns it is bound to (stems), with its offsets."""

    start: int
    end: int
    text: str
    bound: frozenset[str]


def expect(question: str) -> Expectation:
    """The answer type a question asks for, the focus of a quantity, and its attribute."""
    found = _expect_type(question)
    if found.kind == "quantity" and found.focus:
        return found
    q = fold(question).replace("’", "'")
    named = {fold(part) for name in question_names(question) for part in name}
    for pattern in _ATTRIBUTE:
        match = pattern.search(q)
        if not match:
            continue
        # "le nom de la filiale", "the full name of the company": what follows the vague word.
        words = [match.group(1), *re.findall(r"[a-z-]+", q[match.end() :])[:4]]
        for word in words:
            if word in _VAGUE or word in STOP_WORDS or word in named or len(word) < 3:
                continue
            return replace(found, attribute=related_stems(word), attribute_word=word)
    return found


def _expect_type(question: str) -> Expectation:
    q = fold(question).replace("’", "'")
    if re.search(r"\b(?:combien de temps|how long)\b", q):
        return Expectation("quantity", _duration_stems(), "temps")
    for pattern in _QUANTITY_FOCUSED:
        match = pattern.search(q)
        if match:
            word = _focus_word(q, match)
            if word in _DURATION_WORDS:
                return Expectation("quantity", _duration_stems(), word)
            return Expectation("quantity", related_stems(word), word, share=bool(_SHARE.search(q)))
    if _MONEY.search(q):
        stems = _money_stems()
        if _CHANGE.search(q):  # "de combien a-t-il augmenté": an amount or a percentage
            stems |= related_stems("pourcentage") | {"%"}
        return Expectation("quantity", stems, "argent")
    if _SHARE.search(q):
        return Expectation("quantity", related_stems("pourcentage"), "%", share=True)
    if _DATE.search(q):
        return Expectation("date")
    if _QUANTITY.search(q):
        return Expectation("quantity")
    if _NAME.search(q):
        return Expectation("name")
    if _WHO.search(q):
        return Expectation("who")
    if _WHERE.search(question.lower()) or _PLACE.search(q):
        return Expectation("place")
    return Expectation("other")


_ADJECTIVE_WORDS: Final = (
    "nouveau nouveaux nouvelle nouvelles different differents differente differentes autres "
    "premiers premieres grands grandes petits petites new different other first big small "
    "main large"
)
_ADJECTIVES: Final = frozenset(_ADJECTIVE_WORDS.split()) | lexicon.NOT_NAMES


def _focus_word(q: str, match: re.Match[str]) -> str:
    """The counted noun: the first word after "combien de" / "how many" that is no adjective."""
    first: str = match.group(1)
    words: list[str] = [first, *re.findall(r"[a-z-]+", q[match.end() :])[:2]]
    for word in words:
        if word not in _ADJECTIVES and word not in STOP_WORDS:
            return word
    return first


@lru_cache(maxsize=1)
def _duration_stems() -> frozenset[str]:
    return frozenset().union(*(related_stems(unit) for unit in _DURATION_UNITS))


@lru_cache(maxsize=1)
def _money_stems() -> frozenset[str]:
    return frozenset(s for word in lexicon.CURRENCIES for s in _stems(word)) | frozenset(
        lexicon.CURRENCIES
    )


@lru_cache(maxsize=4096)
def related_stems(word: str) -> frozenset[str]:
    """The stems of `word` and of every word of its `lexicon.GROUPS` group."""
    stems = set(_stems(word))
    for group in _groups():
        if stems & group:
            stems |= group
    return frozenset(stems)


@lru_cache(maxsize=1)
def _groups() -> tuple[frozenset[str], ...]:
    return tuple(
        frozenset(s for w in line.split() for s in _stems(w))
        for line in lexicon.GROUPS.strip().splitlines()
    )


def _stems(word: str) -> list[str]:
    folded = fold(word)
    stems = analyse(folded) or [folded]
    # English plurals: the French stemmer leaves "stores" as "stor"; "store" gives "stor" too.
    if folded.endswith("s") and len(folded) > 3:
        stems += analyse(folded[:-1]) or [folded[:-1]]
    return stems


def _is_number(token: str) -> bool:
    return token[0].isdigit() or fold(token) in lexicon.NUMBER_WORDS


def figures(sentence: str) -> list[Figure]:
    """Each figure of a sentence with the nouns it counts (and the unit it is in)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(sentence)]

    def after_pause(j: int) -> bool:
        # A comma, a dash or a bracket between two tokens ends what a figure can count.
        return j > 0 and bool(_PAUSE.search(sentence, tokens[j - 1][1], tokens[j][0]))

    found: list[Figure] = []
    for i, (a, b, text) in enumerate(tokens):
        if not _is_number(text) or (i > 0 and _is_number(tokens[i - 1][2])):
            continue
        if _YEAR.fullmatch(text):
            continue  # a year dates something; it counts nothing
        bound: set[str] = set()
        j = i + 1
        # Past further number words, multipliers and "de" ("712,2 millions de dollars").
        while j < len(tokens) and (
            _is_number(tokens[j][2])
            or fold(tokens[j][2]) in lexicon.MULTIPLIERS
            or fold(tokens[j][2]) in _LINKS
        ):
            j += 1
        while j < len(tokens) and not after_pause(j):
            word = fold(tokens[j][2])
            if word == "%":
                bound.add("%")
                bound |= related_stems("pourcentage")
                j += 1
            elif word in STOP_WORDS or word in _LINKS:
                j += 1
                continue
            else:
                bound.update(_stems(word))
                j += 1
            # After a unit, what it measures: "17,3% des ventes", "dollars de chiffre".
            if (word in lexicon.CURRENCIES or word == "%") and (
                j + 1 < len(tokens) and fold(tokens[j][2]) in _LINKS
            ):
                nxt = fold(tokens[j + 1][2])
                if nxt not in STOP_WORDS and not _is_number(nxt):
                    bound.update(_stems(nxt))
            break
        # A noun just before ("une clientèle de 2 milliards", "un effectif de 500").
        k = i - 1
        if k >= 0 and fold(tokens[k][2]) in _LINKS:
            k -= 1
            if k >= 0 and fold(tokens[k][2]) not in STOP_WORDS:
                bound.update(_stems(tokens[k][2]))
        found.append(Figure(a, b, text, frozenset(bound)))
    return found


def _related(stems: frozenset[str], wanted: frozenset[str]) -> bool:
    if stems & wanted:
        return True
    # Close spellings and cognates ("drone"/"dron", "kilometer"/"kilometr"): a shared
    # five-letter beginning, but only between words no group of the lexicon knows, so that
    # "personnes" (people) never passes for "personnel" (staff).
    known = _known()
    return any(
        len(s) >= 5 and len(w) >= 5 and s[:5] == w[:5] and s not in known and w not in known
        for s in stems
        for w in wanted
    )


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset().union(*_groups())


def _sentence_stems(sentence: str) -> list[str]:
    return [s for w in re.findall(r"[^\W\d_]+", sentence) for s in _stems(w)]


def has_date(sentence: str) -> bool:
    """Whether a sentence states a date: a year, or a month name."""
    if _YEAR.search(sentence):
        return True
    return any(fold(w) in _MONTHS | _WEEKDAYS for w in re.findall(r"[^\W\d_]+", sentence))


def has_name(sentence: str, question: str) -> bool:
    """Whether a sentence names someone or something the question does not already name."""
    asked = {fold(w) for w in re.findall(r"[\w.-]+", question)}
    words = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w.-]*[A-Za-z0-9]", sentence.strip())
    return any(fold(w) not in asked and fold(w) not in STOP_WORDS for w in words)


_WORD: Final = re.compile(r"[^\W_][\w.&'’-]*")


def question_names(question: str) -> list[tuple[str, ...]]:
    """The names a question is about, each as a run of words ("Cainiao Network").

    Capitalised words after the first one, and words mixing letters and digits ("B2C");
    capitalised common words (Internet, English months and nationalities) are not names.
    """
    names: list[tuple[str, ...]] = []
    run: list[str] = []
    for i, match in enumerate(_WORD.finditer(question)):
        word = match.group().rstrip(".'’-")
        if not word:
            continue
        folded = fold(word)
        looks_named = (i > 0 and word[0].isupper()) or (
            any(c.isdigit() for c in word) and not word.isdigit()
        )
        if looks_named and folded not in lexicon.NOT_NAMES and folded not in STOP_WORDS:
            run.append(word)
            continue
        if run:
            names.append(tuple(run))
            run = []
    if run:
        names.append(tuple(run))
    return names


def mentions(names: list[tuple[str, ...]], text: str, *, fuzzy: int = 85) -> bool:
    """Whether a text names each of `names`, every word of a multi-word name.

    Misspellings and transliterations ("Pinduoduo" for "Pingduoduo") match at rapidfuzz
    ratio `fuzzy` or more.
    """
    return all(_mentions_one(name, text, fuzzy) for name in names)


def mentions_any(names: list[tuple[str, ...]], text: str, *, fuzzy: int = 85) -> bool:
    """Whether a text names at least one of `names` (see `mentions`)."""
    return any(_mentions_one(name, text, fuzzy) for name in names)


def _mentions_one(name: tuple[str, ...], text: str, fuzzy: int) -> bool:
    from rapidfuzz import fuzz, process

    folded = fold(text)
    words = {w.rstrip(".") for w in re.findall(r"[\w.&-]+", folded)}
    for part in name:
        target = fold(part)
        if target in folded or any(alias in words for alias in _aliases(target)):
            continue
        best = process.extractOne(target, words, scorer=fuzz.ratio)
        if best is None or best[1] < fuzzy:
            return False
    return True


@lru_cache(maxsize=1024)
def _aliases(word: str) -> frozenset[str]:
    for line in lexicon.NAME_ALIASES.strip().splitlines():
        group = line.split()
        if word in group:
            return frozenset(group)
    return frozenset()


def gives(
    expectation: Expectation,
    sentence: str,
    question: str = "",
    *,
    context: str | None = None,
    retrieved: str | None = None,
    fuzzy: int = 85,
) -> bool:
    """Whether a sentence holds what the question asks for (its type, bound to its focus).

    The sentence, or its `context` (the text around it that says what its pronouns are
    about), must also name what the question is about: a figure for "Combien Cainiao a-t-il
    dépensé ?" in a passage about Alibaba answers another question. With `retrieved` (all
    the retrieved text), every name must be there and one of them in the context.
    """
    if expectation.checkable and question:
        names = question_names(question)
        local = context or sentence
        if names and retrieved is not None:
            # Every name somewhere in what was retrieved, one of them where the answer is: a
            # two-article question names both articles' subjects.
            if not mentions(names, retrieved, fuzzy=fuzzy) or not any(
                _mentions_one(name, local, fuzzy) for name in names
            ):
                return False
        elif names and not mentions(names, local, fuzzy=fuzzy):
            return False
    if expectation.attribute and not _related(
        frozenset(_sentence_stems(sentence)), expectation.attribute
    ):
        return False
    kind = expectation.kind
    if kind == "quantity":
        found = figures(sentence)
        if not found:
            return False
        if not expectation.focus:
            return True
        if any(_related(f.bound, expectation.focus) for f in found):
            return True
        # "les épiceries ... – le pays en compte 6 millions": a figure that counts nothing
        # after it, in a sentence that names the focus, counts the focus.
        bare = [f for f in found if not f.bound]
        return bool(bare) and _related(frozenset(_sentence_stems(sentence)), expectation.focus)
    if kind == "date":
        return has_date(sentence)
    if kind in ("who", "name", "place"):
        return has_name(sentence, question) if question else True
    return True


def bound_figures_agree(claim: str, quote: str) -> bool:
    """Whether every figure of a claim counts, in the quote, the same kind of thing.

    "Alibaba has 600 million employees [1]" over "600 millions de personnes" does not agree:
    the quote's 600 million counts people, the claim's counts employees. A figure of the claim
    with no noun ("22 [1]") or a quote figure with no noun agrees with anything.
    """
    quote_figures = figures(quote)
    for figure in figures(claim):
        if not figure.bound:
            continue
        wanted = frozenset(s for stem in figure.bound for s in _expand(stem))
        same_value = [q for q in quote_figures if _same_value(q.text, figure.text)]
        if not same_value:
            continue  # the number check elsewhere decides
        if not any(not q.bound or _related(q.bound, wanted) for q in same_value):
            return False
    return True


def _expand(stem: str) -> frozenset[str]:
    for group in _groups():
        if stem in group:
            return group
    return frozenset({stem})


def _same_value(a: str, b: str) -> bool:
    from assistant.numbers import numbers

    na, nb = numbers(a), numbers(b)
    if na and nb:
        return bool(na & nb)
    return fold(a) == fold(b)
