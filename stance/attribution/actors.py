"""The corpus-level end of attribution: the actors table (actors.csv).

Per-document attribution (`Attributor`) runs on partitions; what needs the whole corpus happens
here, once: one row per actor that speaks in the corpus, from the registry (its display name,
aliases, role, organisation, country, bloc) and the spellings the texts used.
"""
from __future__ import annotations

import pandas as pd

from .. import schema


def finalize_attribution(claims: pd.DataFrame, documents: pd.DataFrame, registry, config
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims, actors table) once every document is attributed."""
    return claims, actors_table(claims, registry)


def actors_table(claims: pd.DataFrame, registry) -> pd.DataFrame:
    """One row per actor credited with at least one statement (columns: `schema.ACTORS`)."""
    said = claims[claims["speaker"].astype(str) != ""]
    if said.empty:
        return schema.empty("actors")
    rows = []
    actors = getattr(registry, "actors", {}) or {}
    for (aid, name), g in said.groupby([said["speaker_id"].fillna(""), said["speaker"]], sort=True):
        a = actors.get(aid)
        seen = sorted({t for t in g["speaker_text"].astype(str) if t})
        aliases = list(dict.fromkeys([*(a.aliases if a else []), *seen]))
        rows.append({
            "actor_id": aid or name, "name": name, "aliases": ";".join(aliases),
            "role": a.role if a else "", "organisation": g["organisation"].iloc[0],
            "country": g["country"].iloc[0], "bloc": g["bloc"].iloc[0],
            "source": "registry" if a else "annotation", "n_statements": int(len(g)),
            "kind": a.kind if a else "",
        })
    return pd.DataFrame(rows, columns=schema.ACTORS.names)
