"""Which part of a statement the judge reads, and frames that take no side.

A statement can join several claims ("we still believe Russia aims to attack; of course they can
change their minds"): the judge reads the attribution frame (where "denied" or "said" sits) plus
the one unit - the reported content, or one of its clauses - closest to the proposition.
A claim framed as a condition ("if Russia invades, we will respond") asserts nothing about the
proposition: with `conditional_neutral` on it is neutral whatever the judge says.
"""
from __future__ import annotations

import numpy as np

from ..textnorm import tokens


def best_unit(unit_vecs: np.ndarray, variant_vecs: np.ndarray) -> tuple[int, int]:
    """(unit index, proposition-variant index) of the most similar pair of vectors."""
    sims = unit_vecs @ variant_vecs.T
    u, k = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return int(u), int(k)


def judged_text(text: str, reported_start: int, unit: tuple[int, int]) -> str:
    """The frame before the reported content plus the chosen unit (statement-relative offsets)."""
    return text[:reported_start] + text[unit[0]:unit[1]]


def is_conditional(text: str) -> bool:
    """Does the text frame its content as a condition or hypothesis (if / إذا / في حال / si / если)?

    Words and phrases come from resources/judges/cues.yaml (`conditional`); the Arabic
    conjunctions و/ف attached to them are stripped.
    """
    from .cues import lexicon
    lex = lexicon()
    words, phrases = lex["conditional_words"], lex["conditional_phrases"]
    toks = [t[1:] if len(t) > 3 and t[0] in "وف" and t[1:] in words else t for t in tokens(text)]
    if any(t in words for t in toks):
        return True
    return any(tuple(toks[i:i + len(ph)]) == ph for ph in phrases for i in range(len(toks)))
