"""An on-disk embedding cache keyed by (model id, kind, text hash), so reruns embed nothing.

Vectors live in sharded `.npz` files per model and kind, each with a checksum; a damaged shard is
deleted with a warning and its texts are embedded again.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ModelError
from ..io import sha256_text
from .backends import Embedder, _check_kind, _as_text_list

__all__ = ["EmbeddingCache", "CacheStats"]

@dataclasses.dataclass
class CacheStats:
    n_texts: int = 0
    """texts asked for"""
    n_unique: int = 0
    """distinct texts among them"""
    n_hit: int = 0
    """distinct texts found in the cache"""
    n_miss: int = 0
    """distinct texts embedded by this call"""
    n_corrupt_shards: int = 0
    """shards found damaged (deleted; their texts re-embedded if asked for)"""


def _safe_name(model_id: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id).strip("._")[:60] or "model"
    return f"{slug}-{hashlib.sha256(model_id.encode('utf-8')).hexdigest()[:10]}"


def _shard_checksum(hashes: np.ndarray, vectors: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(hashes).tobytes())
    h.update(np.ascontiguousarray(vectors, dtype="<f4").tobytes())
    return h.hexdigest()


class _Store:
    """Loaded shards of one (model_id, kind): hash -> vector."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.loaded: set[str] = set()
        self.index: dict[str, tuple[int, int]] = {}
        self.arrays: list[np.ndarray] = []


