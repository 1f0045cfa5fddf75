"""Topic labels: class-based TF-IDF keywords (BERTopic's c-TF-IDF) over Arabic-aware tokens,
shown as the corpus writes them.

Keywords are chosen on normalised, clitic-stripped tokens (so العقوبات، والعقوبات، عقوبات count as
one word), then each is shown in its most frequent written form in the topic. A label is the
run of words in one of the topic's most representative statements that holds at least two of its
top keywords with the fewest other words between them (a phrase a reader recognises, e.g. «فرض عقوبات على روسيا»); when no
statement has one, the top keywords joined by " · ".
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from ..textnorm import _INVISIBLE, content_tokens, tokens

# A word with its Arabic diacritics (combining marks are not \w, and would split سيُنهي).
_WORD = re.compile("(?:[^\\W_]|[\u0610-\u061A\u064B-\u065F\u0670])+(?:['’][^\\W_]+)?",
                   re.UNICODE)
_CONJ = ("و", "ف")
FILLER_COST = 0.35   # a word between keywords costs about a third of a keyword


def _surface_words(text: str) -> list[tuple[str, str]]:
    """(written word, its keyword form or "") for each word of `text`, in order."""
    out = []
    # Scraped text hides zero-width joiners and bidi marks inside words: drop them first.
    text = _INVISIBLE.sub("", text)
    for m in _WORD.finditer(text):
        w = m.group(0)
        key = content_tokens(w)
        out.append((w, key[0] if key else ""))
    return out


def _as_written(word: str, written: set[str] | frozenset = frozenset()) -> str:
    # A leading conjunction (و، ف) is not part of how a reader names a thing, but many words
    # start with those letters (وزير، واشنطن، فلاديمير): drop it only when the rest is itself a
    # word the corpus writes.
    if len(word) > 3 and word[0] in _CONJ and word[1:] in written:
        return word[1:]
    return word


class ClassTfidfLabeller:
    """Keywords per topic by class-based TF-IDF, and readable labels built from them."""

    def __init__(self, n_keywords: int = 8, max_label_words: int = 7):
        self.n_keywords = n_keywords
        self.max_label_words = max_label_words

    def keywords(self, docs_by_topic: dict[str, list[str]]) -> dict[str, list[str]]:
        """Top keywords per topic (normalised forms), best first."""
        vocab = {t for docs in docs_by_topic.values() for d in docs for t in tokens(d)}
        per_doc = {tid: [set(content_tokens(d, vocab)) for d in docs]
                   for tid, docs in docs_by_topic.items()}
        counts = {tid: Counter(t for d in docs for t in content_tokens(d, vocab))
                  for tid, docs in docs_by_topic.items()}
        freq = Counter()
        for c in counts.values():
            freq.update(c)
        avg = sum(sum(c.values()) for c in counts.values()) / max(len(counts), 1)
        out = {}
        for tid, c in counts.items():
            total = sum(c.values()) or 1
            df = Counter(t for s in per_doc[tid] for t in s)
            # In a topic of three statements or more, a keyword must be shared by two of them:
            # one statement's idiosyncrasy does not name a topic.
            need = 2 if len(per_doc[tid]) >= 3 else 1
            scored = {t: (n / total) * math.log(1 + avg / freq[t]) for t, n in c.items()
                      if df[t] >= need and len(t) > 1} or \
                {t: (n / total) * math.log(1 + avg / freq[t]) for t, n in c.items() if len(t) > 1}
            out[tid] = [t for t, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))][:self.n_keywords]
        return out

    def labels(self, docs_by_topic: dict[str, list[str]], representatives: dict[str, list[str]]
               ) -> dict[str, tuple[str, list[str]]]:
        """{topic: (label, keywords as written)}; `representatives` are each topic's most
        representative statements, best first."""
        kws = self.keywords(docs_by_topic)
        out = {}
        for tid, docs in docs_by_topic.items():
            words = [w for d in docs for w, _ in _surface_words(d)]
            vocab = set(words)
            written: dict[str, Counter] = defaultdict(Counter)
            for d in docs:
                for w, key in _surface_words(d):
                    if key:
                        written[key][_as_written(w, vocab)] += 1
            surface = [written[k].most_common(1)[0][0] if written[k] else k for k in kws.get(tid, [])]
            label = self._phrase(set(kws.get(tid, [])[:5]), representatives.get(tid, []), vocab)
            if not label:
                label = " · ".join(surface[:3])
            out[tid] = (label, surface)
        return out

    def _phrase(self, top: set[str], reps: list[str], vocab: set[str]) -> str:
        best = None
        for rank, text in enumerate(reps[:3]):
            words = _surface_words(text)
            for i in range(len(words)):
                if words[i][1] not in top:
                    continue
                seen = set()
                for j in range(i, min(len(words), i + self.max_label_words)):
                    if words[j][1] in top:
                        seen.add(words[j][1])
                        if len(seen) >= 2:
                            # Keywords count for the label, words between them against it (a
                            # phrase, not a clause); then shorter, then the more representative.
                            n_words = j - i + 1
                            gain = len(seen) - FILLER_COST * (n_words - len(seen))
                            key = (-gain, n_words, rank)
                            if best is None or key < best[0]:
                                best = (key, " ".join(_as_written(w, vocab) if k == i else w
                                                      for k, (w, _) in enumerate(words[i:j + 1], i)))
        return best[1] if best else ""
