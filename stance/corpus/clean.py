"""Find web boilerplate in scraped articles without changing the text.

Cleaning returns *spans to skip*; the text itself is never rewritten, so every statement keeps
exact offsets into the original document. Patterns are regular expressions matched per line
(re.MULTILINE); the analyst adds more through `Config.boilerplate_patterns`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ConfigError
from ..textnorm import normalize

DEFAULT_PATTERNS: tuple[str, ...] = (
    # Failed social-media embeds.
    r"^[ \t]*An error occurred while retrieving the Tweet\..*$",
    r"^[ \t]*(This|The) (Tweet|post) (is unavailable|was deleted|might have been deleted).*$",
    r"^[ \t]*pic\.twitter\.com/\S+[ \t]*$",
    # Related-content and comment-box furniture.
    r"^[ \t]*(اخترنا لك|أفكارك وتعليقاتك|شارك(نا)? برأيك|تابعونا على.*|اقرأ أيضا[ًا]?\s*[:：].*|اقرأ المزيد.*|مواضيع ذات صلة|الأكثر قراءة)[ \t]*$",
    r"^[ \t]*(Read more|Read also|Related|Advertisement|Share this article|Comments?)\s*:?.*$",
    # Source lines and wire furniture.
    r"^[ \t]*(المصدر|Source|Источник)\s*[:：].*$",
    r"^[ \t]*\((تستمر|يتبع|continued|more)\)[ \t]*$",
    # Media player timestamps ("0:00", "12:31 / 45:02").
    r"^[ \t]*\d{1,2}:\d{2}(:\d{2})?(\s*/\s*\d{1,2}:\d{2}(:\d{2})?)?[ \t]*$",
    # Bulleted teasers/captions and their indented continuation lines.
    r"^[ \t]*[•·▪◦●■►][^\n]*(\n[ \t]{2,}[^\n]+)*",
    # Wire datelines in parentheses at the start of a paragraph: "( Agency - 07 December 2021)".
    r"^[ \t]*\([^()\n]{0,80}\d{4}[^()\n]{0,6}\)[ \t]*",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    reason: str


class BoilerplateCleaner:
    """Marks boilerplate spans: pattern matches and a headline/line repeated within a document."""

    def __init__(self, patterns: list[str] | tuple[str, ...] = (), use_defaults: bool = True,
                 drop_repeated_lines: bool = True):
        self.patterns = tuple(DEFAULT_PATTERNS if use_defaults else ()) + tuple(patterns)
        self.drop_repeated_lines = drop_repeated_lines
        self._compiled = []
        for p in self.patterns:
            try:
                self._compiled.append(re.compile(p, re.MULTILINE))
            except re.error as e:
                raise ConfigError(f"boilerplate pattern {p!r} is not a valid regular expression: {e}") from None

    def spans(self, text: str) -> list[Span]:
        out: list[Span] = []
        for rx in self._compiled:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    out.append(Span(m.start(), m.end(), "pattern"))
        if self.drop_repeated_lines:
            out.extend(self._repeated_lines(text))
        return merge_spans(out)

    @staticmethod
    def _repeated_lines(text: str) -> list[Span]:
        # A headline printed twice (or a caption repeating the line above) adds nothing: keep
        # the first occurrence only. Short lines are exempt; they repeat legitimately.
        seen: set[str] = set()
        out = []
        pos = 0
        for line in text.split("\n"):
            key = " ".join(normalize(line).split())
            if len(key) >= 25:
                if key in seen:
                    lead = len(line) - len(line.lstrip())
                    out.append(Span(pos + lead, pos + len(line.rstrip()), "repeated line"))
                seen.add(key)
            pos += len(line) + 1
        return out


def merge_spans(spans: list[Span]) -> list[Span]:
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in spans:
        if merged and s.start <= merged[-1].end:
            last = merged[-1]
            if s.end > last.end:
                merged[-1] = Span(last.start, s.end, last.reason)
        else:
            merged.append(s)
    return merged


def kept_regions(text: str, skip: list[Span]) -> list[tuple[int, int]]:
    """The complement of `skip` within the text, as (start, end) pairs."""
    regions, pos = [], 0
    for s in skip:
        if s.start > pos:
            regions.append((pos, s.start))
        pos = max(pos, s.end)
    if pos < len(text):
        regions.append((pos, len(text)))
    return regions
