"""The report's three figures, drawn with matplotlib (Agg) into run_dir/figures/ as PNG.

Topic labels may be Arabic: they are drawn with the Amiri font (matplotlib shapes Arabic with it);
actor names are English. Each function returns the PNG's path, or None when there is no data.
"""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..io import atomic_path  # noqa: E402

ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
RC = {"font.family": ["DejaVu Sans"], "font.size": 9, "svg.hashsalt": "stance",
      "axes.spines.top": False, "axes.spines.right": False}
DPI = 160


def _amiri():
    try:
        import fontpkg.mpl
        return fontpkg.mpl.use("amiri")
    except Exception:  # font package missing: fall back to the default font
        return None


def _label_font(text: str, amiri):
    return amiri if (amiri is not None and ARABIC.search(text or "")) else None


def _short(text: str, n: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _save(fig, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight",
                    metadata={"Software": None})
    plt.close(fig)
    return path


# Bloc colours avoid red and green, which the network uses for conflict and agreement edges.
BLOC_PALETTE = ("#4c72b0", "#dd8452", "#8172b3", "#937860", "#da8bc3", "#64b5cd", "#ccb974",
                "#8c8c8c")


def bloc_colours(blocs) -> dict[str, str]:
    names = sorted({b or "unknown" for b in blocs})
    return {b: BLOC_PALETTE[i % len(BLOC_PALETTE)] for i, b in enumerate(names)}


def heatmap(actor_topic: pd.DataFrame, topic_order: list[tuple[str, str]], path: Path,
            max_actors: int = 40) -> Path | None:
    """Actor × topic net stance, diverging colours centred on 0."""
    at = actor_topic[actor_topic["speaker"] != ""]
    if at.empty or not topic_order:
        return None
    tids = [t for t, _ in topic_order if t in set(at["topic_id"])]
    if not tids:
        return None
    labels = dict(topic_order)
    weight = at.groupby("speaker")["n_claims"].sum()
    if (weight == 0).all():
        weight = at.groupby("speaker").size()
    actors = sorted(weight.index, key=lambda s: (-weight[s], s))[:max_actors]
    actors = sorted(actors)
    m = at.pivot_table(index="speaker", columns="topic_id", values="net_stance", aggfunc="mean")
    m = m.reindex(index=actors, columns=tids)
    vals = m.to_numpy(dtype=float)
    lim = max(1.0, float(np.nanmax(np.abs(vals))) if np.isfinite(vals).any() else 1.0)
    amiri = _amiri()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(min(2.2 + 1.1 * len(tids), 10),
                                        min(1.4 + 0.32 * len(actors), 12)))
        cmap = plt.get_cmap("RdBu").with_extremes(bad="#eeeeee")
        im = ax.imshow(np.ma.masked_invalid(vals), cmap=cmap, vmin=-lim, vmax=lim, aspect="auto")
        ax.set_yticks(range(len(actors)), [_short(a) for a in actors])
        ax.set_xticks(range(len(tids)))
        xt = ax.set_xticklabels([_short(labels.get(t) or t, 24) for t in tids], rotation=30,
                                ha="right")
        for t, lab in zip(xt, [labels.get(t) or t for t in tids]):
            if (fp := _label_font(lab, amiri)) is not None:
                t.set_fontproperties(fp)
                t.set_fontsize(11)
        for i in range(len(actors)):
            for j in range(len(tids)):
                v = vals[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:+.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(v) > 0.6 * lim else "black")
        ax.spines[:].set_visible(False)
        cb = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
        cb.set_label("net stance (−1 deny … +1 affirm)")
        ax.set_title("Net stance per actor and topic (blue affirms, red denies, grey: silent)")
        return _save(fig, path)


def network(edges: pd.DataFrame, path: Path) -> Path | None:
    """Actors linked by agreement (green) or conflict (red); nodes coloured by bloc."""
    e = edges[(edges["actor_a"] != "") & (edges["actor_b"] != "")]
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
        fig, ax = plt.subplots(figsize=(7.5, 5.6))
        for kind, colour, style in (("congruence", "#1a9850", "solid"),
                                    ("conflict", "#d73027", "dashed")):
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
            ax.text(x, y - 0.09, _short(n, 24), ha="center", va="top", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.8})
        handles = [plt.Line2D([], [], marker="o", ls="", color=c, markersize=9, label=b)
                   for b, c in colours.items()]
        handles += [plt.Line2D([], [], color="#1a9850", lw=2, label="agree"),
                    plt.Line2D([], [], color="#d73027", lw=2, ls="--", label="conflict")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=8)
        ax.set_title("Agreement and conflict between actors (line width: strength)")
        ax.margins(0.12)
        ax.axis("off")
        return _save(fig, path)


def timeline(tl: pd.DataFrame, topic_order: list[tuple[str, str]], path: Path,
             n_topics: int = 3, max_actors: int = 8) -> Path | None:
    """Net stance per actor over time, one panel for each of the main topics."""
    t = tl[(tl["speaker"] != "") & (tl["date"] != "")].copy()
    if t.empty:
        return None
    t["when"] = pd.to_datetime(t["date"], errors="coerce")
    t = t.dropna(subset=["when"])
    tids = [tid for tid, _ in topic_order if tid in set(t["topic_id"])][:n_topics]
    if not tids:
        return None
    labels = dict(topic_order)
    colours = {}
    cmap = plt.get_cmap("tab10")
    for i, s in enumerate(sorted(set(t[t["topic_id"].isin(tids)]["speaker"]))):
        colours[s] = cmap(i % 10)
    amiri = _amiri()
    with plt.rc_context(RC):
        fig, axes = plt.subplots(len(tids), 1, figsize=(7.5, 2.3 * len(tids) + 0.6),
                                 sharex=True, squeeze=False)
        for ax, tid in zip(axes[:, 0], tids):
            sub = t[t["topic_id"] == tid]
            counts = sub.groupby("speaker").size()
            speakers = sorted(counts.index, key=lambda s: (-counts[s], s))[:max_actors]
            for s in sorted(speakers):
                d = sub[sub["speaker"] == s].groupby("when")["net_stance"].mean().sort_index()
                ax.plot(d.index, d.to_numpy(), marker="o", ms=4, lw=1.4, color=colours[s],
                        label=_short(s, 22))
            ax.axhline(0, color="#999999", lw=0.7)
            ax.set_ylim(-1.15, 1.15) if sub["net_stance"].abs().max() <= 1 else None
            ax.set_ylabel("net stance")
            lab = labels.get(tid) or tid
            ax.set_title(_short(lab, 70), fontproperties=_label_font(lab, amiri),
                         fontsize=12 if ARABIC.search(lab) else 10, loc="right"
                         if ARABIC.search(lab) else "left")
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
            ax.grid(axis="y", alpha=0.3)
        fig.autofmt_xdate()
        fig.suptitle("Stance over time for the main topics (+1 affirms, −1 denies)", x=0.05,
                     ha="left", fontsize=10)
        fig.tight_layout()
        return _save(fig, path)
