"""The orchestration, fast: a fake embedder and a fake judge stand in for the models.

These check what the engine decides from what the sub-models say (which candidate becomes the
topic, when the threshold leaves a statement to discovery, which judgements are reused, how
corrections flow, that transform does not refit, that outputs follow the schema), in seconds.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from stance import Config, StancePipeline, load_run, schema
from stance.engine import STAGES
from stance.topics import TopicDef

DIM = 64


class HashEmbedder:
    """Bag of hashed word bigrams and words: texts sharing words get similar vectors."""
    model_id = "test-hash-embedder"
    dim = DIM

    def __init__(self):
        self.calls = 0

    def encode(self, texts, kind="query", batch_size=32, progress=False):
        self.calls += len(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            words = [w.strip(".,\"'").lower() for w in t.split()]
            for w in words + [a + " " + b for a, b in zip(words, words[1:])]:
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % DIM] += 1.0 if (h >> 8) % 2 else -1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-9)


class KeywordJudge:
    """Related when the statement shares a content word with the proposition; deny on 'not' or
    'denied', neutral on 'whether', else affirm."""
    needs_vectors = False
    cacheable = True
    model_id = "test-keyword-judge"

    def __init__(self):
        self.pairs = []

    def predict_proba(self, statements, propositions, progress=False):
        self.pairs += list(zip(statements, propositions))
        out = np.zeros((len(statements), 4), dtype=np.float32)
        for i, (s, p) in enumerate(zip(statements, propositions)):
            sw = {w.strip(".,").lower() for w in s.split() if len(w) > 4}
            pw = {w.strip(".,").lower() for w in p.split() if len(w) > 4}
            if not sw & pw:
                out[i] = [0.9, 0.05, 0.03, 0.02]
            elif "whether" in s.lower():
                out[i] = [0.1, 0.1, 0.1, 0.7]
            elif " not " in f" {s.lower()} " or "denied" in s.lower():
                out[i] = [0.1, 0.1, 0.7, 0.1]
            else:
                out[i] = [0.1, 0.7, 0.1, 0.1]
        return out

    def judge(self, statements, propositions, statement_vecs=None, proposition_vecs=None,
              relevance=None, progress=False):
        from stance.judges import judgement_table
        return judgement_table(self.predict_proba(statements, propositions))


ARTICLES = {
    "a1": ("Dam talks stall\n\n"
           "The minister Anna Berg said that the reservoir will flood farmland near the river. "
           "Farmers said the reservoir will flood farmland within a year. "
           "The weather was sunny on Monday and the market opened late. "
           "Officials said the market opened late because of a strike."),
    "a2": ("Reservoir row\n\n"
           "The engineer Omar Said denied that the reservoir will flood farmland. "
           "He added that the reservoir will not flood farmland at all. "
           "Traders said the market opened late again on Tuesday. "
           "Analysts asked whether the reservoir will flood farmland next spring."),
}
TOPICS = "topics:\n  - id: flood\n    label: Flooding\n    proposition: The reservoir will flood farmland\n"


@pytest.fixture()
def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for k, v in ARTICLES.items():
        (d / f"{k}.txt").write_text(v, encoding="utf-8")
    (d / "manifest.csv").write_text("doc_id,outlet,date,language\na1,Wire,2024-01-02,en\n"
                                    "a2,Daily,2024-02-03,en\n", encoding="utf-8")
    (d / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    return d


def make(corpus, tmp_path, **settings):
    cfg = Config(corpus=str(corpus), progress=False, cache_dir=str(tmp_path / "cache"),
                 min_cluster_size=2, distance_threshold=0.9, **settings)
    return StancePipeline(cfg, embedder=HashEmbedder(), judge=KeywordJudge())


def test_stage_order_is_declared_once():
    assert [name for name, _ in STAGES] == ["load", "statements", "embed", "match", "discover",
                                            "stance", "compare"]


def test_judge_decides_topic_and_stance(corpus, tmp_path):
    sp = make(corpus, tmp_path)
    r = sp.fit_transform()
    c = r.claims.set_index("claim_id")
    flood = c[c["topic_id"] == "flood"]
    by_text = dict(zip(flood["text"].str[:25], flood["stance"]))
    assert by_text["The minister Anna Berg sa"] == "affirm"
    assert by_text["The engineer Omar Said de"] == "deny"
    assert by_text["He added that the reservo"] == "deny"
    assert by_text["Analysts asked whether th"] == "neutral"
    # The statements about the market share no word with the proposition: not in the topic.
    market = c[c["text"].str.contains("market")]
    assert (market["topic_id"] != "flood").all()
    assert set(flood["stance_source"]) == {"model"}
    assert (flood["p_related"] >= 0.5).all()
    assert (flood["stance_target"] == "The reservoir will flood farmland").all()
    # every offset is a document offset
    docs = dict(zip(r.documents["doc_id"], r.documents["text"]))
    for row in r.claims.itertuples():
        assert docs[row.doc_id][row.start:row.end] == row.text
        assert row.start <= row.reported_start <= row.reported_end <= row.end
        if row.stance_unit_start >= 0:
            assert row.start <= row.stance_unit_start < row.stance_unit_end <= row.end


def test_threshold_sends_statements_to_discovery(corpus, tmp_path):
    strict = make(corpus, tmp_path, topic_threshold=0.95).fit_transform()
    assert (strict.claims["topic_id"] == "flood").sum() == 0
    loose = make(corpus, tmp_path).fit_transform()
    assert (loose.claims["topic_id"] == "flood").sum() >= 4


def test_matching_judgements_are_reused_not_repeated(corpus, tmp_path):
    sp = make(corpus, tmp_path)
    sp.fit_transform()
    pairs = sp.judge.pairs
    assert len(pairs) == len(set(pairs))       # no pair read twice in one run
    # A rerun reads nothing: judgements come from the on-disk cache.
    sp2 = make(corpus, tmp_path)
    sp2.fit_transform()
    assert sp2.judge.pairs == [] and sp2.embedder.calls == 0


def test_corrections_flow_and_statuses(corpus, tmp_path):
    r = make(corpus, tmp_path).fit_transform()
    c = r.claims
    target = c[c["topic_id"] == "flood"].iloc[0]
    weather = c[c["text"].str.startswith("The weather")].iloc[0]
    (corpus / "annotations.csv").write_text(
        "claim_id,text_sha256,speaker,topic_id,stance,note\n"
        f"{target.claim_id},,,,neutral,\n"
        f"{weather.claim_id},,,flood,,moved by hand\n"
        "nope:1,,,,deny,\n"
        f"{target.claim_id},,,flod,,typo\n", encoding="utf-8")
    r2 = make(corpus, tmp_path).fit_transform()
    c2 = r2.claims.set_index("claim_id")
    assert c2.loc[target.claim_id, "stance"] == "neutral"
    assert c2.loc[target.claim_id, "stance_source"] == "annotation"
    assert c2.loc[weather.claim_id, "topic_id"] == "flood"
    assert c2.loc[weather.claim_id, "topic_kind"] == "annotated"
    assert c2.loc[weather.claim_id, "stance"] in ("affirm", "deny", "neutral")   # judged now
    assert sorted(r2.annotations["status"]) == ["applied", "applied", "unknown_topic", "unmatched"]


def test_transform_places_new_articles_without_refit(corpus, tmp_path):
    sp = make(corpus, tmp_path)
    r = sp.fit_transform()
    tm = sp.models_.topic_model
    mean, cents = tm.mean_.copy(), {k: v.copy() for k, v in tm.centroids_.items()}
    new = pd.DataFrame({"doc_id": ["n1"], "date": ["2024-03-01"], "text": [
        "Update\n\nA farmer said the reservoir will flood farmland soon. "
        "Brokers said the market opened late on Friday."]})
    out = sp.transform(new)
    assert list(out.documents["doc_id"]) == ["n1"]
    assert np.array_equal(tm.mean_, mean) and set(tm.centroids_) == set(cents)
    c = out.claims
    assert c.loc[c["text"].str.startswith("A farmer"), "topic_id"].item() == "flood"
    assert set(c["topic_id"]) - {""} <= {"flood", *cents}
    assert len(r.claims) > len(c)


def test_outputs_follow_the_schema_and_load_back(corpus, tmp_path):
    r = make(corpus, tmp_path).fit_transform()
    out = r.save(tmp_path / "run")
    back = load_run(out)
    for name, df in (("documents", back.documents), ("claims", back.claims),
                     ("topics", back.topics), ("actor_topic", back.actor_topic),
                     ("contrasts", back.contrasts)):
        assert set(schema.TABLES[name].contract_names) <= set(df.columns), name
        names = schema.TABLES[name].names
        known = [c for c in df.columns if c in names]
        assert known == [c for c in names if c in df.columns], name     # schema order
    c = back.claims
    assert c["start"].dtype.kind == "i" and c["doc_id"].map(type).eq(str).all()
    assert c["is_quote"].dtype == bool
    pd.testing.assert_series_equal(c["claim_id"], r.claims["claim_id"].reset_index(drop=True),
                                   check_names=False)


def test_old_offsets_are_upgraded_on_load():
    old = pd.DataFrame({"claim_id": ["d:10"], "start": ["10"], "end": ["30"],
                        "content_start": ["4"], "content_end": ["20"]})
    new = schema.coerce(schema.upgrade(old, "claims"), "claims")
    assert new["reported_start"].item() == 14 and new["reported_end"].item() == 30
    assert "content_start" not in new


def test_sub_models_are_swappable_and_params_settable(corpus, tmp_path):
    class Halves:
        def fit_predict(self, X):
            return (np.arange(len(X)) >= len(X) // 2).astype(int)

    sp = make(corpus, tmp_path, topic_threshold=0.99)
    sp.set_params(clusterer=Halves(), config__min_cluster_size=1)
    assert sp.config.min_cluster_size == 1 and sp.get_params()["config__min_cluster_size"] == 1
    r = sp.fit_transform()
    assert set(r.claims.loc[r.claims["topic_kind"] == "discovered", "topic_id"]) == {"d1", "d2"}
    with pytest.raises(ValueError):
        sp.set_params(no_such_thing=1)


def test_topics_given_directly(corpus, tmp_path):
    sp = make(corpus, tmp_path)
    sp.topics = [TopicDef("market", "Market", "The market opened late")]
    c = sp.fit_transform().claims
    assert (c["topic_id"] == "market").sum() >= 2 and (c["topic_id"] == "flood").sum() == 0


def test_low_coverage_notice_suggests_a_threshold(corpus, tmp_path):
    r = make(corpus, tmp_path, topic_threshold=0.95).fit_transform()
    msg = [n for n in r.notices if "defined topics" in n]
    assert msg and "0 of" in msg[0] and "--topic-threshold 0.4" in msg[0]
    assert "no statement matched flood" in msg[0]
    ok = make(corpus, tmp_path).fit_transform()
    assert not [n for n in ok.notices if "defined topics" in n] or \
        (ok.claims["topic_kind"] == "defined").sum() < 0.5 * len(ok.claims)


def test_no_topic_reasons_explain_every_statement_without_a_topic(corpus, tmp_path):
    c = make(corpus, tmp_path).fit_transform().claims
    none = c[c["topic_id"] == ""]
    assert (none["no_topic_reason"] != "").all()
    assert set(none["no_topic_reason"]) <= {"heading", "boilerplate", "too_short", "outlier"}
    assert (c.loc[c["topic_id"] != "", "no_topic_reason"] == "").all()


def test_strict_reaches_the_loader_from_python(corpus, tmp_path):
    from stance.errors import InputError
    (corpus / "bad.txt").write_bytes(b"\x00\x01binary\x00")
    r = make(corpus, tmp_path).fit_transform()                  # skipped and reported
    assert [s["reason"] for s in r.load_report.skipped] == ["binary"]
    with pytest.raises(InputError, match="bad.txt"):
        make(corpus, tmp_path, strict=True).fit_transform()
