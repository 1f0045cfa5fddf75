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


def wrap(text: str, width: int = 18, lines: int = 2) -> str:
    """`text` on at most `lines` lines of about `width` characters (words kept whole; the
    last line shortened with … only when the text is longer than that)."""
    import textwrap
    parts = textwrap.wrap(" ".join(str(text).split()), width, break_long_words=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines - 1] + [short(" ".join(parts[lines - 1:]), width)]
    return "\n".join(parts)


def _overlap(a, b, pad: float = 2.0) -> float:
    """Overlapping area of two display-space boxes (x0, y0, x1, y1), `pad` pixels apart."""
    w = min(a[2], b[2]) + pad - max(a[0], b[0])
    h = min(a[3], b[3]) + pad - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(ax, points, labels, fonts=None, avoid=None, fontsize=8, offset=11,
                 bbox=None) -> list:
    """Write each label next to its point where it overlaps no other label, no point and
    stays inside the figure: the first free place among below, above, right, left and the
    diagonals (the least crowded one when none is free). Returns the Text artists."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    pts = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
    avoid_px = ax.transData.transform(np.asarray(avoid if avoid is not None else points,
                                                 dtype=float).reshape(-1, 2))
    spots = [(0, -1, "center", "top"), (0, 1, "center", "bottom"), (1, 0, "left", "center"),
             (-1, 0, "right", "center"), (1, -1, "left", "top"), (-1, -1, "right", "top"),
             (1, 1, "left", "bottom"), (-1, 1, "right", "bottom")]
    fw, fh = fig.bbox.width, fig.bbox.height
    placed, artists = [], []
    r = offset * 0.8
    for k, (pt, lab) in enumerate(zip(pts, labels)):
        best = None
        for dx, dy, ha, va in spots:
            t = ax.annotate(lab, ax.transData.inverted().transform(pt),
                            xytext=(dx * offset, dy * offset), textcoords="offset points",
                            ha=ha, va=va, fontsize=fontsize,
                            fontproperties=(fonts[k] if fonts is not None else None),
                            bbox=bbox, annotation_clip=False)
            if fonts is not None and fonts[k] is not None:
                t.set_fontsize(fontsize + 2)
            e = t.get_window_extent(renderer)
            box = (e.x0, e.y0, e.x1, e.y1)
            cost = sum(_overlap(box, b) for b in placed)
            cost += sum(_overlap(box, (x - r, y - r, x + r, y + r)) for x, y in avoid_px)
            cost += 4 * (max(0, -box[0]) + max(0, box[2] - fw)) * e.height
            cost += 4 * (max(0, -box[1]) + max(0, box[3] - fh)) * e.width
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, t, box)
            else:
                t.remove()
            if cost == 0:
                break
        placed.append(best[2])
        artists.append(best[1])
    return artists


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
    """Actor x topic net stance (blue affirms, red denies, grey: no statement); cells show the
    value. Topic names that do not fit under their column are numbered, with a key below.

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
    names = [str(labels.get(t) or t) for t in tids]
    amiri = arabic_font()
    # Column names under the columns when they fit on three short lines, else numbers + key.
    numbered = len(tids) > 4 or any(len(n) > 45 for n in names)
    with plt.rc_context(RC):
        if ax is None:
            key_h = 0.22 * (len(tids) + 1) if numbered else 0.0
            fig, ax = plt.subplots(figsize=(max(5.4, 2.6 + 0.62 * len(tids)),
                                            min(1.9 + 0.34 * len(actors) + key_h, 16)))
        else:
            fig = ax.figure
        cmap = plt.get_cmap(NET_CMAP).with_extremes(bad="#eeeeee")
        im = ax.imshow(np.ma.masked_invalid(vals), cmap=cmap, vmin=-1, vmax=1, aspect="auto")
        ax.set_yticks(range(len(actors)), [wrap(a, 26, 3) for a in actors])
        ax.set_xticks(range(len(tids)))
        if numbered:
            ax.set_xticklabels([str(i + 1) for i in range(len(tids))])
            ax.set_xlabel("topic (numbered; key below)")
        else:
            xt = ax.set_xticklabels([wrap(n, 16, 3) for n in names])
            for t, lab in zip(xt, names):
                if (fp := font_for(lab, amiri)) is not None:
                    t.set_fontproperties(fp)
                    t.set_fontsize(10)
        for i in range(len(actors)):
            for j in range(len(tids)):
                v = vals[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:+.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(v) > 0.6 else "black")
        ax.spines[:].set_visible(False)
        cb = fig.colorbar(im, ax=ax, fraction=0.05, pad=0.03, shrink=min(1.0, 0.35 + 0.1 * len(actors)))
        cb.set_label("net stance\n−1 denies … +1 affirms", fontsize=8)
        ax.set_title("Net stance per actor and topic\n(blue affirms, red denies, grey: no statement)",
                     loc="left", fontsize=9)
        if numbered:
            _topic_key(ax, names, amiri)
    return fig


