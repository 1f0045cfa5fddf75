"""The Dask engine: `stance run CORPUS --engine dask [--scheduler tcp://host:8786]`.

`run_dask(config)` produces the same `RunResult` as `pipeline.run(config)` (same claims, topics,
stances and tables on the same input), but runs the per-document and per-statement stages on a
Dask cluster by calling the pipeline's own stage functions on partitions:

* load                 on the client (reads the corpus folder, manifest and duplicates once);
* segment, attribute   per partition of documents (attribution state never crosses a document);
* embed                per partition of statements, on the workers, through the shared on-disk
                       embedding cache (`EmbeddingCache`, keyed by model id + text hash);
* topics               on the client: needs the whole corpus (corpus-mean centring, clustering of
                       at most `max_cluster_fit` claims, the rest assigned to the nearest centroid);
                       the few topic-anchor texts are embedded on a worker;
* stance               per partition of statements, on the workers;
* compare              on the client (aggregations over the whole claims table).

Every worker process builds the embedder once and keeps it (a module-level cache keyed by worker
and by the settings that define it), so a task never reloads the model. The actor registry and
the stance tagger are loaded on the client and shipped to each worker once.

With `config.scheduler` empty a `LocalCluster(n_workers=config.n_workers, threads_per_worker=1)`
is started for the run and closed after it; otherwise `distributed.Client(config.scheduler)`
connects to a running scheduler (`dask scheduler` + `dask worker ADDRESS` on each machine). Workers
must be able to import `stance` (same version); the corpus and the analyst files are read on the
client only. Point `cache_dir` (or $STANCE_CACHE) at a folder every worker can see so the
embedding cache (and the built offline model) is shared; a worker-local folder also works, each
worker then keeps its own cache.
"""
from __future__ import annotations

import os
import threading

import numpy as np
import pandas as pd

from . import stages as pipeline
from ..config import Config
from .stages import RunResult, Timer

__all__ = ["run_dask", "make_client", "partition_bounds"]

# --------------------------------------------------------------------------- worker-side state
_STATE: dict[tuple, object] = {}
_STATE_LOCK = threading.Lock()


def _worker_key() -> str:
    """Identity of the worker running this task (threads of one process-less cluster differ)."""
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return f"pid{os.getpid()}"


def _cached(kind: str, key: tuple, build):
    k = (_worker_key(), kind, key)
    with _STATE_LOCK:
        lock = _STATE.setdefault((k, "lock"), threading.Lock())
    with lock:  # one build per worker, and one user at a time for a non-thread-safe engine
        if k not in _STATE:
            _STATE[k] = build()
        return _STATE[k]


def _embedder_key(config: Config) -> tuple:
    return (config.model, config.device, str(config.cache_path()))


def _worker_embedder(config: Config):
    from ..embed import load_embedder
    return _cached("embedder", _embedder_key(config), lambda: load_embedder(config))


# --------------------------------------------------------------------------- tasks
def _segment_task(docs: pd.DataFrame, config: Config) -> pd.DataFrame:
    return pipeline.segment(docs, config)


def _attribute_task(statements: pd.DataFrame, docs: pd.DataFrame, registry) -> pd.DataFrame:
    return pipeline.attribute(statements, docs, registry)


def _embed_lock() -> threading.Lock:
    """One encode at a time per worker embedder (an engine may not be thread-safe)."""
    with _STATE_LOCK:
        return _STATE.setdefault(((_worker_key(), "embed-lock"), "lock"), threading.Lock())


def _embed_task(claims: pd.DataFrame, config: Config) -> dict:
    emb = _worker_embedder(config)
    with _embed_lock():
        out = pipeline.embed_claims(claims, config, emb)
    out.pop("embedder", None)  # stays on the worker
    out.pop("cache", None)     # (loaded shards: large, and the client has RemoteCache)
    return out


def _encode_task(texts: list[str], kind: str, batch_size: int, config: Config) -> np.ndarray:
    """Embed a few texts (the topic anchors) through the worker's embedder and the shared
    on-disk cache, as `pipeline.assign_topics` does through `emb["cache"]` locally."""
    from ..embed import EmbeddingCache
    emb = _worker_embedder(config)
    with _embed_lock():
        return EmbeddingCache(config.cache_path() / "embeddings").encode(
            emb, texts, kind=kind, batch_size=batch_size)


