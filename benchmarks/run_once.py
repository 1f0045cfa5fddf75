#!/usr/bin/env python
"""One instrumented `stance run` in this process; prints one JSON line (used by bench_e2e/scale).

    python benchmarks/run_once.py CORPUS --out DIR [--engine local|dask] [--set key=value ...]

Reports per stage: seconds (RunResult.timings) and peak RSS (VmHWM reset at each stage start),
plus import time, write time, counts and embedding-cache hits.
"""
from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv=None) -> int:
    from _common import StageMeter, instrument_pipeline
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--engine", default="local")
    ap.add_argument("--set", action="append", default=[], help="Config override key=value")
    ap.add_argument("--surrogate", action="store_true",
                    help="embed with the hashing surrogate (see _common.HashingEmbedder)")
    args = ap.parse_args(argv)
    meter = StageMeter()
    with meter.stage("import"):
        from stance import StancePipeline
        from stance.config import Config
    overrides = dict(kv.split("=", 1) for kv in args.set)
    cfg = Config(corpus=args.corpus, progress=False).update(overrides)
    cfg = cfg.update({"engine": args.engine})
    instrument_pipeline(meter)
    t0 = time.perf_counter()
    embedder = None
    if args.surrogate:
        from _common import HashingEmbedder
        embedder = HashingEmbedder()
    result = StancePipeline(cfg, embedder=embedder).fit_transform()
    if args.engine == "dask":
        # dask stages run on workers: their memory is not in this process (client side only)
        for k, v in result.timings.items():
            meter.stages.setdefault(k, {"s": v, "peak_mib": float("nan")})
    t_run = time.perf_counter() - t0
    with meter.stage("write"):
        result.save(args.out, report=False)
    meter.close()
    c = result.claims
    stats = result.info.get("embedding_cache")
    out = {
        "corpus": args.corpus, "engine": args.engine, "overrides": overrides,
        "surrogate": args.surrogate,
        "model": result.info.get("model"),
        "documents": int(len(result.documents)), "statements": int(len(c)),
        "attributed": int((c["speaker"] != "").sum()),
        "with_topic": int((c["topic_id"] != "").sum()), "topics": int(len(result.topics)),
        "timings": result.timings,
        "stages": {k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in meter.stages.items()},
        "run_s": round(t_run, 3),
        "process_s": round(time.perf_counter() - T_START, 3),
        "peak_rss_mib": round(meter.process_peak_mib(), 1),
        "embedding_cache": getattr(stats, "__dict__", stats),
    }
    print("RESULT " + json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
