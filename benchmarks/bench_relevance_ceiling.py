"""How far can article relevance on UnifiedFC go? Ceilings for issue 14's figure (c).

    python benchmarks/bench_judge.py --sets articles --dump /tmp/articles_rows.csv
    python benchmarks/bench_relevance_ceiling.py --rows /tmp/articles_rows.csv

Figure (c) asks whether a claim's agree/disagree/discuss articles are told from its unrelated
ones (all were retrieved for the claim, so all are on its subject). This prints, per fold, how
well simple article scores separate them, each with the F1 of "related" at the threshold that is
best *on that fold itself* (an oracle: no deployable rule can beat it with that score):

* tfidf_doc   cosine of claim and whole article, char 3-5-gram TF-IDF over Arabic-normalised text;
* tfidf_line  the best line of the article by the same cosine;
* overlap     the best line's share of the claim's content words;
* judge       (fold 4, from --rows) the pipeline's largest p_related among the article's statements
              on the claim, its count and share of on-topic statements, and a logistic regression
              over all of these (5-fold cross-validation grouped by claim).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_f1(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    from sklearn.metrics import precision_recall_curve, roc_auc_score
    p, r, _ = precision_recall_curve(y, score)
    f = 2 * p * r / np.maximum(p + r, 1e-9)
    return round(float(roc_auc_score(y, score)), 3), round(float(f.max()), 3)


def lexical_scores(arts: pd.DataFrame, claims: pd.Series) -> pd.DataFrame:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from stance.textnorm import content_tokens, normalize
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=normalize,
                          sublinear_tf=True, min_df=2, dtype=np.float32).fit(arts["article"])
    rows = []
    for r in arts.itertuples():
        claim = claims[r.claim_id]
        lines = [l for l in r.article.split("\n") if 40 <= len(l.strip()) <= 600] or [r.article[:600]]
        m = vec.transform([claim, r.article, *lines])
        sims = (m[1:] @ m[0].T).toarray().ravel()
        ct = set(content_tokens(claim))
        ov = max(len(ct & set(content_tokens(l))) / max(len(ct), 1) for l in lines)
        rows.append({"claim_id": r.claim_id, "doc_id": f"a{r.article_idx:03d}", "fold": r.fold,
                     "related": int(r.stance != "unrelated"), "tfidf_doc": float(sims[0]),
                     "tfidf_line": float(sims[1:].max()), "overlap": ov})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--rows", default="", help="bench_judge.py --sets articles --dump CSV (fold 4)")
    args = ap.parse_args(argv)
    data = Path(args.data) / "unifiedfc"
    with gzip.open(data / "articles_folds1-4.jsonl.gz", "rt", encoding="utf-8") as f:
        arts = pd.DataFrame([json.loads(line) for line in f])
    claims = pd.read_csv(data / "claims.csv").set_index("claim_id")["claim"]
    lex = lexical_scores(arts, claims)
    out = {}
    for fold, g in lex.groupby("fold"):
        out[f"fold{fold}"] = {k: dict(zip(("auc", "oracle_f1"), best_f1(g["related"].to_numpy(), g[k].to_numpy())))
                              for k in ("tfidf_doc", "tfidf_line", "overlap")}
    if args.rows:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold, cross_val_predict
        d = pd.read_csv(args.rows).merge(lex[lex["fold"] == 4], on=["claim_id", "doc_id"])
        d["share"] = d["n_on_topic"] / d["n_statements"].clip(lower=1)
        d["log_statements"] = np.log1p(d["n_statements"])
        y = d["related"].to_numpy()
        judge = {k: dict(zip(("auc", "oracle_f1"), best_f1(y, d[k].to_numpy())))
                 for k in ("max_p_related", "n_on_topic", "share")}
        feats = ["max_p_related", "n_on_topic", "share", "log_statements", "tfidf_doc", "tfidf_line", "overlap"]
        p = cross_val_predict(LogisticRegression(max_iter=1000), d[feats], y, groups=d["claim_id"],
                              cv=GroupKFold(5), method="predict_proba")[:, 1]
        judge["logistic_all_cv"] = dict(zip(("auc", "oracle_f1"), best_f1(y, p)))
        out["fold4_judge"] = judge
    for k, v in out.items():
        print(f"{k}: {json.dumps(v)}")
    print("RESULT " + json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
