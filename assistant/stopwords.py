"""Word lists as data: French and English stop words, and the common words that tell the two apart.

Kept as whitespace-separated strings (one list, one constant) so that they read as data and a
reviewer can check them at a glance; `analysis.py` turns them into sets once, at import.
"""

from __future__ import annotations

from typing import Final

FRENCH: Final = """
    a au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur
    leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se
    ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y ete etre est sont
    ont a avait etait sera fait plus ainsi aussi comme dont donc lors tres peu tout tous toute
    toutes cela celui celle ceux celles ici la quel quelle quels quelles combien comment
    pourquoi quand ou est-ce si sans sous entre vers chez apres avant depuis pendant selon afin
    leurs
"""
"""French stop words (accents folded, as `analysis.fold` writes them)."""

ENGLISH: Final = """
    a an the of to in on at by for with from and or but is are was were be been being has have
    had do does did what which who whom whose how many much when where why this that these those
    it its into about as than then there their they them he she his her we our you your i me my
    not no so if can could will would should may might
"""
"""English stop words: dropped too, so English questions do not match on "the"."""

FRENCH_HINTS: Final = """
    le la les des du de un une est sont quel quelle quels quelles combien comment pourquoi quand
    qui que quoi où dans pour avec sur et au aux a-t-il ont il elle ce cette
"""
"""Common French words: a question with more of these than of `ENGLISH_HINTS` is French."""

ENGLISH_HINTS: Final = """
    the a an is are was were what which who how many much when where why does did do of in for
    with on and to it its has have
"""
"""Common English words, for language detection."""