def _embedder_info_task(config: Config) -> tuple[str, int]:
    emb = _worker_embedder(config)
    return emb.model_id, int(emb.dim)


def _stance_task(claims: pd.DataFrame, topics: pd.DataFrame, emb: dict, tinfo: dict,
                 config: Config, tagger) -> pd.DataFrame:
    return pipeline.tag_stance(claims, topics, emb, tinfo, config, tagger)


class RemoteEmbedder:
    """Client-side stand-in for the embedder: `encode` runs on a worker (whose model is loaded
    once), so the client never loads the model itself (it only embeds the topic anchors)."""

    def __init__(self, client, config: Config):
        self.client, self.config = client, config
        self.model_id, self.dim = client.submit(_embedder_info_task, config, pure=False).result()

    def encode(self, texts, kind: str = "query", batch_size: int = 32, progress: bool = False):
        return self.client.submit(_encode_task, list(texts), kind, batch_size, self.config,
                                  pure=False).result()

    def __repr__(self) -> str:
        return f"RemoteEmbedder(model_id={self.model_id!r}, dim={self.dim})"


class RemoteCache:
    """Client-side stand-in for `emb["cache"]` (an EmbeddingCache): encodes on a worker through
    the worker's embedder and the shared on-disk cache."""

    def __init__(self, remote: RemoteEmbedder):
        self.remote = remote

    def encode(self, embedder, texts, kind: str = "query", batch_size: int = 32,
               progress: bool = False):
        return self.remote.encode(texts, kind=kind, batch_size=batch_size)


