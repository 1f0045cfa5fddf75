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
# # 5 · The report
#
# Runs the pipeline with the parameters below and writes the complete run folder — the output
# contract (claims.csv, topics.csv, contrasts.csv, networks …) plus `stance_report.pdf` and
# `.html` — into `<out_dir>/<name>`, exactly like
# `stance run CORPUS --out reports/NAME --report`. The folder is replaced only once complete.

# %% tags=["parameters"]
corpus = "../seeds"
out_dir = "../reports"
name = ""                       # run folder name; empty means the corpus folder's name
model = "e5-small-offline"
config_file = ""
title = "Stance report"
judge = "cross"
topic_threshold = 0.3
distance_threshold = 0.6
clusterer = "agglomerative"

# %%
import time
from pathlib import Path

from IPython.display import FileLink, Image, display

from stance import StancePipeline, load_run
from stance.notebook import make_config, result_line, rtl_table, run_name, show

cfg = make_config(config_file, corpus=corpus, model=model, title=title, judge=judge,
                  topic_threshold=topic_threshold, distance_threshold=distance_threshold,
                  clusterer=clusterer, report=True)
run_dir = Path(out_dir) / run_name(cfg.corpus, name)

t0 = time.perf_counter()
result = StancePipeline(cfg).fit_transform()
result.save(run_dir, report=True)
print(f"wrote {run_dir.resolve()} in {time.perf_counter() - t0:.1f}s")

# %%
pdf = run_dir / "stance_report.pdf"
html_file = run_dir / "stance_report.html"


def page_count(path: Path) -> int:
    try:
        from pypdf import PdfReader
        return len(PdfReader(str(path)).pages)
    except ImportError:  # pypdf is a dev extra: count page objects instead
        import re
        return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


n_pages = page_count(pdf)
print(f"PDF:  {pdf.resolve()}  ({n_pages} pages, {pdf.stat().st_size / 1024:.0f} KiB)")
print(f"HTML: {html_file.resolve()}")
display(FileLink(str(pdf)), FileLink(str(html_file)))

# %% [markdown]
# ## What the folder holds

# %%
import pandas as pd

files = pd.DataFrame([{"file": str(p.relative_to(run_dir)), "KiB": round(p.stat().st_size / 1024, 1)}
                      for p in sorted(run_dir.rglob("*")) if p.is_file()])
show(files)
run_json = load_run(run_dir).info["run_json"]
print("counts:", run_json["counts"])
print("timings (s):", run_json["timings"])

# %% [markdown]
# ## The report's figures

# %%
for png in sorted((run_dir / "figures").glob("*.png")):
    print(png.name)
    display(Image(filename=str(png), width=700))

# %%
result_line(run_dir=str(run_dir), pdf=str(pdf), n_pages=n_pages,
            n_claims=int(run_json["counts"]["statements"]), n_topics=int(run_json["counts"]["topics"]))
