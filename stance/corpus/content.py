"""The reported content of a statement, without its attribution frame.

"وقال المتحدث باسم الكرملين، دميتري بيسكوف، إن روسيا لن ..." is about Russia's intentions, not
about the Kremlin's spokesman; embedding the frame drowns the claim in who-said-it. Topics and
stance therefore look at the content span: the quotation(s) when there are any, else what follows
the complementizer of a reporting construction, else what follows a "Speaker: " headline prefix,
else the whole statement. Offsets are kept, so the content is always a slice of the statement.
"""
from __future__ import annotations

import re

from .segment import quote_spans

# Complementizers that introduce reported content (Arabic أن/إن and their forms, English/French/
# Russian "that"), and a colon after a short speaker prefix.
_COMPLEMENTIZER = re.compile(
    r"(?:^|[\s،,])(?:ب|و)?(?:أن|إن|ان|أنّ|إنّ|انّ)(?:ه|ها|هم|ّه|ّها|ّهم)?(?=[\s:،,\"“”«])"
    r"|\b(?:that|que|qu'|что)\b|(?<=\w)\s*:\s"
    # Participial reporting without "that": "..., saying Russia has no plans".
    r"|,\s*(?:saying|adding|insisting|stressing|warning|arguing|claiming)\b(?!\s+that)", re.UNICODE)
_MIN_WORDS = 4


def content_span(text: str) -> tuple[int, int]:
    """(start, end) of the reported content inside `text`."""
    quotes = [(a, b) for a, b in quote_spans(text) if len(text[a:b].split()) >= _MIN_WORDS]
    if quotes:
        return min(a for a, _ in quotes), max(b for _, b in quotes)
    limit = max(40, int(len(text) * 0.6))
    m = _COMPLEMENTIZER.search(text, 0, limit)
    if m and len(text[m.end():].split()) >= _MIN_WORDS:
        s = m.end()
        while s < len(text) and text[s] in " :،,\"“”«":
            s += 1
        return s, len(text)
    return 0, len(text)


_CLAUSE_BREAK = re.compile(
    r"[،,;؛]\s*(?=\S)|\s(?=(?:و?لكن|لكنه|لكنها|بينما|but|however|mais|однако|но)\b)|[.!?؟]\s+", re.UNICODE)


def clause_spans(text: str, max_clauses: int = 4,
                 span: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """Clauses of the content span, each long enough to carry a claim on its own.

    A statement often joins two claims ("we still believe Russia aims to attack, of course they
    can change their minds"); scoring each clause lets the topic and stance follow the clause
    that is actually about the topic.
    """
    cs, ce = span if span is not None else content_span(text)   # reuse a span computed already
    cuts = [cs] + [m.end() for m in _CLAUSE_BREAK.finditer(text, cs, ce)] + [ce]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
    merged: list[list[int]] = []
    for a, b in pieces:
        if merged and len(text[merged[-1][0]:merged[-1][1]].split()) < _MIN_WORDS:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    if len(merged) > 1 and len(text[merged[-1][0]:merged[-1][1]].split()) < _MIN_WORDS:
        last = merged.pop()
        merged[-1][1] = last[1]
    while len(merged) > max_clauses:
        # Merge the shortest adjacent pair until the cap holds.
        i = min(range(len(merged) - 1), key=lambda k: merged[k + 1][1] - merged[k][0])
        merged[i][1] = merged.pop(i + 1)[1]
    return [(a, b) for a, b in merged]
