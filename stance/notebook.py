"""Display helpers for the notebooks in `notebooks/`: right-to-left tables, Arabic-capable plots,
optional widgets and a machine-readable result line.

Nothing here computes anything the pipeline does not: the notebooks call the same stage functions
as `stance run` (stance.pipeline) with a `Config` built from their papermill parameters.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from .config import Config

ARABIC = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
RTL_CSS = "direction: rtl; text-align: right; unicode-bidi: plaintext"
STANCE_COLOURS = {"affirm": "#2e7d32", "deny": "#c62828", "neutral": "#757575", "": "#bdbdbd"}


def is_rtl(value: Any) -> bool:
    return isinstance(value, str) and bool(ARABIC.search(value))


# --------------------------------------------------------------------------- configuration
def make_config(config_file: str = "", **params: Any) -> Config:
    """The notebooks' `Config`: defaults < `config_file` (stance.toml) < notebook parameters.

    Same precedence as `stance run` (stance.cli.config_from_args). Progress bars are off because
    notebooks are also run headless.
    """
    params.setdefault("progress", False)
    if config_file:
        return Config.from_toml(config_file, **params)
    return Config().update(params, source="notebook parameters")


def run_name(corpus: str, name: str = "") -> str:
    """Output folder name for a corpus: `name`, else the corpus folder's name (as the CLI)."""
    return name or Path(corpus).resolve().name


# --------------------------------------------------------------------------- tables
def rtl_table(df: pd.DataFrame, max_rows: int | None = 50, precision: int = 3,
              caption: str | None = None):
    """A pandas Styler that shows Arabic (and Hebrew/Persian/Urdu) cells right-to-left.

    Each cell containing right-to-left script gets `direction: rtl; text-align: right;
    unicode-bidi: plaintext`, and every cell carries `dir="auto"` semantics through
    `unicode-bidi: plaintext`, so mixed Arabic/English cells order correctly. Latin cells stay
    left-to-right.
    """
    view = df.head(max_rows) if max_rows is not None else df
    # Article text is untrusted: escape it (a Styler renders raw HTML otherwise).
    styler = view.style.format(precision=precision, na_rep="", escape="html")
    styler = styler.map(lambda v: RTL_CSS if is_rtl(v) else "unicode-bidi: plaintext")
    styler = styler.set_table_styles([
        {"selector": "td", "props": "vertical-align: top; max-width: 42em; white-space: normal;"},
        {"selector": "th", "props": "text-align: left;"},
    ])
    if caption:
        styler = styler.set_caption(caption)
    return styler


def rtl_html(text: str, style: str = "") -> str:
    """One paragraph of text as HTML, right-to-left when it is Arabic (text is escaped)."""
    d = "rtl" if is_rtl(text) else "auto"
    return f'<div dir="{d}" style="{style}">{html.escape(text)}</div>'


def show(obj) -> None:
    from IPython.display import HTML, display
    display(HTML(obj) if isinstance(obj, str) else obj)


def document_html(text: str, statements: pd.DataFrame, skip_spans: Iterable = (),
                  max_chars: int | None = None) -> str:
    """A document with statement boundaries (alternating backgrounds, ids as tooltips) and
    boilerplate struck through in grey; right-to-left when the text is Arabic."""
    marks = []
    for i, r in enumerate(statements.sort_values("start").itertuples(index=False)):
        marks.append((int(r.start), int(r.end), "st", i, str(r.claim_id)))
    for s in skip_spans:
        marks.append((int(s.start), int(s.end), "bp", 0, getattr(s, "reason", "boilerplate")))
    marks.sort()
    end_at = len(text) if max_chars is None else min(len(text), max_chars)
    out, pos = [], 0
    colours = ("#fff3c4", "#d6ecff")
    for s, e, kind, i, title in marks:
        if s >= end_at:
            break
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        seg = html.escape(text[s:min(e, end_at)])
        if kind == "st":
            out.append(f'<span title="{html.escape(title)}" style="background:{colours[i % 2]};'
                       f'border-inline-start:2px solid #888;padding:0 2px">{seg}</span>')
        else:
            out.append(f'<span title="boilerplate: {html.escape(title)}" '
                       f'style="color:#999;text-decoration:line-through">{seg}</span>')
        pos = min(e, end_at)
    out.append(html.escape(text[pos:end_at]))
    if end_at < len(text):
        out.append(" …")
    d = "rtl" if is_rtl(text) else "ltr"
    return (f'<div dir="{d}" style="white-space: pre-wrap; line-height: 1.9; '
            f'font-size: 1.05em; border: 1px solid #ddd; padding: 8px">{"".join(out)}</div>')


