"""Topic labels: class-based TF-IDF keywords (BERTopic's c-TF-IDF) over Arabic-aware tokens."""
from __future__ import annotations

import math
from collections import Counter

from ..textnorm import content_tokens, tokens

class ClassTfidfLabeller:
    """Keywords per topic by class-based TF-IDF (BERTopic's c-TF-IDF) over Arabic-aware tokens."""

    def __init__(self, n_keywords: int = 8):
        self.n_keywords = n_keywords

    def keywords(self, docs_by_topic: dict[str, list[str]]) -> dict[str, list[str]]:
        vocab = {t for docs in docs_by_topic.values() for d in docs for t in tokens(d)}
        counts = {tid: Counter(t for d in docs for t in content_tokens(d, vocab))
                  for tid, docs in docs_by_topic.items()}
        freq = Counter()
        for c in counts.values():
            freq.update(c)
        avg = sum(sum(c.values()) for c in counts.values()) / max(len(counts), 1)
        out = {}
        for tid, c in counts.items():
            total = sum(c.values()) or 1
            scored = {t: (n / total) * math.log(1 + avg / freq[t]) for t, n in c.items()}
            out[tid] = [t for t, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))][:self.n_keywords]
        return out
