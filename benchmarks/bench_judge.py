"""The claim judge on public data nobody here wrote, as the pipeline runs it.

    python benchmarks/bench_judge.py --data ../shared/data                 # every figure
    python benchmarks/bench_judge.py --sets ufc4,ans --weights PATH        # a candidate model

Figures (printed; RESULTS.md records them with this command):
* ufc4      UnifiedFC fold 4 claim-sentence pairs: macro-F1 over affirm and deny (a pair judged
            unrelated or neutral counts as a miss), per-class F1, confusion table;
* ans       ANS dev: 3-way macro-F1 (affirm, deny, unrelated) with the pipeline's decision
            (related >= topic_threshold, then the stance argmax; neutral is never right here);
* articles  UnifiedFC fold 4 articles through StancePipeline: each claim is the analyst's only
            proposition and its retrieved articles the corpus; an article is unrelated when none
            of its statements gets the topic, else agree/disagree by the majority of affirming
            vs denying statements, else discuss. 4-way macro-F1, and precision/recall of
            "related" (agree, disagree or discuss) against unrelated articles;
* seeds     the hand-labelled seed statements (benchmarks/seed_gold.csv): every statement a
            reader put on one of seeds/topics.yaml's propositions (and its second topic, if any),
            judged against that proposition as the pipeline reads it (the frame plus the clause
            closest to the proposition): share judged related, and stance accuracy;
* speed     pairs/s on this machine (batch 32, fp32 and dynamic int8).
Never used for training: ANS dev and UnifiedFC fold 4 (see scripts/train_judge.py).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def decide(t: pd.DataFrame, threshold: float) -> np.ndarray:
    return np.where(t["related"].to_numpy() >= threshold, t["stance"].to_numpy(), "unrelated")


def f1s(gold, pred, labels) -> dict:
    from sklearn.metrics import f1_score
    out = {f"f1_{l}": round(float(f1_score(gold, pred, labels=[l], average="macro",
                                           zero_division=0)), 4) for l in labels}
    out["macro_f1"] = round(float(np.mean([out[f"f1_{l}"] for l in labels])), 4)
    return out


def bench_ufc4(data: Path, judge, threshold: float) -> dict:
    sp = pd.read_csv(data / "unifiedfc" / "claim_sentence_pairs.csv")
    sp = sp[sp["fold"] == 4]
    gold = sp["stance"].map({"agree": "affirm", "disagree": "deny"}).to_numpy()
    t = judge.judge(sp["sentence"].tolist(), sp["claim"].tolist())
    pred = decide(t, threshold)
    out = {"n": int(len(sp)), **f1s(gold, pred, ["affirm", "deny"])}
    out["confusion"] = pd.crosstab(pd.Series(gold, name="gold"), pd.Series(pred, name="pred")).to_dict()
    out["always_affirm_macro_f1"] = f1s(gold, np.full(len(gold), "affirm"), ["affirm", "deny"])["macro_f1"]
    return out


def bench_ans(data: Path, judge, threshold: float) -> dict:
    d = pd.read_csv(data / "ans" / "dev.csv")
    gold = d["stance"].map({"agree": "affirm", "disagree": "deny", "other": "unrelated"}).to_numpy()
    t = judge.judge(d["s2"].tolist(), d["s1"].tolist())
    pred = decide(t, threshold)
    out = {"n": int(len(d)), **f1s(gold, pred, ["affirm", "deny", "unrelated"])}
    out["neutral_predictions"] = int((pred == "neutral").sum())
    return out


def bench_seeds(judge, threshold: float) -> dict:
    from stance import Config, StancePipeline
    from stance.embed import EmbeddingCache, load_embedder
    from stance.engine.pairs import make_pairs
    from stance.topics import load_topics
    gold = pd.read_csv(ROOT / "benchmarks" / "seed_gold.csv", dtype=str).fillna("")
    cfg = Config(corpus=str(ROOT / "seeds"), progress=False, judge="fast")
    # The pipeline's own statements and vectors, to build the pairs exactly as it does.
    st = StancePipeline(cfg).run_stages(until="embed")
    defs = {t.id: t for t in load_topics(ROOT / "seeds" / "topics.yaml")}
    row_of = {c: i for i, c in enumerate(st.claims["claim_id"])}
    emb = EmbeddingCache(cfg.cache_path())
    embedder = load_embedder(cfg)
    rows, targets, want = [], [], []
    for r in gold.itertuples():
        for tid in (r.topic_id, r.also_topic):
            if not tid:
                continue
            t = defs[tid]
            variants = [t.proposition, *t.also]
            vecs = emb.encode(embedder, variants, kind="query")
            rows.append(row_of[r.claim_id])
            targets.append((tid, variants, vecs))
            want.append(r.stance if tid == r.topic_id else "")
    pairs, _, _ = make_pairs(st, np.asarray(rows), targets, np.zeros(len(rows)))
    t = judge.judge(pairs["statement"].tolist(), pairs["proposition"].tolist())
    main_topic = np.asarray([w != "" for w in want])
    related = t["related"].to_numpy() >= threshold
    right = t["stance"].to_numpy() == np.asarray(want)
    return {"pairs": int(len(pairs)), "primary_pairs": int(main_topic.sum()),
            "related_share": round(float(related.mean()), 4),
            "stance_accuracy": round(float(right[main_topic].mean()), 4),
            "stance_right": f"{int(right[main_topic].sum())}/{int(main_topic.sum())}",
            "by_gold_stance": {s: f"{int((right & (np.asarray(want) == s)).sum())}/"
                                  f"{int((np.asarray(want) == s).sum())}"
                               for s in ("affirm", "deny", "neutral")}}


def bench_speed(judge, n: int = 400) -> dict:
    from stance.engine.stages import reported_texts
    from stance import Config, StancePipeline
    c = StancePipeline(Config(corpus=str(ROOT / "seeds"), progress=False)).run_stages(
        until="statements").claims
    texts = (reported_texts(c) * 10)[:n]
    props = ["Russia intends to invade Ukraine", "روسيا تنوي غزو أوكرانيا"] * (n // 2)
    tok_len = None
    out = {}
    for mode in ("fp32", "int8"):
        j = type(judge)(**{**judge.get_params(), "quantize": mode == "int8"}) \
            if "quantize" in judge.get_params() else judge
        if mode == "int8" and j is judge:
            continue
        j.predict_proba(texts[:16], props[:16])        # load + warm up
        t0 = time.perf_counter()
        j.predict_proba(texts, props)
        dt = time.perf_counter() - t0
        out[mode] = {"pairs": n, "seconds": round(dt, 2), "pairs_per_s": round(n / dt, 1)}
        if tok_len is None:
            net, tok, _ = j._load()
            tok_len = float(np.mean([len(s) for s in tok.encode(texts, props)]))
    out["mean_tokens_per_pair"] = round(tok_len or 0, 1)
    import torch
    out["threads"] = torch.get_num_threads()
    return out


def bench_articles(data: Path, config_over: dict, limit: int = 0, dump: str = "") -> dict:
    from stance import Config, StancePipeline
    from stance.topics import TopicDef
    from sklearn.metrics import f1_score
    claims = pd.read_csv(data / "unifiedfc" / "claims.csv").set_index("claim_id")
    with gzip.open(data / "unifiedfc" / "articles_folds1-4.jsonl.gz", "rt", encoding="utf-8") as f:
        arts = pd.DataFrame([json.loads(l) for l in f])
    arts = arts[arts["fold"] == 4]
    ids = sorted(arts["claim_id"].unique())
    if limit:
        ids = ids[:limit]
    cfg = Config(corpus="unifiedfc-fold4", progress=False, **config_over)
    sp = StancePipeline(cfg)
    rows, t0, n_statements = [], time.perf_counter(), 0
    for k, cid in enumerate(ids):
        a = arts[arts["claim_id"] == cid].reset_index(drop=True)
        docs = pd.DataFrame({"doc_id": [f"a{i:03d}" for i in a["article_idx"]], "text": a["article"]})
        sp.topics = [TopicDef("claim", "claim", claims.at[cid, "claim"])]
        r = sp.fit_transform(docs)
        c = r.claims
        n_statements += len(c)
        for did, st in zip(docs["doc_id"], a["stance"]):
            m = c[(c["doc_id"] == did) & (c["topic_id"] == "claim")]
            na, nd = int((m["stance"] == "affirm").sum()), int((m["stance"] == "deny").sum())
            if m.empty:
                pred = "unrelated"
            elif na > nd:
                pred = "agree"
            elif nd > na:
                pred = "disagree"
            else:
                pred = "discuss"
            rows.append({"claim_id": cid, "doc_id": did, "gold": st, "pred": pred,
                         "n_on_topic": int(len(m)), "n_affirm": na, "n_deny": nd,
                         "n_neutral": int((m["stance"] == "neutral").sum()),
                         "n_statements": int((c["doc_id"] == did).sum()),
                         "max_p_related": float(m["p_related"].max()) if len(m) else 0.0})
        if (k + 1) % 10 == 0:
            print(f"  {k + 1}/{len(ids)} claims, {n_statements} statements, "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    df = pd.DataFrame(rows)
    if dump:
        df.to_csv(dump, index=False)
    labels = ["agree", "disagree", "discuss", "unrelated"]
    out = {"claims": len(ids), "articles": int(len(df)), "statements": n_statements,
           "seconds": round(time.perf_counter() - t0, 1),
           "macro_f1": round(float(f1_score(df["gold"], df["pred"], labels=labels, average="macro",
                                             zero_division=0)), 4)}
    for l in labels:
        out[f"f1_{l}"] = round(float(f1_score(df["gold"], df["pred"], labels=[l], average="macro",
                                              zero_division=0)), 4)
    rel_g, rel_p = df["gold"] != "unrelated", df["pred"] != "unrelated"
    tp = float((rel_g & rel_p).sum())
    p, r = tp / max(rel_p.sum(), 1), tp / max(rel_g.sum(), 1)
    out.update(related_precision=round(p, 4), related_recall=round(r, 4),
               related_f1=round(2 * p * r / max(p + r, 1e-9), 4))
    out["confusion"] = pd.crosstab(df["gold"], df["pred"]).to_dict()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--weights", default="default")
    ap.add_argument("--sets", default="ufc4,ans,seeds,speed,articles")
    ap.add_argument("--threshold", type=float, default=None,
                    help="relevance threshold (default: Config().topic_threshold)")
    ap.add_argument("--limit", type=int, default=0, help="articles: first N claims only")
    ap.add_argument("--judge", default="cross", help="articles: cross or fast")
    ap.add_argument("--dump", default="", help="articles: write the per-article counts to this CSV")
    ap.add_argument("--card", default="", help="also record the figures in this model card "
                                               "(e.g. stance/judges/models/judge.card.json)")
    args = ap.parse_args(argv)
    from stance import Config
    from stance.judges import CrossEncoderJudge
    thr = args.threshold if args.threshold is not None else Config().topic_threshold
    judge = CrossEncoderJudge(args.weights)
    data = Path(args.data)
    sets = args.sets.split(",")
    res = {"weights": args.weights, "threshold": thr}
    if "ufc4" in sets:
        res["ufc4_sentences"] = bench_ufc4(data, judge, thr)
        print("ufc4:", json.dumps(res["ufc4_sentences"]), flush=True)
    if "ans" in sets:
        res["ans_dev"] = bench_ans(data, judge, thr)
        print("ans:", json.dumps(res["ans_dev"]), flush=True)
    if "seeds" in sets:
        res["seeds"] = bench_seeds(judge, thr)
        print("seeds:", json.dumps(res["seeds"]), flush=True)
    if "speed" in sets:
        res["speed"] = bench_speed(judge)
        print("speed:", json.dumps(res["speed"]), flush=True)
    if "articles" in sets:
        over = {"topic_threshold": thr, "judge": args.judge if args.judge == "fast" else
                ("cross" if args.weights == "default" else args.weights)}
        res["ufc4_articles"] = bench_articles(data, over, args.limit, args.dump)
        print("articles:", json.dumps(res["ufc4_articles"]), flush=True)
    print("RESULT " + json.dumps(res))
    if args.card:
        record(Path(args.card), res, " ".join(["python benchmarks/bench_judge.py", *(argv or sys.argv[1:])]))
    return 0


def record(card_path: Path, res: dict, command: str) -> None:
    """Measured figures into the model card's `benchmarks` (the report quotes them)."""
    card = json.loads(card_path.read_text(encoding="utf-8"))
    b = card.setdefault("benchmarks", {})
    if "ufc4_sentences" in res:
        b["ufc4_sentences_macro_f1"] = res["ufc4_sentences"]["macro_f1"]
        b["ufc4_sentences_deny_f1"] = res["ufc4_sentences"]["f1_deny"]
    if "ans_dev" in res:
        b["ans_dev_macro_f1"] = res["ans_dev"]["macro_f1"]
    if "ufc4_articles" in res:
        b["ufc4_articles_macro_f1"] = res["ufc4_articles"]["macro_f1"]
        b["ufc4_articles_related_f1"] = res["ufc4_articles"]["related_f1"]
    if "seeds" in res:
        b["seed_hand_check"] = f"{res['seeds']['stance_right']} statements"
    if "speed" in res:
        b["pairs_per_s"] = {k: v["pairs_per_s"] for k, v in res["speed"].items() if isinstance(v, dict)}
    b.setdefault("commands", {})[",".join(k for k in res if k not in ("weights", "threshold"))] = command
    b["threshold"] = res.get("threshold")
    from stance.io import write_text
    write_text(card_path, json.dumps(card, indent=2, ensure_ascii=False) + "\n")   # atomic


if __name__ == "__main__":
    raise SystemExit(main())
