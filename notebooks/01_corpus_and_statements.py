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
# # 1 · Corpus and statements
#
# What `stance` read, how it cleaned the articles and how it split them into statements.
# Change `corpus` in the next cell (or pass `-p corpus PATH` to papermill) to look at your own
# folder of articles; everything below follows.

# %% tags=["parameters"]
corpus = "../seeds"          # folder of *.txt, *.md, *.html, *.jsonl, *.csv + manifest.csv
out_dir = "../reports"       # where runs are written (this notebook writes nothing)
model = "e5-small-offline"   # not used here: loading and splitting need no model
config_file = ""             # optional stance.toml; parameters here override it
min_statement_chars = 12
max_statement_chars = 1200
boilerplate_patterns = []    # extra regexes for boilerplate lines
show_doc = 0                 # which document to show with its statement boundaries (index)

# %%
from pathlib import Path

import pandas as pd

from stance import StancePipeline
from stance.corpus import BoilerplateCleaner
from stance.notebook import document_html, make_config, result_line, rtl_table, show

cfg = make_config(config_file, corpus=corpus, model=model,
                  min_statement_chars=min_statement_chars,
                  max_statement_chars=max_statement_chars,
                  boilerplate_patterns=list(boilerplate_patterns))
print(cfg.corpus, "| manifest:", cfg.manifest)

# %% [markdown]
# ## Documents
# The pipeline's first stages (`load`, then `statements`) need no model: `run_stages` stops after
# them. `load` reads every supported file (detecting UTF-8/UTF-16/windows-1256), merges the
# manifest's outlet/date/url/language and drops exact duplicates (listed, never silently).

# %%
state = StancePipeline(cfg).run_stages(until="statements")
documents, load_report, statements = state.documents.copy(), state.load_report, state.claims
documents["n_chars"] = documents["text"].str.len()
show(rtl_table(documents[["doc_id", "title", "outlet", "date", "language", "encoding", "n_chars"]]))
for note in load_report.notices:
    print("notice:", note)
print("duplicates skipped:", len(load_report.duplicates), "| files skipped:", len(load_report.skipped))

# %% [markdown]
# ## Statements
# The `statements` stage marks boilerplate (tweet-embed errors, "اخترنا لك", timestamps, bullets, repeated
# headlines, datelines, plus `boilerplate_patterns`) without changing the text, then splits
# sentences on `. ! ? ؟ ؛` and line breaks, never inside a quotation. Every statement keeps its
# exact offsets: `documents.text[start:end] == text`.

# %%
cleaner = BoilerplateCleaner(cfg.boilerplate_patterns, use_defaults=cfg.default_boilerplate)
skips = {d: cleaner.spans(t) for d, t in zip(documents["doc_id"], documents["text"])}

per_doc = statements.groupby("doc_id").agg(
    statements=("claim_id", "size"), quotes=("is_quote", "sum"),
    titles=("kind", lambda k: int((k == "title").sum())),
    headings=("kind", lambda k: int((k == "heading").sum())))
per_doc["boilerplate_spans"] = [len(skips[d]) for d in per_doc.index]
per_doc["boilerplate_chars"] = [sum(s.end - s.start for s in skips[d]) for d in per_doc.index]
per_doc = documents.set_index("doc_id")[["outlet", "date"]].join(per_doc).fillna(0)
show(rtl_table(per_doc.reset_index()))

# %% [markdown]
# ### What was removed as boilerplate

# %%
removed = pd.DataFrame([
    {"doc_id": d, "start": s.start, "end": s.end, "reason": s.reason,
     "text": documents.set_index("doc_id").at[d, "text"][s.start:s.end]}
    for d, spans in skips.items() for s in spans])
show(rtl_table(removed) if len(removed) else "<i>no boilerplate found</i>")

# %% [markdown]
# ### One document with its statement boundaries
# Alternating backgrounds are statements (hover for the claim id); grey struck-through text is
# boilerplate; unmarked text was too short or not a statement.

# %%
doc = documents.iloc[min(show_doc, len(documents) - 1)]
print(doc["doc_id"], "—", doc["title"])
show(document_html(doc["text"], statements[statements["doc_id"] == doc["doc_id"]],
                   skips[doc["doc_id"]], max_chars=4000))

# %%
assert all(documents.set_index("doc_id").loc[r.doc_id, "text"][r.start:r.end] == r.text
           for r in statements.itertuples()), "offsets must index the original text"
show(rtl_table(statements[["claim_id", "kind", "is_quote", "text"]], max_rows=15))

# %% [markdown]
# ## Adding articles and metadata
# * Drop files into the corpus folder: `.txt`/`.md` (one article each), `.html`, or `.jsonl`/`.csv`
#   with one article per row (a `text`/`content`/`body` column, optional `doc_id, title, outlet,
#   date, url, language`).
# * Describe them in `manifest.csv` in the same folder; `doc_id` is the file name without its
#   extension. The cell below shows the rows to add for files the manifest does not list yet —
#   it does **not** edit your manifest.
# * Rerun this notebook (or `stance run CORPUS --out reports/NAME`).

# %%
manifest_path = Path(cfg.corpus) / cfg.manifest
manifest = pd.read_csv(manifest_path, dtype=str).fillna("") if manifest_path.exists() else \
    pd.DataFrame(columns=["doc_id", "outlet", "date", "language", "url"])
show(rtl_table(manifest))
missing = documents[~documents["doc_id"].isin(manifest["doc_id"])]
if len(missing):
    print("Rows to add to", manifest_path)
    print(missing.assign(date="YYYY-MM-DD", url="")[["doc_id", "outlet", "date", "language", "url"]]
          .to_csv(index=False, header=False))
else:
    print("every document is in", manifest_path, "— example row for a new file `005_new.txt`:")
    print("005_new,Al Jazeera,2022-03-01,ar,https://example.org/article")

# %%
result_line(n_documents=len(documents), n_statements=len(statements),
            n_boilerplate_spans=int(len(removed)), n_quotes=int(statements["is_quote"].sum()))
