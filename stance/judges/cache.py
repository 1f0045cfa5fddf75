"""Judgements through the on-disk cache: a rerun, or a run resumed after an interruption, reads
again only the (statement, proposition) pairs it has not judged before.

The cache is the embedding cache's store (sharded `.npz`, checksummed, written chunk by chunk),
keyed by the judge's model id and the hash of the pair; each "vector" is the judge's four
probabilities (unrelated, affirm, deny, neutral).
"""
from __future__ import annotations

import numpy as np

from .cross import LABELS, judgement_table

_SEP = "\x1f"   # joins a pair into one cache key; never inside text the corpus reader returns


class _PairEncoder:
    """Presents a judge to the embedding cache as an 'embedder' of pair keys."""

    def __init__(self, judge):
        self.judge = judge
        self.model_id = judge.model_id
        self.dim = len(LABELS)

    def encode(self, keys, kind: str = "query", batch_size: int = 32, progress: bool = False):
        props, stmts = zip(*(k.split(_SEP, 1) for k in keys))
        return self.judge.predict_proba(list(stmts), list(props), progress=progress)


def judge_pairs(judge, statements: list[str], propositions: list[str], cache_root: str | None = None,
                vectors: tuple | None = None, relevance=None, progress: bool = False):
    """The judgement table (`judgement_table` columns) of each (statement, proposition) pair."""
    if not getattr(judge, "cacheable", False) or not cache_root:
        sv, pv = vectors if vectors is not None else (None, None)
        return judge.judge(statements, propositions, sv, pv, relevance=relevance, progress=progress)
    from ..embed import EmbeddingCache
    cache = EmbeddingCache(cache_root, folder="judgements")
    cache.chunk_size = 256      # a killed run loses at most one chunk of judging
    keys = [p.replace(_SEP, " ") + _SEP + s.replace(_SEP, " ") for s, p in zip(statements, propositions)]
    proba = cache.encode(_PairEncoder(judge), keys, kind="query",
                         batch_size=getattr(judge, "batch_size", 32), progress=progress)
    return judgement_table(np.asarray(proba, dtype=np.float32))
