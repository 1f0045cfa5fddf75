"""Read a run folder into DataFrames with every documented column present.

Optional files that are missing, empty or unreadable become empty tables, so the report can
always be built and say "none" where there is nothing to show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

COLUMNS: dict[str, list[str]] = {
    "documents": ["doc_id", "title", "outlet", "date", "language", "n_claims"],
    "claims": ["claim_id", "doc_id", "start", "end", "text", "kind", "speaker", "speaker_text",
               "organisation", "country", "bloc", "attribution", "relayed_by", "topic_id",
               "topic_label", "topic_score", "stance", "stance_score", "date", "outlet",
               "p_related", "p_affirm", "p_deny", "p_neutral", "stance_source"],
    "topics": ["topic_id", "label", "proposition", "keywords", "size", "n_actors",
               "representative", "kind"],
    "actor_topic": ["speaker", "country", "bloc", "topic_id", "topic_label", "n_affirm",
                    "n_deny", "n_neutral", "n_claims", "net_stance", "mean_confidence",
                    "strongest_claim_id"],
    "contrasts": ["topic_id", "topic_label", "claim_id_a", "claim_id_b", "speaker_a", "speaker_b",
                  "stance_a", "stance_b", "similarity", "text_a", "text_b", "date_a", "date_b",
                  "outlet_a", "outlet_b", "doc_id_a", "doc_id_b", "bloc_a", "bloc_b"],
    "unknown_speakers": ["speaker_text", "n", "example_claim_id"],
    "actor_network_edges": ["actor_a", "actor_b", "congruence", "conflict", "weight", "topics",
                            "bloc_a", "bloc_b"],
    "timeline": ["date", "speaker", "bloc", "topic_id", "topic_label", "n_affirm", "n_deny",
                 "n_neutral", "net_stance"],
}
NUMERIC = {"start", "end", "n_claims", "size", "n_actors", "n_affirm", "n_deny", "n_neutral",
           "net_stance", "similarity", "stance_score", "topic_score", "congruence", "conflict",
           "weight", "n"}
# Probabilities stay NaN when missing: "unknown", not 0.
MAYBE = {"p_related", "p_affirm", "p_deny", "p_neutral", "mean_confidence", "confidence"}


@dataclass
class RunData:
    run_dir: Path
    tables: dict[str, pd.DataFrame]
    meta: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def load_run(run_dir: str | Path) -> RunData:
    """The run folder through `stance.load_run`, with every column the report reads present.

    Optional files that are missing, empty or unreadable become empty tables (the report then
    says "none"); actor_topic.csv is recomputed from the claims when absent.
    """
    from .. import compare
    from ..engine import load_run as load_result
    run_dir = Path(run_dir)
    result = load_result(run_dir)
    tables = {"documents": result.documents, "claims": result.claims, "topics": result.topics,
              **result.tables}
    missing = [f"{name}.csv" for name in COLUMNS if not (run_dir / f"{name}.csv").is_file()]
    for name, cols in COLUMNS.items():
        df = tables.get(name)
        df = df.copy() if df is not None else pd.DataFrame()
        for c in cols:
            if c not in df.columns:
                df[c] = pd.Series(dtype=float if c in NUMERIC else object, index=df.index)
        for c in cols:
            if c in MAYBE:
                df[c] = pd.to_numeric(df[c], errors="coerce")
            elif c in NUMERIC:
                df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0.0)
            else:
                df[c] = df[c].fillna("").astype(str)
        tables[name] = df
    claims = tables["claims"]
    claims["confidence"] = compare.stance_confidence(claims) if len(claims) else pd.Series(
        dtype=float)
    at = tables["actor_topic"]
    if not claims.empty and (at.empty or not (run_dir / "actor_topic.csv").is_file()
                             or at["strongest_claim_id"].eq("").all()):
        # absent, or written before actor_topic carried its evidence: rebuild from the claims
        tables["actor_topic"] = compare.actor_topic(claims)
    meta = result.info.get("run_json") or {}
    if not (run_dir / "run.json").is_file():
        missing.append("run.json")
    _sort(tables)
    return RunData(run_dir=run_dir, tables=tables, meta=meta, missing=missing)


def _sort(t: dict[str, pd.DataFrame]) -> None:
    """One fixed order for every table, so two builds of one run give the same report."""
    keys = {
        "documents": ["date", "doc_id"],
        "claims": ["doc_id", "start", "claim_id"],
        "topics": ["topic_id"],
        "actor_topic": ["topic_id", "speaker"],
        "contrasts": ["topic_id", "claim_id_a", "claim_id_b"],
        "unknown_speakers": ["speaker_text"],
        "actor_network_edges": ["actor_a", "actor_b"],
        "timeline": ["date", "speaker", "topic_id"],
    }
    for name, k in keys.items():
        t[name] = t[name].sort_values(k, kind="mergesort").reset_index(drop=True)
    # topics: biggest first (ties by id); unknown speakers: most frequent first.
    t["topics"] = t["topics"].sort_values(["size", "topic_id"], ascending=[False, True],
                                          kind="mergesort").reset_index(drop=True)
    t["unknown_speakers"] = t["unknown_speakers"].sort_values(
        ["n", "speaker_text"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
