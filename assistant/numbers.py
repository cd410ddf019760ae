"""Numbers in text, in one canonical form whatever the convention ("3 000", "3.000", "3,000").

Used by evidence scoring and citation checks to tell whether a claim's figures are in a passage.
The eval metrics normalise numbers with rules of their own on purpose (evals/metrics.py): they
must stay independent of the code they judge, so the two disagree on an English "6,100" (6100
here, 6.1 there), and a test pins that difference.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_GROUP_SEPARATORS = re.compile(r"[ \u00a0\u202f]")


def numbers(text: str) -> set[str]:
    """The numbers in a text, in one canonical form whatever the convention.

    "3 000", "3.000" and "3,000" -> "3000" (a group of exactly three digits is a thousands
    group); "712,2" and "712.2" -> "712.2"; "2016" -> "2016".
    """
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw = _GROUP_SEPARATORS.sub("", match.group())
        parts = re.split(r"[.,]", raw)
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            value = "".join(parts)
        elif len(parts) > 1:
            value = "".join(parts[:-1]) + "." + parts[-1]
        else:
            value = raw
        found.add(value.lstrip("0") or "0")
    return found
