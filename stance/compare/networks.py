"""DNA-style congruence/conflict networks between actors (see `stance.compare`)."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ..io import atomic_path, write_csv
from ._common import (NETWORK_EDGES_COLUMNS, _Context, _empty, _lookup, _topic_key,
                      _with_dominant)
from .tables import _actor_topic

NETWORK_KINDS = ("congruence", "conflict", "both")


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