class EmbeddingCache:
    """On-disk embedding cache keyed by (model_id, kind, sha256(text)).

    Layout: ``<root>/<folder>/<safe model id>/<kind>/shard-*.npz``, where `root` is the stance
    cache folder (``config.cache_path()``; a path already named `folder` is used as is) and
    `folder` is ``embeddings`` (the judge keeps its judgements in ``judgements``).
    Each run appends new shards (written to a temp name, then renamed), so an interrupted run keeps
    every finished chunk and concurrent runs never clobber each other. A shard holds ``hashes``
    (sha256 hex of the text), ``vectors`` (float32), ``model_id``, ``kind`` and ``checksum``
    (sha256 over hashes and vectors). A shard that fails to load or to verify is deleted with a
    warning and its texts are embedded again.
    """

    chunk_size = 2048
    """Missing texts are embedded and saved this many at a time (progress survives interrupts)."""
    max_shards = 64
    """More shards than this for one (model, kind) are merged into one at the next call."""

    def __init__(self, root: str | os.PathLike, folder: str = "embeddings"):
        root = Path(root)
        self.root = root if root.name == folder else root / folder
        self._stores: dict[tuple[str, str], _Store] = {}
        self.last_stats = CacheStats()

    # -- public -------------------------------------------------------------------------------
    def folder(self, model_id: str, kind: str) -> Path:
        return self.root / _safe_name(model_id) / kind

    def encode(self, embedder: Embedder, texts: Sequence[str], kind: str = "query",
               batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Vectors for all `texts` (float32 (n, dim)); only texts not yet cached are embedded."""
        _check_kind(kind)
        texts = _as_text_list(texts)
        stats = CacheStats(n_texts=len(texts))
        dim = int(embedder.dim)
        store = self._store(embedder.model_id, kind)
        stats.n_corrupt_shards = self._refresh(store, embedder.model_id, kind, dim)

        keys = [sha256_text(t) for t in texts]
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        stats.n_unique = len(first)
        missing = [k for k in first if k not in store.index]
        stats.n_hit = stats.n_unique - len(missing)
        stats.n_miss = len(missing)

        if missing:
            bar = None
            if progress and len(missing) > batch_size:
                from tqdm.auto import tqdm
                bar = tqdm(total=len(missing), desc=f"embedding ({embedder.model_id})", unit="text")
            try:
                for s in range(0, len(missing), self.chunk_size):
                    chunk = missing[s:s + self.chunk_size]
                    vecs = embedder.encode([texts[first[k]] for k in chunk], kind=kind,
                                           batch_size=batch_size, progress=False)
                    vecs = np.asarray(vecs, dtype=np.float32)
                    if vecs.shape != (len(chunk), dim):
                        raise ModelError(f"model {embedder.model_id} returned shape {vecs.shape}, "
                                         f"expected ({len(chunk)}, {dim})")
                    name = self._write_shard(store.folder, embedder.model_id, kind,
                                             np.array(chunk, dtype="S64"), vecs)
                    self._add(store, name, chunk, vecs)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
            if len(store.loaded) > self.max_shards:
                self._compact(store, embedder.model_id, kind)

        out = np.empty((len(texts), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            a, r = store.index[k]
            out[i] = store.arrays[a][r]
        self.last_stats = stats
        return out

    def stats(self) -> CacheStats:
        """Counts of the last `encode` call."""
        return self.last_stats

    # -- internals ----------------------------------------------------------------------------
    def _store(self, model_id: str, kind: str) -> _Store:
        key = (model_id, kind)
        if key not in self._stores:
            self._stores[key] = _Store(self.folder(model_id, kind))
        return self._stores[key]

    def _refresh(self, store: _Store, model_id: str, kind: str, dim: int) -> int:
        """Load shards written since the last call (by us or another process)."""
        if not store.folder.is_dir():
            return 0
        bad = 0
        for path in sorted(store.folder.glob("shard-*.npz")):
            if path.name in store.loaded:
                continue
            try:
                hashes, vecs = self._read_shard(path, model_id, kind, dim)
            except FileNotFoundError:  # removed by a concurrent compaction
                continue
            except Exception as e:  # truncated zip, bad arrays, checksum mismatch …
                bad += 1
                warnings.warn(f"{path}: damaged embedding-cache shard ({type(e).__name__}: {e}); "
                              "deleted, its texts will be embedded again", RuntimeWarning,
                              stacklevel=3)
                try:
                    path.unlink()
                except OSError:
                    pass
                continue
            self._add(store, path.name, [h.decode("ascii") for h in hashes], vecs)
        return bad

    @staticmethod
    def _read_shard(path: Path, model_id: str, kind: str, dim: int):
        with np.load(path, allow_pickle=False) as z:
            hashes, vecs = z["hashes"], z["vectors"]
            checksum, mid, knd = str(z["checksum"]), str(z["model_id"]), str(z["kind"])
        if mid != model_id or knd != kind:
            raise ValueError(f"belongs to {mid!r}/{knd!r}, not {model_id!r}/{kind!r}")
        if vecs.dtype != np.float32 or vecs.ndim != 2 or vecs.shape[1] != dim \
                or hashes.shape != (vecs.shape[0],) or hashes.dtype != np.dtype("S64"):
            raise ValueError(f"unexpected arrays {hashes.dtype}{hashes.shape} / {vecs.dtype}{vecs.shape}")
        if _shard_checksum(hashes, vecs) != checksum:
            raise ValueError("checksum mismatch")
        return hashes, vecs

    @staticmethod
    def _write_shard(folder: Path, model_id: str, kind: str, hashes: np.ndarray,
                     vecs: np.ndarray) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        name = f"shard-{uuid.uuid1().hex}.npz"  # time-ordered, unique across processes
        fd, tmp = tempfile.mkstemp(prefix=".shard-", suffix=".npz.tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, hashes=hashes, vectors=vecs, model_id=np.array(model_id),
                         kind=np.array(kind), checksum=np.array(_shard_checksum(hashes, vecs)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, folder / name)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return name

    @staticmethod
    def _add(store: _Store, name: str, hashes: list[str], vecs: np.ndarray) -> None:
        a = len(store.arrays)
        store.arrays.append(vecs)
        store.loaded.add(name)
        for r, h in enumerate(hashes):
            store.index.setdefault(h, (a, r))

    def _compact(self, store: _Store, model_id: str, kind: str) -> None:
        """Merge every loaded shard into one (written first, old ones deleted after)."""
        keys = list(store.index)
        vecs = np.stack([store.arrays[a][r] for a, r in (store.index[k] for k in keys)])
        old = sorted(store.loaded)
        name = self._write_shard(store.folder, model_id, kind, np.array(keys, dtype="S64"), vecs)
        for n in old:
            try:
                (store.folder / n).unlink()
            except OSError:
                pass
        store.loaded, store.index, store.arrays = set(), {}, []
        self._add(store, name, keys, vecs)
