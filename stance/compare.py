"""Compare actors: who says what about which topic, who opposes whom, and how it changes over time.

Every function takes the claims table (one row per statement; see DESIGN.md) and returns a new
DataFrame / graph / dict; nothing here mutates its input or does I/O except `export_networks`.
Missing values may be "" or NaN/None; both are treated as missing. Rows are always returned in a
deterministic order. Topic ids sort "naturally" (T2 before T10). Empty input (no rows, no topics,
no attributed claims) gives empty outputs with the documented columns, never an exception.

Definitions shared by all outputs
---------------------------------
- *attributed claim*: `speaker` is not empty. *Actor* = `speaker` (the registry's display name).
- a claim with `duplicate_of` set repeats an earlier one (same text, another document) and is
  left out of every count, so a statement reprinted by several articles counts once.
- *topic claim*: `topic_id` is not empty.
- stance values are lower-cased; a topic claim whose stance is not affirm/deny/neutral (e.g. "")
  counts as neutral.
- an actor's `country` / `bloc` is the most frequent non-empty value over all their attributed
  claims (ties: alphabetically first); a topic's `topic_label` is its most frequent non-empty label.
- *dominant stance* of an actor on a topic: affirm if n_affirm > n_deny, deny if n_deny > n_affirm,
  "mixed" if equal and non-zero, "neutral" if the actor made only neutral claims on it.
- dates are normalised to ISO `YYYY-MM-DD`; anything unparseable counts as missing ("").

Outputs
-------
`actor_topic(claims)` -> DataFrame, one row per actor x topic (attributed topic claims only):
    speaker, country, bloc, topic_id, topic_label, n_affirm, n_deny, n_neutral, n_claims,
    net_stance (= (n_affirm - n_deny) / n_claims, 3 decimals, in [-1, 1]),
    first_date, last_date ("" when none of the claims is dated),
    mean_confidence (mean `stance_confidence` of the statements behind the dominant stance -
    all of them when mixed; NaN when the judge's probabilities are missing),
    strongest_claim_id (the most confident of those statements; ties: smallest claim_id).
    Sorted by topic_id, net_stance descending, speaker.

`stance_confidence(claims)` -> Series: how sure the judge is of each claim's stance,
    P(that stance | about the topic) x P(about the topic) = p_<stance> x p_related, in [0, 1];
    1 for an analyst's correction (stance_source "annotation"); NaN without a stance or
    without the judge's probabilities.

`contrasts(claims, embeddings, max_pairs=200, min_similarity=None)` -> DataFrame, one row per
opposing pair of claims:
    topic_id, topic_label, claim_id_a, claim_id_b, speaker_a, speaker_b, stance_a, stance_b,
    similarity, text_a, text_b, date_a, date_b, outlet_a, outlet_b, doc_id_a, doc_id_b,
    country_a, country_b, bloc_a, bloc_b.
    A pair = two attributed claims on the same topic, one affirm and one deny, by different
    speakers; side a is always the affirming claim (stance_a == "affirm", stance_b == "deny").
    similarity = cosine of the two claims' embeddings (3 decimals): the higher, the more directly
    the two statements speak to each other.
    Ranking: similarity (3 decimals) descending; at equal similarity a cross-bloc pair (both blocs
    known and different) ranks above a same-bloc/unknown-bloc pair; then the unrounded
    similarity, topic_id, claim_id_a, claim_id_b. The output is in this order.
    Fair cap: topics take turns (round-robin) - every topic's best pair comes before any topic's
    second best, and so on - until `max_pairs` (None = no cap) pairs are chosen, so one big topic
    cannot take all the slots. `min_similarity` drops pairs below that cosine.
    Repeats: the same statement (same topic, speaker, stance and text up to case/whitespace; e.g.
    one wire quote reprinted by many outlets) is paired once, using its earliest dated occurrence.
    Cost: per topic, affirm x deny similarity blocks in bounded chunks (never all x all claims).

`network_edges(claims, kind="both")` -> DataFrame, one row per actor pair (DNA one-mode network):
    actor_a, actor_b (actor_a < actor_b), congruence (number of topics on which both hold the same
    dominant stance, affirm or deny), conflict (number of topics with opposite dominant stances),
    weight, topics (";"-joined topic ids), bloc_a, bloc_b.
    kind="congruence": pairs with congruence > 0, weight = congruence, topics = congruent topics;
    kind="conflict":   pairs with conflict > 0,   weight = conflict,   topics = conflicting topics;
    kind="both":       pairs with either > 0,     weight = congruence - conflict (may be 0 or
    negative), topics = all topics on which both took a side.
    Neutral and "mixed" dominant stances create no ties (as in Leifeld's Discourse Network
    Analyzer, where only the agreement qualifier's two values are compared). Sorted by actor_a,
    actor_b.

`actor_network(claims, kind="both")` -> networkx.Graph built from `network_edges`:
    nodes = every actor with an attributed topic claim (isolates included), attributes
    label, country, bloc, n_claims (attributed topic claims), n_topics;
    edges carry congruence, conflict, weight, topics. graph attribute `kind`.

`actor_topic_network(claims)` -> networkx.Graph, two-mode (actors x topics):
    actor nodes: id = speaker, bipartite=0, node_type="actor", label, country, bloc, n_claims;
    topic nodes: id = "topic:<topic_id>", bipartite=1, node_type="topic", label (topic_label or
    the id), topic_id, n_claims (all claims on the topic, attributed or not);
    edges (one per actor_topic row): stance (dominant), n_affirm, n_deny, n_neutral, n_claims,
    net_stance, weight (= n_claims).

`export_networks(claims, out_dir)` -> [Path] writes, each atomically (temp file + os.replace):
    actor_network.graphml (kind="both"), actor_topic_network.graphml, actor_network_edges.csv
    (`network_edges`, UTF-8 with BOM). All GraphML attribute values are str/int/float.

`timeline(claims, freq="D")` -> DataFrame, one row per date bucket x actor x topic:
    date (ISO; for freq "W" the Monday starting the week, "M" the first of the month, "Q"/"Y" the
    first day of the quarter/year), speaker, bloc, topic_id, topic_label, n_affirm, n_deny,
    n_neutral, net_stance. Attributed topic claims with a date only. Sorted by topic_id, speaker,
    date.

`events(claims)` -> DataFrame, one row per attributed topic claim (DNA "statement" export):
    date, doc_id, claim_id, person (= speaker), organisation, country, bloc, concept
    (= topic_label), topic_id, agreement, stance_score, text, outlet.
    agreement: 1 = affirm, 0 = deny, "" = neutral. Neutral claims are kept (they show who spoke
    on the topic) but carry no agreement value, so DNA-style tools that only know a binary
    qualifier can drop them by filtering agreement != "". Sorted by date (undated last), doc_id,
    start, claim_id.

`summary(claims)` -> dict {topic_id: {"topic_label": str, "affirmers": [speaker, ...],
    "deniers": [speaker, ...], "n_claims": int}} for every topic with at least one claim.
    affirmers/deniers = actors whose dominant stance is affirm/deny, strongest net_stance first
    (then by name); n_claims counts all claims on the topic, attributed or not. Topics in
    natural topic_id order.
"""
from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .embed.backends import unit_rows
from .io import atomic_path, write_csv