def contrast_html(row) -> str:
    """Two opposing quotes side by side, each right-to-left when Arabic."""
    def side(s):
        head = html.escape(f"{row[f'speaker_{s}']} ({row[f'bloc_{s}'] or '?'}) — "
                           f"{row[f'stance_{s}']} — {row[f'date_{s}']} {row[f'outlet_{s}']}")
        colour = STANCE_COLOURS.get(row[f"stance_{s}"], "#999")
        return (f'<td style="width:50%;vertical-align:top;border-top:4px solid {colour};'
                f'padding:6px"><div style="font-weight:bold">{head}</div>'
                f'{rtl_html(str(row[f"text_{s}"]), "margin-top:4px")}</td>')
    return (f'<table style="width:100%;table-layout:fixed"><tr>{side("a")}{side("b")}</tr></table>'
            f'<div style="color:#666">topic {html.escape(str(row["topic_id"]))}, similarity '
            f'{row["similarity"]:.3f}</div>')


def yaml_snippet(unknown: pd.DataFrame, claims: pd.DataFrame | None = None, n: int = 5) -> str:
    """An `actors.yaml` entry to fill in for each of the first `n` unknown speaker names."""
    lines = ["actors:"]
    for r in unknown.head(n).itertuples(index=False):
        slug = re.sub(r"[^a-z0-9]+", "-", str(r.speaker_text).lower()).strip("-") or "new-actor"
        if not slug.isascii() or slug == "new-actor" or ARABIC.search(slug):
            slug = "actor-" + hashlib.sha1(str(r.speaker_text).encode()).hexdigest()[:6]
        lines += [f"  - id: {slug}            # choose a short unique id",
                  f"    name: TODO English name  # seen {r.n}x, e.g. in {r.example_claim_id}",
                  "    kind: person            # or organisation",
                  f"    aliases: [{json.dumps(str(r.speaker_text), ensure_ascii=False)}]",
                  "    role: ''",
                  "    parent: ''              # id of the organisation the person speaks for",
                  "    country: ''             # ISO 3166-1 alpha-3 or a registry code (NATO, EU…)",
                  "    bloc: ''",
                  ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- plots
def arabic_font():
    """Amiri as a matplotlib FontProperties (shapes Arabic), or None when fontpkg is missing."""
    try:
        import fontpkg.mpl
        return fontpkg.mpl.use("amiri")
    except Exception:
        return None


def font_for(text: str, font=None):
    """The Arabic font for Arabic text, else None (matplotlib's default)."""
    if not is_rtl(text):
        return None
    return font if font is not None else arabic_font()


def short(text: str, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def project_2d(emb: np.ndarray, method: str = "pca", random_state: int = 0) -> np.ndarray:
    """2-D coordinates of the embeddings (PCA, or t-SNE for larger corpora)."""
    x = np.asarray(emb, dtype=np.float32)
    x = x - x.mean(axis=0)
    if len(x) < 3:
        return np.zeros((len(x), 2))
    if method == "tsne":
        from sklearn.manifold import TSNE
        return TSNE(n_components=2, perplexity=min(30, max(2, len(x) // 4)),
                    init="pca", random_state=random_state).fit_transform(x)
    from sklearn.decomposition import PCA
    return PCA(n_components=2, random_state=random_state).fit_transform(x)


def topic_map(xy: np.ndarray, claims: pd.DataFrame, topics: pd.DataFrame, ax=None,
              label_col: str = "topic_id", title: str = ""):
    """Scatter of claims coloured by topic; unassigned claims in light grey. Topic labels are
    drawn at each topic's centre (shaped Arabic with Amiri when the label is Arabic)."""
    import matplotlib.pyplot as plt
    ax = ax or plt.subplots(figsize=(7, 6))[1]
    tids = claims["topic_id"].fillna("").to_numpy()
    none = tids == ""
    ax.scatter(xy[none, 0], xy[none, 1], s=10, c="#d0d0d0", label="(no topic)")
    cmap = plt.get_cmap("tab20")
    labels = dict(zip(topics["topic_id"], topics[label_col] if label_col in topics else topics["topic_id"]))
    font = arabic_font()
    for i, tid in enumerate(t for t in topics["topic_id"] if (tids == t).any()):
        m = tids == tid
        ax.scatter(xy[m, 0], xy[m, 1], s=22, color=cmap(i % 20), label=tid)
        pts = xy[m]  # label at the topic's medoid: PCA centres of spread topics pile up
        cx, cy = pts[np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1))]
        lab = short(labels.get(tid, tid), 30)
        ax.annotate(lab, (cx, cy), fontsize=8, ha="center", fontproperties=font_for(lab, font),
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", alpha=0.7, lw=0))
    ax.set_title(title)
    ax.set_xticks([]), ax.set_yticks([])
    ax.legend(fontsize=6, loc="best", ncol=2, markerscale=0.8)
    return ax


def stance_heatmap(actor_topic: pd.DataFrame, topics: pd.DataFrame | None = None, ax=None):
    """Actor × topic heatmap of net_stance (−1 deny … +1 affirm); cells show n_claims."""
    import matplotlib.pyplot as plt
    if actor_topic.empty:
        return None
    piv = actor_topic.pivot_table(index="speaker", columns="topic_id", values="net_stance",
                                  aggfunc="mean")
    cnt = actor_topic.pivot_table(index="speaker", columns="topic_id", values="n_claims",
                                  aggfunc="sum")
    if topics is not None:
        order = [t for t in topics["topic_id"] if t in piv.columns]
        piv, cnt = piv[order], cnt[order]
    ax = ax or plt.subplots(figsize=(1.0 + 0.6 * piv.shape[1], 1.0 + 0.35 * piv.shape[0]))[1]
    im = ax.imshow(piv.to_numpy(dtype=float), cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(piv.shape[1]), piv.columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(piv.shape[0]), piv.index, fontsize=8)
    for i in range(piv.shape[0]):
        for j in range(piv.shape[1]):
            n = cnt.iat[i, j]
            if pd.notna(n) and n:
                ax.text(j, i, int(n), ha="center", va="center", fontsize=7)
    ax.figure.colorbar(im, ax=ax, label="net stance (deny −1 … +1 affirm)", shrink=0.7)
    return ax


def draw_network(graph, ax=None, seed: int = 0):
    """The actor agreement/conflict network: green edges = agreement (weight > 0), red =
    conflict; node colour by bloc, size by number of claims."""
    import matplotlib.pyplot as plt
    import networkx as nx
    ax = ax or plt.subplots(figsize=(8, 6))[1]
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no attributed topic claims", ha="center")
        return ax
    # weight=None: edge weights can be negative (conflict), which a force layout cannot use
    pos = nx.spring_layout(graph, seed=seed, weight=None,
                           k=2.0 / max(1, graph.number_of_nodes()) ** 0.5)
    blocs = sorted({d.get("bloc", "") or "unknown" for _, d in graph.nodes(data=True)})
    cmap = plt.get_cmap("Set2")
    bc = {b: cmap(i % 8) for i, b in enumerate(blocs)}
    nx.draw_networkx_nodes(graph, pos, ax=ax,
                           node_color=[bc[d.get("bloc", "") or "unknown"] for _, d in graph.nodes(data=True)],
                           node_size=[80 + 40 * d.get("n_claims", 1) for _, d in graph.nodes(data=True)])
    edges = list(graph.edges(data=True))
    nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=[(a, b) for a, b, _ in edges],
                           edge_color=["#2e7d32" if d.get("weight", 0) > 0 else
                                       "#c62828" if d.get("weight", 0) < 0 else "#9e9e9e"
                                       for _, _, d in edges],
                           width=[1 + abs(d.get("weight", 0)) for _, _, d in edges])
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=bc[b], label=b) for b in blocs] +
              [Line2D([0], [0], color="#2e7d32", label="agree"),
               Line2D([0], [0], color="#c62828", label="conflict")], fontsize=7, loc="best")
    ax.margins(0.15)  # room for labels of nodes on the edge
    ax.axis("off")
    return ax


