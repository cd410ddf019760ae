"""Words that count the same thing, in French and English, as data for the grounding checks.

A question asks "how many stores", the passage says "22 magasins"; a question asks "combien de
salariés", the passage only gives "600 millions de personnes". Each line below is one group of
nouns (French and English, singular forms; the analyser stems them) that name the same kind of
thing, so a figure counts what the question asks about only if its noun is in the question's
group. Kept small and general (retail, companies, people, time, money, places): a word in no
group matches only itself and its close spellings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from assistant.analysis import analyse, fold

GROUPS: Final = """
magasin boutique supermarche hypermarche enseigne succursale store shop outlet supermarket
salarie employe collaborateur effectif personnel employee staff worker workforce
client clientele consommateur acheteur customer buyer consumer shopper
utilisateur usager membre abonne user member subscriber
reference produit article marchandise item product sku good
personne habitant gens individu resident people person inhabitant
an annee year
mois month
jour journee day
heure hour
minute minute
semaine week
kilometre km kilometer kilometre
pays country nation
ville city town
province region state
village village
dollar usd
yuan rmb renminbi
euro eur
pourcent pourcentage part proportion taux percent percentage share rate
marque brand
commande order
drone drone
entrepot warehouse
livraison delivery
vente sale
point point
fois time
entreprise societe firme groupe compagnie company firm group business
plateforme platform
application app
directeur dirigeant dirige diriger patron pdg president chef head ceo director manager boss
fondateur fonde fonder creer cree createur founder found founded create created
siege headquarter headquarters
superficie surface taille area size
"""
"""One group per line: nouns that count the same kind of thing."""

_MULTIPLIERS: Final = (
    "million millions milliard milliards mille millier milliers centaine centaines dizaine "
    "dizaines billion billions thousand thousands hundred hundreds dozen dozens bn"
)
MULTIPLIERS: Final = frozenset(_MULTIPLIERS.split())
"""Words between a figure and what it counts ("712,2 millions de dollars")."""

_NUMBER_WORDS: Final = (
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "vingt trente quarante cinquante soixante cent mille "
    "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred thousand"
)
NUMBER_WORDS: Final = frozenset(_NUMBER_WORDS.split())
"""Figures written as words ("trois provinces"); "un", "une", "one" are left out (articles)."""

_FRACTIONS: Final = "moitie tiers quart quarts half third thirds quarter quarters majorite majority"
FRACTIONS: Final = frozenset(_FRACTIONS.split())
"""Shares written as words ("plus de la moitié des utilisateurs")."""

_CURRENCIES: Final = "dollar dollars yuan yuans euro euros usd rmb $ € ¥"
CURRENCIES: Final = frozenset(_CURRENCIES.split())
"""Units of money: "combien ... investit" is answered by an amount in one of these."""

_NOT_NAMES: Final = """
    internet web bourse etat etats
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    french english chinese american european german italian spanish japanese korean british
    indian russian african asian western eastern
