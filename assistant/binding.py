"""Whether a figure of a sentence belongs to the entity a question asks about, from its parse.

"… contre 23% pour Tmall et Alibaba, suivie de Suning Appliance" names Suning, but its figures
are JD's and Tmall's; "Pingduoduo a levé 3 milliards … dans un tour emmené par Tencent" names
Tencent, but the amount is Pingduoduo's round. The regex rules of `assistant.grounding` see a
figure and the name in one sentence; the dependency tree (`assistant.parse`) says which clause
each is in. A figure is not the entity's when, in the tree:

- the entity hangs off another clause or an apposition below the point where the two meet
  ("tour emmené par Tencent", "suivie de Suning", "…, Walmart a mis 53 ans");
- the figure sits in a clause with a subject of its own that is not the entity ("les épiceries
  – le pays en compte 6 millions –");
- another name is nearer to the figure than the entity is (optional, `grounding.parse_nearest`).

`main_clause_names` serves the names check (`grounding.names_bound`): an earlier sentence that
names the entity only in a second clause after someone else's is not about it.

Every rule vetoes; none grants. Where the parse has nothing to say (no parser, the figure or
the name not found as tokens, the two in separate trees), the answer is None and the regex
rules decide alone. The small model attaches a subject after a comma to the figure before
it ("400 milliards de dollars, Walmart a mis 53 ans": Walmart as an apposition of
"milliards"); a name followed at once by an auxiliary or a verb is read as that verb's subject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from assistant import lexicon
from assistant.analysis import STOP_WORDS, fold
from assistant.parse import parse

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Relations that open a clause, or an aside, of their own below a word.
_CLAUSES: Final = frozenset(
    {"acl", "acl:relcl", "advcl", "parataxis", "ccomp", "csubj", "csubj:pass", "appos"}
)

# Clauses beside the figure's that can have a subject of their own ("…, Walmart a mis 53 ans").
_OTHER_CLAUSES: Final = frozenset({"advcl", "parataxis", "ccomp"})

_SUBJECTS: Final = frozenset({"nsubj", "nsubj:pass"})

# A name after these says where, when or according to whom, not whose figure it is.
_NOT_OWNER_CASES: Final = frozenset(
    {"en", "a", "au", "aux", "dans", "selon", "depuis", "vers", "sur", "chez", "d'apres", "apres"}
)


def owned(
    sentence: str,
    start: int,
    groups: Sequence[Sequence[tuple[str, ...]]],
    *,
    question: str = "",
    fuzzy: int = 85,
    nearest: bool = False,
) -> bool | None:
    """Whether the figure at offset `start` of `sentence` belongs to each named group.

    Args:
        sentence: The evidence sentence.
        start: The figure's first character in `sentence`.
        groups: The question's subject names (`questions.subject_names`): each group that the
            sentence names must own the figure through one of its names.
        question: The question; a name it only uses to describe something else ("la
            stratégie annoncée par Daniel Zhang") need not own the figure.
        fuzzy: Names match words at this rapidfuzz ratio or more.
        nearest: Also refuse a figure that another name of the sentence is nearer to.

    Returns:
        False when the parse shows the figure belongs elsewhere, True when every named group
        passes, None when the parse has nothing to say.
    """
    from assistant.grounding import mentions_any

    named = [g for g in groups if mentions_any(list(g), sentence, fuzzy=fuzzy)]
    if not named:
        return None  # nothing to bind: the parser is not even loaded
    if question:
        named = [g for g in named if _subject_of(question, g, fuzzy)]
        if not named:
            return None
    doc = parse(sentence)
    if doc is None:
        return None
    figure = _token_at(doc, start)
    if figure is None:
        return None
    heads = _heads(doc)
    # The figure's noun: "61" → "%", "3" → "milliards"; a lone figure stands for itself.
    node = heads[figure.i][0] if heads[figure.i][1] == "nummod" else figure.i
    mentioned: set[int] = set()
    verdict: bool | None = None
    for group in named:
        mentions = [m for name in group for m in _mentions(doc, name, fuzzy)]
        if not mentions:
            continue  # not in this sentence: who it is about is `names_bound`'s question
        mentioned.update(i for m in mentions for i in m)
        said = [_owns(doc, heads, node, m) for m in mentions]
        if any(s is True for s in said):
            verdict = True if verdict is None else verdict
        elif any(s is False for s in said):
            return False  # every mention the tree reaches is in another branch
    if verdict and nearest and _nearer_name(doc, heads, node, mentioned, fuzzy):
        return False
    return verdict


def _token_at(doc: Doc, start: int) -> Token | None:
    for token in doc:
        if token.idx <= start < token.idx + max(len(token.text), 1):
            return token
    return None


def _heads(doc: Doc) -> list[tuple[int, str]]:
    """Each token's head and relation, with a subject after a comma put back on its verb."""
    heads = [(t.head.i, t.dep_) for t in doc]
    for token in doc:
        if token.dep_ in _SUBJECTS or not _looks_named(token):
            continue
        nxt = token.i + 1
        if nxt >= len(doc) or doc[nxt].pos_ not in ("AUX", "VERB"):
            continue
        verb = doc[nxt].head if doc[nxt].pos_ == "AUX" else doc[nxt]
        if verb.pos_ == "VERB" and token not in verb.ancestors and verb.i != token.head.i:
            heads[token.i] = (verb.i, "nsubj")
    return heads


def _path_up(heads: list[tuple[int, str]], i: int) -> list[int]:
    path = [i]
    while heads[path[-1]][0] != path[-1] and len(path) <= len(heads):
        path.append(heads[path[-1]][0])
    return path


def _owns(doc: Doc, heads: list[tuple[int, str]], node: int, mention: list[int]) -> bool | None:
    """Whether one mention of a name owns the figure whose noun is `node`."""
    up = _path_up(heads, node)
    best: bool | None = None
    for token in mention:
        down = _path_up(heads, token)
        common = next((i for i in down if i in up), None)
        if common is None:
            continue  # separate trees: the parse says nothing
        if common in mention:
            return True  # the figure is in the name's own phrase ("le 400 millions de Walmart")
        if _cases(doc[token]) & _NOT_OWNER_CASES:
            continue  # "en Chine", "selon Euromonitor": where or who says, not whose
        below_name = down[: down.index(common)]
        below_figure = up[: up.index(common)]
        if common == node and below_name and heads[below_name[-1]][1] in ("acl", "acl:relcl"):
            # "250 marques qui vendent en Chine": the name describes what is counted.
            return True
        if _branches_off(doc, heads, below_name, mention) or _own_subject(
            doc, heads, below_figure, mention
        ):
            best = False if best is None else best
            continue
        return True
    return best


def _branches_off(
    doc: Doc, heads: list[tuple[int, str]], path: list[int], mention: list[int]
) -> bool:
    """Whether the way down to the name passes into another clause or an aside."""
    for i in path:
        dep = heads[i][1]
        if dep == "appos" and i in mention:
            continue  # the name is itself the aside: "le groupe, Alibaba, …"
        if dep in _CLAUSES or (dep == "conj" and _is_clause(doc, heads, i)):
            return True
    return False


def _own_subject(
    doc: Doc, heads: list[tuple[int, str]], path: list[int], mention: list[int]
) -> bool:
    """Whether the figure is in a clause whose own subject is a noun other than the name."""
    for i in path:
        dep = heads[i][1]
        if dep not in _OTHER_CLAUSES and not (dep == "conj" and _is_clause(doc, heads, i)):
            continue
        for j, (head, rel) in enumerate(heads):
            if (
                head == i
                and j != i
                and rel in _SUBJECTS
                and j not in mention
                and j not in path
                and _looks_named(doc[j])
            ):
                return True
    return False


def _is_clause(doc: Doc, heads: list[tuple[int, str]], i: int) -> bool:
    """Whether a conjunct is a clause: a verb, or a word with a subject of its own.

    The small model tags some verbs as nouns ("JD.com compte 300 millions" → "compte" NOUN)
    but still gives them their subject.
    """
    if doc[i].pos_ in ("VERB", "AUX"):
        return True
    return any(h == i and j != i and rel in _SUBJECTS for j, (h, rel) in enumerate(heads))


def _cases(token: Token) -> set[str]:
    return {fold(c.text) for c in token.children if c.dep_ in ("case", "fixed")}


def _subject_of(question: str, group: Sequence[tuple[str, ...]], fuzzy: int) -> bool:
    """Whether the question is about a name, not only using it to describe something else."""
    doc = parse(question)
    if doc is None:
        return True
    mentions = [m for name in group for m in _mentions(doc, name, fuzzy)]
    if not mentions:
        return True
    heads = _heads(doc)
    for mention in mentions:
        path = _path_up(heads, mention[0])
        if not any(heads[i][1] in ("acl", "acl:relcl") for i in path):
            return True
    return False


def owners(
    question: str,
    groups: Sequence[Sequence[tuple[str, ...]]],
    focus: frozenset[str],
    *,
    fuzzy: int = 85,
) -> list[Sequence[tuple[str, ...]]]:
    """The question's subject groups less those that only describe what it counts.

    "Quelle part du marché B2C revenait à Tmall ?" asks for Tmall's share of a market that
    "B2C" qualifies: a group whose every mention hangs, through "de", under the asked noun
    (`focus`) is left out, so that a sentence's "61% du marché B2C" is not Tmall's for it.
    Only when another group remains: a question naming one entity keeps it whatever its parse.
    """
    if len(groups) < 2 or not focus:
        return list(groups)
    doc = parse(question)
    if doc is None:
        return list(groups)
    heads = _heads(doc)

    def describes(group: Sequence[tuple[str, ...]]) -> bool:
        mentions = [m for name in group for m in _mentions(doc, name, fuzzy)]
        if not mentions:
            return False
        for mention in mentions:
            path = _path_up(heads, mention[0])[1:]
            through_de = bool(_cases(doc[mention[0]]) & _OF)
            under_focus = False
            for i in path:
                through_de = through_de or bool(_cases(doc[i]) & _OF)
                if lexicon.related(frozenset(lexicon.stems_of(doc[i].text)), focus):
                    under_focus = through_de
                    break
                if doc[i].pos_ in ("VERB", "AUX"):
                    break
            if not under_focus:
                return False
        return True

    kept = [g for g in groups if not describes(g)]
    return kept or list(groups)


_OF: Final = frozenset({"de", "du", "des", "d'"})


def _mentions(doc: Doc, name: tuple[str, ...], fuzzy: int) -> list[list[int]]:
    """The runs of tokens that write one name ("Suning Appliance", "Ling Shou Tong")."""
    from rapidfuzz import fuzz

    parts = [fold(p) for p in name]
    hits = [
        t.i
        for t in doc
        if any(
            fold(t.text).rstrip(".") == p
            or p in lexicon.aliases(fold(t.text))
            or (len(p) > 3 and fuzz.ratio(fold(t.text), p) >= fuzzy)
            for p in parts
        )
    ]
    runs: list[list[int]] = []
    for i in hits:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    # One word of a longer name is that name only if it is its first ("Suning", not
    # "Appliances" of another company).
    return [
        run
        for run in runs
        if len(run) >= len(parts) or fold(doc[run[0]].text).rstrip(".") == parts[0]
    ]


def _looks_named(token: Token) -> bool:
    text = token.text
    if not text[:1].isupper() or fold(text) in STOP_WORDS or fold(text) in lexicon.NOT_NAMES:
        return False
    return token.pos_ == "PROPN" or token.i > 0 or bool(re.search(r"[.\d]|\w[A-Z]", text))


def _nearer_name(
    doc: Doc, heads: list[tuple[int, str]], node: int, mentioned: set[int], fuzzy: int
) -> bool:
    """Whether a name the question does not ask about is nearer to the figure than its own."""
    del fuzzy

    def distance(i: int) -> int | None:
        up, down = _path_up(heads, node), _path_up(heads, i)
        common = next((k for k in down if k in up), None)
        return None if common is None else up.index(common) + down.index(common)

    own = [d for i in mentioned if (d := distance(i)) is not None]
    if not own:
        return False
    for token in doc:
        if token.i in mentioned or not _looks_named(token):
            continue
        if _cases(token) & _NOT_OWNER_CASES:
            continue
        d = distance(token.i)
        if d is not None and d < min(own):
            return True
    return False


def main_clause_names(
    sentence: str, group: Sequence[tuple[str, ...]], *, fuzzy: int = 85
) -> bool | None:
    """Whether a sentence names one of `group` in its main clause, or only in a later one.

    False for "Nous avons mis 13 ans pour atteindre 400 milliards…, Walmart a mis 53 ans":
    Walmart is the subject of a second clause; the sentence, and the one after it, are about
    the first clause's subject. None when the parse has nothing to say.
    """
    doc = parse(sentence)
    if doc is None:
        return None
    mentions = [m for name in group for m in _mentions(doc, name, fuzzy)]
    if not mentions:
        return None
    heads = _heads(doc)
    for mention in mentions:
        path = _path_up(heads, mention[0])
        root = path[-1]
        if heads[root][0] != root:
            return None
        clauses = [
            i
            for i in path[:-1]
            if heads[i][1] in _OTHER_CLAUSES
            or (heads[i][1] == "conj" and _is_clause(doc, heads, i))
        ]
        root_subjects = [
            j for j, (h, rel) in enumerate(heads) if h == root and j != root and rel in _SUBJECTS
        ]
        if not clauses or not root_subjects or any(j in mention for j in root_subjects):
            return True
    return False
