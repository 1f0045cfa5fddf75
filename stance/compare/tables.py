"""Actor x topic, contrasts, timeline, events and the per-topic summary (see `stance.compare`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..embed.backends import unit_rows
from ._common import (ACTOR_TOPIC_COLUMNS, CONTRASTS_COLUMNS, EVENTS_COLUMNS, TIMELINE_COLUMNS,
                      _COUNT_COLS, _blank, _Context, _dominant, _empty, _lookup, _stance_counts,
                      _topic_key, _with_dominant)

_FREQS = {"D": None, "W": "W", "M": "M", "MS": "M", "Q": "Q", "QS": "Q", "Y": "Y", "YS": "Y",
          "A": "Y", "AS": "Y"}
_CHUNK_ELEMENTS = 4_000_000  # largest similarity block held at once (float32: 16 MB)


# --------------------------------------------------------------------------------------------
# actor x topic
# --------------------------------------------------------------------------------------------

def _actor_topic(ctx: _Context) -> pd.DataFrame:
    a = ctx.a
    if a.empty:
        return _empty(ACTOR_TOPIC_COLUMNS, ints=_COUNT_COLS, floats=["net_stance",
                                                                     "mean_confidence"])
    g = _stance_counts(a, ["speaker", "topic_id"])
    dated = a.loc[a["date"] != "", ["speaker", "topic_id", "date"]]
    dated = dated.sort_values("date", kind="stable")
    first = dated.drop_duplicates(["speaker", "topic_id"], keep="first")
    last = dated.drop_duplicates(["speaker", "topic_id"], keep="last")
    g = g.merge(first.rename(columns={"date": "first_date"}), on=["speaker", "topic_id"],
                how="left")
    g = g.merge(last.rename(columns={"date": "last_date"}), on=["speaker", "topic_id"],
                how="left")
    g["first_date"] = _blank(g["first_date"])
    g["last_date"] = _blank(g["last_date"])
    g["country"] = _lookup(g["speaker"], ctx.country)
    g["bloc"] = _lookup(g["speaker"], ctx.bloc)
    g["topic_label"] = _lookup(g["topic_id"], ctx.label)
    g = g.merge(_evidence(a, g), on=["speaker", "topic_id"], how="left")
    g["strongest_claim_id"] = _blank(g["strongest_claim_id"])
    g["_tk"] = _topic_key(g["topic_id"])
    g = g.sort_values(["_tk", "net_stance", "speaker"], ascending=[True, False, True],
                      kind="stable")
    return g[ACTOR_TOPIC_COLUMNS].reset_index(drop=True)


def _evidence(a: pd.DataFrame, g: pd.DataFrame) -> pd.DataFrame:
    """Per actor x topic: mean confidence and most confident claim behind the dominant stance."""
    dom = g[["speaker", "topic_id"]].assign(_dom=_dominant(g["n_affirm"], g["n_deny"]))
    b = a.merge(dom, on=["speaker", "topic_id"])
    b = b[(b["stance"] == b["_dom"]) | (b["_dom"] == "mixed")]
    mean = b.groupby(["speaker", "topic_id"], sort=False)["confidence"].mean().round(4)
    best = b.assign(_c=b["confidence"].fillna(-1.0)).sort_values(
        ["_c", "claim_id"], ascending=[False, True], kind="stable")
    best = best.drop_duplicates(["speaker", "topic_id"])[["speaker", "topic_id", "claim_id"]]
    return mean.rename("mean_confidence").reset_index().merge(
        best.rename(columns={"claim_id": "strongest_claim_id"}), on=["speaker", "topic_id"])


def actor_topic(claims: pd.DataFrame) -> pd.DataFrame:
    """Stance counts per actor and topic; columns `ACTOR_TOPIC_COLUMNS` (see module docstring)."""
    return _actor_topic(_Context(claims))


# --------------------------------------------------------------------------------------------
# contrasts
# --------------------------------------------------------------------------------------------

def _dedupe_statements(c: pd.DataFrame) -> pd.DataFrame:
    """One row per (topic, speaker, stance, text up to case/whitespace): the earliest dated."""
    norm = c["text"].str.casefold().str.split().str.join(" ")
    order = c.assign(_norm=norm, _dk=c["date"].replace("", "9999-99-99"))
    order = order.sort_values(["_dk", "claim_id", "_row"], kind="stable")
    order = order.drop_duplicates(["topic_id", "speaker", "stance", "_norm"])
    return order.sort_values("_row").drop(columns=["_norm", "_dk"])


def _prune(i: np.ndarray, j: np.ndarray, s: np.ndarray, k: int | None):
    """Keep every pair that could still be among the top k once similarities are rounded to 3
    decimals and ties are broken by other keys: all pairs within 1e-3 of the k-th best."""
    if k is None or s.size <= k:
        return i, j, s
    kth = np.partition(s, s.size - k)[s.size - k]
    keep = s >= kth - 1e-3
    return i[keep], j[keep], s[keep]


def _topic_pairs(ea: np.ndarray, ed: np.ndarray, spk_a: np.ndarray, spk_d: np.ndarray,
                 k: int | None, min_similarity: float | None):
    """Candidate (affirm index, deny index, cosine) triples for one topic, chunked over affirm."""
    n_d = len(ed)
    step = max(1, _CHUNK_ELEMENTS // max(n_d, 1))
    keep_i, keep_j, keep_s = [], [], []
    held = 0
    for start in range(0, len(ea), step):
        sim = ea[start:start + step] @ ed.T
        sim[spk_a[start:start + step, None] == spk_d[None, :]] = -np.inf
        floor = -np.inf if min_similarity is None else float(min_similarity)
        if k is not None and sim.size > k:
            kth = float(np.partition(sim, sim.size - k, axis=None)[sim.size - k])
            floor = max(floor, kth - 1e-3)
        keep = np.isfinite(sim) if floor == -np.inf else sim >= floor
        ii, jj = np.nonzero(keep)
        ss = sim[ii, jj].astype(np.float64)
        ii += start
        keep_i.append(ii), keep_j.append(jj), keep_s.append(ss)
        held += ss.size
        if k is not None and held > 4 * k + 1024:
            ci, cj, cs = _prune(np.concatenate(keep_i), np.concatenate(keep_j),
                                np.concatenate(keep_s), k)
            keep_i, keep_j, keep_s, held = [ci], [cj], [cs], cs.size
    if not keep_i:
        return np.empty(0, int), np.empty(0, int), np.empty(0)
    return (np.concatenate(keep_i), np.concatenate(keep_j),
            np.clip(np.concatenate(keep_s), -1.0, 1.0))


def contrasts(claims: pd.DataFrame, embeddings, max_pairs: int | None = 200,
              min_similarity: float | None = None) -> pd.DataFrame:
    """Opposing claim pairs per topic, most directly opposed first; columns `CONTRASTS_COLUMNS`.

    `embeddings` has one row per row of `claims` (same order). See the module docstring for the
    ranking and the round-robin cap across topics.
    """
    ctx = _Context(claims)
    emb = np.asarray(embeddings)
    if len(ctx.p) and (emb.ndim != 2 or emb.shape[0] != len(ctx.p)):
        raise ValueError(f"embeddings must have one row per claim: got shape {emb.shape} "
                         f"for {len(ctx.p)} claims")
    if max_pairs is not None and max_pairs <= 0:
        return _empty(CONTRASTS_COLUMNS, floats=["similarity"])
    c = ctx.a[ctx.a["stance"].isin(["affirm", "deny"])]
    if c.empty:
        return _empty(CONTRASTS_COLUMNS, floats=["similarity"])
    c = _dedupe_statements(c).reset_index(drop=True)
    spk = pd.factorize(c["speaker"])[0]
    rows = c["_row"].to_numpy()
    blocs = _lookup(c["speaker"], ctx.bloc).to_numpy(dtype=object)

    per_topic = []
    for tid, grp in c.groupby("topic_id", sort=False):
        ia = grp.index[grp["stance"].to_numpy() == "affirm"].to_numpy()
        idn = grp.index[grp["stance"].to_numpy() == "deny"].to_numpy()
        if ia.size == 0 or idn.size == 0:
            continue
        i, j, s = _topic_pairs(unit_rows(emb[rows[ia]]), unit_rows(emb[rows[idn]]),
                               spk[ia], spk[idn], max_pairs, min_similarity)
        if s.size == 0:
            continue
        ba, bd = blocs[ia[i]], blocs[idn[j]]
        cand = pd.DataFrame({
            "_a": ia[i], "_d": idn[j], "_sim": s, "similarity": np.round(s, 3),
            "_cross": (ba != "") & (bd != "") & (ba != bd),
            "claim_id_a": c["claim_id"].to_numpy()[ia[i]],
            "claim_id_b": c["claim_id"].to_numpy()[idn[j]],
        })
        cand = _rank(cand, [])
        if max_pairs is not None:
            cand = cand.head(max_pairs)
        cand["_turn"] = np.arange(len(cand))
        cand["topic_id"] = tid
        per_topic.append(cand)
    if not per_topic:
        return _empty(CONTRASTS_COLUMNS, floats=["similarity"])

    allc = pd.concat(per_topic, ignore_index=True)
    allc["_tk"] = _topic_key(allc["topic_id"])
    if max_pairs is not None:
        allc = _rank(allc, ["_turn"]).head(max_pairs)
    allc = _rank(allc, [])

    out = pd.DataFrame({"topic_id": allc["topic_id"].to_numpy()})
    out["topic_label"] = _lookup(out["topic_id"], ctx.label)
    a_rows, d_rows = c.loc[allc["_a"]], c.loc[allc["_d"]]
    for side, src in (("a", a_rows), ("b", d_rows)):
        out[f"claim_id_{side}"] = src["claim_id"].to_numpy()
        out[f"speaker_{side}"] = src["speaker"].to_numpy()
        out[f"stance_{side}"] = src["stance"].to_numpy()
    out["similarity"] = allc["similarity"].to_numpy()
    for col in ("text", "date", "outlet", "doc_id"):
        out[f"{col}_a"] = a_rows[col].to_numpy()
        out[f"{col}_b"] = d_rows[col].to_numpy()
    for side, src in (("a", a_rows), ("b", d_rows)):
        out[f"country_{side}"] = _lookup(src["speaker"], ctx.country).to_numpy(dtype=object)
        out[f"bloc_{side}"] = _lookup(src["speaker"], ctx.bloc).to_numpy(dtype=object)
    return out[CONTRASTS_COLUMNS].reset_index(drop=True)


def _rank(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Sort by `first` (ascending), then the contrast ranking (see module docstring)."""
    keys = first + ["similarity", "_cross", "_sim"] + (["_tk"] if "_tk" in df else []) \
        + ["claim_id_a", "claim_id_b"]
    asc = [True] * len(first) + [False, False, False] + ([True] if "_tk" in df else []) \
        + [True, True]
    return df.sort_values(keys, ascending=asc, kind="stable")


