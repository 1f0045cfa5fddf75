"""Repeated statements across documents: outlet boilerplate and exact duplicates.

* **Outlet boilerplate**: a statement whose normalised text recurs in two or more documents of
  the same outlet (a background paragraph, a standing disclaimer, a scraped navigation line) is
  `kind = boilerplate`: kept in claims.csv, never attributed, never counted. A quotation
  (`is_quote`) that recurs is the speaker's words reused, not the outlet's: it stays attributed
  and counts once as a duplicate. Documents without an outlet are not compared this way.
* **Duplicates**: every later copy of a statement (same normalised text, another document) gets
  `duplicate_of` = the claim_id of the first copy (by date, doc_id, offset), and comparisons
  (actor × topic, contrasts, networks) count it once.

Normalised text: `textnorm.normalize` (Arabic spelling, case), punctuation dropped, whitespace
collapsed.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..textnorm import normalize

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
BLANK_ON_BOILERPLATE = ("speaker", "speaker_id", "speaker_text", "organisation", "country", "bloc",
                        "attribution", "relayed_by", "speakers_all", "speaker_source", "_actors")


def norm_text(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", normalize(str(text))).split())


def mark_repeats(claims: pd.DataFrame, documents: pd.DataFrame | None) -> pd.DataFrame:
    """`claims` with kind=boilerplate for outlet boilerplate and duplicate_of filled."""
    c = claims.reset_index(drop=True)
    if "duplicate_of" not in c:
        c["duplicate_of"] = ""
    if not len(c):
        return c
    key = c["text"].map(norm_text)
    doc = c["doc_id"].astype(str)
    meta = documents.set_index(documents["doc_id"].astype(str)) if documents is not None and \
        len(documents) and "doc_id" in documents else None
    outlet = doc.map(meta["outlet"].fillna("").astype(str)) if meta is not None and "outlet" in meta \
        else pd.Series("", index=c.index)
    date = doc.map(meta["date"].fillna("").astype(str)) if meta is not None and "date" in meta \
        else pd.Series("", index=c.index)
    outlet, date = outlet.fillna(""), date.fillna("").replace("", "9999-99-99")
    nonempty = key != ""
    # ---- boilerplate: same text in >= 2 documents of one outlet
    quote = c["is_quote"].astype(bool) if "is_quote" in c else pd.Series(False, index=c.index)
    g = pd.DataFrame({"k": key, "o": outlet, "d": doc})[nonempty & (outlet != "")]
    n_docs = g.groupby(["o", "k"])["d"].transform("nunique")
    boiler = pd.Series(False, index=c.index)
    boiler.loc[n_docs.index] = n_docs.to_numpy() >= 2
    boiler &= ~quote
    if boiler.any():
        for col in BLANK_ON_BOILERPLATE:
            if col in c:
                c.loc[boiler, col] = ""
        c.loc[boiler, "kind"] = "boilerplate"
        c.loc[boiler, "attribution_note"] = "outlet boilerplate: the same text is in other " \
                                            "articles of this outlet"
    # ---- duplicates across documents
    order = pd.DataFrame({"k": key, "d": doc, "date": date, "s": c["start"].to_numpy(),
                          "pos": np.arange(len(c))}, index=c.index)[nonempty]
    order = order.sort_values(["date", "d", "s"], kind="stable")
    first_doc = order.groupby("k")["d"].transform("first")
    first_id = order.groupby("k")["pos"].transform("first")
    dup = order[order["d"] != first_doc]
    if len(dup):
        ids = c["claim_id"].astype(str).to_numpy()
        c.loc[dup.index, "duplicate_of"] = ids[first_id.loc[dup.index].to_numpy()]
    c.index = claims.index
    return c
