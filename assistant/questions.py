"""What a question asks for: its answer type, the thing a quantity counts, its attribute, its names.

"Combien de drones JD.com utilise-t-il ?" asks for a quantity that counts drones, about JD.com;
"Dans quelle ville se trouve le siège de Huitongda ?" for a place, and the sentence that answers
says "siège"; "Qui a fondé JD.com ?" for a name, next to "fondé". Read by rules from the French
or English question (`expect`); `assistant.grounding` checks sentences against the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Final, Literal

from assistant import lexicon
from assistant.analysis import STOP_WORDS, fold

Kind = Literal["quantity", "date", "who", "place", "name", "other"]


# A quantity of money: "quel montant", "combien ... investi", "how much ... spend".
_MONEY: Final = re.compile(
    r"\b(?:quel montant|quelle somme|chiffre d'affaires|volume d'affaires|"
    r"combien\b.*\b(?:investi|depens|coute|leve|apport|pay|rapport|gagn|vaut|valoris|factur)|"
    r"how much\b.*\b(?:invest|spen|cost|rais|pa(?:y|id)|earn|worth|value|charg)|"
    r"what (?:amount|sum|revenue|turnover)|business volume|sales volume)"
)


_WEIGHS: Final = re.compile(
    r"\bcombien (?:pese|pesent|pesait|pesaient)\b|\bhow much do\w* .*\bweigh"
)


_CHANGE: Final = re.compile(
    r"\b(?:augment|progress|hausse|baiss|recul|croiss|increas|grow|grew|rose|fell|drop)"
)


# "Combien de temps", "how long": a duration in any unit of time.
_DURATION_WORDS: Final = frozenset({"temps", "duree", "delai", "time", "long"})


_DURATION_UNITS: Final = ("an", "mois", "semaine", "jour", "heure", "minute")


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
    r"\b(?:quelle part|quel pourcentage|quelle proportion|quelle participation|what share|"
    r"what percentage|what stake|how big a stake|"
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
    r"quelle (?:est|etait) (?:la |l')?(?:date|annee)|"
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
    "officiel officielle official "
    # A role asked for by its category: the answer ("Senior Advisor") never repeats the word.
    "job title titre poste fonction position"
)


_VAGUE: Final = frozenset(_VAGUE_WORDS.split())


# Words after "quel est" / "qui" that say nothing a sentence must repeat: verbs' auxiliaries and
# modals ("Pour qui étaient écrits…", "Qui fut…"), a pronoun after a hyphen ("sont-ils"), ranks
# and degrees ("le second", "la plus grande"), and what only names the answer's type ("la
# date", "la durée": a date or a quantity answers, whatever its words).
_AUXILIARY_WORDS: Final = (
    "fut furent etait etaient ete sera seront serait seraient avait avaient aura auront "
    "aurait auraient peut peuvent pouvait pourrait doit doivent devait devrait fait font va vont"
)


_AUXILIARIES: Final = frozenset(_AUXILIARY_WORDS.split())
"""Auxiliaries and modals: a verb may follow them ("Qui a été influencée…")."""


_NOT_ATTRIBUTE_WORDS: Final = (
    "il ils elle elles on "
    "autre autres ancien anciens ancienne anciennes dernier derniers derniere dernieres "
    "second seconde deuxieme troisieme principaux principales plus moins grand grande "
    "grands grandes meilleur meilleure seul seule actuel actuelle "
    "date annee epoque periode duree moment jour"
)


_NOT_ATTRIBUTE: Final = (
    frozenset(_NOT_ATTRIBUTE_WORDS.split()) | _AUXILIARIES | lexicon.NUMBER_WORDS
)


_VERB_PATTERNS: Final = frozenset({1, 2, 7})
"""The `_ATTRIBUTE` patterns whose word, right after "qui"/"who" and its auxiliary, is a verb."""


_ARTICLE: Final = re.compile(r"\b(?:le|la|les|l'|the) ")


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
        attribute_verb: The attribute is the verb relating the answer to the question's names
            ("qui a réhabilité", "qui est placé"), which an answering sentence may say in
            other words ("reprise par"), not a noun naming what is asked ("le père de").
    """

    kind: Kind
    focus: frozenset[str] = field(default_factory=frozenset)
    focus_word: str = ""
    share: bool = False
    attribute: frozenset[str] = field(default_factory=frozenset)
    attribute_word: str = ""
    attribute_verb: bool = False

    @property
    def checkable(self) -> bool:
        """Whether there is anything to check a sentence against."""
        return self.kind != "other" or bool(self.attribute)


def expect(question: str) -> Expectation:
    """The answer type a question asks for, the focus of a quantity, and its attribute."""
    found = _expect_type(question)
    if found.kind == "quantity" and found.focus:
        return found
    q = fold(question).replace("’", "'")
    # "Panafieu's job title": the possessive is the name's, not an attribute.
    named = {fold(part).removesuffix("'s") for name in question_names(question) for part in name}
    for index, pattern in enumerate(_ATTRIBUTE):
        match = pattern.search(q)
        if not match:
            continue
        # "Qui a réhabilité…", "Qui est placé…", "who founded": the attribute is the verb that
        # relates the answer to the question's names (after auxiliaries only, no article).
        verb = index in _VERB_PATTERNS and not _ARTICLE.search(match.group(0))
        # "le nom de la filiale", "the full name of the company": what follows the vague word.
        words = [match.group(1), *re.findall(r"[a-z-]+", q[match.end() :])[:4]]
        for written in words:
            word = written.strip("-")  # "sont -ils", "entre-t-il": the hyphen is the verb's
            if "-" in word and word.rsplit("-", 1)[1] in _NOT_ATTRIBUTE:
                continue  # "est-il", "devient-elle"
            if word not in _AUXILIARIES:
                verb = verb and not (
                    word in _VAGUE or word in STOP_WORDS or word in named or len(word) < 3
                )
            if (
                word in _VAGUE
                or word in _NOT_ATTRIBUTE
                or word in _ADJECTIVES
                or word in STOP_WORDS
                or word in named
                or len(word) < 3
            ):
                continue
            return replace(
                found,
                attribute=lexicon.related_stems(word),
                attribute_word=word,
                attribute_verb=verb,
            )
    return found


