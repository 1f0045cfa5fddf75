"""Attribution figures, through the real pipeline stage (`run_stages(until="statements")`, no model).

    python benchmarks/bench_attribution.py [--part all|unifiedfc|seeds|multilingual|first_person]
        [--unifiedfc PATH] [--folds 1,2] [--handcheck CSV] [--dump CSV] [--limit N]
        [--sample-out CSV --sample-folds 3,4 --sample-exclude CSV … --sample-seed N]

(a) unifiedfc — no registry, public Arabic news (UnifiedFC folds 1-4, one document per distinct
    article, outlet = the URL's host): share of statements with a quotation or a reporting verb
    that get a speaker (also per fold pair); precision and country accuracy on a hand-checked
    sample (`--handcheck`, default `benchmarks/attribution_handcheck.csv`; the held-out one is
    `benchmarks/attribution_handcheck_heldout.csv`; judgements by reading the Arabic:
    `speaker_ok`, `country_ok`, `why`). `--folds` runs on the articles of those folds only
    (development: 1,2). `--sample-out` writes a fresh sample to judge (120 rows), from
    `--sample-folds` only, leaving out the statements of the first hand-checked sample and every
    article of the `--sample-exclude` samples. `--dump` writes every cue statement.
(b) seeds — with `seeds/actors.yaml`: precision of attributed statements and recall of
    attributable ones against `benchmarks/seed_attribution_gold.csv` (every seed statement,
    speaker written by reading the Arabic); and the seeds without the registry.
(c) multilingual — `benchmarks/data/attribution_multilingual` (en/fr/ru, no registry): speaker
    accuracy over every gold sentence (an empty gold speaker must stay empty).
(d) first_person — `benchmarks/data/first_person` (manifest `speaker` column): share of the
    author's gold statements credited to the author.

Matching of names (c, d): both sides folded (case, Latin diacritics, Russian case endings,
Arabic spelling; Cyrillic words compared on their first five letters, for case forms); right
when equal to the gold `speaker` or `speaker_en`, when the last words
(surnames) are equal, or when one name's words contain the other's (organisations named with or
without their country: "Представительство ООН" / "Представительство ООН в Казахстане").
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data"
UNIFIEDFC = Path("/work/shared/data/unifiedfc/articles_folds1-4.jsonl.gz")
HANDCHECK = ROOT / "benchmarks" / "attribution_handcheck.csv"
SEED_GOLD = ROOT / "benchmarks" / "seed_attribution_gold.csv"


def run_statements(corpus, registry=None, frame: pd.DataFrame | None = None):
    from stance.config import Config
    from stance.pipeline import StancePipeline
    t0 = time.perf_counter()
    cfg = Config(corpus=str(corpus), progress=False)
    st = StancePipeline(cfg, registry=registry).run_stages(frame if frame is not None else None,
                                                           until="statements")
    return st, time.perf_counter() - t0


# ------------------------------------------------------------------ name matching
def _fold_tokens(name: str) -> list[str]:
    """Comparison words: folded (see `discover.fold`); Cyrillic words cut to 5 letters, so
    that case forms compare equal ("Статистического комитета" = "Статистический комитет")."""
    from stance.attribution.discover import fold
    from stance.attribution.registry import tokenize
    out = []
    for t in tokenize(name):
        w = fold(t.norm)
        out.append(w[:5] if re.match("[\u0400-\u04ff]", w) else w)
    return out


def same_actor(pred: str, gold: str) -> bool:
    p, g = _fold_tokens(pred), _fold_tokens(gold)
    if not p or not g:
        return not p and not g
    return p == g or p[-1] == g[-1] or set(p) <= set(g) or set(g) <= set(p)


def gold_match(pred: str, row) -> bool:
    cands = [row["speaker"]] + [x for x in str(row.get("speaker_en", "")).split(";") if x]
    if not row["speaker"]:
        return pred == ""
    return bool(pred) and any(same_actor(pred, c) for c in cands if c)


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", str(s)).strip().casefold()


def align(claims: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """The claim of each gold sentence (same doc, same text up to punctuation/case; else the
    claim that contains the sentence's start)."""
    out = []
    by_doc = {d: g for d, g in claims.groupby("doc_id")}
    for _, r in gold.iterrows():
        c = by_doc.get(r["doc_id"])
        hit = None
        if c is not None:
            key = _norm(r["sentence"])
            for _, x in c.iterrows():
                if _norm(x["text"]) == key:
                    hit = x
                    break
            if hit is None:
                for _, x in c.iterrows():
                    if key[:40] and key[:40] in _norm(x["text"]) or _norm(x["text"])[:40] in key:
                        hit = x
                        break
        out.append({"speaker_pred": "" if hit is None else hit["speaker"],
                    "attribution": "" if hit is None else hit["attribution"],
                    "claim_id": "" if hit is None else hit["claim_id"]})
    return pd.concat([gold.reset_index(drop=True), pd.DataFrame(out)], axis=1)


# ------------------------------------------------------------------ (c) multilingual
def multilingual() -> dict:
    d = DATA / "attribution_multilingual"
    st, secs = run_statements(d / "corpus")
    gold = pd.read_csv(d / "gold.csv", keep_default_na=False)
    m = align(st.claims, gold)
    m["ok"] = [gold_match(p, r) for p, (_, r) in zip(m["speaker_pred"], m.iterrows())]
    att = m[m["speaker"] != ""]
    res = {"sentences": len(m), "accuracy": round(m["ok"].mean(), 3),
           "attributable": len(att), "attributable_right": round(att["ok"].mean(), 3),
           "narration_left_empty": round((m[m["speaker"] == ""]["speaker_pred"] == "").mean(), 3),
           "by_language": {k: round(g["ok"].mean(), 3) for k, g in m.groupby(m["doc_id"].str[:2])},
           "seconds": round(secs, 1)}
    return res, m


# ------------------------------------------------------------------ (d) first person
def first_person() -> dict:
    d = DATA / "first_person"
    st, secs = run_statements(d / "corpus")
    gold = pd.read_csv(d / "gold.csv", keep_default_na=False)
    man = pd.read_csv(d / "corpus" / "manifest.csv", keep_default_na=False)
    author = dict(zip(man["doc_id"], man["speaker"]))
    m = align(st.claims, gold)
    m["ok"] = [gold_match(p, r) for p, (_, r) in zip(m["speaker_pred"], m.iterrows())]
    a = m[m["cue"] == "author"]
    credited = [same_actor(p, author[doc]) for p, doc in zip(a["speaker_pred"], a["doc_id"])]
    others = m[m["cue"] != "author"]
    res = {"author_statements": len(a), "credited_to_author": round(sum(credited) / len(a), 3),
           "other_statements": len(others), "others_right": round(others["ok"].mean(), 3),
           "seconds": round(secs, 1)}
    return res, m


# ------------------------------------------------------------------ (a) UnifiedFC, no registry
def unifiedfc_frame(path: Path, folds: set[int] | None = None) -> pd.DataFrame:
    """One row per distinct article: doc_id, outlet (the URL's host), url, text, fold (the
    claim fold of its first occurrence), folds (every fold the same text appears in).
    `folds`: keep only the articles that appear in those folds and in no other."""
    rows, seen = [], {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            text = o["article"]
            if not text.strip():
                continue
            if text in seen:
                seen[text]["folds"].add(int(o["fold"]))
                continue
            seen[text] = {"doc_id": f"ufc-{o['claim_id']}-{o['article_idx']}", "text": text,
                          "outlet": urlparse(o["url"]).netloc, "url": o["url"], "language": "ar",
                          "fold": int(o["fold"]), "folds": {int(o["fold"])}}
            rows.append(seen[text])
    if folds:
        rows = [r for r in rows if r["folds"] <= folds]
    return pd.DataFrame(rows)


def has_cue(text: str) -> bool:
    """A reporting verb outside quotations (not negated)."""
    from stance.attribution import extract as x
    from stance.attribution.registry import tokenize
    from stance.corpus import quote_spans
    toks = tokenize(text)
    qs = quote_spans(text)
    return any(not any(a <= t.start < b for a, b in qs) and x.verb_info(toks, i) is not None
               and not x.negated(toks, i) for i, t in enumerate(toks))


def unifiedfc(path: Path, sample_out: str = "", changed_out: str = "", folds: set[int] | None = None,
              sample_folds: set[int] | None = None, handcheck: Path = HANDCHECK,
              dump: str = "", limit: int = 0, exclude_docs=(), seed: int = 15
              ) -> tuple[dict, pd.DataFrame | None]:
    from stance.attribution import ActorRegistry
    frame = unifiedfc_frame(path, folds)
    if limit:
        frame = frame.sample(n=min(limit, len(frame)), random_state=1).reset_index(drop=True)
    with tempfile.TemporaryDirectory() as tmp:
        st, secs = run_statements(tmp, registry=ActorRegistry.empty(), frame=frame.drop(columns="folds"))
    c = st.claims
    c = c[(c["kind"] != "boilerplate") & (c["duplicate_of"] == "")]
    cue = c["is_quote"].astype(bool) | c["text"].map(has_cue)
    den = c[cue]
    doc_folds = dict(zip(frame["doc_id"], frame["folds"]))
    res = {"documents": len(frame), "statements": len(st.claims),
           "boilerplate": int((st.claims["kind"] == "boilerplate").sum()),
           "duplicates": int((st.claims["duplicate_of"] != "").sum()),
           "with_quote_or_verb": len(den),
           "with_a_speaker": round(float((den["speaker"] != "").mean()), 3),
           "all_attributed": int((c["speaker"] != "").sum()),
           "actors": len(st.actors), "seconds": round(secs, 1)}
    for name, fs in (("folds_1_2", {1, 2}), ("folds_3_4", {3, 4})):
        part = den[den["doc_id"].map(lambda d: doc_folds.get(d, set()) <= fs)]
        if len(part) and len(part) < len(den):
            res[f"with_a_speaker_{name}"] = round(float((part["speaker"] != "").mean()), 3)
            res[f"with_quote_or_verb_{name}"] = len(part)
    if dump:
        den.assign(fold=den["doc_id"].map(lambda d: min(doc_folds.get(d, {0})))).to_csv(
            dump, index=False, encoding="utf-8")
    if sample_out:
        pool = den[den["speaker"] != ""]
        if sample_folds:
            # held out: articles of these folds only (in no other fold), minus statements
            # already in the earlier hand-checked sample
            pool = pool[pool["doc_id"].map(lambda d: doc_folds.get(d, set()) <= sample_folds)]
            if HANDCHECK.exists():
                old = set(pd.read_csv(HANDCHECK, dtype=str)["claim_id"])
                pool = pool[~pool["claim_id"].isin(old)]
            for f in exclude_docs:
                # articles already read (an earlier held-out draw): none of their statements
                pool = pool[~pool["doc_id"].isin(set(pd.read_csv(f, dtype=str)["doc_id"]))]
        pick = pool.sample(n=min(120, len(pool)), random_state=seed)
        out = pick[["claim_id", "doc_id", "outlet", "text", "speaker", "speaker_text",
                    "organisation", "country", "attribution", "attribution_note"]].copy()
        out["speaker_ok"], out["country_ok"], out["why"] = "", "", ""
        out.to_csv(sample_out, index=False, encoding="utf-8")
        res["sample_written"] = sample_out
    if handcheck.exists():
        h = pd.read_csv(handcheck, keep_default_na=False, dtype=str)
        h = h[(h["speaker_ok"] != "") & h["doc_id"].isin(set(frame["doc_id"]))]
        if len(h):
            now = st.claims.set_index("claim_id")
            same = h[h["claim_id"].map(lambda i: i in now.index and
                                       now.at[i, "speaker"] == h.set_index("claim_id").at[i, "speaker"])]
            ok = h["speaker_ok"].str.lower().isin(["1", "yes", "y", "true"])
            cok = h["country_ok"].str.lower().isin(["1", "yes", "y", "true"])
            if changed_out:
                ch = h[~h["claim_id"].isin(same["claim_id"])].copy()
                ch["speaker_now"] = ch["claim_id"].map(lambda i: now.at[i, "speaker"] if i in now.index else "")
                ch["country_now"] = ch["claim_id"].map(lambda i: now.at[i, "country"] if i in now.index else "")
                ch.to_csv(changed_out, index=False, encoding="utf-8")
            res.update({"handcheck": handcheck.name, "handcheck_rows": len(h),
                        "handcheck_unchanged": len(same),
                        "precision": round(float(ok.mean()), 3),
                        "country_right": round(float(cok.mean()), 3),
                        "country_right_of_right_speakers": round(float(cok[ok].mean()), 3)})
    return res, None


# ------------------------------------------------------------------ (b) seeds
def seeds() -> tuple[dict, pd.DataFrame]:
    """With the registry: precision on attributed statements, recall of attributable ones
    (gold: benchmarks/seed_attribution_gold.csv). Without it: share of the attributable
    statements that get a speaker, and whether their country is the gold speaker's (the
    registry's country for that actor)."""
    from stance.attribution import ActorRegistry
    gold = pd.read_csv(SEED_GOLD, keep_default_na=False, dtype=str)
    reg = ActorRegistry.load(ROOT / "seeds" / "actors.yaml")
    st, secs = run_statements(ROOT / "seeds")
    m = gold.merge(st.claims[["claim_id", "speaker", "country"]], on="claim_id", how="left").fillna("")
    att = m[m["speaker"] != ""]
    attributable = m[m["gold_speaker"] != ""]
    res = {"statements": len(m), "attributed": len(att), "attributable": len(attributable),
           "precision": round(float((att["speaker"] == att["gold_speaker"]).mean()), 3),
           "recall": round(float((attributable["speaker"] == attributable["gold_speaker"]).mean()), 3)}
    with tempfile.TemporaryDirectory() as tmp:
        import shutil
        for f in (ROOT / "seeds").glob("*.txt"):
            shutil.copy(f, tmp)
        shutil.copy(ROOT / "seeds" / "manifest.csv", tmp)
        st2, _ = run_statements(tmp, registry=ActorRegistry.empty())
    n = gold.merge(st2.claims[["claim_id", "speaker", "country"]], on="claim_id", how="left").fillna("")
    a2 = n[n["gold_speaker"] != ""]
    got = a2[a2["speaker"] != ""]
    name_to_country = {reg.resolve(i)["speaker"]: reg.resolve(i)["country"] for i in reg.actors}
    name_to_country.update({"German government": "DEU"})
    res.update({"no_registry_attributable_with_speaker": round(len(got) / len(a2), 3),
                "no_registry_country_right": round(float(
                    (got["country"] == got["gold_speaker"].map(name_to_country)).mean()), 3),
                "no_registry_narration_left_empty": round(float(
                    (n[n["gold_speaker"] == ""]["speaker"] == "").mean()), 3),
                "seconds": round(secs, 1)})
    m["ok"] = m["speaker"] == m["gold_speaker"]
    m = m.rename(columns={"gold_speaker": "speaker_gold"})
    return res, m.assign(doc_id=m["claim_id"].str[:3], sentence=m["text"], speaker_pred=m["speaker"],
                         attribution="", speaker=m["speaker_gold"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="all")
    ap.add_argument("--unifiedfc", default=str(UNIFIEDFC))
    ap.add_argument("--sample-out", default="")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--changed-out", default="", help="hand-checked rows whose speaker changed")
    ap.add_argument("--folds", default="", help="UnifiedFC folds to run on, e.g. 1,2 (default all)")
    ap.add_argument("--sample-folds", default="", help="draw --sample-out from these folds only")
    ap.add_argument("--handcheck", default=str(HANDCHECK), help="hand-checked sample to score")
    ap.add_argument("--dump", default="", help="write every cue statement (with its speaker) here")
    ap.add_argument("--limit", type=int, default=0, help="a random subset of this many articles")
    ap.add_argument("--sample-exclude", action="append", default=[],
                    help="a hand-check CSV whose articles (doc_id) the new sample leaves out")
    ap.add_argument("--sample-seed", type=int, default=15)
    a = ap.parse_args(argv)
    parts = ["unifiedfc", "seeds", "multilingual", "first_person"] if a.part == "all" else [a.part]
    for p in parts:
        if p == "multilingual":
            res, m = multilingual()
        elif p == "first_person":
            res, m = first_person()
        elif p == "seeds":
            res, m = seeds()
        else:
            fs = {int(x) for x in a.folds.split(",") if x} or None
            sf = {int(x) for x in a.sample_folds.split(",") if x} or None
            res, m = unifiedfc(Path(a.unifiedfc), a.sample_out, a.changed_out, fs, sf,
                               Path(a.handcheck), a.dump, a.limit, a.sample_exclude, a.sample_seed)
        print(f"[{p}] " + json.dumps(res, ensure_ascii=False))
        if a.show_errors and m is not None and "ok" in m:
            for _, r in m[~m["ok"]].iterrows():
                print(f"  ✗ {r['doc_id']} | gold={r['speaker']!r} pred={r['speaker_pred']!r} "
                      f"({r['attribution']}) | {str(r['sentence'])[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
