"""Topics: analyst-defined propositions first, then discovery clustering of the rest.

Adds to the claims table
------------------------
topic_id     defined topic id, `d<N>` for a discovered topic, "" when unassigned
topic_label  the topic's label
topic_score  cosine similarity of the claim to the topic (best anchor or centroid)
topic_kind   defined | discovered | ""

topics table (topics.csv)
-------------------------
topic_id, label, proposition, keywords (";"-joined), size, n_actors, representative,
representative_claim_id, kind (defined|discovered)

Sub-models are swappable, BERTopic-style: any scikit-learn clusterer (`fit_predict`) and any
labeller with `keywords(docs_by_topic) -> dict[topic_id, list[str]]`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .defs import TopicDef
from .labeller import ClassTfidfLabeller

TOPIC_COLUMNS = ["topic_id", "label", "proposition", "keywords", "size", "n_actors",
                 "representative", "representative_claim_id", "kind"]


# --------------------------------------------------------------------------- clustering
def make_clusterer(name: str, distance_threshold: float = 0.6, linkage: str = "average",
                   n_clusters: int = 8, min_cluster_size: int = 2, random_state: int = 0,
                   n_samples: int = 0):
    """A scikit-learn clusterer for the chosen algorithm (fit_predict on L2-normalised rows)."""
    from sklearn import cluster
    if name == "agglomerative":
        return cluster.AgglomerativeClustering(n_clusters=None, metric="cosine", linkage=linkage,
                                               distance_threshold=distance_threshold)
    if name == "hdbscan":
        # min_samples=1 keeps short texts out of the noise bucket on small corpora.
        return cluster.HDBSCAN(min_cluster_size=max(2, min_cluster_size), min_samples=1,
                               copy=True)
    if name == "kmeans":
        k = max(1, min(n_clusters, n_samples)) if n_samples else n_clusters
        if n_samples > 10000:
            return cluster.MiniBatchKMeans(n_clusters=k, random_state=random_state, n_init=3,
                                           batch_size=2048)
        return cluster.KMeans(n_clusters=k, random_state=random_state, n_init=10)
    raise ValueError(f"unknown clusterer {name!r}")


class TopicModel:
    """Assigns claims to defined topics, then clusters the remainder into discovered topics.

    Parameters mirror `Config`; `clusterer` may be any object with `fit_predict(X)` to swap the
    algorithm. Stateless between calls: `fit_transform` returns everything it computed.
    """

    def __init__(self, topics: list[TopicDef] | None = None, topic_threshold: float = 0.30,
                 clusterer: str | object = "agglomerative", distance_threshold: float = 0.6,
                 linkage: str = "average", n_clusters: int = 8, min_cluster_size: int = 2,
                 pca_dims: int = 50, max_cluster_fit: int = 5000, random_state: int = 0,
                 labeller: ClassTfidfLabeller | None = None, n_keywords: int = 8):
        self.topics = topics or []
        self.topic_threshold = topic_threshold
        self.clusterer = clusterer
        self.distance_threshold = distance_threshold
        self.linkage = linkage
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size
        self.pca_dims = pca_dims
        self.max_cluster_fit = max_cluster_fit
        self.random_state = random_state
        self.labeller = labeller or ClassTfidfLabeller(n_keywords)

    @classmethod
    def from_config(cls, config, topics: list[TopicDef]) -> "TopicModel":
        return cls(topics=topics, topic_threshold=config.topic_threshold, clusterer=config.clusterer,
                   distance_threshold=config.distance_threshold, linkage=config.linkage,
                   n_clusters=config.n_clusters, min_cluster_size=config.min_cluster_size,
                   pca_dims=config.pca_dims, max_cluster_fit=config.max_cluster_fit,
                   random_state=config.random_state, n_keywords=config.n_keywords)

    # -- guided ---------------------------------------------------------------------------
    def assign_defined(self, emb: np.ndarray, anchor_emb: np.ndarray, anchor_topic: np.ndarray,
                       unit_emb: np.ndarray | None = None, unit_owner: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Best defined topic per claim (index into self.topics, -1 if below threshold).

        Each claim is scored by its own vector and by any extra `unit_emb` rows it owns
        (`unit_owner[j]` = claim row), e.g. its clauses: a statement that joins two claims
        belongs to the topic its best part matches. Returns (best topic, score, best unit),
        where best unit is -1 when the claim vector itself matched best.
        """
        n = emb.shape[0]
        best_unit = np.full(n, -1)
        if not self.topics or n == 0:
            return np.full(n, -1), np.zeros(n, dtype=np.float32), best_unit
        per_claim = self._per_topic(emb, anchor_emb, anchor_topic)
        if unit_emb is not None and len(unit_emb):
            per_unit = self._per_topic(unit_emb, anchor_emb, anchor_topic)
            unit_best = per_unit.max(axis=1)
            claim_best = per_claim.max(axis=1)
            # Visit units in ascending score so the best unit per claim is written last.
            for j in np.argsort(unit_best, kind="stable"):
                i = unit_owner[j]
                if unit_best[j] > claim_best[i]:
                    per_claim[i] = per_unit[j]
                    claim_best[i] = unit_best[j]
                    best_unit[i] = j
        idx = per_claim.argmax(axis=1)
        val = per_claim[np.arange(n), idx]
        best = np.where(val >= self.topic_threshold, idx, -1)
        return best, val.astype(np.float32), np.where(best >= 0, best_unit, -1)

    def _per_topic(self, emb: np.ndarray, anchor_emb: np.ndarray, anchor_topic: np.ndarray) -> np.ndarray:
        """(n, n_topics) best similarity to each topic's anchors; chunked to bound memory."""
        out = np.empty((emb.shape[0], len(self.topics)), dtype=np.float32)
        for s in range(0, emb.shape[0], 8192):
            sims = emb[s:s + 8192] @ anchor_emb.T
            for t in range(len(self.topics)):
                out[s:s + 8192, t] = sims[:, anchor_topic == t].max(axis=1)
        return out

    # -- discovery ------------------------------------------------------------------------
    def discover(self, emb: np.ndarray) -> np.ndarray:
        """Cluster labels (-1 = unassigned) for the rows of `emb`."""
        n = emb.shape[0]
        if n < max(2, self.min_cluster_size):
            return np.full(n, -1)
        rng = np.random.default_rng(self.random_state)
        fit_idx = np.arange(n) if n <= self.max_cluster_fit else \
            np.sort(rng.choice(n, self.max_cluster_fit, replace=False))
        X = emb[fit_idx]
        name = self.clusterer if isinstance(self.clusterer, str) else None
        if name in ("hdbscan", "kmeans") and X.shape[1] > self.pca_dims and X.shape[0] > 3 * self.pca_dims:
            from sklearn.decomposition import PCA
            X = PCA(n_components=self.pca_dims, random_state=self.random_state).fit_transform(X)
            X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        est = make_clusterer(name, self.distance_threshold, self.linkage, self.n_clusters,
                             self.min_cluster_size, self.random_state, X.shape[0]) if name else self.clusterer
        fit_labels = np.asarray(est.fit_predict(X))
        labels = np.full(n, -1)
        labels[fit_idx] = fit_labels
        # Drop clusters below min_cluster_size (they become unassigned, not forced anywhere).
        ids, counts = np.unique(fit_labels[fit_labels >= 0], return_counts=True)
        keep = ids[counts >= self.min_cluster_size]
        labels[~np.isin(labels, keep)] = -1
        if len(fit_idx) < n and len(keep):
            rest = np.setdiff1d(np.arange(n), fit_idx)
            fitted = emb[fit_idx]
            cent = np.stack([fitted[fit_labels == k].mean(axis=0) for k in keep])
            cent /= np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-12)
            for s in range(0, len(rest), 8192):
                part = rest[s:s + 8192]
                sims = emb[part] @ cent.T
                j = sims.argmax(axis=1)
                ok = 1 - sims[np.arange(len(j)), j] <= max(self.distance_threshold, 0.2)
                labels[part] = np.where(ok, keep[j], -1)
        return labels

    # -- everything ----------------------------------------------------------------------
    def fit_transform(self, claims: pd.DataFrame, emb: np.ndarray, anchor_emb: np.ndarray | None = None,
                      eligible: np.ndarray | None = None, unit_emb: np.ndarray | None = None,
                      unit_owner: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return (claims + topic columns, topics table).

        anchor_emb: embeddings of every TopicDef.anchors, concatenated in topic order.
        eligible: boolean mask of claims that may get a topic (e.g. not headings).
        unit_emb/unit_owner: optional sub-claim vectors (clauses) and the claim row of each; the
        index of the unit that matched a defined topic is returned in column `topic_unit`.
        """
        n = len(claims)
        out = claims.copy()
        if eligible is None:
            eligible = np.ones(n, dtype=bool)
        anchor_topic = np.concatenate([[i] * len(t.anchors) for i, t in enumerate(self.topics)]) \
            if self.topics else np.zeros(0, dtype=int)
        if self.topics and anchor_emb is None:
            raise ValueError("anchor_emb is required when topics are defined")
        best, gscore, unit = self.assign_defined(
            emb, anchor_emb if anchor_emb is not None else np.zeros((0, emb.shape[1]), np.float32),
            anchor_topic, unit_emb, unit_owner)
        best = np.where(eligible, best, -1)
        out["topic_unit"] = np.where(best >= 0, unit, -1)
        topic_id = np.array([self.topics[b].id if b >= 0 else "" for b in best], dtype=object)
        score = np.where(best >= 0, gscore, 0.0).astype(np.float32)

        rest = np.flatnonzero((best < 0) & eligible)
        labels = self.discover(emb[rest]) if len(rest) else np.zeros(0, int)
        # Number discovered topics by size (largest first), deterministic.
        uniq, cnt = np.unique(labels[labels >= 0], return_counts=True)
        order = [u for _, u in sorted(zip(-cnt, uniq))]
        rename = {u: f"d{i + 1}" for i, u in enumerate(order)}
        centroids = {}
        for u in order:
            rows = rest[labels == u]
            c = emb[rows].mean(axis=0)
            c /= max(np.linalg.norm(c), 1e-12)
            centroids[rename[u]] = c
            topic_id[rows] = rename[u]
            score[rows] = emb[rows] @ c

        out["topic_id"] = topic_id
        out["topic_score"] = np.round(score.astype(float), 4)
        kind = np.where(best >= 0, "defined", np.where(topic_id != "", "discovered", ""))
        out["topic_kind"] = kind
        topics_df = self._topics_table(out, emb, centroids)
        labels_map = dict(zip(topics_df["topic_id"], topics_df["label"]))
        out["topic_label"] = [labels_map.get(t, "") for t in out["topic_id"]]
        return out, topics_df

    def _topics_table(self, claims: pd.DataFrame, emb: np.ndarray, centroids: dict) -> pd.DataFrame:
        tids = [t.id for t in self.topics] + list(centroids)
        by_topic = pd.Series(np.arange(len(claims))).groupby(claims["topic_id"].to_numpy()).indices
        groups = {t: np.asarray(by_topic.get(t, []), dtype=int) for t in tids}
        texts = claims["text"].tolist()
        # Keywords come from what is claimed, not from the attribution frame around it.
        kw_texts = claims["content_text"].tolist() if "content_text" in claims else texts
        kw = self.labeller.keywords({t: [kw_texts[i] for i in idx] for t, idx in groups.items() if len(idx)})
        speakers = claims["speaker"].to_numpy() if "speaker" in claims else np.array([""] * len(claims))
        rows = []
        for t in self.topics:
            idx = groups[t.id]
            rep = idx[np.argmax(claims["topic_score"].to_numpy()[idx])] if len(idx) else None
            rows.append(self._row(t.id, t.label, t.proposition, kw.get(t.id, []), idx, speakers,
                                  claims, rep, "defined"))
        for tid, c in centroids.items():
            idx = groups[tid]
            rep = idx[np.argmax(emb[idx] @ c)]
            words = kw.get(tid, [])
            label = " · ".join(words[:3]) if words else texts[rep][:60]
            rows.append(self._row(tid, label, texts[rep], words, idx, speakers, claims, rep, "discovered"))
        return pd.DataFrame(rows, columns=TOPIC_COLUMNS)

    @staticmethod
    def _row(tid, label, prop, words, idx, speakers, claims, rep, kind) -> dict:
        actors = {s for s in speakers[idx] if s}
        return {"topic_id": tid, "label": label, "proposition": prop, "keywords": ";".join(words),
                "size": int(len(idx)), "n_actors": len(actors),
                "representative": claims["text"].iloc[rep] if rep is not None else "",
                "representative_claim_id": claims["claim_id"].iloc[rep] if rep is not None else "",
                "kind": kind}
