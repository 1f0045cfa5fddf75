#!/usr/bin/env python
"""Scale benchmark: time and peak memory per stage on 1k / 10k / 100k-statement corpora.

    python benchmarks/bench_scale.py --sizes 1000 10000 100000 [--surrogate] [--model M]
                                     [--json /tmp/bench_scale.json]

Corpora come from benchmarks/make_corpus.py (deterministic, seed 0) under --corpus-root
(/tmp by default; never commit them). Each point runs in a fresh process
(benchmarks/run_once.py) with an empty embedding cache (the built model folder is kept), so
`embed` is a cold embedding that includes loading the model (not building it).

--surrogate embeds with a character-hashing stand-in (HashingEmbedder) instead of the
transformer, so the 100k point finishes in minutes: every other stage is the real code on
384-d vectors. The real model's embedding cost is then *projected*: texts embedded x
(seconds/text of the real model, measured here on --throughput-sample texts of the 1k corpus).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import finish, print_machine, run_child  # noqa: E402

STAGES = ["load", "statements", "embed", "match", "discover", "stance", "compare", "write"]


def ensure_corpus(n: int, root: Path, seed: int) -> Path:
    path = root / f"stance-corpus-{n}"
    meta = path / "corpus_manifest.json"
    if not meta.exists() or json.loads(meta.read_text())["seed"] != seed:
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "-n", str(n), "--out",
                        str(path), "--seed", str(seed)], check=True)
    return path


def run_point(corpus: Path, args, cache: Path) -> dict:
    # Cold embedding cache; the built model folder (cache/models) is kept.
    shutil.rmtree(cache / "embeddings", ignore_errors=True)
    shutil.rmtree(cache / "judgements", ignore_errors=True)
    cmd = [str(corpus), "--out", f"/tmp/stance-bench-out-{corpus.name}", "--set", f"cache_dir={cache}"]
    if args.model:
        cmd += ["--set", f"model={args.model}"]
    for kv in args.set:
        cmd += ["--set", kv]
    if args.surrogate:
        cmd.append("--surrogate")
    r = run_child(cmd, str(corpus))
    r["generator"] = json.loads((corpus / "corpus_manifest.json").read_text())
    return r


def real_throughput(corpus: Path, model: str, n: int, cache_dir: str) -> dict:
    """texts/s of the real model (batch 32) on the first n statements' texts of `corpus`."""
    code = (
        "import time,json;from stance.config import Config;from stance.embed import load_embedder;"
        "from stance import StancePipeline;from stance.engine.stages import reported_texts;"
        f"c=Config(corpus={str(corpus)!r},model={model!r},cache_dir={cache_dir!r},progress=False);"
        "s=StancePipeline(c).run_stages(until='statements').claims;"
        f"t=reported_texts(s)[:{n}];"
        "e=load_embedder(c);e.encode(t[:8]);t0=time.perf_counter();e.encode(t,batch_size=32);"
        "dt=time.perf_counter()-t0;print('RESULT '+json.dumps({'texts':len(t),'s':dt,'per_s':len(t)/dt}))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
    if not line:
        sys.stderr.write(p.stderr[-2000:])
        return {}
    return json.loads(line[-1][7:])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--model", default="", help="embedding model (default: the Config default)")
    ap.add_argument("--surrogate", action="store_true")
    ap.add_argument("--set", action="append", default=[], help="extra Config override key=value")
    ap.add_argument("--corpus-root", default="/tmp")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--throughput-sample", type=int, default=300,
                    help="with --surrogate: texts to time the real model on (0 = skip)")
    ap.add_argument("--cache-dir", default="/tmp/stance-bench-cache",
                    help="stance cache root; its embeddings/ is emptied before each point")
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)

    m = print_machine()
    print("command: " + " ".join(["python", *sys.argv]))
    root = Path(args.corpus_root)
    if (args.model or "e5-small-offline") == "e5-small-offline":
        from stance.embed.offline import ensure_offline_model, model_dir
        if not (model_dir(args.cache_dir) / "modules.json").exists():
            t0 = time.perf_counter()
            ensure_offline_model(args.cache_dir)
            print(f"model build (one-off, not in the runs): {time.perf_counter() - t0:.1f} s")
    results = []
    for n in args.sizes:
        corpus = ensure_corpus(n, root, args.seed)
        r = run_point(corpus, args, Path(args.cache_dir))
        results.append(r)
        st = r["stages"]
        emb_texts = (r["embedding_cache"] or {}).get("n_miss", 0)
        print(f"\n[{n} generated] {r['documents']} docs, {r['statements']} statements "
              f"({r['generator']['unique_statements']} unique generated texts), model {r['model']}")
        print(f"  {'stage':<10}{'s':>9}{'peak RSS MiB':>14}")
        for s in STAGES:
            if s in st:
                print(f"  {s:<10}{st[s]['s']:>9.2f}{st[s]['peak_mib']:>14.0f}")
        print(f"  run {r['run_s']:.1f}s (stages), process {r['process_s']:.1f}s, wall {r['wall_s']:.1f}s, "
              f"peak RSS {r['peak_rss_mib']:.0f} MiB; {emb_texts} texts embedded "
              f"({emb_texts / max(st['embed']['s'], 1e-9):.0f}/s)")
        sys.stdout.flush()
    tp = {}
    if args.surrogate and args.throughput_sample:
        tp = real_throughput(ensure_corpus(args.sizes[0], root, args.seed), args.model or "e5-small-offline",
                             args.throughput_sample, args.cache_dir)
        if tp:
            print(f"\nreal model {args.model or 'e5-small-offline'}: {tp['per_s']:.1f} texts/s "
                  f"on {tp['texts']} texts (batch 32)")
            for r in results:
                k = (r["embedding_cache"] or {}).get("n_miss", 0)
                r["projected_real_embed_s"] = round(k / tp["per_s"], 1)
                r["projected_real_run_s"] = round(r["run_s"] - r["timings"]["embed"] + k / tp["per_s"], 1)
                print(f"  {r['statements']:>7} statements: {k} texts -> embed ~{k / tp['per_s'] / 60:.1f} min, "
                      f"run ~{r['projected_real_run_s'] / 60:.1f} min")
    if len(results) >= 2:
        a, b = results[-2], results[-1]
        print(f"\nratio {b['statements']}/{a['statements']} statements = {b['statements'] / a['statements']:.1f}:")
        for s in STAGES:
            if s in a["stages"] and s in b["stages"]:
                print(f"  {s:<10}{b['stages'][s]['s'] / max(a['stages'][s]['s'], 1e-3):>8.1f}x")
        tot_a = sum(a["timings"].values())
        tot_b = sum(b["timings"].values())
        print(f"  {'all':<10}{tot_b / tot_a:>8.1f}x (sum of stages)")
        noemb = (tot_b - b["timings"]["embed"]) / (tot_a - a["timings"]["embed"])
        print(f"  {'all-embed':<10}{noemb:>8.1f}x")
    return finish(args.json, m, results=results, real_throughput=tp)


if __name__ == "__main__":
    sys.exit(main())