def _topic_key(ax, names: list[str], amiri) -> None:
    """Numbered topic names under the axes (Arabic shaped with Amiri), one per line."""
    from matplotlib.transforms import offset_copy
    fig = ax.figure
    y = -40.0
    for i, n in enumerate(names):
        rtl = is_rtl(n)
        y -= 15 if rtl else 12
        tr = offset_copy(ax.transAxes, fig=fig, x=0, y=y, units="points")
        ax.text(0, 0, f"{i + 1}", transform=tr, ha="right", va="baseline", fontsize=8,
                fontweight="bold")
        tr2 = offset_copy(ax.transAxes, fig=fig, x=6, y=y, units="points")
        ax.text(0, 0, short(n, 90), transform=tr2, ha="left", va="baseline",
                fontsize=11 if rtl else 8, fontproperties=font_for(n, amiri))


def network(edges: pd.DataFrame, ax=None):
    """Actors linked by agreement (green) or conflict (red, dashed); nodes coloured by bloc.
    Names are wrapped, never cut, and placed where they overlap no other name or node.

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
    n = len(nodes)
    size = (6.0, 3.2) if n <= 3 else (min(7.5 + 0.12 * n, 11), min(5.6 + 0.12 * n, 9))
    with plt.rc_context(RC):
        fig, ax = _axes(ax, size)
        for kind, colour, style in (("congruence", AGREE_COLOUR, "solid"),
                                    ("conflict", CONFLICT_COLOUR, "dashed")):
            es = [(a, b) for a, b, d in h.edges(data=True)
                  if (d["congruence"] >= d["conflict"]) == (kind == "congruence")]
            if es:
                nx.draw_networkx_edges(h, pos, edgelist=es, edge_color=colour, style=style,
                                       width=[0.8 + 4 * h[a][b]["weight"] / wmax for a, b in es],
                                       alpha=0.75, ax=ax, arrows=True, arrowstyle="-",
                                       connectionstyle="arc3,rad=0.12", node_size=420)
        nx.draw_networkx_nodes(h, pos, nodelist=nodes, node_size=420,
                               node_color=[colours[bloc[x]] for x in nodes],
                               edgecolors="#333333", linewidths=0.6, ax=ax)
        handles = [plt.Line2D([], [], marker="o", ls="", color=c, markersize=9, label=b)
                   for b, c in colours.items()]
        handles += [plt.Line2D([], [], color=AGREE_COLOUR, lw=2, label="agree"),
                    plt.Line2D([], [], color=CONFLICT_COLOUR, lw=2, ls="--", label="conflict")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=8)
        ax.set_title("Agreement and conflict between actors (line width: strength)", loc="left")
        ax.margins(0.18)
        xy = np.array([pos[x] for x in nodes], dtype=float)
        span = np.ptp(xy, axis=0)
        if span[1] < 0.25 * max(span[0], 1e-9):      # a line of nodes: centre it vertically
            half = 0.25 * max(span[0], 1.0)
            ax.set_ylim(xy[:, 1].mean() - half, xy[:, 1].mean() + half)
        ax.axis("off")
        pts = [pos[x] for x in nodes]
        amiri = arabic_font()
        place_labels(ax, pts, [wrap(x, 16, 3) for x in nodes], fonts=[font_for(x, amiri) for x in nodes],
                     fontsize=8, offset=10,
                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    return fig


GAP_DAYS = 45          # timeline: a longer stretch without statements is cut out of the axis
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def timeline(tl: pd.DataFrame, topics: pd.DataFrame | None = None, topic_id: str | None = None,
             ax=None, n_topics: int = 3, max_actors: int = 8):
    """Net stance per actor over time: one panel per main topic (or the one `topic_id`).

    The axis shows only the dates that have statements, in order; stretches of more than
    GAP_DAYS days without any are cut out (a dashed break with the time skipped), and lines
    join an actor's points only within one stretch. Actors at the same date are set side by
    side with their own marker, so none hides another.

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
    t = t[t["topic_id"].isin(tids)]
    dates = sorted(set(t["when"]))
    slot = {d: i for i, d in enumerate(dates)}
    breaks = [i for i in range(1, len(dates)) if (dates[i] - dates[i - 1]).days > GAP_DAYS]
    stretch = {d: sum(1 for b in breaks if b <= slot[d]) for d in dates}
    speakers_all = sorted(set(t["speaker"]))
    cmap = plt.get_cmap("tab10" if len(speakers_all) <= 10 else "tab20")
    colours = {s: cmap(i % cmap.N) for i, s in enumerate(speakers_all)}
    markers = {s: MARKERS[i % len(MARKERS)] for i, s in enumerate(speakers_all)}
    amiri = arabic_font()
    with plt.rc_context(RC):
        if ax is not None:
            fig, axes = ax.figure, np.array([[ax]])
            tids = tids[:1]
        else:
            width = min(max(6.0, 3.2 + 0.55 * len(dates)), 9.5)
            fig, axes = plt.subplots(len(tids), 1, figsize=(width, 2.2 * len(tids) + 0.9),
                                     sharex=True, squeeze=False)
        for a, tid in zip(axes[:, 0], tids):
            sub = t[t["topic_id"] == tid]
            counts = sub.groupby("speaker").size()
            speakers = sorted(sorted(counts.index, key=lambda s: (-counts[s], s))[:max_actors])
            at_date = {d: sorted(set(sub[sub["when"] == d]["speaker"]) & set(speakers)) for d in dates}
            for s in speakers:
                d = sub[sub["speaker"] == s].groupby("when")["net_stance"].mean().sort_index()
                xs = [slot[w] + _dodge(at_date[w], s) for w in d.index]
                ys = d.to_numpy()
                st = [stretch[w] for w in d.index]
                first = True
                for k in sorted(set(st)):
                    idx = [i for i, v in enumerate(st) if v == k]
                    a.plot([xs[i] for i in idx], [ys[i] for i in idx], marker=markers[s], ms=5,
                           lw=1.3, color=colours[s], label=wrap(s, 24, 3) if first else None,
                           markeredgecolor="white", markeredgewidth=0.5)
                    first = False
            a.axhline(0, color="#999999", lw=0.7)
            for b in breaks:
                a.axvline(b - 0.5, color="#777777", lw=0.8, ls=(0, (3, 2)))
            a.set_ylim(-1.2, 1.2)
            a.set_xlim(-0.6, len(dates) - 0.4)
            a.set_yticks([-1, 0, 1], ["−1 deny", "0", "+1 affirm"])
            lab = labels.get(tid) or tid
            a.set_title(short(lab, 80), fontproperties=font_for(lab, amiri),
                        fontsize=12 if is_rtl(lab) else 9.5, loc="right" if is_rtl(lab) else "left")
            a.legend(loc="upper left", bbox_to_anchor=(1.0, 1.02), frameon=False, fontsize=7)
            a.grid(axis="y", alpha=0.3)
        bottom = axes[-1, 0]
        step = max(1, int(np.ceil(len(dates) / 14)))
        ticks = [i for i in range(len(dates)) if i % step == 0 or i in breaks]
        names = [dates[i].strftime("%Y-%m-%d") for i in ticks]
        for b in breaks:                   # the time cut out, written under its dashed line
            gap = (dates[b] - dates[b - 1]).days
            what = f"{gap / 365:.0f} years" if gap >= 700 else (
                f"{gap / 30.4:.0f} months" if gap >= 60 else f"{gap} days")
            ticks.append(b - 0.5)
            names.append(f"… {what} …")
        order = np.argsort(ticks)
        bottom.set_xticks([ticks[i] for i in order], [names[i] for i in order], rotation=35,
                          ha="right", fontsize=7.5)
        for lab in bottom.get_xticklabels():
            if lab.get_text().startswith("…"):
                lab.set_color("#666666")
                lab.set_fontstyle("italic")
        fig.suptitle("Stance over time for the main topics: only dates with statements "
                     "(dashed line: time cut out)", x=0.01, ha="left", fontsize=9.5)
        fig.tight_layout()
    return fig