__all__ = [
    "ACTOR_TOPIC_COLUMNS", "CONTRASTS_COLUMNS", "NETWORK_EDGES_COLUMNS", "TIMELINE_COLUMNS",
    "EVENTS_COLUMNS", "actor_topic", "contrasts", "actor_network", "actor_topic_network",
    "network_edges", "export_networks", "timeline", "events", "summary", "stance_confidence",
]

ACTOR_TOPIC_COLUMNS = ["speaker", "country", "bloc", "topic_id", "topic_label", "n_affirm",
                       "n_deny", "n_neutral", "n_claims", "net_stance", "first_date", "last_date",
                       "mean_confidence", "strongest_claim_id"]
CONTRASTS_COLUMNS = ["topic_id", "topic_label", "claim_id_a", "claim_id_b", "speaker_a",
                     "speaker_b", "stance_a", "stance_b", "similarity", "text_a", "text_b",
                     "date_a", "date_b", "outlet_a", "outlet_b", "doc_id_a", "doc_id_b",
                     "country_a", "country_b", "bloc_a", "bloc_b"]
NETWORK_EDGES_COLUMNS = ["actor_a", "actor_b", "congruence", "conflict", "weight", "topics",
                         "bloc_a", "bloc_b"]
TIMELINE_COLUMNS = ["date", "speaker", "bloc", "topic_id", "topic_label", "n_affirm", "n_deny",
                    "n_neutral", "net_stance"]
