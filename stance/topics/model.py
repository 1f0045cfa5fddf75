"""Topics: analyst-defined propositions and discovered clusters of what is claimed.

`TopicModel` is fitted once per corpus (`fit_centre`, `discover`) and then places any statement
(`candidates`, `assign`), so new articles get topics without a refit:

* `fit_centre(content)`: the corpus mean vector. e5 places every news sentence in a narrow cone
  (cosines 0.75-1.0); similarities are taken after removing the mean, which spreads topics apart.
* `candidate_topics(...)`: for each statement, the `candidates` defined topics whose proposition,
  translations or examples are most similar to its reported content or one of its clauses (the
  judge then reads each pair and decides);
* `discover(content)`: clusters the statements no defined topic took, ids `d1`, `d2` … by size;
* `assign(content)`: the nearest fitted discovered topic (within `distance_threshold`).
* `topics_table(...)`: one row per topic (see `stance.schema.TOPICS`).

Sub-models are swappable, BERTopic-style: any scikit-learn clusterer (`fit_predict`) and any
labeller with `keywords(docs_by_topic) -> dict[topic_id, list[str]]`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..embed.backends import unit_rows
from ..params import Params
from .defs import TopicDef
from .discovery import AutoAgglomerative, features, fit_lexical, nearest
from .labeller import ClassTfidfLabeller

TOPIC_COLUMNS = ["topic_id", "label", "proposition", "keywords", "size", "n_actors",
                 "representative", "representative_claim_id", "kind"]


# --------------------------------------------------------------------------- clustering
def make_clusterer(name: str, n_topics: int = 0, linkage: str = "average",
                   min_cluster_size: int = 2, random_state: int = 0, n_samples: int = 0):
    """The clusterer for an algorithm name (fit_predict on unit rows).

    agglomerative: average linkage with the number of topics chosen by silhouette (or pinned);
    hdbscan: density-based, its own number of topics; kmeans: `n_topics` clusters (chosen like
    agglomerative's when 0).
    """
    from sklearn import cluster
    if name == "agglomerative":
        return AutoAgglomerative(n_clusters=n_topics, linkage=linkage)
    if name == "hdbscan":
        # min_samples=1 keeps short texts out of the noise bucket on small corpora.
        return cluster.HDBSCAN(min_cluster_size=max(2, min_cluster_size), min_samples=1, copy=True)
    if name == "kmeans":
        return _KMeansAuto(n_topics, random_state, n_samples)
    raise ValueError(f"unknown clusterer {name!r}")


class _KMeansAuto:
    """k-means with k pinned, or chosen as average-linkage silhouette chooses it."""

    def __init__(self, k: int, random_state: int, n_samples: int):
        self.k, self.random_state, self.n_samples = k, random_state, n_samples

    def fit_predict(self, X):
        from sklearn import cluster
        k = self.k or AutoAgglomerative().fit_predict(X).max() + 1
        k = max(1, min(int(k), len(X)))
        est = cluster.MiniBatchKMeans(n_clusters=k, random_state=self.random_state, n_init=3,
                                      batch_size=2048) if len(X) > 10000 else \
            cluster.KMeans(n_clusters=k, random_state=self.random_state, n_init=10)
        return est.fit_predict(X)


class TopicModel(Params):
    """Defined topics first (candidates for the judge), then discovered clusters of the rest.

    Parameters mirror `Config`; `clusterer` may be any object with `fit_predict(X)` and
    `labeller` any object with `keywords(docs_by_topic)`. Fitted state ends in `_`.
    """

    def __init__(self, topics: list[TopicDef] | None = None, candidates: int = 2,
                 clusterer: str | object = "agglomerative", distance_threshold: float = 0.6,
                 linkage: str = "average", n_topics: int = 0, min_cluster_size: int = 2,
                 pca_dims: int = 50, max_cluster_fit: int = 5000, random_state: int = 0,
                 labeller=None, n_keywords: int = 8):
        self.topics = topics
        self.candidates = candidates
        self.clusterer = clusterer
        self.distance_threshold = distance_threshold
        self.linkage = linkage
        self.n_topics = n_topics
        self.min_cluster_size = min_cluster_size
        self.pca_dims = pca_dims
        self.max_cluster_fit = max_cluster_fit
        self.random_state = random_state
        self.labeller = labeller
        self.n_keywords = n_keywords

    @classmethod
    def from_config(cls, config, topics: list[TopicDef] | None = None, clusterer=None,
                    labeller=None) -> "TopicModel":
        return cls(topics=topics, candidates=config.candidates,
                   clusterer=clusterer if clusterer is not None else config.clusterer,
                   distance_threshold=config.distance_threshold, linkage=config.linkage,
                   n_topics=config.n_topics, min_cluster_size=config.min_cluster_size,
                   pca_dims=config.pca_dims, max_cluster_fit=config.max_cluster_fit,
                   random_state=config.random_state, labeller=labeller,
                   n_keywords=config.n_keywords)

    @property
    def defs(self) -> list[TopicDef]:
        return list(self.topics or [])

    def _labeller(self):
        return self.labeller if self.labeller is not None else ClassTfidfLabeller(self.n_keywords)

    # -- centring -------------------------------------------------------------------------
    def fit_centre(self, content: np.ndarray) -> "TopicModel":
        self.mean_ = content.mean(axis=0) if len(content) else \
            np.zeros(content.shape[1], dtype=np.float32)
        return self

    def centre(self, x: np.ndarray) -> np.ndarray:
        return unit_rows(np.asarray(x, dtype=np.float32) - self.mean_)

    # -- defined topics ---------------------------------------------------------------------
    def anchor_topic(self) -> np.ndarray:
        """Topic index of each anchor (every TopicDef.anchors, concatenated in topic order)."""
        return np.concatenate([[i] * len(t.anchors) for i, t in enumerate(self.defs)]).astype(int) \
            if self.defs else np.zeros(0, dtype=int)

    def _per_topic(self, x: np.ndarray, anchors_c: np.ndarray, anchor_topic: np.ndarray) -> np.ndarray:
        """(n, n_topics) best centred similarity to each topic's anchors; chunked for memory."""
        out = np.empty((x.shape[0], len(self.defs)), dtype=np.float32)
        for s in range(0, x.shape[0], 8192):
            sims = x[s:s + 8192] @ anchors_c.T
            for t in range(len(self.defs)):
                out[s:s + 8192, t] = sims[:, anchor_topic == t].max(axis=1)
        return out

    def candidate_topics(self, content: np.ndarray, anchors: np.ndarray,
                         eligible: np.ndarray | None = None, clauses: np.ndarray | None = None,
                         clause_owner: np.ndarray | None = None,
                         anchor_topic: np.ndarray | None = None) -> pd.DataFrame:
        """The `candidates` best defined topics of each eligible statement.

        content: (n, d) raw content vectors; anchors: raw vectors of every TopicDef.anchors in
        topic order; clauses/clause_owner: extra unit vectors and the statement row of each;
        anchor_topic: the topic index of each anchor when `anchors` holds more than the topics'
        own wordings (statements corrected into a topic, or read as clearly about it).
        Columns: row, topic_id, topic (index), score (centred cosine of the best unit), unit
        (-1 = the reported content, j = clause j), rank (0 = best).
        """
        cols = ["row", "topic_id", "topic", "score", "unit", "rank"]
        n = content.shape[0]
        if not self.defs or n == 0:
            return pd.DataFrame(columns=cols)
        a_topic = self.anchor_topic() if anchor_topic is None else np.asarray(anchor_topic)
        a_c = self.centre(anchors)
        best = self._per_topic(self.centre(content), a_c, a_topic)
        unit = np.full(best.shape, -1, dtype=int)
        if clauses is not None and len(clauses):
            per_unit = self._per_topic(self.centre(clauses), a_c, a_topic)
            # A statement that joins two claims belongs where its best part points.
            for j in np.argsort(per_unit.max(axis=1), kind="stable"):
                i = clause_owner[j]
                better = per_unit[j] > best[i]
                best[i, better] = per_unit[j, better]
                unit[i, better] = j
        k = max(1, min(int(self.candidates), len(self.defs)))
        rows = np.arange(n) if eligible is None else np.flatnonzero(eligible)
        order = np.argsort(-best[rows], axis=1, kind="stable")[:, :k]
        r = np.repeat(rows, k)
        t = order.reshape(-1)
        return pd.DataFrame({
            "row": r, "topic_id": [self.defs[i].id for i in t], "topic": t,
            "score": np.round(best[r, t].astype(float), 4), "unit": unit[r, t],
            "rank": np.tile(np.arange(k), len(rows)),
        }, columns=cols)

    # -- discovery --------------------------------------------------------------------------
    def discover(self, emb: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """Cluster labels (-1 = no topic) for the rows of `emb` (centred, unit rows).

        `texts` (the reported contents) add the character n-gram view (see `discovery`).
        Clusters smaller than `min_cluster_size` are dissolved; their statements, and those left
        out of a sampled fit, join the nearest topic within `distance_threshold` or stay
        without one (outliers).
        """
        n = emb.shape[0]
        self.discovery_ = {"statements": int(n)}
        if n < max(2, self.min_cluster_size):
            return np.full(n, -1)
        rng = np.random.default_rng(self.random_state)
        fit_idx = np.arange(n) if n <= self.max_cluster_fit else \
            np.sort(rng.choice(n, self.max_cluster_fit, replace=False))
        name = self.clusterer if isinstance(self.clusterer, str) else None
        vec = fit_lexical([texts[i] for i in fit_idx]) if texts is not None else None
        X = features(emb[fit_idx], [texts[i] for i in fit_idx] if vec is not None else None, vec)
        if name in ("hdbscan", "kmeans") and X.shape[1] > self.pca_dims and X.shape[0] > 3 * self.pca_dims:
            from sklearn.decomposition import PCA
            X = unit_rows(PCA(n_components=self.pca_dims, random_state=self.random_state).fit_transform(X))
        est = make_clusterer(name, self.n_topics, self.linkage, self.min_cluster_size,
                             self.random_state, X.shape[0]) if name else self.clusterer
        fit_labels = np.asarray(est.fit_predict(X))
        for attr in ("n_clusters_", "silhouette_", "scores_", "peak_"):
            if hasattr(est, attr):
                self.discovery_[attr.rstrip("_")] = getattr(est, attr)
        labels = np.full(n, -1)
        labels[fit_idx] = fit_labels
        ids, counts = np.unique(fit_labels[fit_labels >= 0], return_counts=True)
        keep = ids[counts >= self.min_cluster_size]
        labels[~np.isin(labels, keep)] = -1
        loose = np.flatnonzero(labels < 0)
        if len(keep) and len(loose):
            cent = unit_rows(np.stack([emb[labels == k].mean(axis=0) for k in keep]))
            near = nearest(emb[loose], cent, self.distance_threshold)
            labels[loose] = np.where(near >= 0, keep[np.maximum(near, 0)], -1)
        self.discovery_["outliers"] = int((labels < 0).sum())
        return labels

    def fit_discovered(self, emb_c: np.ndarray, rows: np.ndarray, claim_ids,
                       texts: list[str] | None = None) -> np.ndarray:
        """Cluster rows `rows` of the centred content `emb_c` (`texts`: every row's reported
        content); remember the topics (`centroids_`, `representatives_`).

        Returns the topic id of each of those rows ("" when unassigned), ids d1, d2 … by size.
        """
        labels = self.discover(emb_c[rows], [texts[i] for i in rows] if texts is not None else None) \
            if len(rows) else np.zeros(0, int)
        uniq, cnt = np.unique(labels[labels >= 0], return_counts=True)
        order = [u for _, u in sorted(zip(-cnt, uniq))]
        rename = {u: f"d{i + 1}" for i, u in enumerate(order)}
        self.centroids_ = {}
        self.representatives_ = {}
        ids = np.array([""] * len(rows), dtype=object)
        for u in order:
            members = rows[labels == u]
            c = unit_rows(emb_c[members].mean(axis=0))
            tid = rename[u]
            self.centroids_[tid] = c
            self.representatives_[tid] = str(claim_ids[members[np.argmax(emb_c[members] @ c)]])
            ids[labels == u] = tid
        return ids

    def assign(self, emb_c: np.ndarray) -> np.ndarray:
        """Nearest fitted discovered topic of each row ("" beyond `distance_threshold`)."""
        tids = list(getattr(self, "centroids_", {}))
        if not tids or not len(emb_c):
            return np.array([""] * len(emb_c), dtype=object)
        near = nearest(emb_c, np.stack([self.centroids_[t] for t in tids]), self.distance_threshold)
        return np.array([tids[j] if j >= 0 else "" for j in near], dtype=object)

    def centroid_scores(self, emb_c: np.ndarray, topic_ids) -> np.ndarray:
        """Cosine of each row to its discovered topic's centroid (0 where none)."""
        out = np.zeros(len(emb_c), dtype=np.float32)
        for tid, c in getattr(self, "centroids_", {}).items():
            m = np.asarray(topic_ids) == tid
            out[m] = emb_c[m] @ c
        return out

    # -- the topics table -------------------------------------------------------------------
    def topics_table(self, claims: pd.DataFrame, emb_c: np.ndarray, content_texts) -> pd.DataFrame:
        """One row per topic (defined ones even when empty, discovered ones that have members)."""
        by_topic = pd.Series(np.arange(len(claims))).groupby(claims["topic_id"].to_numpy()).indices
        defined = [t.id for t in self.defs]
        discovered = [t for t in getattr(self, "centroids_", {}) if len(by_topic.get(t, []))]
        groups = {t: np.asarray(by_topic.get(t, []), dtype=int) for t in defined + discovered}
        texts = claims["text"].tolist()
        speakers = claims["speaker"].to_numpy() if "speaker" in claims else np.array([""] * len(claims))
        scores = claims["topic_score"].to_numpy(dtype=float)
        row_of = {cid: i for i, cid in enumerate(claims["claim_id"])}
        # Most representative members first: nearest the centre (discovered), best score (defined).
        ranked = {}
        for tid, idx in groups.items():
            key = emb_c[idx] @ self.centroids_[tid] if tid in discovered else scores[idx]
            ranked[tid] = idx[np.argsort(-key, kind="stable")]
        # Keywords and labels come from what is claimed, not from the attribution frame.
        docs = {t: [content_texts[i] for i in idx] for t, idx in groups.items() if len(idx)}
        reps = {t: [content_texts[i] for i in ranked[t][:3]] for t in docs}
        lab = self._labeller()
        if hasattr(lab, "labels"):
            made = lab.labels(docs, reps)
        else:       # any labeller with keywords() only
            made = {t: (" · ".join(w[:3]), w) for t, w in lab.keywords(docs).items()}
        rows = []
        for t in self.defs:
            idx = groups[t.id]
            rep = ranked[t.id][0] if len(idx) else None
            rows.append(_row(t.id, t.label, t.proposition, made.get(t.id, ("", []))[1], idx,
                             speakers, claims, rep, "defined"))
        for tid in discovered:
            idx = groups[tid]
            rep = row_of.get(self.representatives_.get(tid, ""))
            if rep is None or claims["topic_id"].iat[rep] != tid:
                # The representative was corrected out of the topic: its best remaining member.
                rep = ranked[tid][0]
            label, words = made.get(tid, ("", []))
            rows.append(_row(tid, label or texts[rep][:60], texts[rep], words, idx, speakers,
                             claims, rep, "discovered"))
        return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def _row(tid, label, prop, words, idx, speakers, claims, rep, kind) -> dict:
    actors = {s for s in speakers[idx] if s}
    return {"topic_id": tid, "label": label, "proposition": prop, "keywords": ";".join(words),
            "size": int(len(idx)), "n_actors": len(actors),
            "representative": claims["text"].iloc[rep] if rep is not None else "",
            "representative_claim_id": claims["claim_id"].iloc[rep] if rep is not None else "",
            "kind": kind}
