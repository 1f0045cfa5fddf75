"""Discovered topics: clusters of what is claimed, with their number chosen from the data.

Statements are compared on two views of their reported content, concatenated with equal weight:
the corpus-centred sentence vector (meaning, across wordings and languages) and character n-gram
TF-IDF over Arabic-normalised text (the names, places and figures a claim is about, which the
sentence model blurs). Average-linkage clustering over cosine distances is cut at the number of
topics whose silhouette is best over a range of candidates, unless the analyst pins `n_topics`.
"""
from __future__ import annotations

import numpy as np

from ..embed.backends import unit_rows
from ..params import Params
from ..textnorm import normalize


def fit_lexical(texts: list[str]):
    """Char 3-5-gram TF-IDF over Arabic-normalised text, fitted on `texts` (None when they have
    no usable characters)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=normalize,
                          sublinear_tf=True, max_features=50000, dtype=np.float32)
    try:
        return vec.fit(texts)
    except ValueError:          # empty vocabulary (no letters at all)
        return None


def features(emb_c: np.ndarray, texts: list[str] | None, vectoriser=None):
    """The clustering view: [centred sentence vector ; char n-gram TF-IDF] / sqrt(2) (dense only
    when small; large inputs are reduced with a random projection of the TF-IDF part)."""
    if texts is None or vectoriser is None:
        return emb_c
    lex = vectoriser.transform(texts)
    if lex.shape[1] > 2048:
        from sklearn.random_projection import SparseRandomProjection
        lex = SparseRandomProjection(n_components=512, random_state=0).fit_transform(lex)
    lex = unit_rows(np.asarray(lex.todense() if hasattr(lex, "todense") else lex, dtype=np.float32))
    return np.hstack([emb_c, lex]).astype(np.float32) / np.sqrt(2.0)


class AutoAgglomerative(Params):
    """Average-linkage clustering (cosine) with the number of clusters chosen by silhouette.

    n_clusters: 0 chooses it from the data among `n_grid` candidates between 2 and
    `k_max_frac` of the statements (the best silhouette; when it is under `min_silhouette` or
    still rising at the largest cut, about `fallback_per_sqrt` x sqrt(n)); a positive number
    pins it. Fitted: `n_clusters_`,
    `silhouette_` (of the chosen cut), `scores_` {k: silhouette}, `peak_` (a peak was found).
    """

    def __init__(self, n_clusters: int = 0, linkage: str = "average", k_max_frac: float = 0.5,
                 n_grid: int = 24, fallback_per_sqrt: float = 1.2, min_silhouette: float = 0.25):
        self.n_clusters = n_clusters
        self.linkage = linkage
        self.k_max_frac = k_max_frac
        self.n_grid = n_grid
        self.fallback_per_sqrt = fallback_per_sqrt
        self.min_silhouette = min_silhouette

    def fit_predict(self, X: np.ndarray) -> np.ndarray:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import pdist, squareform
        n = len(X)
        if n < 3:
            self.n_clusters_, self.silhouette_, self.scores_ = n, float("nan"), {}
            return np.arange(n)
        d = np.clip(pdist(X, "cosine"), 0.0, 2.0)
        z = linkage(d, self.linkage)
        if self.n_clusters:
            k = min(int(self.n_clusters), n)
            self.n_clusters_, self.silhouette_, self.scores_ = k, float("nan"), {}
            return fcluster(z, k, "maxclust") - 1
        from sklearn.metrics import silhouette_score
        dm = squareform(d)
        k_max = max(2, min(n - 1, int(np.ceil(n * self.k_max_frac))))
        grid = sorted({int(k) for k in np.geomspace(2, k_max, self.n_grid).round()} | {k_max})
        best, scores = None, {}
        for k in grid:
            lab = fcluster(z, k, "maxclust")
            if len(np.unique(lab)) < 2:
                continue
            s = float(silhouette_score(dm, lab, metric="precomputed"))
            scores[k] = round(s, 4)
            if best is None or s > best[0]:
                best = (s, k, lab)
        self.scores_ = scores
        if best is None:
            self.n_clusters_, self.silhouette_ = 1, float("nan")
            return np.zeros(n, dtype=int)
        if best[0] < self.min_silhouette or best[1] >= max(scores):
            # No structure: the best cut is weak (Kaufman & Rousseeuw read a silhouette under
            # 0.25 as "no substantial structure"), or the silhouette still rises at the largest
            # cut, which is what statements without clusters do (each alone is its own best
            # cluster). Stop at about sqrt(n) topics instead, so that topics stay few enough
            # to read.
            k = int(min(k_max, max(2, round(self.fallback_per_sqrt * np.sqrt(n)))))
            lab = fcluster(z, k, "maxclust")
            self.silhouette_ = float(silhouette_score(dm, lab, metric="precomputed")) \
                if len(np.unique(lab)) > 1 else float("nan")
            self.n_clusters_, self.peak_ = k, False
            return lab - 1
        self.silhouette_, self.n_clusters_, self.peak_ = best[0], best[1], True
        return best[2] - 1


def nearest(x: np.ndarray, centroids: np.ndarray, max_distance: float) -> np.ndarray:
    """Index of the nearest centroid of each row, -1 beyond `max_distance` (cosine distance)."""
    out = np.full(len(x), -1)
    if not len(centroids):
        return out
    for s in range(0, len(x), 8192):
        sims = x[s:s + 8192] @ centroids.T
        j = sims.argmax(axis=1)
        ok = 1 - sims[np.arange(len(j)), j] <= max_distance
        out[s:s + 8192] = np.where(ok, j, -1)
    return out
