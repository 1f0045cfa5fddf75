"""The figures, drawn once for the notebooks and the report.

One colour scale per quantity, everywhere: net stance on a diverging blue (affirms) - red (denies)
scale centred on 0, stance labels in STANCE_COLOURS, blocs in BLOC_PALETTE (no red or green,
which the network keeps for conflict and agreement). Labels that contain Arabic are drawn with
the Amiri font (matplotlib shapes Arabic with it). Each function draws into `ax` (or a new
figure) and returns the matplotlib Figure; `save_png` writes one atomically for the report.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .textnorm import is_rtl

NET_CMAP = "RdBu"
STANCE_COLOURS = {"affirm": "#2166ac", "deny": "#b2182b", "neutral": "#757575", "": "#bdbdbd"}
AGREE_COLOUR, CONFLICT_COLOUR = "#1a9850", "#d73027"
BLOC_PALETTE = ("#4c72b0", "#dd8452", "#8172b3", "#937860", "#da8bc3", "#64b5cd", "#ccb974",
                "#8c8c8c")
RC = {"font.family": ["DejaVu Sans"], "font.size": 9, "svg.hashsalt": "stance",
      "axes.spines.top": False, "axes.spines.right": False}
DPI = 160


# --------------------------------------------------------------------------- text and fonts
def arabic_font():
    """Amiri as a matplotlib FontProperties (shapes Arabic), or None when fontpkg is missing."""
    try:
        import fontpkg.mpl
        return fontpkg.mpl.use("amiri")
    except Exception:  # font package missing: the default font (Arabic then unshaped)
        return None


def font_for(text: str, font=None):
    """The Arabic font for right-to-left text, else None (matplotlib's default)."""
    if not is_rtl(text):
        return None
    return font if font is not None else arabic_font()


def short(text: str, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def bloc_colours(blocs) -> dict[str, str]:
    names = sorted({b or "unknown" for b in blocs})
    return {b: BLOC_PALETTE[i % len(BLOC_PALETTE)] for i, b in enumerate(names)}


def _plt():
    # No backend is forced here: notebooks keep their inline backend, and matplotlib picks Agg
    # on a machine without a display (the report also selects it before drawing).
    import matplotlib.pyplot as plt
    return plt


def _axes(ax, figsize):
    plt = _plt()
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(figsize=figsize)


def save_png(fig, path: str | Path) -> Path:
    """Write `fig` as PNG atomically and close it."""
    from .io import atomic_path
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    return path


# --------------------------------------------------------------------------- figures
def actor_topic_heatmap(actor_topic: pd.DataFrame, topics: pd.DataFrame | None = None, ax=None,
                        max_actors: int = 40):
    """Actor x topic net stance (blue affirms, red denies, grey: silent); cells show the value.

    Returns None when no actor took a position on any topic.
    """
    plt = _plt()
    at = actor_topic[actor_topic["speaker"].astype(str) != ""] if len(actor_topic) else actor_topic
    if at.empty:
        return None
    order = list(topics["topic_id"]) if topics is not None and len(topics) else []
    labels = dict(zip(topics["topic_id"], topics["label"])) if topics is not None and len(topics) else {}
    tids = [t for t in order if t in set(at["topic_id"])] or sorted(set(at["topic_id"]))
    weight = at.groupby("speaker")["n_claims"].sum() if "n_claims" in at else at.groupby("speaker").size()
    actors = sorted(sorted(weight.index, key=lambda s: (-weight[s], s))[:max_actors])
    m = at.pivot_table(index="speaker", columns="topic_id", values="net_stance", aggfunc="mean")
    vals = m.reindex(index=actors, columns=tids).to_numpy(dtype=float)
    amiri = arabic_font()
    with plt.rc_context(RC):
        fig, ax = _axes(ax, (min(2.2 + 1.1 * len(tids), 10), min(1.4 + 0.32 * len(actors), 12)))
        cmap = plt.get_cmap(NET_CMAP).with_extremes(bad="#eeeeee")
        im = ax.imshow(np.ma.masked_invalid(vals), cmap=cmap, vmin=-1, vmax=1, aspect="auto")
        ax.set_yticks(range(len(actors)), [short(a, 28) for a in actors])
        ax.set_xticks(range(len(tids)))
        names = [labels.get(t) or t for t in tids]
        xt = ax.set_xticklabels([short(n, 24) for n in names], rotation=30, ha="right")
        for t, lab in zip(xt, names):
            if (fp := font_for(lab, amiri)) is not None:
                t.set_fontproperties(fp)
                t.set_fontsize(11)
        for i in range(len(actors)):
            for j in range(len(tids)):
                v = vals[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:+.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(v) > 0.6 else "black")
        ax.spines[:].set_visible(False)
        cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
        cb.set_label("net stance (−1 deny … +1 affirm)")
        ax.set_title("Net stance per actor and topic (blue affirms, red denies, grey: silent)")
    return fig


def network(edges: pd.DataFrame, ax=None):
    """Actors linked by agreement (green) or conflict (red, dashed); nodes coloured by bloc.

    Returns None when there are no edges.
    """
    import networkx as nx
    plt = _plt()
    e = edges[(edges["actor_a"].astype(str) != "") & (edges["actor_b"].astype(str) != "")] \
        if len(edges) else edges
    if e.empty:
        return None
    g = nx.Graph()
    bloc: dict[str, str] = {}
    for r in e.itertuples(index=False):
        bloc.setdefault(r.actor_a, r.bloc_a or "unknown")
        bloc.setdefault(r.actor_b, r.bloc_b or "unknown")
        g.add_edge(r.actor_a, r.actor_b, congruence=float(r.congruence),
                   conflict=float(r.conflict), weight=max(abs(float(r.weight)), 0.1))
    nodes = sorted(g.nodes)
    h = nx.Graph()
    h.add_nodes_from(nodes)
    h.add_edges_from(sorted(g.edges(data=True)))
    try:  # deterministic, spreads small graphs evenly; spring layout if scipy is missing
        pos = nx.kamada_kawai_layout(h, weight=None)
    except ImportError:
        pos = nx.spring_layout(h, seed=7, k=1.6 / max(1, len(nodes)) ** 0.5)
    colours = bloc_colours(bloc.values())
    wmax = max(d["weight"] for _, _, d in h.edges(data=True))
    with plt.rc_context(RC):
        fig, ax = _axes(ax, (7.5, 5.6))
        for kind, colour, style in (("congruence", AGREE_COLOUR, "solid"),
                                    ("conflict", CONFLICT_COLOUR, "dashed")):
            es = [(a, b) for a, b, d in h.edges(data=True)
                  if (d["congruence"] >= d["conflict"]) == (kind == "congruence")]
            if es:
                nx.draw_networkx_edges(h, pos, edgelist=es, edge_color=colour, style=style,
                                       width=[0.8 + 4 * h[a][b]["weight"] / wmax for a, b in es],
                                       alpha=0.75, ax=ax, arrows=True, arrowstyle="-",
                                       connectionstyle="arc3,rad=0.12", node_size=520)
        nx.draw_networkx_nodes(h, pos, nodelist=nodes, node_size=520,
                               node_color=[colours[bloc[n]] for n in nodes],
                               edgecolors="#333333", linewidths=0.6, ax=ax)
        for n in nodes:
            x, y = pos[n]
            ax.text(x, y - 0.09, short(n, 24), ha="center", va="top", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        handles = [plt.Line2D([], [], marker="o", ls="", color=c, markersize=9, label=b)
                   for b, c in colours.items()]
        handles += [plt.Line2D([], [], color=AGREE_COLOUR, lw=2, label="agree"),
                    plt.Line2D([], [], color=CONFLICT_COLOUR, lw=2, ls="--", label="conflict")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=8)
        ax.set_title("Agreement and conflict between actors (line width: strength)")
        ax.margins(0.12)
        ax.axis("off")
    return fig


def timeline(tl: pd.DataFrame, topics: pd.DataFrame | None = None, topic_id: str | None = None,
             ax=None, n_topics: int = 3, max_actors: int = 8):
    """Net stance per actor over time: one panel per main topic (or the one `topic_id`).

    Returns None when no attributed statement on a topic is dated.
    """
    plt = _plt()
    t = tl[(tl["speaker"].astype(str) != "") & (tl["date"].astype(str) != "")].copy() if len(tl) else tl
    if t.empty:
        return None
    t["when"] = pd.to_datetime(t["date"], errors="coerce")
    t = t.dropna(subset=["when"])
    order = list(topics["topic_id"]) if topics is not None and len(topics) else sorted(set(t["topic_id"]))
    labels = dict(zip(topics["topic_id"], topics["label"])) if topics is not None and len(topics) else {}
    tids = [topic_id] if topic_id else [x for x in order if x in set(t["topic_id"])][:n_topics]
    tids = [x for x in tids if x in set(t["topic_id"])]
    if not tids:
        return None
    cmap = plt.get_cmap("tab10")
    colours = {s: cmap(i % 10) for i, s in enumerate(sorted(set(t[t["topic_id"].isin(tids)]["speaker"])))}
    amiri = arabic_font()
    with plt.rc_context(RC):
        if ax is not None:
            fig, axes = ax.figure, np.array([[ax]])
            tids = tids[:1]
        else:
            fig, axes = plt.subplots(len(tids), 1, figsize=(7.5, 2.3 * len(tids) + 0.6),
                                     sharex=True, squeeze=False)
        for a, tid in zip(axes[:, 0], tids):
            sub = t[t["topic_id"] == tid]
            counts = sub.groupby("speaker").size()
            speakers = sorted(counts.index, key=lambda s: (-counts[s], s))[:max_actors]
            for s in sorted(speakers):
                d = sub[sub["speaker"] == s].groupby("when")["net_stance"].mean().sort_index()
                a.plot(d.index, d.to_numpy(), marker="o", ms=4, lw=1.4, color=colours[s],
                       label=short(s, 22))
            a.axhline(0, color="#999999", lw=0.7)
            a.set_ylim(-1.15, 1.15)
            a.set_ylabel("net stance")
            lab = labels.get(tid) or tid
            a.set_title(short(lab, 70), fontproperties=font_for(lab, amiri),
                        fontsize=12 if is_rtl(lab) else 10, loc="right" if is_rtl(lab) else "left")
            a.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
            a.grid(axis="y", alpha=0.3)
        fig.autofmt_xdate()
        fig.suptitle("Stance over time for the main topics (+1 affirms, −1 denies)", x=0.05,
                     ha="left", fontsize=10)
        fig.tight_layout()
    return fig


def project_2d(emb: np.ndarray, method: str = "pca", random_state: int = 0) -> np.ndarray:
    """2-D coordinates of the embeddings (PCA, or t-SNE for larger corpora)."""
    x = np.asarray(emb, dtype=np.float32)
    x = x - x.mean(axis=0) if len(x) else x
    if len(x) < 3:
        return np.zeros((len(x), 2))
    if method == "tsne":
        from sklearn.manifold import TSNE
        return TSNE(n_components=2, perplexity=min(30, max(2, len(x) // 4)),
                    init="pca", random_state=random_state).fit_transform(x)
    from sklearn.decomposition import PCA
    return PCA(n_components=2, random_state=random_state).fit_transform(x)


def topic_map(embeddings: np.ndarray, claims: pd.DataFrame, topics: pd.DataFrame, ax=None,
              method: str = "pca", random_state: int = 0, label_col: str = "label", title: str = ""):
    """Statements in 2-D coloured by topic (no topic: light grey), each topic labelled at its
    medoid (shaped Arabic with Amiri when the label is Arabic)."""
    plt = _plt()
    xy = project_2d(embeddings, method, random_state)
    with plt.rc_context(RC):
        fig, ax = _axes(ax, (7, 6))
        tids = claims["topic_id"].fillna("").to_numpy()
        none = tids == ""
        ax.scatter(xy[none, 0], xy[none, 1], s=10, c="#d0d0d0", label="(no topic)")
        cmap = plt.get_cmap("tab20")
        col = label_col if label_col in topics else "topic_id"
        labels = dict(zip(topics["topic_id"], topics[col]))
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
    return fig
