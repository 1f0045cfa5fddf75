"""Topic quality on data nobody here wrote, and on the hand-labelled seeds.

    python benchmarks/bench_topics.py --data ../shared/data                  # every figure
    python benchmarks/bench_topics.py --sets seeds --judge fast

Figures (printed; RESULTS.md records them with this command):
* ans     ANS dev: a headline, its paraphrases and contradictions, and theirs, form one group (a
          claim: a connected component of the agree/disagree pairs);
          all of them clustered as one corpus by the discovery the pipeline uses (n_topics=0):
          ARI and NMI against the groups;
* ufc     UnifiedFC folds 1-4 rationale sentences (lines of different articles that agree or
          disagree with one claim) clustered as one corpus: NMI and ARI against claim ids;
* seeds   the five seed articles with no topics file: share of claim-making statements (hand
          gold, benchmarks/seed_gold.csv) that get a topic, number of topics, ARI against the
          reader topics of the gold, and the labels; then with the analyst topics written in new
          words (benchmarks/seed_topics_newwords.yaml) and with seeds/topics.yaml: precision and
          recall of the defined-topic assignment and stance accuracy against the gold.
* ufc_assign  UnifiedFC fold 4 rationale lines as one corpus, every fold-4 claim a defined topic:
          share of lines that get their own claim (recall) and share of assigned lines whose
          topic is right (precision); claims on one war, so neighbouring claims compete.
(UnifiedFC fold 4 proposition relevance is in benchmarks/bench_judge.py --sets articles.)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _cluster(texts: list[str], config) -> np.ndarray:
    """Discovery as the pipeline runs it: centred sentence vectors + char n-grams, auto k."""
    from stance.embed import EmbeddingCache, load_embedder
    from stance.topics import TopicModel
    vecs = EmbeddingCache(config.cache_path()).encode(load_embedder(config), texts, kind="query",
                                                      batch_size=config.batch_size)
    tm = TopicModel.from_config(config).fit_centre(vecs)
    labels = tm.discover(tm.centre(vecs), texts)
    # An outlier is its own group (it was not put with anything).
    out = labels.copy()
    out[out < 0] = np.arange((out < 0).sum()) + out.max() + 1
    return out, tm.discovery_


def ans_groups(d: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """ANS headlines and their claim groups: the connected components of the agree/disagree pairs.

    ANS chains its pairs (a paraphrase of a headline is itself the s1 of a contradiction): 213 of
    dev's 927 headlines are an s1 in one row and an s2 in another, so grouping by s1 would split
    one claim into several "groups". An `other` row links nothing: its s2 is another subject.
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in d.itertuples():
        a, b = root(r.s1), root(r.s2)
        if r.stance != "other":
            parent[a] = b
    texts = list(dict.fromkeys(list(d["s1"]) + list(d["s2"])))
    ids: dict[str, int] = {}
    return texts, np.array([ids.setdefault(root(t), len(ids)) for t in texts])


def bench_ans(data: Path, config) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    texts, y = ans_groups(pd.read_csv(data / "ans" / "dev.csv"))
    labels, info = _cluster(texts, config)
    return {"texts": len(texts), "groups": int(len(set(y))), "topics": int(len(set(labels))),
            "ari": round(float(adjusted_rand_score(y, labels)), 4),
            "nmi": round(float(normalized_mutual_info_score(y, labels)), 4),
            "chosen": {k: v for k, v in info.items() if k != "scores"}}


def bench_ufc(data: Path, config) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    p = pd.read_csv(data / "unifiedfc" / "claim_sentence_pairs.csv")
    p = p.drop_duplicates("sentence")
    y = p["claim_id"].to_numpy()
    labels, info = _cluster(p["sentence"].tolist(), config)
    return {"sentences": int(len(p)), "claims": int(len(set(y))), "topics": int(len(set(labels))),
            "nmi": round(float(normalized_mutual_info_score(y, labels)), 4),
            "ari": round(float(adjusted_rand_score(y, labels)), 4),
            "chosen": {k: v for k, v in info.items() if k != "scores"}}


def bench_ufc_assign(data: Path, config) -> dict:
    """UnifiedFC fold 4 as one corpus with every fold-4 claim as a defined topic: each rationale
    line (a document) should get its own claim, among claims on the same war and region."""
    from stance import StancePipeline
    from stance.topics import TopicDef
    p = pd.read_csv(data / "unifiedfc" / "claim_sentence_pairs.csv")
    p = p[p["fold"] == 4].drop_duplicates("sentence").reset_index(drop=True)
    claims = pd.read_csv(data / "unifiedfc" / "claims.csv")
    claims = claims[claims["fold"] == 4]
    sp = StancePipeline(config)
    sp.topics = [TopicDef(str(r.claim_id), str(r.claim_id), str(r.claim)) for r in claims.itertuples()]
    docs = pd.DataFrame({"doc_id": [f"s{i:04d}" for i in range(len(p))], "text": p["sentence"]})
    c = sp.fit_transform(docs).claims
    c = c[c["topic_kind"] == "defined"].sort_values("topic_score", ascending=False)
    got = c.drop_duplicates("doc_id").set_index("doc_id")["topic_id"]
    pred = docs["doc_id"].map(got).fillna("").to_numpy()
    gold = p["claim_id"].astype(str).to_numpy()
    right = int(((pred == gold) & (pred != "")).sum())
    return {"lines": int(len(p)), "claims": int(len(claims)), "assigned": int((pred != "").sum()),
            "right": right, "recall": round(right / max(len(p), 1), 4),
            "precision": round(right / max(int((pred != "").sum()), 1), 4)}


