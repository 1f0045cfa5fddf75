"""Tests for stance.compare on small hand-made claims tables."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from stance import compare
from stance.compare import (ACTOR_TOPIC_COLUMNS, CONTRASTS_COLUMNS, EVENTS_COLUMNS,
                            NETWORK_EDGES_COLUMNS, TIMELINE_COLUMNS)

ACTORS = {  # speaker -> (country, bloc)
    "Alice": ("USA", "west"),
    "Bob": ("GBR", "west"),
    "Carol": ("RUS", "east"),
    "Dan": ("CHN", "east"),
}


def make_claims(rows):
    """rows: (speaker, topic_id, stance, date[, text]) tuples -> a full claims table."""
    out = []
    for i, r in enumerate(rows):
        speaker, topic, stance, date = r[:4]
        text = r[4] if len(r) > 4 else f"statement {i} by {speaker or 'nobody'}"
        country, bloc = ACTORS.get(speaker, ("", ""))
        out.append({
            "claim_id": f"c{i:03d}", "doc_id": f"d{i // 3}", "start": i * 10, "end": i * 10 + 9,
            "text": text, "kind": "body", "speaker": speaker, "speaker_id": speaker.lower(),
            "speaker_text": speaker, "organisation": "Org " + speaker if speaker else "",
            "country": country, "bloc": bloc, "attribution": "quote" if speaker else "",
            "relayed_by": "", "topic_id": topic,
            "topic_label": f"label {topic}" if topic else "", "topic_score": 0.9 if topic else 0.0,
            "stance": stance if topic else "",
            "stance_score": {"affirm": 0.8, "deny": -0.7, "neutral": 0.1}.get(stance, 0.0),
            "date": date, "outlet": "Outlet",
        })
    return pd.DataFrame(out)


def empty_claims():
    return make_claims([]).reindex(columns=list(make_claims([("Alice", "T1", "affirm", "")])))


# ------------------------------------------------------------------------------------------
# actor_topic
# ------------------------------------------------------------------------------------------

def test_actor_topic_counts_and_net_stance():
    claims = make_claims([
        ("Alice", "T1", "affirm", "2024-01-02"),
        ("Alice", "T1", "affirm", "2024-01-05"),
        ("Alice", "T1", "deny", "2024-01-03"),
        ("Alice", "T1", "neutral", ""),
        ("Bob", "T1", "deny", "2024-01-04"),
        ("Bob", "T2", "neutral", "2024-02-01"),
        ("", "T1", "affirm", "2024-01-01"),      # unattributed: excluded
        ("Carol", "", "", "2024-01-01"),          # no topic: excluded
    ])
    at = compare.actor_topic(claims)
    assert list(at.columns) == ACTOR_TOPIC_COLUMNS
    assert list(zip(at.topic_id, at.speaker)) == [("T1", "Alice"), ("T1", "Bob"), ("T2", "Bob")]
    alice = at.iloc[0]
    assert (alice.n_affirm, alice.n_deny, alice.n_neutral, alice.n_claims) == (2, 1, 1, 4)
    assert alice.net_stance == 0.25
    assert (alice.first_date, alice.last_date) == ("2024-01-02", "2024-01-05")
    assert (alice.country, alice.bloc, alice.topic_label) == ("USA", "west", "label T1")
    assert at.iloc[1].net_stance == -1.0
    assert at.iloc[2].net_stance == 0.0


def test_actor_topic_rounding_natural_topic_order_and_nan():
    claims = make_claims([
        ("Alice", "T10", "affirm", ""),
        ("Alice", "T2", "affirm", ""),
        ("Alice", "T2", "deny", ""),
        ("Alice", "T2", "deny", ""),
    ])
    claims.loc[0, "bloc"] = np.nan
    claims["date"] = np.nan
    at = compare.actor_topic(claims)
    assert list(at.topic_id) == ["T2", "T10"]
    assert at.iloc[0].net_stance == -0.333
    assert at.iloc[0].first_date == "" and at.iloc[0].last_date == ""
    assert at.iloc[0].bloc == "west"  # NaN treated as missing, other rows give the bloc


# ------------------------------------------------------------------------------------------
# contrasts
# ------------------------------------------------------------------------------------------

def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def contrast_fixture():
    rows = [
        ("Alice", "T1", "affirm", "2024-01-01"),   # 0
        ("Bob", "T1", "affirm", "2024-01-02"),     # 1
        ("Carol", "T1", "deny", "2024-01-03"),     # 2
        ("Alice", "T1", "deny", "2024-01-04"),     # 3 same speaker as 0
        ("Dan", "T1", "neutral", "2024-01-05"),    # 4 neutral: never paired
        ("Bob", "T2", "affirm", "2024-01-06"),     # 5
        ("Carol", "T2", "deny", "2024-01-07"),     # 6
        ("", "T1", "deny", "2024-01-08"),          # 7 unattributed: never paired
        ("Dan", "", "", "2024-01-09"),             # 8 no topic
    ]
    claims = make_claims(rows)
    rng = np.random.default_rng(0)
    emb = np.stack([_unit(rng.normal(size=8)) for _ in rows])
    return claims, emb


def test_contrasts_rules():
    claims, emb = contrast_fixture()
    out = compare.contrasts(claims, emb)
    assert list(out.columns) == CONTRASTS_COLUMNS
    by_id = claims.set_index("claim_id")
    # T1: affirm {0 Alice, 1 Bob} x deny {2 Carol, 3 Alice} minus Alice-Alice = 3 pairs; T2: 1
    assert len(out) == 4
    for r in out.itertuples():
        assert r.stance_a == "affirm" and r.stance_b == "deny"
        assert r.speaker_a != r.speaker_b
        assert by_id.loc[r.claim_id_a, "topic_id"] == by_id.loc[r.claim_id_b, "topic_id"] \
            == r.topic_id
        assert by_id.loc[r.claim_id_a, "stance"] == "affirm"
        assert by_id.loc[r.claim_id_b, "stance"] == "deny"
        ia, ib = int(r.claim_id_a[1:]), int(r.claim_id_b[1:])
        assert r.similarity == round(float(emb[ia] @ emb[ib]), 3)
        assert r.text_a == by_id.loc[r.claim_id_a, "text"]
        assert r.bloc_a == ACTORS[r.speaker_a][1] and r.country_b == ACTORS[r.speaker_b][0]
    assert list(out.similarity) == sorted(out.similarity, reverse=True)
    assert not set(out.claim_id_a) & {"c004", "c007", "c008"}
    assert not set(out.claim_id_b) & {"c004", "c007", "c008"}


def test_contrasts_ordering_cross_bloc_tie_and_max_pairs():
    claims = make_claims([
        ("Alice", "T1", "affirm", ""),   # 0
        ("Bob", "T1", "deny", ""),       # 1 same bloc as Alice
        ("Carol", "T1", "deny", ""),     # 2 other bloc
        ("Dan", "T1", "deny", ""),       # 3 other bloc, less similar
    ])
    emb = np.stack([_unit([1, 0, 0]), _unit([1, 1, 0]), _unit([1, 0, 1]), _unit([1, 2, 2])])
    out = compare.contrasts(claims, emb)
    # Bob and Carol are equally similar to Alice: the cross-bloc pair comes first
    assert list(out.speaker_b) == ["Carol", "Bob", "Dan"]
    assert out.similarity.tolist() == [0.707, 0.707, 0.333]
    top = compare.contrasts(claims, emb, max_pairs=1)
    assert len(top) == 1 and top.speaker_b.iloc[0] == "Carol"
    assert list(compare.contrasts(claims, emb, min_similarity=0.5).speaker_b) == ["Carol", "Bob"]
    assert compare.contrasts(claims, emb, max_pairs=0).empty


def test_contrasts_round_robin_across_topics():
    rows, vecs = [], []
    rng = np.random.default_rng(1)
    for i in range(6):   # big topic: 6 x 6 highly similar pairs
        rows.append(("Alice", "BIG", "affirm", ""))
        rows.append(("Carol", "BIG", "deny", ""))
        base = rng.normal(size=16)
        vecs += [_unit(base), _unit(base + 0.01 * rng.normal(size=16))]
    rows += [("Bob", "SMALL", "affirm", ""), ("Dan", "SMALL", "deny", "")]
    vecs += [_unit(rng.normal(size=16)), _unit(rng.normal(size=16))]
    claims = make_claims(rows)
    out = compare.contrasts(claims, np.stack(vecs), max_pairs=3)
    assert len(out) == 3
    assert "SMALL" in set(out.topic_id)          # the small topic gets its turn
    assert list(out.similarity) == sorted(out.similarity, reverse=True)


def test_contrasts_repeated_statement_paired_once():
    claims = make_claims([
        ("Alice", "T1", "affirm", "2024-03-02", "Sanctions work."),
        ("Alice", "T1", "affirm", "2024-03-01", "sanctions   WORK."),   # reprint, earlier
        ("Carol", "T1", "deny", "2024-03-05", "Sanctions do not work."),
    ])
    emb = np.stack([_unit([1, 0]), _unit([1, 0]), _unit([1, 1])])
    out = compare.contrasts(claims, emb)
    assert len(out) == 1 and out.claim_id_a.iloc[0] == "c001"


def test_contrasts_chunked_matches_unchunked(monkeypatch):
    rng = np.random.default_rng(2)
    n = 60
    rows = [("Alice" if i % 3 == 0 else "Bob", "T1", "affirm" if i % 2 else "deny", "")
            for i in range(n)]
    for i in range(0, n, 7):
        rows[i] = ("Carol", "T1", rows[i][2], "")
    claims = make_claims(rows)
    emb = np.stack([_unit(rng.normal(size=8)) for _ in range(n)])
    full = compare.contrasts(claims, emb, max_pairs=25)
    monkeypatch.setattr(compare.tables, "_CHUNK_ELEMENTS", 40)
    chunked = compare.contrasts(claims, emb, max_pairs=25)
    pd.testing.assert_frame_equal(full, chunked)


def test_contrasts_rejects_misaligned_embeddings():
    claims, emb = contrast_fixture()
    with pytest.raises(ValueError):
        compare.contrasts(claims, emb[:-1])


# ------------------------------------------------------------------------------------------
# networks
# ------------------------------------------------------------------------------------------

def three_actor_claims():
    # T1: Alice affirm, Bob affirm, Carol deny  -> A-B congruent, A-C & B-C conflict
    # T2: Alice deny (2 deny vs 1 affirm), Carol deny, Bob neutral -> A-C congruent
    # T3: Bob affirm + deny (mixed) and Carol affirm -> no tie
    return make_claims([
        ("Alice", "T1", "affirm", "2024-01-01"),
        ("Bob", "T1", "affirm", "2024-01-01"),
        ("Carol", "T1", "deny", "2024-01-01"),
        ("Alice", "T2", "deny", "2024-01-02"),
        ("Alice", "T2", "deny", "2024-01-02"),
        ("Alice", "T2", "affirm", "2024-01-02"),
        ("Carol", "T2", "deny", "2024-01-02"),
        ("Bob", "T2", "neutral", "2024-01-02"),
        ("Bob", "T3", "affirm", "2024-01-03"),
        ("Bob", "T3", "deny", "2024-01-03"),
        ("Carol", "T3", "affirm", "2024-01-03"),
        ("", "T1", "deny", "2024-01-03"),
    ])


def test_network_edges_both():
    e = compare.network_edges(three_actor_claims())
    assert list(e.columns) == NETWORK_EDGES_COLUMNS
    got = {(r.actor_a, r.actor_b): (r.congruence, r.conflict, r.weight, r.topics)
           for r in e.itertuples()}
    assert got == {
        ("Alice", "Bob"): (1, 0, 1, "T1"),
        ("Alice", "Carol"): (1, 1, 0, "T1;T2"),
        ("Bob", "Carol"): (0, 1, -1, "T1"),
    }
    assert list(e.bloc_b) == ["west", "east", "east"]


def test_actor_network_kinds():
    claims = three_actor_claims()
    g = compare.actor_network(claims, kind="congruence")
    assert set(g.nodes) == {"Alice", "Bob", "Carol"}
    assert {frozenset(e) for e in g.edges} == {frozenset({"Alice", "Bob"}),
                                              frozenset({"Alice", "Carol"})}
    assert g["Alice"]["Carol"]["topics"] == "T2" and g["Alice"]["Carol"]["weight"] == 1
    assert g.nodes["Alice"]["n_claims"] == 4 and g.nodes["Carol"]["bloc"] == "east"
    g = compare.actor_network(claims, kind="conflict")
    assert {frozenset(e) for e in g.edges} == {frozenset({"Alice", "Carol"}),
                                              frozenset({"Bob", "Carol"})}
    assert g["Alice"]["Carol"]["topics"] == "T1" and g["Alice"]["Carol"]["conflict"] == 1
    g = compare.actor_network(claims, kind="both")
    assert g.number_of_edges() == 3 and g["Bob"]["Carol"]["weight"] == -1
    with pytest.raises(ValueError):
        compare.actor_network(claims, kind="agreement")


def test_actor_topic_network():
    g = compare.actor_topic_network(three_actor_claims())
    actors = {n for n, d in g.nodes(data=True) if d["bipartite"] == 0}
    topics = {n for n, d in g.nodes(data=True) if d["bipartite"] == 1}
    assert actors == {"Alice", "Bob", "Carol"}
    assert topics == {"topic:T1", "topic:T2", "topic:T3"}
    e = g["Alice"]["topic:T2"]
    assert (e["stance"], e["n_affirm"], e["n_deny"], e["n_neutral"]) == ("deny", 1, 2, 0)
    assert e["net_stance"] == -0.333
    assert g["Bob"]["topic:T3"]["stance"] == "mixed"
    assert g["Bob"]["topic:T2"]["stance"] == "neutral"
    assert g.nodes["topic:T1"]["n_claims"] == 4  # includes the unattributed claim
    assert g.nodes["topic:T1"]["label"] == "label T1"


def test_export_networks_roundtrip(tmp_path):
    claims = three_actor_claims()
    claims.loc[0, "bloc"] = None   # None/NaN must not reach GraphML
    paths = compare.export_networks(claims, tmp_path / "out")
    assert [p.name for p in paths] == ["actor_network.graphml", "actor_topic_network.graphml",
                                       "actor_network_edges.csv"]
    g = nx.read_graphml(paths[0])
    assert g.number_of_edges() == 3 and int(g["Alice"]["Carol"]["conflict"]) == 1
    g2 = nx.read_graphml(paths[1])
    assert g2.number_of_nodes() == 6 and g2["Alice"]["topic:T2"]["stance"] == "deny"
    raw = paths[2].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    edges = pd.read_csv(paths[2], encoding="utf-8-sig", keep_default_na=False)
    assert list(edges.columns) == NETWORK_EDGES_COLUMNS and len(edges) == 3
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_export_networks_empty(tmp_path):
    paths = compare.export_networks(empty_claims(), tmp_path)
    assert nx.read_graphml(paths[0]).number_of_nodes() == 0
    assert list(pd.read_csv(paths[2], encoding="utf-8-sig").columns) == NETWORK_EDGES_COLUMNS


# ------------------------------------------------------------------------------------------
# timeline, events, summary
# ------------------------------------------------------------------------------------------

def timeline_claims():
    return make_claims([
        ("Alice", "T1", "affirm", "2024-01-01"),   # Monday
        ("Alice", "T1", "deny", "2024-01-01"),
        ("Alice", "T1", "affirm", "2024-01-03"),   # same week
        ("Alice", "T1", "affirm", "2024-02-10"),
        ("Bob", "T1", "neutral", "2024-01-02"),
        ("Bob", "T1", "deny", ""),                 # undated: dropped
        ("Bob", "T1", "deny", "not a date"),       # invalid: dropped
    ])


def test_timeline_daily():
    t = compare.timeline(timeline_claims())
    assert list(t.columns) == TIMELINE_COLUMNS
    assert list(zip(t.speaker, t.date)) == [("Alice", "2024-01-01"), ("Alice", "2024-01-03"),
                                            ("Alice", "2024-02-10"), ("Bob", "2024-01-02")]
    first = t.iloc[0]
    assert (first.n_affirm, first.n_deny, first.n_neutral, first.net_stance) == (1, 1, 0, 0.0)
    assert t.n_affirm.sum() + t.n_deny.sum() + t.n_neutral.sum() == 5


def test_timeline_weekly_and_monthly():
    w = compare.timeline(timeline_claims(), freq="W")
    alice = w[w.speaker == "Alice"]
    assert list(alice.date) == ["2024-01-01", "2024-02-05"]
    assert alice.iloc[0].n_affirm == 2 and alice.iloc[0].net_stance == 0.333
    m = compare.timeline(timeline_claims(), freq="M")
    assert list(m[m.speaker == "Alice"].date) == ["2024-01-01", "2024-02-01"]
    with pytest.raises(ValueError):
        compare.timeline(timeline_claims(), freq="fortnight")


def test_events_agreement_coding():
    claims = make_claims([
        ("Alice", "T1", "affirm", "2024-01-02"),
        ("Bob", "T1", "deny", "2024-01-01"),
        ("Carol", "T1", "neutral", ""),
        ("", "T1", "affirm", "2024-01-01"),
        ("Dan", "", "", "2024-01-01"),
    ])
    ev = compare.events(claims)
    assert list(ev.columns) == EVENTS_COLUMNS
    assert list(ev.person) == ["Bob", "Alice", "Carol"]    # by date, undated last
    assert list(ev.agreement) == [0, 1, ""]
    assert list(ev.concept) == ["label T1"] * 3
    assert ev.stance_score.tolist() == [-0.7, 0.8, 0.1]


def test_summary():
    s = compare.summary(three_actor_claims())
    assert list(s) == ["T1", "T2", "T3"]
    assert s["T1"] == {"topic_label": "label T1", "affirmers": ["Alice", "Bob"],
                       "deniers": ["Carol"], "n_claims": 4}
    assert s["T2"]["affirmers"] == [] and s["T2"]["deniers"] == ["Carol", "Alice"]
    assert s["T3"]["affirmers"] == ["Carol"] and s["T3"]["deniers"] == []


# ------------------------------------------------------------------------------------------
# empty input
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("claims", [
    pytest.param(lambda: empty_claims(), id="no rows"),
    pytest.param(lambda: make_claims([("Alice", "", "", "2024-01-01")]), id="no topics"),
    pytest.param(lambda: make_claims([("", "T1", "affirm", "2024-01-01")]), id="unattributed"),
])
def test_empty_inputs(claims):
    claims = claims()
    emb = np.zeros((len(claims), 4), dtype=np.float32)
    for frame, cols in ((compare.actor_topic(claims), ACTOR_TOPIC_COLUMNS),
                        (compare.contrasts(claims, emb), CONTRASTS_COLUMNS),
                        (compare.network_edges(claims), NETWORK_EDGES_COLUMNS),
                        (compare.timeline(claims, freq="W"), TIMELINE_COLUMNS),
                        (compare.events(claims), EVENTS_COLUMNS)):
        assert frame.empty and list(frame.columns) == cols
    assert compare.actor_network(claims).number_of_nodes() == 0
    assert compare.actor_topic_network(claims).number_of_edges() == 0
    s = compare.summary(claims)
    assert all(v["affirmers"] == [] and v["deniers"] == [] for v in s.values())


def test_minimal_columns_and_input_untouched():
    claims = pd.DataFrame({"claim_id": ["x", "y"], "speaker": ["Alice", "Bob"],
                           "topic_id": [1.0, 1.0], "stance": ["Affirm", "deny"]})
    before = claims.copy()
    at = compare.actor_topic(claims)
    assert list(at.topic_id) == ["1", "1"] and list(at.speaker) == ["Alice", "Bob"]
    pd.testing.assert_frame_equal(claims, before)
