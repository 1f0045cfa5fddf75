"""What the judge reads: (statement, proposition) pairs, and its judgements on them.

For each (statement, topic) pair the judge reads the attribution frame plus the one unit of the
statement (its reported content, or a clause of it) closest to the nearest wording of the
proposition; judgements run on pair partitions (locally or on Dask workers) through the on-disk
cache, and the conditional gate applies on top.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .executors import partition_bounds
from .state import RunState

JUDGE_COLUMNS = ["p_related", "stance", "p_affirm", "p_deny", "p_neutral", "stance_score"]


def judge_part(part: tuple, judge, cache_root: str, progress: bool = False) -> pd.DataFrame:
    """The judgement table for a partition (pairs, unit vectors, proposition vectors)."""
    from ..judges.cache import judge_pairs
    pairs, uv, pv = part
    return judge_pairs(judge, pairs["statement"].tolist(), pairs["proposition"].tolist(),
                       cache_root=cache_root, vectors=(uv, pv), relevance=pairs["score"].to_numpy(),
                       progress=progress)


def run_judge(st: RunState, pairs: pd.DataFrame, unit_vecs: np.ndarray,
              prop_vecs: np.ndarray) -> pd.DataFrame:
    """`pairs` (statement, proposition, score …) with the judge's columns added."""
    if pairs.empty:
        return pairs.assign(conditional=pd.Series(dtype=bool),
                            **{c: pd.Series(dtype=object if c == "stance" else float)
                               for c in JUDGE_COLUMNS})
    judge = st.models.judge
    needs = getattr(judge, "needs_vectors", False)
    cuts = partition_bounds(np.ones(len(pairs)), st.executor.n_parts())
    parts = [(pairs.iloc[a:b], unit_vecs[a:b] if needs else None, prop_vecs[a:b] if needs else None)
             for a, b in cuts]
    out = st.executor.map(judge_part, parts, judge, str(st.config.cache_path()),
                          st.config.progress and st.executor.progress_in_tasks)
    t = pd.concat(out, ignore_index=True)
    res = pairs.reset_index(drop=True).copy()
    res["p_related"] = t["related"].to_numpy()
    for col in ("stance", "p_affirm", "p_deny", "p_neutral", "stance_score"):
        res[col] = t[col].to_numpy()
    res["conditional"] = False
    # A condition ("if Russia invades, we respond") asserts nothing about the proposition.
    if st.config.conditional_neutral:
        from ..judges.units import is_conditional
        cond = np.asarray([lab != "neutral" and is_conditional(s[f:]) for lab, s, f in
                           zip(res["stance"], res["statement"], res["frame_len"])], dtype=bool)
        res.loc[cond, "stance"] = "neutral"
        res.loc[cond, "stance_score"] = res.loc[cond, "stance_score"] * 0.25
        res["conditional"] = cond
    return res


def _units_of(st: RunState) -> dict[int, list[int]]:
    units: dict[int, list[int]] = {}
    for j, i in enumerate(st.emb.clause_owner):
        units.setdefault(int(i), []).append(j)
    return units


def make_pairs(st: RunState, rows: np.ndarray, targets: list, scores: np.ndarray
               ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Judge inputs for (statement row, target) pairs.

    A target is (topic_id, [proposition variants], variant vectors). The judge reads the frame
    before the reported content plus the unit (the content, or one of its clauses) closest to the
    nearest variant; that variant is the proposition it reads.
    """
    from ..judges.units import best_unit, judged_text
    claims, emb = st.claims, st.emb
    texts = claims["text"].tolist()
    starts = claims["start"].to_numpy()
    rs = claims["reported_start"].to_numpy() - starts
    re_ = claims["reported_end"].to_numpy() - starts
    units = _units_of(st)
    recs, uv, pv = [], [], []
    for i, (tid, variants, vvecs), score in zip(rows, targets, scores):
        cand = [(emb.content[i], (int(rs[i]), int(re_[i])))]
        for j in units.get(int(i), []):
            cand.append((emb.clauses[j], emb.clause_bounds[j]))
        u, k = best_unit(np.stack([v for v, _ in cand]), vvecs)
        vec, span = cand[u]
        recs.append({"row": int(i), "topic_id": tid, "score": float(score),
                     "statement": judged_text(texts[i], int(rs[i]), span),
                     "frame_len": int(rs[i]), "proposition": variants[k],
                     "unit_start": int(starts[i] + span[0]), "unit_end": int(starts[i] + span[1])})
        uv.append(vec)
        pv.append(vvecs[k])
    dim = emb.content.shape[1]
    return (pd.DataFrame(recs, columns=["row", "topic_id", "score", "statement", "frame_len",
                                        "proposition", "unit_start", "unit_end"]),
            np.asarray(uv, dtype=np.float32).reshape(-1, dim),
            np.asarray(pv, dtype=np.float32).reshape(-1, dim))


def _defined_targets(st: RunState) -> dict[str, tuple]:
    """Per defined topic: its proposition variants (proposition + translations) and their vectors."""
    out, offset = {}, 0
    for t in st.models.topic_model.defs:
        n_prop = 1 + len(t.also)
        out[t.id] = (t.id, [t.proposition, *t.also], st.emb.anchors[offset:offset + n_prop])
        offset += len(t.anchors)
    return out