def plot_timeline(tl: pd.DataFrame, topic_id: str | None = None, ax=None):
    """net_stance over time per speaker (one topic, or all topics pooled)."""
    import matplotlib.pyplot as plt
    ax = ax or plt.subplots(figsize=(8, 4))[1]
    d = tl if not topic_id else tl[tl["topic_id"] == topic_id]
    if d.empty:
        ax.text(0.5, 0.5, "no dated, attributed claims on this topic", ha="center")
        return ax
    d = d.assign(date=pd.to_datetime(d["date"]))
    for spk, g in d.groupby("speaker"):
        g = g.groupby("date")["net_stance"].mean()
        ax.plot(g.index, g.to_numpy(), marker="o", label=spk)
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_ylim(-1.1, 1.1)
    ax.set_ylabel("net stance")
    ax.set_title(f"stance over time — {topic_id or 'all topics'}")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5))
    ax.figure.autofmt_xdate()
    return ax


# --------------------------------------------------------------------------- widgets
def controls(widgets_spec: dict, callback: Callable[..., Any], title: str = ""):
    """Display ipywidgets controls that re-run `callback(**values)` into an Output area when a
    value changes. Nothing runs at creation, so a headless (papermill) run neither blocks nor
    repeats work; without ipywidgets this prints a note and returns None."""
    try:
        import ipywidgets as W
        from IPython.display import display
    except Exception:  # pragma: no cover - ipywidgets not installed
        print("(ipywidgets is not installed: change the parameters cell instead)")
        return None
    out = W.Output()

    def refresh(_change=None):
        out.clear_output(wait=True)
        with out:
            callback(**{k: w.value for k, w in widgets_spec.items()})

    for w in widgets_spec.values():
        w.observe(refresh, names="value")
    box = W.VBox([W.HTML(f"<b>{html.escape(title)}</b>")] if title else [])
    box.children = (*box.children, W.HBox(list(widgets_spec.values())), out)
    display(box)
    return box


# --------------------------------------------------------------------------- results
def result_line(**values) -> str:
    """Print `RESULT {json}`: the tests (and any script) parse it from the executed notebook."""
    line = "RESULT " + json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    print(line)
    return line