def _expect_type(question: str) -> Expectation:
    q = fold(question).replace("’", "'")
    if re.search(r"\b(?:combien de temps|how long|quelle (?:est|etait|a ete) la duree)\b", q):
        return Expectation("quantity", _duration_stems(), "temps")
    for pattern in _QUANTITY_FOCUSED:
        match = pattern.search(q)
        if match:
            word = _focus_word(q, match)
            if word in _DURATION_WORDS:
                return Expectation("quantity", _duration_stems(), word)
            return Expectation(
                "quantity", lexicon.related_stems(word), word, share=bool(_SHARE.search(q))
            )
    if _WEIGHS.search(q):
        # "Combien pèse l'e-commerce chinois": what a market weighs is money or a share; a
        # thing weighs kilograms or tonnes.
        stems = _money_stems() | lexicon.related_stems("pourcentage") | {"%"}
        stems |= lexicon.related_stems("kilogramme") | lexicon.related_stems("tonne")
        return Expectation("quantity", stems | {"kg", "kilo"}, "valeur")
    if _MONEY.search(q):
        stems = _money_stems()
        if _CHANGE.search(q):  # "de combien a-t-il augmenté": an amount or a percentage
            stems |= lexicon.related_stems("pourcentage") | {"%"}
        return Expectation("quantity", stems, "argent")
    if _SHARE.search(q):
        return Expectation("quantity", lexicon.related_stems("pourcentage"), "%", share=True)
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
    "main large managing executive"
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
    return frozenset().union(*(lexicon.related_stems(unit) for unit in _DURATION_UNITS))


@lru_cache(maxsize=1)
def _money_stems() -> frozenset[str]:
    return frozenset(s for word in lexicon.CURRENCIES for s in lexicon.stems_of(word)) | frozenset(
        lexicon.CURRENCIES
    )


_WORD: Final = re.compile(r"[^\W_][\w.&'’-]*")
_ELISION: Final = re.compile(r"^(?:[dlnsjc]|qu|jusqu|lorsqu|puisqu)['’](?=[A-Z])")


def question_names(question: str) -> list[tuple[str, ...]]:
    """The names a question is about, each as a run of words ("Cainiao Network").

    Capitalised words after the first one, and words mixing letters and digits ("B2C");
    capitalised common words (Internet, English months and nationalities), figures and
    ordinals ("2008-2009", "1er", "XIVe") are not names.
    """
    names: list[tuple[str, ...]] = []
    run: list[str] = []
    for i, match in enumerate(_WORD.finditer(question)):
        word = _ELISION.sub("", match.group()).rstrip(".'’-")
        if not word:
            continue
        folded = fold(word)
        looks_named = (i > 0 and word[0].isupper()) or (
            any(c.isdigit() for c in word) and not word.isdigit()
        )
        if (
            looks_named
            and folded not in lexicon.NOT_NAMES
            and folded not in STOP_WORDS
            and not lexicon.is_numeral(word)
        ):
            run.append(word)
            continue
        if run:
            names.append(tuple(run))
            run = []
    if run:
        names.append(tuple(run))
    return names


_ATTRIBUTION: Final = re.compile(
    r"\b(?:selon|d'apres|according to|says?|said)\s+(?:[\w-]+['’\s]+){0,3}$"
)
_COORDINATION: Final = re.compile(
    r"^[\s,]*(?:[\w-]+['’\s]+){0,2}?(?:et|and|ou|or|,)\s+(?:[\w-]+['’\s]+){0,2}$"
)


def subject_names(question: str) -> list[list[tuple[str, ...]]]:
    """The names an answering sentence must be about, as groups of alternatives.

    A name the question attributes the answer to ("selon Olivier de Panafieu", "according to
    the analyst Mao") is who says it, which a quote rarely repeats; names joined by "et"/"and"
    ("Liu Dingding et l'analyste Mao Ajing") are one group, any of which may be the sentence's.
    """
    folded = fold(question).replace("’", "'")
    groups: list[list[tuple[str, ...]]] = []
    cursor = 0
    previous_end: int | None = None
    for name in question_names(question):
        start = folded.find(fold(name[0]), cursor)
        if start < 0:
            continue
        last = folded.find(fold(name[-1]), start)
        end = last + len(name[-1]) if last >= 0 else start + len(name[0])
        cursor = end
        if _ATTRIBUTION.search(folded[max(0, start - 60) : start]):
            previous_end = None
            continue
        if previous_end is not None and _COORDINATION.match(folded[previous_end:start]):
            groups[-1].append(name)
        else:
            groups.append([name])
        previous_end = end
    return groups
