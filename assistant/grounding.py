"""Whether a sentence gives what a question asks for: the answer-type and binding checks.

A sentence that shares the question's words is not an answer unless it holds what the question
asks for, bound to the right thing. "Combien de drones JD.com utilise-t-il ?" wants a figure
that counts drones; "JD.com expérimente la livraison par drone dans trois provinces" has a
figure, but it counts provinces. `assistant.questions.expect` reads what the question asks
for; here `figures(sentence)` finds
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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from assistant import lexicon
from assistant.analysis import STOP_WORDS, fold
from assistant.questions import Expectation, question_names

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


_LINKS: Final = frozenset({"de", "d", "des", "du", "of", "en"})


_PAUSE: Final = re.compile(r"[,;:()\[\]«»\"“”–—!?]|\s-\s|\.\s")


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure of a sentence and the nouns it is bound to (stems), with its offsets."""

    start: int
    end: int
    text: str
    bound: frozenset[str]


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
        if fold(text) in lexicon.FRACTIONS:
            # "plus de la moitié des utilisateurs": a share written as a word.
            found.append(
                Figure(a, b, text, frozenset({"%"}) | lexicon.related_stems("pourcentage"))
            )
            continue
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
                bound |= lexicon.related_stems("pourcentage")
                j += 1
            elif word in STOP_WORDS or word in _LINKS:
                j += 1
                continue
            else:
                bound.update(lexicon.stems_of(word))
                j += 1
            # After a unit, what it measures: "17,3% des ventes", "dollars de chiffre".
            if (word in lexicon.CURRENCIES or word == "%") and (
                j + 1 < len(tokens) and fold(tokens[j][2]) in _LINKS
            ):
                nxt = fold(tokens[j + 1][2])
                if nxt not in STOP_WORDS and not _is_number(nxt):
                    bound.update(lexicon.stems_of(nxt))
            break
        # A noun just before ("une clientèle de 2 milliards", "un effectif de 500").
        k = i - 1
        if k >= 0 and fold(tokens[k][2]) in _LINKS:
            k -= 1
            if k >= 0 and fold(tokens[k][2]) not in STOP_WORDS:
                bound.update(lexicon.stems_of(tokens[k][2]))
        found.append(Figure(a, b, text, frozenset(bound)))
    return found


def years_in(text: str) -> set[str]:
    """The years a text names ("en 2017", "in 2016")."""
    return set(_YEAR.findall(text))


# An older year is told from a count by what leads it ("en 1439", "dès 1628", "in 1066") or by
# being a century ("au XIIe siècle", "14e siècle"): a bare 1500 may be 1500 magasins.
_OLD_DATE: Final = re.compile(
    r"\b(?:en|in|depuis|des|vers|jusqu'en|jusqu’en|avant|apres|since|until|before|after|"
    r"an|annee|year)\s+(?:l'an\s+)?[1-9]\d{2,3}\b(?![.,]\d|\s*(?:%|mil|euro|dollar))|"
    r"\b(?:[ivxlc]+|\d{1,2})(?:e|er|eme|ieme|th|st|nd|rd)\s+(?:siecle|century|millenaire)\b"
)


def has_date(sentence: str) -> bool:
    """Whether a sentence states a date: a year, a century, or a month name."""
    if _YEAR.search(sentence) or _OLD_DATE.search(fold(sentence)):
        return True
    return any(fold(w) in _MONTHS | _WEEKDAYS for w in re.findall(r"[^\W\d_]+", sentence))


def has_name(sentence: str, question: str) -> bool:
    """Whether a sentence names someone or something the question does not already name."""
    asked = {fold(w) for w in re.findall(r"[\w.-]+", question)}
    words = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w.-]*[A-Za-z0-9]", sentence.strip())
    return any(fold(w) not in asked and fold(w) not in STOP_WORDS for w in words)


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
        if target in folded or any(alias in words for alias in lexicon.aliases(target)):
            continue
        best = process.extractOne(target, words, scorer=fuzz.ratio)
        if best is None or best[1] < fuzzy:
            return False
    return True


_PLACE_WORDS: Final = frozenset({"en", "a", "au", "aux", "in", "at", "dans", "vers", "pour", "for"})


_OPENER_WORDS: Final = (
    "cependant neanmoins enfin pourtant toutefois ainsi aussi alors donc desormais "
    "celle-ci celui-ci celles-ci ceux-ci ceci cela voici voila "
    "however meanwhile also yet still this these those"
)
"""First words of a sentence that are never its topic, whatever their case elsewhere."""


_OPENERS: Final = frozenset(_OPENER_WORDS.split())