def _dodge(group: list[str], s: str, step: float = 0.14) -> float:
    """Horizontal offset of actor `s` among the actors with a point at the same date."""
    if s not in group or len(group) < 2:
        return 0.0
    return (group.index(s) - (len(group) - 1) / 2) * min(step, 0.8 / len(group))


def count_bars(counts: pd.Series, xlabel: str = "statements", ax=None, colour: str = BLOC_PALETTE[0]):
    """Horizontal bars of counts, largest on top (e.g. statements per attribution method)."""
    plt = _plt()
    counts = counts.sort_values(ascending=True)
    with plt.rc_context(RC):
        fig, ax = _axes(ax, (5.5, 0.6 + 0.28 * len(counts)))
        ax.barh([wrap(str(i), 30) for i in counts.index], counts.to_numpy(), color=colour)
        for y, v in enumerate(counts.to_numpy()):
            ax.text(v, y, f" {v}", va="center", fontsize=8)
        ax.set_xlabel(xlabel)
        ax.margins(x=0.12)
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
    """Statements in 2-D coloured by topic (no topic: light grey), each topic labelled near its
    medoid where the label overlaps no other label (shaped Arabic with Amiri)."""
    plt = _plt()
    xy = project_2d(embeddings, method, random_state)
    with plt.rc_context(RC):
        fig, ax = _axes(ax, (7.5, 6))
        tids = claims["topic_id"].fillna("").to_numpy()
        none = tids == ""
        ax.scatter(xy[none, 0], xy[none, 1], s=10, c="#d0d0d0", label="(no topic)")
        cmap = plt.get_cmap("tab20")
        col = label_col if label_col in topics else "topic_id"
        labels = dict(zip(topics["topic_id"], topics[col]))
        font = arabic_font()
        centres, names = [], []
        for i, tid in enumerate(t for t in topics["topic_id"] if (tids == t).any()):
            m = tids == tid
            ax.scatter(xy[m, 0], xy[m, 1], s=22, color=cmap(i % 20), label=tid)
            pts = xy[m]  # label at the topic's medoid: PCA centres of spread topics pile up
            centres.append(pts[np.argmin(((pts - pts.mean(axis=0)) ** 2).sum(axis=1))])
            names.append(wrap(labels.get(tid, tid), 22))
        ax.set_title(title)
        ax.set_xticks([]), ax.set_yticks([])
        ax.margins(0.15)
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=1 + len(names) // 20,
                  markerscale=0.8, frameon=False)
        if names:
            place_labels(ax, centres, names, fonts=[font_for(n, font) for n in names], fontsize=7.5,
                         offset=6, avoid=xy,
                         bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.8, "lw": 0})
    return fig
