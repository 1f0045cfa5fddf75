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
# # 2 · Who is speaking
#
# Each statement is attributed to the actor who made it — speaker → organisation → country →
# bloc — from quotes, reporting verbs ("قال", "أكدت"), headline prefixes ("بوتين لـ ماكرون:"),
# "according to" cues and carry-over ("وأضاف", "وتابعت"), through the actor registry
# `actors.yaml`. Names that look like speakers but are not in the registry are listed so that you
# can add them.

# %% tags=["parameters"]
corpus = "../seeds"
out_dir = "../reports"
model = "e5-small-offline"   # not used here: attribution needs no model
config_file = ""
actors = ""                  # actor registry; empty means <corpus>/actors.yaml
annotations = ""             # your corrections; empty means <corpus>/annotations.csv if present
show_rows = 40

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from stance import StancePipeline, viz
from stance.attribution import unknown_speakers
from stance.notebook import (make_config, result_line, rtl_table, show,
                             yaml_snippet)

cfg = make_config(config_file, corpus=corpus, model=model, actors=actors, annotations=annotations)
print("registry:", cfg.resolve("actors"))

# %%
# The pipeline's `statements` stage: segmentation, attribution and the analyst's speaker
# corrections (annotations.csv), exactly as `stance run` does it; no model is loaded.
state = StancePipeline(cfg).run_stages(until="statements")
claims, registry = state.claims, state.models.registry
for w in getattr(registry, "warnings", []):
    print("registry warning:", w)
print(len(claims), "statements,", (claims["speaker"] != "").sum(), "attributed to",
      claims.loc[claims["speaker"] != "", "speaker"].nunique(), "actors")

# %% [markdown]
# ## How statements were attributed
# `quote` / `reporting_verb` / `headline_prefix` / `according_to` name the speaker in the
# sentence; `carry_over` takes the previous speaker of matching gender; `unknown` found a
# speaker-like name not in the registry; `unattributed` is narration.

# %%
by_method = claims["attribution"].value_counts().rename_axis("attribution").reset_index(name="n")
show(rtl_table(by_method))
viz.count_bars(by_method.set_index("attribution")["n"], xlabel="statements"); plt.show()

# %% [markdown]
# ## Claims with speaker, organisation, country and bloc
# Arabic cells are shown right-to-left.

# %%
cols = ["claim_id", "date", "speaker", "organisation", "country", "bloc", "attribution",
        "speaker_text", "text"]
show(rtl_table(claims[cols], max_rows=show_rows))

# %%
actors_table = (claims[claims["speaker"] != ""]
                .groupby(["speaker", "organisation", "country", "bloc"], dropna=False)
                .agg(n_statements=("claim_id", "size"), documents=("doc_id", "nunique"))
                .reset_index().sort_values("n_statements", ascending=False))
show(rtl_table(actors_table))

# %% [markdown]
# ## Unknown speakers
# These names were found where a speaker should be (subject of a reporting verb, an
# "according to" source …) but match nobody in the registry: they are credited as discovered
# actors (or as a government or organisation from the bundled gazetteer) and listed in
# `actors.csv` with `source = discovered | gazetteer`.

# %%
unknown = unknown_speakers(claims)
text_of = dict(zip(claims["claim_id"], claims["text"]))
show(rtl_table(unknown.assign(example=unknown["example_claim_id"].map(text_of))))

# %% [markdown]
# ## Extending `actors.yaml`
# Copy an entry like the one below into your registry (fill in the English name, country and
# bloc; add every spelling you see to `aliases`), then rerun this notebook — or
# `stance run CORPUS --out reports/NAME`. **Nothing here writes your `actors.yaml`.**
#
# The next cells try the entry on a *temporary copy* of the registry to show its effect.

# %%
snippet = yaml_snippet(unknown, claims, n=3)
print(snippet if len(unknown) else "# no unknown speakers: the registry covers every name found")

# %%
n_unknown_before = int(unknown["n"].sum())      # statements whose speaker the registry lacks
n_unknown_after = n_unknown_before
single = unknown[~unknown["speaker_text"].str.contains(";")]     # one name, not "A; B"
if len(single):
    import yaml
    src = cfg.resolve("actors")
    reg_yaml = yaml.safe_load(Path(src).read_text(encoding="utf-8")) if src else {"actors": []}
    name = single["speaker_text"].iat[0]
    reg_yaml.setdefault("actors", []).append(
        {"id": "demo-new-actor", "name": "Demo new actor", "kind": "organisation",
         "aliases": [name], "country": "", "bloc": ""})
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "actors.yaml"
        trial.write_text(yaml.safe_dump(reg_yaml, allow_unicode=True, sort_keys=False), encoding="utf-8")
        trial_cfg = cfg.update({"actors": str(trial)})
        claims_trial = StancePipeline(trial_cfg).run_stages(until="statements").claims
    n_unknown_after = int(unknown_speakers(claims_trial)["n"].sum())
    changed = claims_trial[claims_trial["speaker"] == "Demo new actor"]
    print(f"with an entry for {name!r}: unknown {n_unknown_before} -> {n_unknown_after};",
          len(changed), "statement(s) now attributed")
    show(rtl_table(changed[["claim_id", "speaker", "attribution", "text"]]))
print("To make it permanent, edit", cfg.resolve("actors") or Path(cfg.corpus) / "actors.yaml",
      "and rerun (papermill ... -p actors PATH to try another registry).")

# %%
result_line(n_statements=len(claims), n_attributed=int((claims["speaker"] != "").sum()),
            n_speakers=int(claims.loc[claims["speaker"] != "", "speaker"].nunique()),
            n_unknown=int(len(unknown)), n_unknown_statements=n_unknown_before,
            n_unknown_single=int(len(single)), n_unknown_after_demo=n_unknown_after,
            methods={k: int(v) for k, v in claims["attribution"].value_counts().items()})
