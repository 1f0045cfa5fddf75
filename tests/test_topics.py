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


def test_guided_then_discovered():
    # Two claims near topic anchor t0, two near each other elsewhere, one isolated.
    e = _unit([[1, 0.1, 0, 0], [1, -0.1, 0, 0], [0, 0, 1, 0.1], [0, 0, 1, -0.1], [0, 1, 0, 0]])
    anchors = _unit([[1, 0, 0, 0]])
    tm = TopicModel([TopicDef("t0", "Topic zero", "prop")], topic_threshold=0.9,
                    distance_threshold=0.2)
    out, topics = tm.fit_transform(_claims(["a a", "a b", "c d", "c e", "z z"]), e, anchors)
    assert list(out.topic_id) == ["t0", "t0", "d1", "d1", ""]
    assert list(out.topic_kind) == ["defined", "defined", "discovered", "discovered", ""]
    t = topics.set_index("topic_id")
    assert t.loc["t0", "size"] == 2 and t.loc["d1", "size"] == 2
    assert t.loc["t0", "n_actors"] == 2  # speakers A and B
    assert t.loc["d1", "kind"] == "discovered" and t.loc["d1", "proposition"] in ("c d", "c e")


def test_threshold_changes_output():
    e = _unit([[1, 0.5, 0, 0], [1, -0.5, 0, 0], [0, 0, 1, 0]])
    anchors = _unit([[1, 0, 0, 0]])
    strict = TopicModel([TopicDef("t", "t", "p")], topic_threshold=0.99).fit_transform(
        _claims(["x", "y", "z"]), e, anchors)[0]
    loose = TopicModel([TopicDef("t", "t", "p")], topic_threshold=0.8).fit_transform(
        _claims(["x", "y", "z"]), e, anchors)[0]
    assert (strict.topic_id == "t").sum() == 0 and (loose.topic_id == "t").sum() == 2


@pytest.mark.parametrize("algo", ["agglomerative", "hdbscan", "kmeans"])
def test_clusterers_deterministic(algo):
    rng = np.random.default_rng(0)
    centres = _unit(rng.normal(size=(3, 16)))
    X = _unit(np.repeat(centres, 10, axis=0) + 0.05 * rng.normal(size=(30, 16)))
    tm = TopicModel(clusterer=algo, n_clusters=3, distance_threshold=0.3, min_cluster_size=3)
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
