"""Display helpers for the notebooks in `notebooks/`: right-to-left tables, Arabic-capable plots,
optional widgets and a machine-readable result line.

Nothing here computes anything the pipeline does not: the notebooks run `StancePipeline`, the
same front door as `stance run`, with a `Config` built from their papermill parameters; the
figures come from `stance.viz`, as the report's do.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from .config import Config
from .textnorm import RTL_SCRIPT, is_rtl
from .viz import STANCE_COLOURS

RTL_CSS = "direction: rtl; text-align: right; unicode-bidi: plaintext"


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
        if not slug.isascii() or slug == "new-actor" or RTL_SCRIPT.search(slug):
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
