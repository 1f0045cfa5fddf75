"""Shared preparation for the comparison tables and networks (see `stance.compare`)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import schema

ACTOR_TOPIC_COLUMNS = ["speaker", "country", "bloc", "topic_id", "topic_label", "n_affirm",
                       "n_deny", "n_neutral", "n_claims", "net_stance", "first_date", "last_date",
                       "mean_confidence", "strongest_claim_id"]
CONTRASTS_COLUMNS = ["topic_id", "topic_label", "claim_id_a", "claim_id_b", "speaker_a",
                     "speaker_b", "stance_a", "stance_b", "similarity", "text_a", "text_b",
                     "date_a", "date_b", "outlet_a", "outlet_b", "doc_id_a", "doc_id_b",
                     "country_a", "country_b", "bloc_a", "bloc_b"]
NETWORK_EDGES_COLUMNS = schema.NETWORK_EDGES.names
TIMELINE_COLUMNS = schema.TIMELINE.names
EVENTS_COLUMNS = schema.EVENTS.names
# The tables carry every column the schema documents for them, in the order analysts read them.
assert set(ACTOR_TOPIC_COLUMNS) == set(schema.ACTOR_TOPIC.names)
assert set(CONTRASTS_COLUMNS) == set(schema.CONTRASTS.names)

_STR_COLS = ("claim_id", "doc_id", "text", "speaker", "organisation", "country", "bloc",
             "topic_id", "topic_label", "stance", "date", "outlet", "duplicate_of")
_COUNT_COLS = ["n_affirm", "n_deny", "n_neutral", "n_claims"]



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


def _with_dominant(at: pd.DataFrame) -> pd.DataFrame:
    return at.assign(dominant=_dominant(at["n_affirm"], at["n_deny"]))


class _Context:
    """Everything derived once from a claims table."""

    def __init__(self, claims: pd.DataFrame):
        self.p = _prepare(claims)
        self.a = _attributed_topical(self.p)
        attributed = self.p[self.p["speaker"] != ""]
        self.country = _mode_map(attributed, "speaker", "country")
        self.bloc = _mode_map(attributed, "speaker", "bloc")
        self.label = _mode_map(self.p[self.p["topic_id"] != ""], "topic_id", "topic_label")
