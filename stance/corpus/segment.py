"""Split documents into statements with exact source offsets.

statements columns
------------------
claim_id     `<doc_id>:<start>`; stable across reruns of the same input
doc_id
start, end   character offsets: documents.text[start:end] == text, always
text
is_quote     the statement contains a quotation of at least two words
quote_start, quote_end  offsets of its longest quotation (-1 when none)
kind         title | heading | body  (headings are short stand-alone lines, often summaries)
"""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from .clean import BoilerplateCleaner, kept_regions

STATEMENT_COLUMNS = ["claim_id", "doc_id", "start", "end", "text", "is_quote", "quote_start",
                     "quote_end", "kind"]

LINE_BREAKS = "\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85"
TERMINATORS = set(".!?؟;؛…。！？")
DQ = set("\"“”„‟")          # double-quote family: straight quotes toggle, curly ones are used both ways in Arabic text
GUILLEMET_OPEN, GUILLEMET_CLOSE = "«", "»"
CLOSERS_AFTER_END = set("\"”’'»)]}›")
TRIM_LEAD = set(" \t\u00a0\u200f\u200e\u200b•·▪◦●■►-–—*>")
TRIM = set(" \t\u00a0\u200f\u200e\u200b")
# Latin abbreviations that end in a period without ending the sentence.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "st",
    "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "fig", "approx", "dept", "e.g",
    "i.e", "u.s", "u.k", "u.n", "a.m", "p.m", "mme", "mlle", "m", "г", "т.е", "т.д", "им", "ул",
}
_WORD_BEFORE = re.compile(r"([\w.]+)$", re.UNICODE)
_NEXT_NONSPACE = re.compile(r"\s*(\S)")
# Look-behind window for the word before a period: abbreviations are short, and a bounded window
# keeps a very long line (a 20 MB single-line file) linear instead of quadratic.
_WORD_WINDOW = 64


def _next_nonspace(line: str, j: int) -> str:
    """The first non-space character of line[j:] ("" when none), without copying the tail."""
    m = _NEXT_NONSPACE.match(line, j)
    return m.group(1) if m else ""


def _is_abbreviation(line: str, i: int) -> bool:
    """Is the period at line[i] part of an abbreviation or a number?"""
    prev = line[i - 1] if i > 0 else ""
    nxt = line[i + 1] if i + 1 < len(line) else ""
    if prev.isdigit() and nxt.isdigit():
        return True                       # 3.5, 1.000
    if nxt and not nxt.isspace() and nxt not in CLOSERS_AFTER_END and nxt not in TERMINATORS:
        return True                       # u.s.a, example.com, 2021.Then (no space: not a boundary)
    m = _WORD_BEFORE.search(line[max(0, i - _WORD_WINDOW):i])
    if not m:
        return False
    word = m.group(1)
    if word.lower().strip(".") in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():
        return True                       # initials: J. R. R. Tolkien
    # A following lowercase Latin word means the sentence goes on ("approx. five").
    nxt = _next_nonspace(line, i + 1)
    return bool(nxt) and nxt.isalpha() and nxt.islower() and nxt.isascii()