"""
NOT_NAMES: Final = frozenset(_NOT_NAMES.split())
"""Words a question capitalises that are not names: common nouns written with a capital
(Internet, Bourse) and English months, days and nationalities, which a French corpus spells
differently ("janvier", "français")."""

_ORDINAL: Final = re.compile(
    r"\d+(?:er|re|ere|e|eme|ieme|nd|nde|st|rd|th)|[IVXLC]+(?:er|re|e|eme|ème)", re.IGNORECASE
)
_ROMAN_ORDINAL: Final = re.compile(r"[IVXLC]+(?:er|re|e|eme|ème)")
_FIGURE: Final = re.compile(r"\d+(?:[-/.,]\d+)*")


def is_ordinal(word: str) -> bool:
    """Whether a word is an ordinal ("1er", "14ème", "20th", "XIVe"; Roman numerals capitalised)."""
    if word[:1].isdigit():
        return bool(_ORDINAL.fullmatch(fold(word)))
    return bool(_ROMAN_ORDINAL.fullmatch(word))


def is_numeral(word: str) -> bool:
    """Whether a word is a figure or an ordinal ("2008-2009", "1er", "14ème", "XIVe").

    A question's "1er pasteur" or "saison 2008-2009" names no one: such words are not names
    that a sentence must repeat, nor (ordinals) unknown names when the corpus writes them
    otherwise.
    """
    return bool(_FIGURE.fullmatch(word)) or is_ordinal(word)


NAME_ALIASES: Final = """
chine china
france hexagone
pekin beijing
etats-unis usa us america united-states
royaume-uni uk britain united-kingdom
allemagne germany
espagne spain
italie italy
japon japan
inde india
russie russia
bresil brazil
coree korea
hong-kong hongkong
europe europe
afrique africa
asie asia
"""
"""Places a French text and an English question name differently (or French news names
by a figure of speech: "l'Hexagone"), one group per line."""


PERIPHRASES: Final = {
    "empire du milieu": "chine",
    "pays du soleil levant": "japon",
    "pays du matin calme": "coree",
    "oncle sam": "etats-unis",
    "vieux continent": "europe",
    "ville lumiere": "paris",
    "perfide albion": "royaume-uni",
    "outre rhin": "allemagne",
    "outre manche": "royaume-uni",
    "outre atlantique": "etats-unis",
}
"""Figures of speech by which French news names a place ("l'empire du Milieu" for China), each
with the place's name as `NAME_ALIASES` spells it; words are written apart ("outre rhin" is
also "Outre-Rhin")."""

_PERIPHRASE = re.compile(
    r"\b(?:" + "|".join(r"[\s-]+".join(map(re.escape, p.split())) for p in PERIPHRASES) + r")\b"
)


def periphrasis_places(text: str) -> dict[str, str]:
    """Each folded word of `text` that is part of a place's figure of speech, with the place.

    "Vendre dans l'empire du Milieu" gives {"empire": "chine", "du": "chine", "milieu":
    "chine"}: the capitalised "Milieu" names China, not an unknown "Milieu".
    """
    places: dict[str, str] = {}
    for match in _PERIPHRASE.finditer(fold(text)):
        words = re.split(r"[\s-]+", match.group())
        place = PERIPHRASES[" ".join(words)]
        places.update(dict.fromkeys(words, place))
    return places


@lru_cache(maxsize=1)
def groups() -> tuple[frozenset[str], ...]:
    """Each line of `GROUPS` as the set of its stems."""
    return tuple(
        frozenset(s for w in line.split() for s in stems_of(w))
        for line in GROUPS.strip().splitlines()
    )


def stems_of(word: str) -> list[str]:
    """The analyser's stems of one word, an English plural's singular included."""
    folded = fold(word)
    stems = analyse(folded) or [folded]
    # English plurals: the French stemmer leaves "stores" as "stor"; "store" gives "stor" too.
    if folded.endswith("s") and len(folded) > 3:
        stems += analyse(folded[:-1]) or [folded[:-1]]
    return stems


@lru_cache(maxsize=4096)
def related_stems(word: str) -> frozenset[str]:
    """The stems of `word` and of every word of its `GROUPS` group."""
    stems = set(stems_of(word))
    for group in groups():
        if stems & group:
            stems |= group
    return frozenset(stems)


def related(stems: frozenset[str], wanted: frozenset[str]) -> bool:
    """Whether any of `stems` names the same thing as any of `wanted`."""
    if stems & wanted:
        return True
    # Close spellings and cognates ("drone"/"dron", "kilometer"/"kilometr"): a shared
    # five-letter beginning, but only between words no group of the lexicon knows, so that
    # "personnes" (people) never passes for "personnel" (staff).
    known = known_stems()
    return any(
        len(s) >= 5 and len(w) >= 5 and s[:5] == w[:5] and s not in known and w not in known
        for s in stems
        for w in wanted
    )


@lru_cache(maxsize=1)
def known_stems() -> frozenset[str]:
    """Every stem some group of the lexicon holds."""
    return frozenset().union(*groups())


def sentence_stems(sentence: str) -> list[str]:
    """The stems of every word of a sentence."""
    return [s for w in re.findall(r"[^\W\d_]+", sentence) for s in stems_of(w)]


def group_of(stem: str) -> frozenset[str]:
    """The group a stem belongs to (itself alone if none)."""
    for group in groups():
        if stem in group:
            return group
    return frozenset({stem})


@lru_cache(maxsize=1024)
def aliases(word: str) -> frozenset[str]:
    """The other spellings of a place name (`NAME_ALIASES`), folded."""
    for line in NAME_ALIASES.strip().splitlines():
        group = line.split()
        if word in group:
            return frozenset(group)
    return frozenset()