_APPOSITION: Final = r",\s+(?:un|une|le|la|les|l['’]|the|a|an)\b"
"""After a first word, what makes it a name: "Pingduoduo, un autre rival du groupe, …"."""


def topic_name(sentence: str, question: str, document: str = "") -> str | None:
    """The name a sentence is about when it is not one of the question's, else None.

    The sentence's topic is a name among its first words ("Pingduoduo, un autre rival…", "Son
    principal rival JD.com a lancé…"), not one after a place word ("En Chine, …"). Its first
    word counts as a name only if it looks like one (a dot, a digit or an inner capital:
    "JD.com"), the document writes it capitalised within a sentence too, or an apposition
    follows it ("Pingduoduo, un autre rival…").
    """
    asked = question_names(question)
    words = list(re.finditer(r"[^\W\d_][\w.&-]*[\w]|[^\W\d_]", sentence))[:6]
    for i, match in enumerate(words):
        word = match.group()
        if not word[0].isupper() or fold(word) in STOP_WORDS:
            continue
        before = [fold(w.group()) for w in words[max(i - 2, 0) : i]]
        # "Quant à JD.com, …" introduces a topic; "à Pékin", "en Chine" say where.
        if before != ["quant", "a"] and any(w in _PLACE_WORDS for w in before):
            continue
        if i == 0 and (
            fold(word) in _OPENERS
            or not (
                re.search(r"[.\d]|\w[A-Z]", word)
                or re.search(r"[^\W\d_,;:]\s" + re.escape(word) + r"\b", document)
                or re.match(re.escape(word) + _APPOSITION, sentence)
            )
        ):
            continue
        if fold(word) in lexicon.NOT_NAMES or any(
            _mentions_one((word,), " ".join(n), 85) for n in asked
        ):
            continue
        return word
    return None


def names_bound(
    groups: list[list[tuple[str, ...]]],
    sentence: str,
    question: str,
    *,
    earlier: Sequence[str] = (),
    lead: str = "",
    document: str = "",
    fuzzy: int = 85,
    parsed: bool = False,
) -> bool:
    """Whether the sentence is about each of the question's subject names (`subject_names`).

    A name counts when the sentence says it. A sentence whose topic is nobody the question
    names ("L'application propose aussi…") is about what the text before it is about: the
    name must be in one of the `earlier` sentences (the article's few sentences before it)
    or in the article's `lead`. A sentence whose topic is someone else ("Pingduoduo … emmené
    par Tencent" for "Combien Tencent a-t-il investi dans JD.com ?") is about them, whatever
    the text around it says. With `parsed`, an earlier sentence that names it only in a
    second clause after someone else's ("Nous avons mis 13 ans…, Walmart a mis 53 ans") is
    about that someone else (`binding.main_clause_names`).
    """
    other = topic_name(sentence, question, document)
    for group in groups:
        if any(_mentions_one(name, sentence, fuzzy) for name in group):
            continue
        if other is not None:
            return False
        if not _said_before(group, earlier, lead, question, document, fuzzy, parsed=parsed):
            return False
    return True


def _said_before(
    group: list[tuple[str, ...]],
    earlier: Sequence[str],
    lead: str,
    question: str,
    document: str,
    fuzzy: int,
    *,
    parsed: bool = False,
) -> bool:
    for previous in earlier:
        if any(_mentions_one(name, previous, fuzzy) for name in group):
            if parsed:
                from assistant.binding import main_clause_names

                return main_clause_names(previous, group, fuzzy=fuzzy) is not False
            return True
        if topic_name(previous, question, document) is not None:
            return False  # the text before is about someone else
    return any(_mentions_one(name, lead, fuzzy) for name in group)


def gives(
    expectation: Expectation,
    sentence: str,
    question: str = "",
    *,
    context: str | None = None,
    retrieved: str | None = None,
    fuzzy: int = 85,
    check_names: bool = True,
    owners: Sequence[Sequence[tuple[str, ...]]] | None = None,
    nearest: bool = False,
) -> bool:
    """Whether a sentence holds what the question asks for (its type, bound to its focus).

    The sentence, or its `context` (the text around it that says what its pronouns are
    about), must also name what the question is about: a figure for "Combien Cainiao a-t-il
    dépensé ?" in a passage about Alibaba answers another question. With `retrieved` (all
    the retrieved text), every name must be there and one of them in the context. Without
    `check_names` the caller has checked the names (`names_bound`). With `owners` (the
    question's subject names), a figure must also belong to them in the sentence's dependency
    parse (`assistant.binding`; `nearest`: no other name nearer to it) where the parse says so.
    """
    if expectation.checkable and question and check_names:
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
    if expectation.attribute and not lexicon.related(
        frozenset(lexicon.sentence_stems(sentence)), expectation.attribute
    ):
        return False
    kind = expectation.kind
    if kind == "quantity":
        return bool(
            giving_figures(expectation, sentence, question, owners, fuzzy=fuzzy, nearest=nearest)
        )
    if kind == "date":
        return has_date(sentence)
    if kind in ("who", "name", "place"):
        return has_name(sentence, question) if question else True
    return True