EVENTS_COLUMNS = ["date", "doc_id", "claim_id", "person", "organisation", "country", "bloc",
                  "concept", "topic_id", "agreement", "stance_score", "text", "outlet"]

NETWORK_KINDS = ("congruence", "conflict", "both")
_STR_COLS = ("claim_id", "doc_id", "text", "speaker", "organisation", "country", "bloc",
             "topic_id", "topic_label", "stance", "date", "outlet", "duplicate_of")
_COUNT_COLS = ["n_affirm", "n_deny", "n_neutral", "n_claims"]
_FREQS = {"D": None, "W": "W", "M": "M", "MS": "M", "Q": "Q", "QS": "Q", "Y": "Y", "YS": "Y",
          "A": "Y", "AS": "Y"}
_CHUNK_ELEMENTS = 4_000_000  # largest similarity block held at once (float32: 16 MB)


# --------------------------------------------------------------------------------------------
# preparation helpers
# --------------------------------------------------------------------------------------------

def _as_str(s: pd.Series) -> pd.Series:
    """Stripped strings (object dtype) with "" for NaN/None; whole floats (3.0, from CSV NaN
    promotion) become "3". Works on the distinct values only."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)

    def fmt(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    table = np.array([fmt(v) for v in uniques] + [""], dtype=object)
    return pd.Series(table[codes], index=s.index, dtype=object)


def _norm_dates(s: pd.Series) -> pd.Series:
    """ISO YYYY-MM-DD (a leading date of a timestamp is kept); "" for missing or invalid."""
    head = s.str.extract(r"^(\d{4}-\d{2}-\d{2})", expand=False)
    ok = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce").notna()
    return _blank(head.where(ok))


def _prepare(claims: pd.DataFrame) -> pd.DataFrame:
    """A cleaned copy with the columns this module uses; `_row` = position in `claims`."""
    n = len(claims)
    p = pd.DataFrame({"_row": np.arange(n)})
    for col in _STR_COLS:
        p[col] = _as_str(claims[col].reset_index(drop=True)) if col in claims.columns else ""
    for col in ("start", "stance_score"):
        if col in claims.columns:
            p[col] = pd.to_numeric(claims[col].reset_index(drop=True), errors="coerce")
        else:
            p[col] = np.nan
    p["stance"] = p["stance"].str.lower()
    p["confidence"] = stance_confidence(claims).to_numpy() if n else np.nan
    p["date"] = _norm_dates(p["date"]) if n else p["date"]
    topical = p["topic_id"] != ""
    unknown = topical & ~p["stance"].isin(["affirm", "deny", "neutral"])
    p.loc[unknown, "stance"] = "neutral"
    return p


def stance_confidence(claims: pd.DataFrame) -> pd.Series:
    """P(the claim's stance | about the topic) x P(about the topic); 1 for a correction."""
    idx = claims.index
    stance = _as_str(claims["stance"]).str.lower() if "stance" in claims else pd.Series("", idx)

    def col(name):
        return pd.to_numeric(claims[name], errors="coerce") if name in claims \
            else pd.Series(np.nan, index=idx)
    chosen = np.select([stance == "affirm", stance == "deny", stance == "neutral"],
                       [col("p_affirm"), col("p_deny"), col("p_neutral")], np.nan)
    conf = pd.Series(np.clip(chosen * col("p_related").to_numpy(), 0.0, 1.0), index=idx)
    if "stance_source" in claims:
        conf[(_as_str(claims["stance_source"]) == "annotation").to_numpy() & (stance != "")] = 1.0
    return conf.round(4)


def _attributed_topical(p: pd.DataFrame) -> pd.DataFrame:
    """Attributed statements with a topic, each counted once (`duplicate_of` rows skipped)."""
    return p[(p["speaker"] != "") & (p["topic_id"] != "") & (p["duplicate_of"] == "")]


def _mode_map(df: pd.DataFrame, key: str, col: str) -> dict:
    """key -> most frequent non-empty `col` value (ties: alphabetically first)."""
    d = df.loc[df[col] != "", [key, col]]
    if d.empty:
        return {}
    c = d.groupby([key, col], sort=True).size().reset_index(name="_n")
    c = c.sort_values("_n", ascending=False, kind="stable").drop_duplicates(key)
    return dict(zip(c[key], c[col]))


def _lookup(s: pd.Series, mapping: dict) -> pd.Series:
    """`s` mapped through `mapping`, "" where there is no entry (object dtype)."""
    return _blank(s.map(mapping))


def _blank(s: pd.Series) -> pd.Series:
    """Object-dtype copy of `s` with "" for missing values."""
    out = s.astype(object)
    return out.where(out.notna(), "")


def _topic_key(s: pd.Series) -> np.ndarray:
    """Natural sort rank of topic ids (T2 < T10, "2" < "10"), as integers aligned with `s`."""
    codes, uniques = pd.factorize(s.astype(str))
    keys = [re.sub(r"\d+", lambda m: m.group(0).zfill(12), u) for u in uniques]
    rank = np.empty(len(keys), dtype=np.int64)
    rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    return rank[codes]


def _empty(columns: list[str], ints: list[str] = (), floats: list[str] = ()) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for c in ints:
        df[c] = df[c].astype("int64")
    for c in floats:
        df[c] = df[c].astype("float64")
    return df


def _stance_counts(a: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per `keys` group: n_affirm, n_deny, n_neutral, n_claims, net_stance."""
    cnt = pd.DataFrame({k: a[k].to_numpy() for k in keys})
    st = a["stance"].to_numpy()
    cnt["n_affirm"] = (st == "affirm").astype("int64")
    cnt["n_deny"] = (st == "deny").astype("int64")
    cnt["n_neutral"] = (st == "neutral").astype("int64")
    cnt["n_claims"] = 1
    g = cnt.groupby(keys, sort=False)[_COUNT_COLS].sum().reset_index()
    g["net_stance"] = ((g["n_affirm"] - g["n_deny"]) / g["n_claims"]).round(3)
    return g


def _dominant(n_affirm, n_deny) -> np.ndarray:
    n_affirm, n_deny = np.asarray(n_affirm), np.asarray(n_deny)
    return np.select([n_affirm > n_deny, n_deny > n_affirm, n_affirm > 0],
                     ["affirm", "deny", "mixed"], "neutral").astype(object)


class _Context:
    """Everything derived once from a claims table."""

    def __init__(self, claims: pd.DataFrame):
        self.p = _prepare(claims)
        self.a = _attributed_topical(self.p)
        attributed = self.p[self.p["speaker"] != ""]
        self.country = _mode_map(attributed, "speaker", "country")
        self.bloc = _mode_map(attributed, "speaker", "bloc")
        self.label = _mode_map(self.p[self.p["topic_id"] != ""], "topic_id", "topic_label")


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
# networks
# --------------------------------------------------------------------------------------------

def _check_kind(kind: str) -> None:
    if kind not in NETWORK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(NETWORK_KINDS)}; got {kind!r}")


def _network_edges(ctx: _Context, at: pd.DataFrame, kind: str) -> pd.DataFrame:
    empty = _empty(NETWORK_EDGES_COLUMNS, ints=["congruence", "conflict", "weight"])
    sides = at[at["dominant"].isin(["affirm", "deny"])]
    if sides.empty:
        return empty
    names, spk = np.unique(sides["speaker"].to_numpy(dtype=str), return_inverse=True)
    topic_rank = _topic_key(sides["topic_id"])
    topic_ids = np.empty(topic_rank.max() + 1, dtype=object)
    topic_ids[topic_rank] = sides["topic_id"].to_numpy()
    s1 = pd.DataFrame({"t": topic_rank, "s": spk,
                       "d": np.where(sides["dominant"].to_numpy() == "affirm", 1, -1)})
    m = s1.merge(s1, on="t", suffixes=("_a", "_b"))
    m = m[m["s_a"].to_numpy() < m["s_b"].to_numpy()]
    if m.empty:
        return empty
    pair = m["s_a"].to_numpy(np.int64) * len(names) + m["s_b"].to_numpy(np.int64)
    t = m["t"].to_numpy()
    order = np.lexsort((t, pair))
    pair, t = pair[order], t[order]
    same = (m["d_a"].to_numpy() == m["d_b"].to_numpy())[order]

    pairs, starts = np.unique(pair, return_index=True)
    congruence = np.add.reduceat(same.astype(np.int64), starts)
    conflict = np.add.reduceat((~same).astype(np.int64), starts)
    if kind == "congruence":
        keep, weight, row_sel = congruence > 0, congruence, same
    elif kind == "conflict":
        keep, weight, row_sel = conflict > 0, conflict, ~same
    else:
        keep, weight = np.ones(len(pairs), bool), congruence - conflict
        row_sel = np.ones(len(pair), bool)
    if not keep.any():
        return empty
    # ";"-joined topics of the selected rows, per pair (rows are sorted by pair, then topic)
    sel_pair, sel_topic = pair[row_sel], topic_ids[t[row_sel]]
    sel_pairs, sel_starts = np.unique(sel_pair, return_index=True)
    bounds = np.append(sel_starts, len(sel_pair))
    joined = dict(zip(sel_pairs.tolist(),
                      (";".join(sel_topic[i:j]) for i, j in zip(bounds[:-1], bounds[1:]))))
    pairs = pairs[keep]
    e = pd.DataFrame({
        "actor_a": names[pairs // len(names)].astype(object),
        "actor_b": names[pairs % len(names)].astype(object),
        "congruence": congruence[keep].astype("int64"),
        "conflict": conflict[keep].astype("int64"),
        "weight": weight[keep].astype("int64"),
        "topics": np.array([joined.get(p, "") for p in pairs.tolist()], dtype=object),
    })
    e["bloc_a"] = _lookup(e["actor_a"], ctx.bloc)
    e["bloc_b"] = _lookup(e["actor_b"], ctx.bloc)
    return e[NETWORK_EDGES_COLUMNS]


def _with_dominant(at: pd.DataFrame) -> pd.DataFrame:
    return at.assign(dominant=_dominant(at["n_affirm"], at["n_deny"]))


def network_edges(claims: pd.DataFrame, kind: str = "both") -> pd.DataFrame:
    """Actor x actor congruence/conflict edge list; columns `NETWORK_EDGES_COLUMNS`."""
    _check_kind(kind)
    ctx = _Context(claims)
    return _network_edges(ctx, _with_dominant(_actor_topic(ctx)), kind)


def _actor_nodes(ctx: _Context, at: pd.DataFrame) -> pd.DataFrame:
    if at.empty:
        return pd.DataFrame(columns=["speaker", "n_claims", "n_topics"])
    return at.groupby("speaker", sort=True).agg(n_claims=("n_claims", "sum"),
                                                n_topics=("topic_id", "size")).reset_index()


def _actor_network(ctx: _Context, at: pd.DataFrame, kind: str) -> nx.Graph:
    g = nx.Graph(kind=kind)
    for r in _actor_nodes(ctx, at).itertuples(index=False):
        g.add_node(r.speaker, label=r.speaker, country=ctx.country.get(r.speaker, ""),
                   bloc=ctx.bloc.get(r.speaker, ""), n_claims=int(r.n_claims),
                   n_topics=int(r.n_topics))
    for r in _network_edges(ctx, at, kind).itertuples(index=False):
        g.add_edge(r.actor_a, r.actor_b, congruence=int(r.congruence), conflict=int(r.conflict),
                   weight=int(r.weight), topics=str(r.topics))
    return g


def actor_network(claims: pd.DataFrame, kind: str = "both") -> nx.Graph:
    """One-mode actor network through shared topics (DNA congruence/conflict)."""
    _check_kind(kind)
    ctx = _Context(claims)
    return _actor_network(ctx, _with_dominant(_actor_topic(ctx)), kind)


def _actor_topic_network(ctx: _Context, at: pd.DataFrame) -> nx.Graph:
    g = nx.Graph(kind="actor_topic")
    for r in _actor_nodes(ctx, at).itertuples(index=False):
        g.add_node(r.speaker, bipartite=0, node_type="actor", label=r.speaker,
                   country=ctx.country.get(r.speaker, ""), bloc=ctx.bloc.get(r.speaker, ""),
                   n_claims=int(r.n_claims))
    if at.empty:
        return g
    topical = ctx.p[ctx.p["topic_id"] != ""]
    sizes = topical.groupby("topic_id", sort=False).size()
    topics = pd.Series(at["topic_id"].unique())
    for tid in topics.iloc[np.argsort(_topic_key(topics), kind="stable")]:
        g.add_node(f"topic:{tid}", bipartite=1, node_type="topic",
                   label=ctx.label.get(tid, "") or tid, topic_id=tid,
                   n_claims=int(sizes.get(tid, 0)))
    for r in at.itertuples(index=False):
        g.add_edge(r.speaker, f"topic:{r.topic_id}", stance=str(r.dominant),
                   n_affirm=int(r.n_affirm), n_deny=int(r.n_deny), n_neutral=int(r.n_neutral),
                   n_claims=int(r.n_claims), net_stance=float(r.net_stance),
                   weight=int(r.n_claims))
    return g


def actor_topic_network(claims: pd.DataFrame) -> nx.Graph:
    """Two-mode actor x topic network; edges carry the actor's stance counts on the topic."""
    ctx = _Context(claims)
    return _actor_topic_network(ctx, _with_dominant(_actor_topic(ctx)))


def export_networks(claims: pd.DataFrame, out_dir) -> list[Path]:
    """Write actor_network.graphml, actor_topic_network.graphml and actor_network_edges.csv."""
    out_dir = Path(out_dir)
    ctx = _Context(claims)
    at = _with_dominant(_actor_topic(ctx))
    paths = [out_dir / "actor_network.graphml", out_dir / "actor_topic_network.graphml",
             out_dir / "actor_network_edges.csv"]
    for path, graph in ((paths[0], _actor_network(ctx, at, "both")),
                        (paths[1], _actor_topic_network(ctx, at))):
        with atomic_path(path) as tmp:
            nx.write_graphml(graph, str(tmp), encoding="utf-8")
    write_csv(paths[2], _network_edges(ctx, at, "both"))
    return paths


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