# --------------------------------------------------------------------------------------------
# timeline, events, summary
# --------------------------------------------------------------------------------------------

def timeline(claims: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """Stance per actor and topic per date bucket; columns `TIMELINE_COLUMNS`.

    freq: "D" (day), "W" (week starting Monday), "M" (month), "Q" (quarter) or "Y" (year).
    """
    key = str(freq).upper()
    if key not in _FREQS:
        raise ValueError(f"freq must be one of D, W, M, Q, Y; got {freq!r}")
    ctx = _Context(claims)
    a = ctx.a[ctx.a["date"] != ""]
    if a.empty:
        return _empty(TIMELINE_COLUMNS, ints=_COUNT_COLS[:3], floats=["net_stance"])
    period = _FREQS[key]
    if period is None:
        bucket = a["date"]
    else:
        days = pd.to_datetime(a["date"], format="%Y-%m-%d")
        bucket = days.dt.to_period(period).dt.start_time.dt.strftime("%Y-%m-%d")
    a = a.assign(_bucket=bucket.astype(object).to_numpy())
    g = _stance_counts(a, ["topic_id", "speaker", "_bucket"]).rename(columns={"_bucket": "date"})
    g["bloc"] = _lookup(g["speaker"], ctx.bloc)
    g["topic_label"] = _lookup(g["topic_id"], ctx.label)
    g["_tk"] = _topic_key(g["topic_id"])
    g = g.sort_values(["_tk", "speaker", "date"], kind="stable")
    return g[TIMELINE_COLUMNS].reset_index(drop=True)


def events(claims: pd.DataFrame) -> pd.DataFrame:
    """DNA-style statement list, one row per attributed topic claim; columns `EVENTS_COLUMNS`."""
    ctx = _Context(claims)
    a = ctx.a
    if a.empty:
        return _empty(EVENTS_COLUMNS, floats=["stance_score"])
    a = a.assign(_dk=a["date"].replace("", "9999-99-99"))
    a = a.sort_values(["_dk", "doc_id", "start", "claim_id", "_row"], kind="stable",
                      na_position="last")
    agreement = np.select([a["stance"] == "affirm", a["stance"] == "deny"], [1, 0], -1)
    out = pd.DataFrame({
        "date": a["date"].to_numpy(), "doc_id": a["doc_id"].to_numpy(),
        "claim_id": a["claim_id"].to_numpy(), "person": a["speaker"].to_numpy(),
        "organisation": a["organisation"].to_numpy(),
        "country": _lookup(a["speaker"], ctx.country).to_numpy(dtype=object),
        "bloc": _lookup(a["speaker"], ctx.bloc).to_numpy(dtype=object),
        "concept": _lookup(a["topic_id"], ctx.label).to_numpy(dtype=object),
        "topic_id": a["topic_id"].to_numpy(),
        "agreement": pd.Series([int(v) if v >= 0 else "" for v in agreement], dtype=object),
        "stance_score": a["stance_score"].to_numpy(dtype=float),
        "text": a["text"].to_numpy(), "outlet": a["outlet"].to_numpy(),
    })
    return out[EVENTS_COLUMNS]


def summary(claims: pd.DataFrame) -> dict:
    """Per topic: topic_label, affirmers, deniers (actors by dominant stance), n_claims."""
    ctx = _Context(claims)
    topical = ctx.p[ctx.p["topic_id"] != ""]
    if topical.empty:
        return {}
    sizes = topical.groupby("topic_id", sort=False).size()
    at = _with_dominant(_actor_topic(ctx))
    aff = at[at["dominant"] == "affirm"]  # already ordered by net_stance desc, speaker
    den = at[at["dominant"] == "deny"].sort_values(["net_stance", "speaker"], kind="stable")
    aff_by = aff.groupby("topic_id", sort=False)["speaker"].agg(list).to_dict()
    den_by = den.groupby("topic_id", sort=False)["speaker"].agg(list).to_dict()
    tids = pd.Series(sizes.index, dtype=object)
    tids = tids.iloc[np.argsort(_topic_key(tids), kind="stable")]
    return {tid: {"topic_label": ctx.label.get(tid, ""), "affirmers": aff_by.get(tid, []),
                  "deniers": den_by.get(tid, []), "n_claims": int(sizes[tid])}
            for tid in tids}
