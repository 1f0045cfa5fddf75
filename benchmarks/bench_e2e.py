#!/usr/bin/env python
"""End-to-end `stance run` on the seeds: cold (empty embedding cache) vs warm (cache filled, one
clustering parameter changed), per stage. Target: warm <= 1/10 of cold.

    python benchmarks/bench_e2e.py [--corpus seeds] [--model e5-small-offline] [--engine local]
                                   [--change distance_threshold=0.5] [--repeat 2]

The offline model folder is built first (timed, reported separately: a one-off at install) in
--cache-dir, then for each repeat:
  cold: the cache's embeddings/ folder is deleted, then a fresh process runs the pipeline;
  warm: a fresh process reruns it with --change applied (embeddings all cached).
Each run is a new process (benchmarks/run_once.py), so imports and model loading are counted.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ROOT, finish, print_machine, run_child  # noqa: E402

STAGES = ["import", "load", "statements", "embed", "match", "discover", "stance", "compare", "write"]


def one(args, extra: list[str], tag: str, flags: tuple = ()) -> dict:
    cmd = [*flags, args.corpus, "--out", f"/tmp/stance-bench-e2e-{tag}", "--engine", args.engine,
           "--set", f"cache_dir={args.cache_dir}", "--set", f"model={args.model}"]
    for kv in args.set + extra:
        cmd += ["--set", kv]
    return run_child(cmd, tag)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "seeds"))
    ap.add_argument("--model", default="e5-small-offline")
    ap.add_argument("--engine", default="local", choices=["local", "dask"])
    ap.add_argument("--cache-dir", default="/tmp/stance-bench-e2e-cache")
    ap.add_argument("--change", default="distance_threshold=0.5",
                    help="clustering parameter changed for the warm run")
    ap.add_argument("--set", action="append", default=[], help="extra Config override key=value")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)

    m = print_machine()
    print("command: " + " ".join(["python", *sys.argv]))
    cache = Path(args.cache_dir)
    build_s = None
    if args.model == "e5-small-offline":
        from stance.embed.offline import ensure_offline_model, model_dir
        if not (model_dir(cache) / "modules.json").exists():
            t0 = time.perf_counter()
            ensure_offline_model(cache)
            build_s = time.perf_counter() - t0
        print(f"model build (one-off, excluded below): "
              f"{'%.1f s' % build_s if build_s is not None else 'already built, reused'}")
    runs = []
    variants = [(f"engine {args.engine}", ())]
    for i in range(args.repeat):
        for label, flags in variants:
            shutil.rmtree(cache / "embeddings", ignore_errors=True)
            shutil.rmtree(cache / "judgements", ignore_errors=True)
            cold = one(args, [], "cold", flags)
            warm = one(args, [args.change], "warm", flags)
            runs.append({"variant": label, "cold": cold, "warm": warm})
            print(f"\nrepeat {i + 1} [{label}]: {cold['statements']} statements, model {cold['model']}, "
                  f"engine {args.engine}; warm changes {args.change}")
            print(f"  {'stage':<10}{'cold s':>9}{'warm s':>9}")
            for s in STAGES:
                c, w = cold["stages"].get(s, {}).get("s"), warm["stages"].get(s, {}).get("s")
                if c is not None or w is not None:
                    print(f"  {s:<10}{(c or 0):>9.2f}{(w or 0):>9.2f}")
            sc, sw = sum(cold["timings"].values()), sum(warm["timings"].values())
            print(f"  {'stages':<10}{sc:>9.2f}{sw:>9.2f}   warm/cold = {sw / sc:.3f}")
            print(f"  {'process':<10}{cold['wall_s']:>9.2f}{warm['wall_s']:>9.2f}   warm/cold = "
                  f"{warm['wall_s'] / cold['wall_s']:.3f}  (fresh process: interpreter + imports included)")
            print(f"  cache: cold {cold['embedding_cache']}, warm {warm['embedding_cache']}")
            print(f"  topics: cold {cold['topics']} / warm {warm['topics']}; peak RSS cold "
                  f"{cold['peak_rss_mib']:.0f} MiB, warm {warm['peak_rss_mib']:.0f} MiB")
            sys.stdout.flush()
    return finish(args.json, m, model_build_s=build_s, runs=runs)


if __name__ == "__main__":
    sys.exit(main())