def _sentence_ends(line: str) -> list[int]:
    """Offsets (exclusive) within one line where a sentence ends, outside quotations."""
    ends = []
    in_dq = False
    guillemets = 0
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in DQ:
            in_dq = not in_dq
            # A quotation that itself ends a sentence ('"… wrong." Then') closes it too.
            if not in_dq and i > 0 and line[i - 1] in TERMINATORS and not guillemets:
                nxt = _next_nonspace(line, i + 1)
                if line[i + 1:i + 2].isspace() and nxt and nxt.isalpha() and not (
                        nxt.isascii() and nxt.islower()):
                    ends.append(i + 1)
        elif c == GUILLEMET_OPEN:
            guillemets += 1
        elif c == GUILLEMET_CLOSE and guillemets:
            guillemets -= 1
        elif c in TERMINATORS and not in_dq and not guillemets:
            if c == "." and _is_abbreviation(line, i):
                i += 1
                continue
            j = i + 1
            while j < n and (line[j] in TERMINATORS or line[j] in CLOSERS_AFTER_END):
                if line[j] in DQ:
                    in_dq = not in_dq
                j += 1
            if j >= n or line[j].isspace():
                ends.append(j)
            i = j
            continue
        i += 1
    return ends


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of quoted passages in `text`, inner text only."""
    spans = []
    open_at = None
    g_stack: list[int] = []
    for i, c in enumerate(text):
        if c in DQ:
            if open_at is None:
                open_at = i
            else:
                spans.append((open_at + 1, i))
                open_at = None
        elif c == GUILLEMET_OPEN:
            g_stack.append(i)
        elif c == GUILLEMET_CLOSE and g_stack:
            s = g_stack.pop()
            if not g_stack:
                spans.append((s + 1, i))
    if open_at is not None and len(text) - open_at > 20:
        spans.append((open_at + 1, len(text)))  # a quotation running past the sentence end
    return spans


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in TRIM_LEAD:
        s += 1
    while e > s and text[e - 1] in TRIM:
        e -= 1
    return s, e


_CLAUSE_CUT = re.compile(r"[.!?؟؛;…][\"”»’]?\s+|[،,]\s+")


def _split_long(text: str, s: int, e: int, max_chars: int) -> Iterable[tuple[int, int]]:
    """Split an over-long segment at sentence ends inside quotes, then at clause commas.

    Iterative and windowed (no copies of the segment), so a multi-megabyte line without
    punctuation splits in linear time instead of recursing past Python's stack limit.
    """
    while e - s > max_chars:
        cut = None
        # Matches must end within max_chars; the slack only lets a whitespace run finish.
        for m in _CLAUSE_CUT.finditer(text, s, min(e, s + max_chars + 10_000)):
            if m.end() - s <= max_chars:
                cut = m.end() - s
            else:
                break
        if not cut:
            sp = text.rfind(" ", s, s + max_chars)
            cut = sp - s + 1 if sp > s else max_chars
        yield s, s + cut
        s += cut
    yield s, e


class Segmenter:
    """Sentence splitter for Arabic and Latin/Cyrillic scripts that keeps exact offsets."""

    def __init__(self, cleaner: BoilerplateCleaner | None = None, min_chars: int = 12,
                 max_chars: int = 1200):
        self.cleaner = cleaner or BoilerplateCleaner()
        self.min_chars = min_chars
        self.max_chars = max_chars

    def segment_text(self, text: str) -> list[dict]:
        """Statements of one document as dicts with start, end, text, is_quote, quote_*, kind."""
        original = text
        # Scan a same-length copy with Windows/old-Mac line ends as plain "\n", so line-anchored
        # boilerplate patterns and blank-line tests work; statements are cut from the original.
        text = re.sub(r"\r(?=\n)", " ", text).replace("\r", "\n")
        out = []
        skip = self.cleaner.spans(text)
        first_line_end = _first_content_line_end(text)
        for rs, re_ in kept_regions(text, skip):
            pos = rs
            for line in _split_lines(text[rs:re_]):
                ls, le = pos, pos + len(line)
                pos = le + 1
                stripped = line.strip()
                bounds = [0] + _sentence_ends(line) + [len(line)]
                pieces = [(ls + a, ls + b) for a, b in zip(bounds, bounds[1:]) if b > a]
                for a, b in pieces:
                    a, b = _trim(text, a, b)
                    for s, e in _split_long(text, a, b, self.max_chars):
                        s, e = _trim(text, s, e)
                        if e - s < self.min_chars or not any(ch.isalpha() for ch in text[s:e]):
                            continue
                        out.append(self._statement(text, s, e, ls, le, first_line_end,
                                                   stripped))
        if text is not original:
            for st in out:
                st["text"] = original[st["start"]:st["end"]]
        return out

    def _statement(self, text, s, e, ls, le, first_line_end, stripped: str | None = None) -> dict:
        body = text[s:e]
        qs = [(a, b) for a, b in quote_spans(body) if len(body[a:b].split()) >= 2]
        q = max(qs, key=lambda ab: ab[1] - ab[0]) if qs else None
        # segment_text passes the stripped line in, so a long line is not re-stripped per statement.
        line = text[ls:le].strip() if stripped is None else stripped
        whole_line = line == body
        unquoted = body.strip("\"“”«»' ")
        if s < first_line_end and not re.search(r"(?<!\.)[.!؟?]$", line[-2:]):
            kind = "title"             # a headline (Arabic headlines join two claims with "..")
        elif whole_line and len(body) <= 160 and not re.search(r"[.!؟?؛;…]$", unquoted) \
                and _blank_around(text, ls, le):
            kind = "heading"
        else:
            kind = "body"
        return {"start": s, "end": e, "text": body, "is_quote": bool(q),
                "quote_start": s + q[0] if q else -1, "quote_end": s + q[1] if q else -1,
                "kind": kind}

    def transform(self, documents: pd.DataFrame, progress: bool = False) -> pd.DataFrame:
        from ..io import progress_bar
        rows = []
        pairs = zip(documents["doc_id"], documents["text"])
        for doc_id, text in progress_bar(pairs, len(documents), "segmenting", progress, "doc", 200):
            for st in self.segment_text(text):
                rows.append({"claim_id": f"{doc_id}:{st['start']}", "doc_id": doc_id, **st})
        return pd.DataFrame(rows, columns=STATEMENT_COLUMNS)


def _split_lines(chunk: str) -> list[str]:
    return re.split("[" + LINE_BREAKS + "]", chunk)


def _first_content_line_end(text: str) -> int:
    stripped = len(text) - len(text.lstrip())
    nl = re.search("[" + LINE_BREAKS + "]", text[stripped:])
    return stripped + nl.start() if nl else len(text)


_TRAILING_SPACE = re.compile(r"\s*\Z")


def _blank_around(text: str, ls: int, le: int) -> bool:
    """Is the line text[ls:le] surrounded by blank lines (or the start/end of the text)?

    Index-based, so checking one short line of a huge document does not copy the document.
    """
    i = ls
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i == 0:
        blank_before = True
    elif text[i - 1] == "\n":
        j = i - 1
        while j > 0 and text[j - 1] in " \t":
            j -= 1
        blank_before = j > 0 and text[j - 1] == "\n"
    else:
        blank_before = False
    k = le
    while k < len(text) and text[k] in " \t":
        k += 1
    if _TRAILING_SPACE.match(text, k):
        blank_after = True
    elif text[k:k + 1] == "\n":
        k2 = k + 1
        while k2 < len(text) and text[k2] in " \t":
            k2 += 1
        blank_after = text[k2:k2 + 1] == "\n"
    else:
        blank_after = False
    return blank_before and blank_after
