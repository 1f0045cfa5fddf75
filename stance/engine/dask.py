"""The Dask engine: `stance run CORPUS --engine dask [--scheduler tcp://host:8786]`.

Same stages, same results as the local engine: `DaskExecutor.map` runs the per-partition part of a
stage (segment and attribute per document partition, embed per text partition, judge per pair
partition) on the workers; everything that needs the whole corpus (topic centring and discovery,
comparisons) stays on the client.

Shared objects (the settings, the actor registry, the embedder, the judge) are scattered to every
worker once (`broadcast=True`); models load lazily inside them, once per worker process, and are
never shipped loaded (their pickled state drops the weights). With `config.scheduler` empty a
`LocalCluster(n_workers=config.n_workers, threads_per_worker=1)` is started for the run and closed
after it; otherwise `distributed.Client(config.scheduler)` connects to a running scheduler
(`dask scheduler` + `dask worker ADDRESS` on each machine). Workers must be able to import
`stance` (same version). Point `cache_dir` (or $STANCE_CACHE) at a folder every worker can see so
the embedding and judgement caches (and the built offline model) are shared.
"""
from __future__ import annotations

from ..config import Config


def make_client(config: Config):
    """(client, cluster-or-None): connect to `config.scheduler` or start a LocalCluster."""
    from distributed import Client, LocalCluster
    if config.scheduler:
        return Client(config.scheduler), None
    cluster = LocalCluster(n_workers=config.n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


class DaskExecutor:
    """`map(fn, parts, *shared)` on a Dask cluster; shared objects are sent to each worker once."""

    name = "dask"
    progress_in_tasks = False

    def __init__(self, config: Config, client=None, partitions_per_worker: int = 4):
        self.config = config
        self._own = client is None
        self._cluster = None
        if client is None:
            client, self._cluster = make_client(config)
        self.client = client
        self.partitions_per_worker = partitions_per_worker
        self._shared: dict[int, object] = {}

    @property
    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})) or self.config.n_workers)

    def n_parts(self) -> int:
        return self.n_workers * self.partitions_per_worker

    def _ship(self, obj):
        # One scatter per object per run: the same registry/model object is reused by every stage.
        key = id(obj)
        if key not in self._shared:
            self._shared[key] = (obj, self.client.scatter(obj, broadcast=True, hash=False))
        return self._shared[key][1]

    def map(self, fn, parts: list, *shared) -> list:
        if not parts:
            return []
        shipped = [self._ship(s) for s in shared]
        futs = [self.client.submit(fn, self.client.scatter(p, hash=False), *shipped, pure=False)
                for p in parts]
        return self.client.gather(futs)

    def info(self) -> dict:
        return {"name": self.name, "scheduler": self.config.scheduler or "LocalCluster",
                "workers": self.n_workers}

    def close(self) -> None:
        self._shared.clear()
        if self._own:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
