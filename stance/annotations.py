"""Analyst corrections (annotations.csv), re-applied on every run and never written by a run.

Columns: claim_id, text_sha256 (the claim text's sha256, or a prefix of at least 8 hex digits;
empty = match on claim_id alone), speaker, topic_id, stance, note. Empty cells mean "no
correction". A row whose claim_id is gone, or whose text changed since it was written, is
reported (status `unmatched` / `text_changed`; `unknown_topic` for a topic id that is not in the
run, `no_topic` for a stance correction on a claim without a topic) and kept in the file
untouched.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import AnnotationError
from .io import sha256_text

ANNOTATION_COLUMNS = ["claim_id", "text_sha256", "speaker", "topic_id", "stance", "note"]
STANCES = ("affirm", "deny", "neutral")


def load_annotations(path: str | Path | None) -> pd.DataFrame:
    if path is None:
        return pd.DataFrame(columns=ANNOTATION_COLUMNS + ["line"])
    path = Path(path)
    from .io import read_text_file
    raw = read_text_file(path, AnnotationError, "annotations file")
    csv.field_size_limit(max(csv.field_size_limit(), len(raw) + 1))
    reader = csv.DictReader(io.StringIO(raw))
    try:
        parsed = list(reader)
    except csv.Error as e:
        raise AnnotationError(f"malformed CSV: {e}", path=path, line=reader.line_num or None,
                              hint="check the quoting on that line") from None
    if not reader.fieldnames or "claim_id" not in reader.fieldnames:
        raise AnnotationError("missing the claim_id column", path=path, line=1,
                              hint="columns: " + ", ".join(ANNOTATION_COLUMNS))
    rows = []
    for line, row in enumerate(parsed, start=2):
        rec = {c: (row.get(c) or "").strip() for c in ANNOTATION_COLUMNS}
        if not rec["claim_id"]:
            raise AnnotationError("empty claim_id", path=path, line=line)
        if rec["stance"] and rec["stance"] not in STANCES:
            raise AnnotationError(f"stance must be one of {', '.join(STANCES)}, got {rec['stance']!r}",
                                  path=path, line=line)
        rec["line"] = line
        rows.append(rec)
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS + ["line"])


def match_annotations(claims: pd.DataFrame, ann: pd.DataFrame) -> pd.DataFrame:
    """One row per annotation with `status` (applied|unmatched|text_changed) and the row index."""
    pos = {cid: i for i, cid in enumerate(claims["claim_id"])}
    texts = claims["text"].tolist()
    out = []
    for rec in ann.to_dict("records"):
        i = pos.get(rec["claim_id"])
        if i is None:
            status = "unmatched"
        elif rec["text_sha256"] and not sha256_text(texts[i]).startswith(rec["text_sha256"].lower()):
            status = "text_changed"
        else:
            status = "applied"
        out.append({**rec, "status": status, "row": -1 if i is None else i})
    return pd.DataFrame(out, columns=ANNOTATION_COLUMNS + ["line", "status", "row"])


def check_corrections(matched: pd.DataFrame, claims: pd.DataFrame, topic_ids,
                      stage: str = "topic") -> pd.DataFrame:
    """A copy of `matched` with corrections that cannot apply marked (nothing is mutated).

    stage "topic": a corrected topic id must exist ("-" clears one) -> else `unknown_topic`;
    stage "stance": stance is measured toward a topic, so a stance correction on a statement
    without one -> `no_topic`.
    """
    out = matched.copy()
    if not len(out):
        return out
    applied = out["status"] == "applied"
    if stage == "topic":
        bad = applied & ~out["topic_id"].isin({"", "-", *topic_ids})
        out.loc[bad, "status"] = "unknown_topic"
    else:
        rows = out["row"].to_numpy(dtype=int)
        no_topic = applied & (out["stance"] != "") & \
            (claims["topic_id"].to_numpy()[np.maximum(rows, 0)] == "")
        out.loc[no_topic, "status"] = "no_topic"
    return out


def apply_annotations(claims: pd.DataFrame, matched: pd.DataFrame, field: str,
                      registry=None) -> pd.DataFrame:
    """Apply one kind of override (speaker, topic_id or stance) from matched annotations."""
    ok = matched[(matched["status"] == "applied") & (matched[field] != "")]
    if ok.empty:
        return claims
    claims = claims.copy()
    for rec in ok.to_dict("records"):
        i = claims.index[rec["row"]]
        if field == "speaker":
            _override_speaker(claims, i, rec["speaker"], registry)
        elif field == "topic_id":
            claims.at[i, "topic_id"] = "" if rec["topic_id"] == "-" else rec["topic_id"]
            claims.at[i, "topic_kind"] = "annotated"
        elif field == "stance":
            claims.at[i, "stance"] = rec["stance"]
            claims.at[i, "stance_score"] = {"affirm": 1.0, "deny": -1.0, "neutral": 0.0}[rec["stance"]]
            claims.at[i, "stance_source"] = "annotation"
    return claims


def _override_speaker(claims: pd.DataFrame, i, value: str, registry) -> None:
    if value == "-":
        for c in ("speaker", "speaker_id", "organisation", "country", "bloc"):
            if c in claims:
                claims.at[i, c] = ""
        claims.at[i, "attribution"] = "annotation"
        return
    actor_id = _find_actor(registry, value)
    if actor_id:
        for k, v in {**registry.resolve(actor_id), "speaker_id": actor_id}.items():
            if k in claims:
                claims.at[i, k] = v
    else:
        # Not in the registry: keep the analyst's name; country/bloc stay unknown.
        claims.at[i, "speaker"] = value
        for c in ("speaker_id", "organisation", "country", "bloc"):
            if c in claims:
                claims.at[i, c] = ""
    claims.at[i, "attribution"] = "annotation"


def _find_actor(registry, value: str) -> str:
    """Registry id for an annotation's speaker: an actor id, or a display name (any case)."""
    if registry is None or not getattr(registry, "actors", None):
        return ""
    if value in registry.actors:
        return value
    low = value.casefold()
    for aid, actor in registry.actors.items():
        if actor.name.casefold() == low:
            return aid
    return ""