def giving_figures(
    expectation: Expectation,
    sentence: str,
    question: str,
    owners: Sequence[Sequence[tuple[str, ...]]] | None,
    *,
    fuzzy: int = 85,
    nearest: bool = False,
) -> list[Figure]:
    """The figures of a sentence that count what a quantity question asks for.

    Those bound to the question's focus (or that count nothing, in a sentence naming the
    focus) and, with `owners`, that the dependency parse does not give to someone else: in
    "… 61% pour JD, contre 23% pour Tmall", only 23% answers a question about Tmall.
    """
    found = figures(sentence)
    if not found:
        return []
    focus = expectation.focus
    bare = [f for f in found if not f.bound]
    bound = [f for f in found if not focus or lexicon.related(f.bound, focus)]
    # "les épiceries ... – le pays en compte 6 millions": a figure that counts nothing after
    # it, in a sentence that names the focus, counts the focus.
    names_focus = bool(focus) and lexicon.related(
        frozenset(lexicon.sentence_stems(sentence)), focus
    )
    candidates = bound + [f for f in bare if names_focus and f not in bound]
    if owners is None:
        return candidates
    from assistant import binding

    return [
        figure
        for figure in candidates
        if binding.owned(
            sentence, figure.start, owners, question=question, fuzzy=fuzzy, nearest=nearest
        )
        is not False
    ]


def claim_gives(claim: str, given: Sequence[Figure]) -> bool:
    """Whether a claim states one of the figures a sentence gives for the question.

    Not another figure of the same sentence: "600 millions de personnes" where the sentence
    gives what a market weighs as "17,3% des ventes".
    """
    return any(_same_value(mine.text, g.text) for mine in figures(claim) for g in given)


def bound_figures_agree(claim: str, quote: str, *, parse: bool = False) -> bool:
    """Whether every figure of a claim counts, in the quote, the same kind of thing.

    "Alibaba has 600 million employees [1]" over "600 millions de personnes" does not agree:
    the quote's 600 million counts people, the claim's counts employees. A figure of the claim
    with no noun ("22 [1]") or a quote figure with no noun agrees with anything. With `parse`
    (French claim and quote), a figure the claim gives to a name must be that name's in the
    quote too (`assistant.binding`): "Suning détient 23%" over "… contre 23% pour Tmall …,
    suivie de Suning" does not agree.
    """
    quote_figures = figures(quote)
    for figure in figures(claim):
        same_value = [q for q in quote_figures if _same_value(q.text, figure.text)]
        if not same_value:
            continue  # the number check elsewhere decides
        if parse and not _same_owner(claim, figure, quote, same_value):
            return False
        if not figure.bound:
            continue
        wanted = frozenset(s for stem in figure.bound for s in lexicon.group_of(stem))
        if not any(not q.bound or lexicon.related(q.bound, wanted) for q in same_value):
            return False
    return True


# A run of capitalised words is one name: "Huitongda Network", "Ling Shou Tong".
_CAPITALISED: Final = re.compile(r"\b[A-Z][\w.&-]*\w(?: [A-Z][\w.&-]*\w)*")


def _same_owner(claim: str, figure: Figure, quote: str, in_quote: list[Figure]) -> bool:
    """Whether the names that own a claim's figure own one of its copies in the quote."""
    from assistant import binding

    # A name's words are judged together: the parse may hang "Network" of "Huitongda
    # Network" off the figure in the claim and off the platform in the quote.
    names = set()
    for m in _CAPITALISED.finditer(claim):
        parts = tuple(w for w in m.group().split() if fold(w) not in STOP_WORDS)
        if parts and _mentions_one(parts[:1], quote, 85):
            names.add(parts)
    owners = [[n] for n in sorted(names) if binding.owned(claim, figure.start, [[n]])]
    if not owners:
        return True  # the claim gives the figure to nobody the quote names
    return any(binding.owned(quote, q.start, owners) is not False for q in in_quote)


def _same_value(a: str, b: str) -> bool:
    from assistant.numbers import numbers

    na, nb = numbers(a), numbers(b)
    if na and nb:
        return bool(na & nb)
    return fold(a) == fold(b)
