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
# # 4 · Stances: who affirms, who denies, who opposes whom
#
# The whole pipeline (`StancePipeline.fit_transform`, the same call as `stance run`) with the
# stance of each claim toward its topic's proposition, as the judge reads the pair, then the
# comparisons: the actor × topic matrix, the
# opposing pairs of quotes for one topic, the agreement/conflict network and the timeline.

# %% tags=["parameters"]
corpus = "../seeds"
out_dir = "../reports"
model = "e5-small-offline"
config_file = ""
judge = "cross"                 # cross (reads each pair), fast, or a path to judge weights
topic_threshold = 0.3
distance_threshold = 0.6
topic = ""                      # topic for contrasts and timeline; empty picks the most contested
n_pairs = 5                     # contrast pairs to show
network_kind = "both"           # both, congruence or conflict
timeline_freq = "D"             # D, W, M, Q or Y
interactive = True

# %%
import matplotlib.pyplot as plt
import pandas as pd

from stance import StancePipeline, compare, viz
from stance.notebook import contrast_html, controls, make_config, result_line, rtl_table, show

cfg = make_config(config_file, corpus=corpus, model=model, judge=judge,
                  topic_threshold=topic_threshold, distance_threshold=distance_threshold)
sp = StancePipeline(cfg)
result = sp.fit_transform()
claims, topics, tables = result.claims, result.topics, result.tables
print({k: round(v, 2) for k, v in result.timings.items()})

# %% [markdown]
# ## Stance of each claim
# `p_related` is the judge's probability that the statement is about the topic; `stance` its
# reading (affirm, deny, or neutral: about it, taking no side); `stance_score` = P(affirm) −
# P(deny) given that it is about it.

# %%
on_topic = claims[claims["topic_id"] != ""]
show(pd.crosstab(on_topic["topic_id"], on_topic["stance"], margins=True))
show(rtl_table(on_topic[["claim_id", "speaker", "topic_id", "p_related", "stance", "stance_score",
                         "text"]],
               max_rows=25))

# %% [markdown]
# ## Actor × topic
# Net stance per actor and topic ((affirm − deny) / claims): blue affirms, red denies, the same
# scale as the report.

# %%
at = tables["actor_topic"]
sp.visualize_actor_topic(); plt.show()
show(rtl_table(at[["speaker", "bloc", "topic_id", "topic_label", "n_affirm", "n_deny", "n_neutral",
                   "net_stance"]], max_rows=30))

# %% [markdown]
# ## Contrasting quotes
# Pairs of claims on the same topic where one actor affirms and another denies, most directly
# opposed (most similar) first; cross-bloc pairs rank first at equal similarity.

# %%
contrasts = tables["contrasts"]
if not topic:
    topic = (contrasts["topic_id"].value_counts().index[0] if len(contrasts)
             else (at["topic_id"].value_counts().index[0] if len(at) else ""))
label = dict(zip(topics["topic_id"], topics["label"])).get(topic, "")
print(f"topic: {topic} — {label}")
print(len(contrasts), "contrast pairs in all;",
      int((contrasts["topic_id"] == topic).sum()), "on this topic")


def show_contrasts(topic, n_pairs=n_pairs):
    pairs = contrasts[contrasts["topic_id"] == topic].head(n_pairs)
    if pairs.empty:
        print(f"no affirm/deny pairs on {topic!r}")
    for _, row in pairs.iterrows():
        show(contrast_html(row))


show_contrasts(topic)

# %% [markdown]
# ## Agreement / conflict network
# Actors are linked when they take the same (green) or opposite (red) dominant side on a topic
# (Discourse Network Analyzer-style congruence and conflict). Also written as GraphML by
# `result.save(...)` for Gephi or visone.

# %%
graph = compare.actor_network(claims, kind=network_kind)
if viz.network(compare.network_edges(claims, kind=network_kind)) is None:
    print("no two actors took a side on the same topic: no network")
plt.show()
show(rtl_table(tables["actor_network_edges"], max_rows=30))

# %% [markdown]
# ## Timeline
# Net stance per actor over time on the chosen topic.

# %%
tl = compare.timeline(claims, freq=timeline_freq)
if viz.timeline(tl, topics, topic_id=topic) is None:
    print("no dated, attributed statements on this topic")
plt.show()
show(rtl_table(tl[tl["topic_id"] == topic], max_rows=None))

# %% [markdown]
# ## Pick another topic
# (Created but idle in a headless run.)

# %%
import ipywidgets as W


def explore(topic, n_pairs):
    show_contrasts(topic, n_pairs)
    viz.timeline(tl, topics, topic_id=topic); plt.show()


if interactive and len(topics):
    controls({"topic": W.Dropdown(options=[(f"{t} — {l}"[:70], t) for t, l in
                                           zip(topics["topic_id"], topics["label"])],
                                  value=topic if topic in set(topics["topic_id"]) else topics["topic_id"].iat[0],
                                  description="topic"),
              "n_pairs": W.IntSlider(value=n_pairs, min=1, max=20, description="pairs")},
             explore, title="contrasts and timeline for one topic")

# %%
result_line(topic=topic, n_contrasts=len(contrasts),
            n_contrasts_topic=int((contrasts["topic_id"] == topic).sum()),
            n_actor_topic=len(at), n_nodes=graph.number_of_nodes(), n_edges=graph.number_of_edges(),
            stance={k: int(v) for k, v in on_topic["stance"].value_counts().items()})