def _funnel(st, gold: pd.DataFrame, threshold: float) -> dict:
    """Where a gold statement's topic is lost (`st`: the run's state): not among its candidates,
    judged not related enough, or another accepted candidate chosen."""
    row_of = {cid: i for i, cid in enumerate(st.claims["claim_id"])}
    j, topic = st.judged, st.claims["topic_id"].to_numpy()
    out = {"gold": 0, "candidate": 0, "accepted": 0, "chosen": 0}
    for r in gold[gold["topic_id"] != ""].itertuples():
        i = row_of[r.claim_id]
        h = j[(j["row"] == i) & (j["topic_id"] == r.topic_id)]
        out["gold"] += 1
        out["candidate"] += int(len(h) > 0)
        out["accepted"] += int(bool((h["p_related"] >= threshold).any()))
        out["chosen"] += int(topic[i] == r.topic_id)
    return out


def bench_seeds(config) -> dict:
    from sklearn.metrics import adjusted_rand_score
    from stance import StancePipeline
    from stance.topics import load_topics
    gold = pd.read_csv(ROOT / "benchmarks" / "seed_gold.csv", dtype=str).fillna("")
    out = {}
    sp = StancePipeline(config)
    sp.topics = []
    r = sp.fit_transform(str(ROOT / "seeds"))
    c = r.claims.set_index("claim_id")
    g = gold[gold["claim_making"] == "yes"]
    got = c.loc[g["claim_id"], "topic_id"].to_numpy()
    out["no_topics_file"] = {
        "claim_making": int(len(g)),
        "with_topic": int((got != "").sum()),
        "coverage": round(float((got != "").mean()), 4),
        "topics": int(len(r.topics)),
        "ari_vs_reader_topics": round(float(adjusted_rand_score(
            g["reader_topic"], np.where(got == "", "none", got))), 4),
        "labels": dict(zip(r.topics["topic_id"], r.topics["label"])),
        "sizes": dict(zip(r.topics["topic_id"], r.topics["size"].astype(int).tolist())),
        "no_topic_reasons": {k: int(v) for k, v in
                             r.claims.loc[r.claims["topic_id"] == "", "no_topic_reason"].value_counts().items()},
    }
    for name, path in (("new_words", ROOT / "benchmarks" / "seed_topics_newwords.yaml"),
                       ("topics_yaml", ROOT / "seeds" / "topics.yaml")):
        sp.topics = load_topics(path)
        st = sp.run_stages(str(ROOT / "seeds"))   # the run's state: its claims and judgements
        c = st.claims.set_index("claim_id").loc[gold["claim_id"]]
        defined = {t.id for t in sp.topics}
        pred = np.where(c["topic_id"].isin(defined), c["topic_id"], "")
        gt = gold["topic_id"].to_numpy()
        also = gold["also_topic"].to_numpy()
        hit = (pred != "") & ((pred == gt) | (pred == also))
        tp = int(hit.sum())
        n_pred, n_gold = int((pred != "").sum()), int((gt != "").sum())
        rec = int(((pred == gt) & (gt != "")).sum())
        stance_ok = (pred == gt) & (gt != "") & (c["stance"].to_numpy() == gold["stance"].to_numpy())
        out[name] = {
            "funnel": _funnel(st, gold, config.topic_threshold),
            "assigned": n_pred, "gold_on_topic": n_gold,
            "precision": round(tp / max(n_pred, 1), 4), "recall": round(rec / max(n_gold, 1), 4),
            "stance_accuracy_on_correct_topic": round(float(stance_ok.sum()) / max(rec, 1), 4),
            "stance_right_of_gold": f"{int(stance_ok.sum())}/{n_gold}",
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--sets", default="ans,ufc,ufc_assign,seeds")
    ap.add_argument("--judge", default="cross")
    ap.add_argument("--set", action="append", default=[], help="Config override key=value")
    args = ap.parse_args(argv)
    from stance import Config
    cfg = Config(progress=False, judge=args.judge).update(dict(kv.split("=", 1) for kv in args.set))
    data = Path(args.data)
    res = {"judge": args.judge, "overrides": args.set}
    for name, fn in (("ans", lambda: bench_ans(data, cfg)), ("ufc", lambda: bench_ufc(data, cfg)),
                     ("ufc_assign", lambda: bench_ufc_assign(data, cfg)),
                     ("seeds", lambda: bench_seeds(cfg))):
        if name in args.sets.split(","):
            res[name] = fn()
            print(f"{name}:", json.dumps(res[name], ensure_ascii=False), flush=True)
    print("RESULT " + json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