# --------------------------------------------------------------------------- helpers
def partition_bounds(weights, n_parts: int) -> list[tuple[int, int]]:
    """Contiguous [a, b) row ranges with roughly equal total weight (order is kept)."""
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if n == 0:
        return []
    n_parts = max(1, min(n_parts, n))
    cum = np.cumsum(w)
    cuts = np.searchsorted(cum, cum[-1] * np.arange(1, n_parts) / n_parts, side="left") + 1
    edges = np.unique(np.clip(np.concatenate([[0], cuts, [n]]), 0, n))
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def make_client(config: Config):
    """(client, cluster-or-None): connect to `config.scheduler` or start a LocalCluster."""
    from distributed import Client, LocalCluster
    if config.scheduler:
        return Client(config.scheduler), None
    cluster = LocalCluster(n_workers=config.n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


def _merge_embeddings(parts: list[dict], dim: int) -> dict:
    content = [p["content"] for p in parts]
    clauses = [p["clauses"] for p in parts]
    owners, bounds, offset = [], [], 0
    for p in parts:
        owners.append(np.asarray(p["clause_owner"], dtype=int) + offset)
        bounds.extend(p["clause_bounds"])
        offset += len(p["content"])
    stats = None
    if parts and all(p.get("stats") is not None for p in parts):
        from ..embed import CacheStats
        stats = CacheStats(**{f: sum(getattr(p["stats"], f) for p in parts)
                              for f in ("n_texts", "n_unique", "n_hit", "n_miss",
                                        "n_corrupt_shards")})
    return {
        "content": np.concatenate(content) if content else np.zeros((0, dim), np.float32),
        "clauses": np.concatenate(clauses) if clauses else np.zeros((0, dim), np.float32),
        "clause_owner": np.concatenate(owners) if owners else np.zeros(0, dtype=int),
        "clause_bounds": bounds,
        "stats": stats,
    }


def _stance_partition(claims: pd.DataFrame, topics: pd.DataFrame, emb: dict, a: int, b: int
                      ) -> tuple[pd.DataFrame, dict]:
    """Rows [a, b) plus every discovered topic's representative row (the stance of a discovered
    topic is measured against its representative claim), with their content vectors and their
    clauses (owners renumbered to the partition's rows)."""
    rep_ids = set(topics["representative_claim_id"]) - {""}
    rows = np.arange(a, b)
    if rep_ids:
        extra = np.flatnonzero(claims["claim_id"].isin(rep_ids).to_numpy())
        rows = np.concatenate([rows, extra[(extra < a) | (extra >= b)]])
    local = np.full(len(claims), -1)
    local[rows] = np.arange(len(rows))
    owner = np.asarray(emb["clause_owner"], dtype=int)
    sel = np.flatnonzero(local[owner] >= 0) if len(owner) else np.zeros(0, dtype=int)
    sub = {"content": emb["content"][rows], "clauses": emb["clauses"][sel],
           "clause_owner": local[owner[sel]], "clause_bounds": [emb["clause_bounds"][j] for j in sel]}
    return claims.iloc[rows], sub


# --------------------------------------------------------------------------- engine
def run_dask(config: Config, client=None, partitions_per_worker: int = 4) -> RunResult:
    """Run the pipeline on a Dask cluster; same result as `pipeline.run(config)`.

    `client`: an existing `distributed.Client` (kept open); otherwise one is made from
    `config.scheduler` / `config.n_workers` and closed at the end.
    """
    from ..annotations import apply_annotations

    own = client is None
    cluster = None
    if own:
        client, cluster = make_client(config)
    try:
        timer = Timer()
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or config.n_workers)
        n_parts = n_workers * partitions_per_worker

        with timer.stage("load"):
            documents, report = pipeline.load_documents(config)
        doc_bounds = partition_bounds(documents["text"].str.len().to_numpy() + 1, n_parts)
        with timer.stage("segment"):
            doc_futs = [client.scatter(documents.iloc[a:b], hash=False) for a, b in doc_bounds]
            seg_futs = [client.submit(_segment_task, d, config, pure=False) for d in doc_futs]
            client.gather(seg_futs)  # wait (results stay on the workers)
        with timer.stage("attribute"):
            # The registry (and later the tagger) is loaded here and shipped to the workers once,
            # so workers need neither the analyst's files nor the same paths.
            registry = pipeline.load_registry(config)
            registry_f = client.scatter(registry, broadcast=True, hash=False)
            att_futs = [client.submit(_attribute_task, s, d, registry_f, pure=False)
                        for s, d in zip(seg_futs, doc_futs)]
            # Embedding starts as soon as a partition is attributed (texts are not changed by
            # annotations), while the client gathers and applies annotations.
            emb_futs = [client.submit(_embed_task, c, config, pure=False) for c in att_futs]
            parts = client.gather(att_futs)
            del seg_futs, doc_futs
            claims = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
            if not len(claims):
                for f in emb_futs:
                    f.cancel()
                pipeline.raise_empty(config)
            claims, matched = pipeline.finish_claims(claims, documents, registry, config)

        with timer.stage("embed"):
            remote = RemoteEmbedder(client, config)
            emb = _merge_embeddings(client.gather(emb_futs), remote.dim)
            emb["embedder"], emb["cache"] = remote, RemoteCache(remote)
            del emb_futs
        with timer.stage("topics"):
            claims, topics, tinfo = pipeline.topics_stage(claims, emb, config, matched)
            report.notices.extend(tinfo["notices"])
        with timer.stage("stance"):
            claims = _tag_stance_distributed(client, claims, topics, emb, tinfo, config, n_parts)
            claims = apply_annotations(claims, matched, "stance")
        return pipeline.finalize(
            config, documents, claims, topics, emb["content"], matched, report, timer,
            {"model": remote.model_id, "embedding_cache": emb.get("stats"),
             "engine": {"name": "dask", "scheduler": config.scheduler or "LocalCluster",
                        "workers": n_workers, "partitions": len(doc_bounds)}})
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def _tag_stance_distributed(client, claims, topics, emb, tinfo, config, n_parts) -> pd.DataFrame:
    bounds = partition_bounds(np.ones(len(claims)), n_parts)
    tagger_f = client.scatter(pipeline.load_tagger(config), broadcast=True, hash=False)
    topics_f = client.scatter(topics, broadcast=True, hash=False)
    tinfo_f = client.scatter(tinfo, broadcast=True, hash=False)
    futs = []
    for a, b in bounds:
        part, sub_emb = _stance_partition(claims, topics, emb, a, b)
        futs.append(client.submit(_stance_task, part, topics_f, sub_emb, tinfo_f, config,
                                  tagger_f, pure=False))
    parts = client.gather(futs)
    out = pd.concat([p.iloc[:b - a] for p, (a, b) in zip(parts, bounds)])
    return out.loc[claims.index]
