"""The figures (stance.viz, shared by the notebooks and the report): labels readable, not cut,
not overlapping; the timeline shows the dates that have statements; empty input -> None."""
from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from stance import viz  # noqa: E402


def _boxes(fig, artists):
    r = fig.canvas.get_renderer()
    return [a.get_window_extent(r) for a in artists if a.get_visible() and a.get_text()]


def _overlaps(boxes) -> list:
    return [(a, b) for a, b in itertools.combinations(boxes, 2)
            if a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1]


def _at(rows):
    return pd.DataFrame(rows, columns=["speaker", "topic_id", "net_stance", "n_claims"])


def test_one_cell_heatmap_title_clears_the_colour_bar():
    fig = viz.actor_topic_heatmap(_at([("Dmitry Peskov", "t1", -1.0, 1)]),
                                  pd.DataFrame({"topic_id": ["t1"], "label": ["Sanctions"]}))
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    ax, cax = fig.axes[0], fig.axes[1]
    title = ax.title.get_window_extent(r)
    bar = cax.get_window_extent(r)
    assert title.x1 <= bar.x0 or title.y0 >= bar.y1, "title runs into the colour bar"
    matplotlib.pyplot.close(fig)


def test_heatmap_numbers_long_topic_names_with_a_key():
    names = [f"A long topic label number {i} that would be cut under its column" for i in range(7)]
    topics = pd.DataFrame({"topic_id": [f"t{i}" for i in range(7)], "label": names})
    at = _at([("Luhansk People's Republic", f"t{i}", 0.5, 1) for i in range(7)]
             + [("Vladimir Putin", "t0", -1.0, 2)])
    fig = viz.actor_topic_heatmap(at, topics)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(i + 1) for i in range(7)]
    texts = [t.get_text() for t in ax.texts]
    for n in names:                            # the key gives every full name
        assert n in texts
    assert "Luhansk People's Republic" in " ".join(t.get_text().replace("\n", " ")
                                                   for t in ax.get_yticklabels())
    assert not _overlaps(_boxes(fig, [t for t in ax.texts if not t.get_text().startswith(("+", "-"))]))
    matplotlib.pyplot.close(fig)


def test_network_names_whole_and_apart():
    actors = ["Luhansk People's Republic", "Donetsk People's Republic", "Vladimir Putin",
              "Dmitry Peskov", "Joe Biden", "Jen Psaki", "Emmanuel Macron",
              "French Ministry of Foreign Affairs", "Volodymyr Zelensky", "Kremlin"]
    rows = []
    for k, (a, b) in enumerate(itertools.combinations(sorted(actors), 2)):
        if k % 3 == 0 or "Luhansk" in a:
            rows.append((a, b, 1, 0, 1, "t1", "Russia", "West"))
    e = pd.DataFrame(rows, columns=["actor_a", "actor_b", "congruence", "conflict", "weight",
                                    "topics", "bloc_a", "bloc_b"])
    fig = viz.network(e)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t for t in ax.texts]
    shown = {t.get_text().replace("\n", " ") for t in labels}
    drawn = set(e["actor_a"]) | set(e["actor_b"])
    assert shown == drawn                      # every name whole: nothing cut with "…"
    assert not _overlaps(_boxes(fig, labels))
    fb = fig.bbox
    for b in _boxes(fig, labels):
        assert fb.x0 - 1 <= b.x0 and b.x1 <= fb.x1 + 1 and fb.y0 - 1 <= b.y0 and b.y1 <= fb.y1 + 1
    matplotlib.pyplot.close(fig)


def _tl(rows):
    return pd.DataFrame(rows, columns=["date", "speaker", "topic_id", "net_stance"]).assign(
        bloc="", topic_label="", n_affirm=0, n_deny=0, n_neutral=0)


def test_timeline_cuts_out_long_gaps_and_never_draws_across_them():
    tl = _tl([("2022-02-18", "Joe Biden", "t1", 1.0), ("2022-02-20", "Joe Biden", "t1", 0.5),
              ("2025-07-02", "Joe Biden", "t1", -1.0), ("2022-02-20", "Vladimir Putin", "t1", -1.0),
              ("2022-02-20", "Dmitry Peskov", "t1", -1.0)])
    fig = viz.timeline(tl, topic_id="t1")
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")
             or len(ln.get_xdata()) and ln.get_marker() not in ("None", None, "")]
    xs = sorted({round(float(x)) for ln in lines for x in ln.get_xdata()})
    assert xs == [0, 1, 2]                     # three dates -> three slots, three years cut out
    for ln in lines:                           # no segment crosses the cut (between 1 and 2)
        x = np.asarray(ln.get_xdata(), dtype=float)
        assert not ((x.min() < 1.5) and (x.max() > 1.5)), ln.get_label()
    same_day = [float(x) for ln in lines for x, d in zip(ln.get_xdata(), ln.get_xdata())
                if 0.5 < float(x) < 1.5]
    assert len(same_day) == len(set(same_day)) == 3   # three actors side by side, none hidden
    assert any("years" in t.get_text() for t in ax.get_xticklabels())
    matplotlib.pyplot.close(fig)


def test_empty_inputs_give_no_figure():
    assert viz.actor_topic_heatmap(_at([])) is None
    assert viz.network(pd.DataFrame(columns=["actor_a", "actor_b", "congruence", "conflict",
                                             "weight", "topics", "bloc_a", "bloc_b"])) is None
    assert viz.timeline(_tl([])) is None


def test_topic_map_labels_apart():
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(60, 16)).astype(np.float32)
    tids = np.array([f"t{i % 6}" for i in range(60)], dtype=object)
    claims = pd.DataFrame({"topic_id": tids})
    topics = pd.DataFrame({"topic_id": [f"t{i}" for i in range(6)],
                           "label": [f"Topic label number {i} with several words" for i in range(6)]})
    fig = viz.topic_map(emb, claims, topics)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert not _overlaps(_boxes(fig, ax.texts))
    matplotlib.pyplot.close(fig)


def test_wrap_keeps_words_whole():
    assert viz.wrap("Luhansk People's Republic", 16) == "Luhansk People's\nRepublic"
    assert viz.wrap("a b", 16) == "a b"
    assert viz.wrap("one two three four five six", 8, 2).endswith("…")


def test_count_bars():
    fig = viz.count_bars(pd.Series({"quote": 43, "reporting_verb": 24}))
    assert fig is not None
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("name", ["NET_CMAP", "STANCE_COLOURS", "BLOC_PALETTE"])
def test_one_colour_scale_per_quantity(name):
    assert getattr(viz, name)
    assert viz.NET_CMAP == "RdBu" and viz.STANCE_COLOURS["affirm"].startswith("#2166ac")
