import numpy as np
import pandas as pd
import pytest

from stance.errors import RegistryError
from stance.topics import ClassTfidfLabeller, TopicDef, TopicModel, load_topics


def _claims(texts):
    return pd.DataFrame({"claim_id": [f"d:{i}" for i in range(len(texts))], "text": texts,
                         "speaker": ["A", "B", "A", "C", "", ""][:len(texts)]})


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_seed_topics_file_loads():
    defs = load_topics("seeds/topics.yaml")
    ids = [t.id for t in defs]
    assert "invasion_intent" in ids and "sanctions" in ids
    inv = defs[ids.index("invasion_intent")]
    assert inv.proposition and inv.also and inv.anchors[0] == inv.proposition


def test_topics_yaml_errors(tmp_path):
    p = tmp_path / "topics.yaml"
    p.write_text("topics:\n  - id: a\n    proposition: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"topics.yaml:\d+"):
        load_topics(p)
    p.write_text("topics:\n  - id: a\n    label: x\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="topics.yaml:2.*proposition"):
        load_topics(p)
    p.write_text("topics:\n  - id: d1\n    proposition: x\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="reserved"):
        load_topics(p)


def test_candidates_rank_topics_by_best_unit():
    # Statement 0 is near topic a; statement 1's clause (unit 0) is near topic b.
    defs = [TopicDef("a", "A", "pa"), TopicDef("b", "B", "pb")]
    anchors = _unit([[1, 0, 0, 0], [0, 1, 0, 0]])
    content = _unit([[1, 0.1, 0, 0.2], [0, 0, 1, 0.1], [0, 0, 0.2, 1]])
    clauses = _unit([[0.1, 1, 0, 0]])
    tm = TopicModel(defs, candidates=2).fit_centre(content)
    c = tm.candidate_topics(content, anchors, None, clauses, np.array([1]))
    top = c[c["rank"] == 0].set_index("row")
    assert top.loc[0, "topic_id"] == "a" and top.loc[0, "unit"] == -1
    assert top.loc[1, "topic_id"] == "b" and top.loc[1, "unit"] == 0
    assert len(c) == 6 and set(c["rank"]) == {0, 1}
    one = TopicModel(defs, candidates=1).fit_centre(content).candidate_topics(
        content, anchors, np.array([True, False, True]))
    assert list(one["row"]) == [0, 2]


def test_discovered_topics_fit_then_assign():
    rng = np.random.default_rng(3)
    centres = _unit(rng.normal(size=(2, 16)))
    X = _unit(np.repeat(centres, 6, axis=0) + 0.05 * rng.normal(size=(12, 16)))
    tm = TopicModel(distance_threshold=0.3, min_cluster_size=3).fit_centre(X)
    Xc = tm.centre(X)
    ids = tm.fit_discovered(Xc, np.arange(12), np.array([f"c{i}" for i in range(12)]))
    assert set(ids) == {"d1", "d2"} and len(set(ids[:6])) == 1 and ids[0] != ids[-1]
    new = _unit(centres + 0.01)
    assert list(tm.assign(tm.centre(new))) == [ids[0], ids[-1]]
    assert tm.assign(tm.centre(_unit(-centres)))[0] == ""    # far from every topic


@pytest.mark.parametrize("algo", ["agglomerative", "hdbscan", "kmeans"])
def test_clusterers_deterministic(algo):
    rng = np.random.default_rng(0)
    centres = _unit(rng.normal(size=(3, 16)))
    X = _unit(np.repeat(centres, 10, axis=0) + 0.05 * rng.normal(size=(30, 16)))
    tm = TopicModel(clusterer=algo, n_topics=3, distance_threshold=0.3, min_cluster_size=3)
    a = tm.discover(X)
    b = tm.discover(X)
    assert (a == b).all()
    assert len(set(a[a >= 0])) == 3


def test_sampled_fit_assigns_rest():
    rng = np.random.default_rng(1)
    centres = _unit(rng.normal(size=(2, 8)))
    X = _unit(np.repeat(centres, 200, axis=0) + 0.02 * rng.normal(size=(400, 8)))
    labels = TopicModel(distance_threshold=0.3, max_cluster_fit=50).discover(X)
    assert (labels >= 0).all()
    assert len(set(labels[:200])) == 1 and len(set(labels[200:])) == 1 and labels[0] != labels[-1]


def test_custom_clusterer_is_pluggable():
    class Halves:
        def fit_predict(self, X):
            return (np.arange(len(X)) >= len(X) // 2).astype(int)
    X = _unit(np.eye(4, dtype=np.float32) + 0.01)
    labels = TopicModel(clusterer=Halves()).discover(X)
    assert list(labels) == [0, 0, 1, 1]


def test_ctfidf_keywords_arabic_aware():
    kw = ClassTfidfLabeller(3).keywords({
        "a": ["فرض العقوبات على روسيا", "العقوبات الاقتصادية والعقوبات المالية"],
        "b": ["إرسال القوات إلى أوكرانيا", "لن نرسل قوات"],
    })
    assert kw["a"][0] == "عقوبات"          # article stripped, ta marbuta folded, shared words down-weighted
    assert "قوات" in kw["b"]


def _blobs(k=3, per=10, noise=0.05, seed=0, dim=16):
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(k, dim)))
    return _unit(np.repeat(centres, per, axis=0) + noise * rng.normal(size=(k * per, dim)))


def test_n_topics_zero_finds_the_structure_and_a_number_pins_it():
    X = _blobs(k=4, per=8)
    auto = TopicModel(min_cluster_size=2)
    labels = auto.discover(X)
    assert len(set(labels[labels >= 0])) == 4 and auto.discovery_["peak"]
    pinned = TopicModel(n_topics=2, min_cluster_size=2).discover(X)
    assert len(set(pinned[pinned >= 0])) == 2


def test_without_structure_topics_stay_few_enough_to_read():
    rng = np.random.default_rng(5)
    X = _unit(rng.normal(size=(100, 32)))       # no clusters at all
    tm = TopicModel(min_cluster_size=2, distance_threshold=2.0)
    labels = tm.discover(X)
    assert not tm.discovery_["peak"] and 5 <= len(set(labels[labels >= 0])) <= 15


def test_distance_threshold_lower_leaves_more_outliers():
    X = np.vstack([_blobs(k=3, per=6, noise=0.05), _unit(np.random.default_rng(9).normal(size=(6, 16)))])
    out = []
    for t in (2.0, 0.9, 0.3):
        labels = TopicModel(n_topics=3, min_cluster_size=3, distance_threshold=t).discover(X)
        out.append(int((labels < 0).sum()))
    assert out[0] <= out[1] <= out[2] and out[0] < out[2]


def test_min_cluster_size_dissolves_small_clusters():
    X = _blobs(k=3, per=6, noise=0.05)
    X = np.vstack([X, _unit(X[:2] + 0.5)])       # a pair off to the side
    small = TopicModel(n_topics=4, min_cluster_size=2, distance_threshold=0.0).discover(X)
    big = TopicModel(n_topics=4, min_cluster_size=3, distance_threshold=0.0).discover(X)
    assert len(set(small[small >= 0])) == 4 and len(set(big[big >= 0])) == 3
    assert (big[-2:] == -1).all()


def test_labels_are_words_as_written():
    lab = ClassTfidfLabeller(5)
    docs = {"a": ["فرض عقوبات على روسيا قريبا", "واشنطن تهدد بفرض عقوبات على روسيا",
                  "العقوبات على روسيا ستكون قاسية"],
            "b": ["وزير الخارجية يزور واشنطن", "زيارة وزير الخارجية إلى واشنطن", "وزير الخارجية في واشنطن"]}
    out = lab.labels(docs, {"a": docs["a"], "b": docs["b"]})
    label_a, words_a = out["a"]
    assert "عقوبات" in label_a and "روسيا" in label_a and len(label_a.split()) <= 7
    assert "روسيا" in words_a
    label_b, words_b = out["b"]
    assert "وزير" in words_b and "واشنطن" in words_b        # not زير / اشنطن
    assert all(w in " ".join(docs["b"]) for w in label_b.split())


def test_judge_vets_and_the_ranking_chooses_among_candidates():
    from stance.config import Config
    from stance.engine.stages import _assigned
    # row 0: both candidates related, the second more so -> the first-ranked one;
    # row 1: the first-ranked one is not related enough -> the second;
    # row 2: neither is related enough -> no topic.
    judged = pd.DataFrame({"row": [0, 0, 1, 1, 2, 2], "topic_id": ["a", "b", "a", "b", "a", "b"],
                           "rank": [0, 1, 0, 1, 0, 1],
                           "p_related": [0.6, 0.95, 0.1, 0.7, 0.2, 0.1], "score": [0.5] * 6})
    got = _assigned(judged, Config(topic_threshold=0.3)).set_index("row")["topic_id"].to_dict()
    assert got == {0: "a", 1: "b"}
    # With a threshold above 0.6 the first-ranked candidate of row 0 is rejected.
    got = _assigned(judged, Config(topic_threshold=0.65)).set_index("row")["topic_id"].to_dict()
    assert got == {0: "b", 1: "b"}
