"""build_report: figures, HTML and PDF for one run folder."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..io import write_text
from .data import load_run
from .pdf import write_pdf
from .render import HERE, context, font_files, render_html, topic_views


def _fig_urls(paths: dict[str, Path | None], relative_to: Path | None) -> dict[str, str | None]:
    out = {}
    for k, p in paths.items():
        if p is None:
            out[k] = None
        elif relative_to is None:
            out[k] = p.resolve().as_uri()
        else:
            out[k] = Path(os.path.relpath(p.resolve(), relative_to.resolve())).as_posix()
    return out


def build_report(run_dir, pdf_path=None, html_path=None) -> tuple[Path, Path]:
    """Write the stance report for `run_dir` (a `stance run` output folder).

    Returns (pdf_path, html_path); defaults are run_dir/stance_report.pdf and .html. Figures are
    written as PNG to run_dir/figures/. Missing optional files are reported as "none".
    """
    run_dir = Path(run_dir)
    pdf_path = Path(pdf_path) if pdf_path is not None else run_dir / "stance_report.pdf"
    html_path = Path(html_path) if html_path is not None else run_dir / "stance_report.html"
    run = load_run(run_dir)
    fig_dir = run_dir / "figures"
    import matplotlib
    matplotlib.use("Agg")     # the report is drawn headless, whatever the caller's backend
    from .. import viz
    order = pd.DataFrame([(t["topic_id"], t["label"]) for t in topic_views(run)],
                         columns=["topic_id", "label"])
    drawn = {
        "heatmap": (viz.actor_topic_heatmap(run.actor_topic, order), "actor_topic_heatmap.png"),
        "network": (viz.network(run.actor_network_edges), "actor_network.png"),
        "timeline": (viz.timeline(run.timeline, order), "stance_timeline.png"),
    }
    figs = {k: viz.save_png(f, fig_dir / name) if f is not None else None
            for k, (f, name) in drawn.items()}
    fonts = font_files()
    # The HTML file refers to figures by relative path so that the folder can be moved.
    html = render_html(context(run, _fig_urls(figs, html_path.parent), fonts))
    write_text(html_path, html)
    pdf_html = render_html(context(run, _fig_urls(figs, None), fonts))
    write_pdf(pdf_html, run_dir, pdf_path, roots=[HERE, fig_dir, *fonts.values()])
    for p in (pdf_path, html_path, *(f for f in figs.values() if f is not None)):
        _readable(p)
    return pdf_path, html_path


def _readable(path: Path) -> None:
    """Give the report the usual file mode (temp files are created owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(path, 0o666 & ~umask)
    except OSError:
        pass
