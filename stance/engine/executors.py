"""Where the per-document and per-statement work runs: in this process, or on a Dask cluster.

The stage list (`stance.engine.stages`) is written once; each stage hands its parallel part to
`executor.map(fn, parts, *shared)`. `LocalExecutor` calls `fn` here; `DaskExecutor`
(`stance.engine.dask`) ships the shared objects to each worker once and `fn` to the partitions.
"""
from __future__ import annotations

import numpy as np


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


class LocalExecutor:
    """Runs every part in this process, one after another (progress bars stay on)."""

    name = "local"
    progress_in_tasks = True

    def n_parts(self) -> int:
        return 1

    def map(self, fn, parts: list, *shared) -> list:
        return [fn(p, *shared) for p in parts]

    def info(self) -> dict:
        return {"name": self.name}

    def close(self) -> None:
        pass
