"""Every quantity of a document text: its value, number, unit, what it counts, whose it is.

`extract(text)` turns each figure the grounding checks find (`assistant.grounding.figures`:
years, dates and a number after a number already left out) into a `FigureFact` whose `quote`
is the whole sentence, at offsets into the document text (`text[start:end] == quote`), so a
table of figures is a table of checkable quotes. Rules, not a model, in French word order:
the unit follows the figure past its multipliers ("712,2 millions de dollars"), what it
counts follows the unit or the figure ("17,3% des ventes en ligne", "22 magasins"), and the
entity is the first proper name of the figure's clause. Where the sentence gives no noun for
a figure ("le pays en compte 6 millions"), `what` stays empty rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from assistant import lexicon
from assistant.analysis import STOP_WORDS, fold
from assistant.grounding import figures as sentence_figures
from assistant.numbers import number_words, numbers
from assistant.text import sentence_spans

_WORD: Final = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*|[%$€¥]|[^\W_]+(?:[-.][^\W_]+)*")
_PAUSE: Final = re.compile(r"[,;:()\[\]«»\"“”–—!?…]|\s-\s|\.\s")

_SCALE: Final = {
    "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9, "mille": 1e3,
    "millier": 1e3, "milliers": 1e3, "centaine": 1e2, "centaines": 1e2, "dizaine": 10.0,
    "dizaines": 10.0, "billion": 1e12, "billions": 1e12, "thousand": 1e3, "thousands": 1e3,
    "hundred": 1e2, "hundreds": 1e2, "dozen": 12.0, "dozens": 12.0, "bn": 1e9,
}  # fmt: skip
_NUMBER_WORDS: Final = (
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "vingt trente quarante cinquante soixante cent mille"
)
_WORD_VALUES: Final = dict(
    zip(
        _NUMBER_WORDS.split(),
        [*range(2, 17), 20, 30, 40, 50, 60, 100, 1000],
        strict=True,
    )
)
_CURRENCY: Final = {
    "dollar": "dollars", "dollars": "dollars", "usd": "dollars", "$": "dollars",
    "yuan": "yuans", "yuans": "yuans", "rmb": "yuans", "¥": "yuans",
    "euro": "euros", "euros": "euros", "eur": "euros", "€": "euros",
}  # fmt: skip
# Units that measure rather than count: the unit is also what the figure counts.
_MEASURE_WORDS: Final = (
    "km kilometre kilometres metre metres m2 kg tonne tonnes litre litres heure heures "
    "minute minutes seconde secondes jour jours semaine semaines mois an ans annee annees "
    "fois m cm mm"
)
_MEASURES: Final = frozenset(_MEASURE_WORDS.split())
# Adjectives French puts between a figure and its noun ("20 prochaines années").
_BEFORE_NOUN_WORDS: Final = (
    "prochain prochaine prochains prochaines dernier derniere derniers dernieres premier "
    "premiers premieres nouveau nouveaux nouvelle nouvelles autres grand grands grande "
    "grandes petit petits petite petites principaux principales seul seuls seule seules "
    "gros grosse grosses jeunes long longs longue longues court courts courte courtes"
)
_BEFORE_NOUN: Final = frozenset(_BEFORE_NOUN_WORDS.split())
_NOT_NOUN_WORDS: Final = (
    "durant pendant contre depuis selon avant apres vers chez sans sous sur entre dont parmi "
    "plus moins environ lundi mardi mercredi jeudi vendredi samedi dimanche "
    "ont sont vont font seront auront etaient avaient etait avait sera aura restent doivent "
    "peuvent devraient pourraient seraient auraient viennent semblent furent eurent"
)
# Prepositions, days and verbs: a word after a figure that is not what it counts ("3,6
# durant", "Sur les 109 escadrons, 100 vont être déployés").
_NOT_NOUNS: Final = frozenset(_NOT_NOUN_WORDS.split())
# Heads that only point at what follows ("17,7% du total des transactions").
_PARTITIVE: Final = frozenset({"total", "ensemble", "moitie", "part", "nombre"})
_OF: Final = frozenset({"de", "d", "des", "du"})
_ARTICLES: Final = frozenset({"la", "le", "l", "les"})
_MONTH_WORDS: Final = (
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre"
)
_MONTHS: Final = frozenset(_MONTH_WORDS.split())
_WEEKDAYS: Final = frozenset(
    {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
)
_NOT_ENTITIES: Final = (
    frozenset({fold(w) for line in lexicon.NAME_ALIASES.split("\n") for w in line.split()})
    | lexicon.NOT_NAMES
)


@dataclass(frozen=True, slots=True)
class FigureFact:
    """One quantity of a document, with the sentence that states it as an exact quote."""

    value: str
    number: float
    unit: str
    what: str
    entity: str
    quote: str
    start: int
    end: int
    value_start: int


def extract(text: str) -> list[FigureFact]:
    """Every figure of a document text, in text order.

    Args:
        text: The document's full text; every offset refers to it.

    Returns:
        One `FigureFact` per figure; `text[f.start:f.end] == f.quote` for each.
    """
    found: list[FigureFact] = []
    spans = sentence_spans(text)
    # A sentence's first word is a name unless the document also writes it in lower case
    # ("Près de 3.000", "au plus près") and never with a capital inside a sentence.
    lower = set(re.findall(r"\b[a-zà-ÿ][^\W\d_]*", text))
    capitalised = {
        m.group()
        for a, b in spans
        for m in _NAME_WORD.finditer(text, a, b)
        if m.start() > a and text[m.start() - 1] == " "
    }
    common = {w.capitalize() for w in lower} - capitalised
    for a, b in spans:
        sentence = text[a:b]
        for figure in sentence_figures(sentence):
            fact = _fact(sentence, figure.start, figure.end, a, common)
            if fact is not None:
                found.append(fact)
    return found


def _number(raw: str) -> float | None:
    if raw[:1].isalpha():
        words = number_words(raw)
        return float(words[0]) if words is not None and words[1] == len(raw) else None
    canonical = numbers(raw)
    if len(canonical) != 1:
        return None  # "2016 60": two numbers side by side, not one figure
    try:
        return float(next(iter(canonical)))
    except ValueError:
        return None


_LABELS_WORDS: Final = (
    "route departementale nationale autoroute categorie numero no n° article chapitre page "
    "niveau phase saison ligne etape edition journee vol flight"
)
# A number after these names something rather than counts it ("la route départementale 93",
# "le vol 661").
_LABELS: Final = frozenset(_LABELS_WORDS.split())
_ORDINAL_MARKS: Final = frozenset({"e", "er", "eme", "ere", "ème", "ᵉ"})
_HALF: Final = re.compile(r"\s+et\s+demie?\b")
_SPEED: Final = re.compile(r"\s*(?:(?:à|-)\s*\d+\s*)?km\s*/\s*h\b")
_TIME: Final = re.compile(r"\s*(?:h|heures?)\s*\d")
# "18 heures" after "à", "vers", "dès", "jusqu'à" (and not "à 48 heures du scrutin"), or
# before "du matin", "locale", "GMT": a time of day. Times are left out of the figures: they
# date an event (the timeline's concern), they count nothing.
_HOURS: Final = re.compile(r"\s*(?:h|heures?)\b")
_AT_HOUR_BEFORE: Final = re.compile(
    r"(?:\b(?:à|vers|dès|jusqu['’]à|il est|indiqué)|\b[AÀ]|\b[VD]ers|\bDès)\s*$"
)
_HOUR_CONTEXT: Final = re.compile(
    r"\s+(?:du matin|du soir|de l['’]après-midi|locales?|GMT|UTC|heure de Paris)\b"
    r"|\s+à\s+(?:New\s|Paris|Los\s)"
)
_NOT_AFTER_HOUR: Final = re.compile(r"\s+(?:de|d['’]|du|des)\b")
_DAY_RANGE: Final = re.compile(
    r"\s+(?:au|et|à|-)\s+\d{1,2}(?:er)?\s+(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|"
    r"ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)",
    re.IGNORECASE,
)


def _skip(sentence: str, a: int, b: int) -> bool:
    """Numbers that are not quantities: inside a name, a time, a date, a list mark, a label."""
    before, after = sentence[a - 1 : a] if a else "", sentence[b : b + 1]
    if before.isalpha() or after.isalpha():
        return True  # "B2C", "13h38", "1er", "XXIe"
    if (after and after in "/:") or before == "/":
        return True  # "20/06", "1/ L'expansion", "14:30"
    if before == "-" and a >= 2 and sentence[a - 2].isalpha():
        return True  # "G-20"
    if before == "[" and after == "]":
        return True  # a reference mark "[3]"
    if _TIME.match(sentence, b) or re.search(
        r"\d\s*(?:h|heures?|min|minutes?)\s*$", sentence[max(0, a - 10) : a]
    ):
        return True  # "12 h 50", "9 heures 45", "3 minutes 30", "7 h 35 min 39 s": one time
    if _time_of_day(sentence, a, b):
        return True
    if re.fullmatch(r"\d+\.\d{1,2}", sentence[a:b]) and re.search(
        r"(?<![.!?]\s)(?<!^)\b[A-Z][\w-]*\s+$", sentence[:a]
    ):
        return True  # "Ironman 70.3": part of a name
    if _DAY_RANGE.match(sentence, b):
        return True  # "du 25 au 27 janvier", "les 3 et 4 mars"
    following = sentence[b:].split(None, 1)
    nxt = fold(following[0]).strip(".,;:") if following and after.isspace() else ""
    if nxt in _MONTHS or nxt in _ORDINAL_MARKS:
        return True  # "le 9 juin", "la 36 e journée"
    previous = sentence[:a].split()
    last = fold(previous[-1]) if previous else ""
    if last in _WEEKDAYS:
        return True  # "dans la nuit de lundi 16 à mardi 17 janvier": a day of a date
    return last in _LABELS or (last in {"au", "du"} and not nxt.isalpha())  # "au 67)"


def _time_of_day(sentence: str, a: int, b: int) -> bool:
    """An hour of the day ("à 18 heures", "vers 9 h", "21 heures locales"), not a duration."""
    hours = _HOURS.match(sentence, b)
    if hours is None or not sentence[a:b].isdigit() or int(sentence[a:b]) > 24:
        return False
    if _HOUR_CONTEXT.match(sentence, hours.end()):
        return True
    return bool(_AT_HOUR_BEFORE.search(sentence, 0, a)) and not _NOT_AFTER_HOUR.match(
        sentence, hours.end()
    )


def _fact(sentence: str, a: int, b: int, offset: int, common: set[str]) -> FigureFact | None:
    if sentence[a : a + 1].isalpha():
        words = number_words(sentence, a)
        if words is None:
            return None
        b = words[1]  # the whole number: "Vingt-deux", "vingt et un", "deux cents"
        if re.match(r"\s+[A-Z]", sentence[b:]):
            return None  # "la Revue des deux Mondes", "les Quatre Saisons": a name
        if fold(sentence[a:b]) == "cent" and re.search(r"\bpour\s+$", sentence[:a]):
            return None  # the "cent" of "17 pour cent"
    raw = sentence[a:b]
    if _skip(sentence, a, b):
        return None
    number = _number(raw)
    if number is None:
        return None
    half = _HALF.match(sentence, b)
    if half:
        number, b = number + 0.5, half.end()  # "15 et demi"
    # What a figure counts never lies past a comma, a bracket or a dash.
    tokens: list[tuple[int, int, str]] = []
    for m in _WORD.finditer(sentence, b):
        if _PAUSE.search(sentence, tokens[-1][1] if tokens else b, m.start()):
            break
        tokens.append((m.start(), m.end(), fold(m.group())))
    i, value_end, unit = 0, b, ""
    if i < len(tokens) and tokens[i][2] in _SCALE and re.fullmatch(r"\d+,\d+", raw):
        number = float(raw.replace(",", "."))  # "6,665 millions": a French decimal comma
    while i < len(tokens) and tokens[i][2] in _SCALE:
        number *= _SCALE[tokens[i][2]]
        value_end = tokens[i][1]
        i += 1
    j = i + 1 if i < len(tokens) and tokens[i][2] in _OF else i
    what = ""
    if j < len(tokens) and tokens[j][2] in _CURRENCY:
        unit, value_end = _CURRENCY[tokens[j][2]], tokens[j][1]
        what = _complement(sentence, tokens, j + 1) or unit
    elif i < len(tokens) and tokens[i][2] == "%":
        unit, value_end = "%", tokens[i][1]
        what = _complement(sentence, tokens, i + 1)
    elif i + 1 < len(tokens) and tokens[i][2] == "pour" and tokens[i + 1][2] == "cent":
        unit, value_end = "%", tokens[i + 1][1]  # "17 pour cent des voix"
        what = _complement(sentence, tokens, i + 2)
    elif i == 0 and i < len(tokens) and tokens[i][2] == "a" and _range_end(tokens):
        # "cinq à huit ans", "4 à 5 fois": the first figure counts what the second does.
        what = _range_end(tokens)
    else:
        k = j
        while k < len(tokens) and tokens[k][2] in _BEFORE_NOUN:
            k += 1
        if k == j and k < len(tokens) and tokens[k][2] in _MEASURES:
            unit, value_end = sentence[tokens[k][0] : tokens[k][1]].lower(), tokens[k][1]
            what = unit
        elif k < len(tokens):
            what = _noun_phrase(sentence, tokens, k)
    speed = _SPEED.match(sentence, b)
    if speed:
        unit = what = "km/h"  # "90 à 100 km/h": a speed, not a distance
        if sentence[b:].lstrip()[:2] == "km":
            value_end = speed.end()
    if sentence[value_end : value_end + 1] == "°":
        # "23°C", "360°": degrees, of temperature or of angle.
        celsius = sentence[value_end + 1 : value_end + 2] in ("c", "C")
        unit, value_end = ("°C", value_end + 2) if celsius else ("°", value_end + 1)
        what = what or unit
    sign = re.search(r"(?:^|[\s(])([-+−])\s?$", sentence[max(0, a - 3) : a])
    if sign:
        # "(-0,1 %)", "+ 1,3 %": a change, with its sign.
        a -= len(sentence[max(0, a - 3) : a]) - sign.start(1)
        number = -number if sign.group(1) in "-−" else number
    if not unit and not what and _NAME_BEFORE.search(sentence, 0, a):
        return None  # "la comète Shoemaker-Levy 9": a number that is part of a name
    value = sentence[a:value_end]
    return FigureFact(
        value=value,
        number=number,
        unit=unit,
        what=what,
        entity=_entity(sentence, a, common),
        quote=sentence,
        start=offset,
        end=offset + len(sentence),
        value_start=offset + a,
    )


def _range_end(tokens: list[tuple[int, int, str]]) -> str:
    """What the second figure of "N à M unit" counts (a measure word only)."""
    if len(tokens) >= 3 and (tokens[1][2][0].isdigit() or tokens[1][2] in _WORD_VALUES):
        word = tokens[2][2]
        return word if word in _MEASURES else ""
    return ""


def _complement(sentence: str, tokens: list[tuple[int, int, str]], i: int) -> str:
    """What a unit measures: "% des ventes en ligne", "dollars de chiffre d'affaires"."""
    if i >= len(tokens) or tokens[i][2] not in _OF:
        return ""
    i += 1
    if i < len(tokens) and tokens[i][2] in _ARTICLES:
        i += 1
    if i + 1 < len(tokens) and tokens[i][2] in _PARTITIVE and tokens[i + 1][2] in _OF:
        i += 2
    return _noun_phrase(sentence, tokens, i) if i < len(tokens) else ""


def _noun_phrase(sentence: str, tokens: list[tuple[int, int, str]], i: int) -> str:
    """A head noun and up to two complements ("ventes en ligne", "commerce de détail")."""
    head = tokens[i][2]
    if head in STOP_WORDS or head[0].isdigit() or head in _WORD_VALUES or not head.isalpha():
        return ""
    if head in _NOT_NOUNS or (head.endswith(("ant", "ent")) and len(head) > 6):
        return ""  # a participle or an adverb ("restants", "seulement"), not a noun
    end = tokens[i][1]
    k = i + 1
    for _ in range(2):
        if k < len(tokens) and _acronym(sentence, tokens[k]):
            end, k = tokens[k][1], k + 1
            continue
        if k + 1 < len(tokens) and tokens[k][2] in {"en", "de", "d"}:
            word = tokens[k + 1][2]
            written = sentence[tokens[k + 1][0] : tokens[k + 1][1]]
            if word in STOP_WORDS or not word.isalpha() or not written.islower():
                break
            end, k = tokens[k + 1][1], k + 2
            continue
        break
    return sentence[tokens[i][0] : end]


def _acronym(sentence: str, token: tuple[int, int, str]) -> bool:
    written = sentence[token[0] : token[1]]
    return len(written) > 1 and written.isupper()


_NAME_BEFORE: Final = re.compile(r"(?<=\s)[A-Z][\w-]*[a-z][\w-]*\s+$")
_NAME_WORD: Final = re.compile(r"\b[A-Z][^\W\d_]*")
_NAME: Final = re.compile(r"\b[A-Z][\w&]*(?:[.-][\w&]+)*(?:\s+[A-Z][\w&]*(?:[.-][\w&]+)*)*")


def _entity(sentence: str, at: int, common: set[str]) -> str:
    """The first proper name of the figure's clause (before it if any, else after)."""
    left = max((m.end() for m in _PAUSE.finditer(sentence, 0, at)), default=0)
    pause = _PAUSE.search(sentence, at)
    right = pause.start() if pause else len(sentence)
    before: list[str] = []
    after: list[str] = []
    for m in _NAME.finditer(sentence, left, right):
        words = [w for w in m.group().split() if fold(w) not in STOP_WORDS]
        if m.start() == 0 and len(words) == 1 and words[0] in common:
            continue
        name = " ".join(words)
        if not name or fold(name) in _NOT_ENTITIES or fold(words[0]) in _MONTHS:
            continue
        if number_words(fold(words[0])) is not None:
            continue  # "Vingt-deux membres": the figure itself, not a name
        if any(ch.isdigit() for ch in name):
            continue
        (before if m.start() < at else after).append(name)
    return (before or after or [""])[0]
