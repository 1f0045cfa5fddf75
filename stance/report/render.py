"""Turn a loaded run into the report's HTML (jinja2, autoescape on).

Every string that comes from an article (quotes, titles, speaker names as written, outlets) is
escaped by the template engine; nothing from the corpus is ever marked safe. A string with any
Arabic letter gets dir="rtl" lang="ar" so WeasyPrint lays it out right to left with Amiri.
"""
from __future__ import annotations

import math
from pathlib import Path

import fontpkg
import jinja2
from markupsafe import Markup

from .data import RunData
from ..textnorm import is_rtl

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
KEY_PARAMETERS = ("corpus", "judge", "topic_threshold", "candidates", "clusterer", "n_topics",
                  "distance_threshold", "linkage", "n_clusters", "min_cluster_size",
                  "stance_model", "neutral_margin", "strong_deny", "min_statement_chars",
                  "max_contrasts")
# Settings that only the fast judge reads: shown only when it ran.
FAST_JUDGE_ONLY = ("stance_model", "neutral_margin", "strong_deny")
N_CONTRASTS = 3


def dir_attrs(text) -> Markup:
    """The attributes for an element holding `text`: rtl + lang=ar when it is right-to-left."""
    return Markup(' dir="rtl" lang="ar"') if is_rtl(str(text or "")) else Markup("")


def fmt_num(v, digits: int = 2) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f):
        return ""
    return str(int(f)) if f.is_integer() and digits == 0 else f"{f:+.{digits}f}"


def font_files() -> dict[str, Path]:
    """The bundled font files (a font whose package is missing is left out)."""
    out = {}
    for key, name, weight in (("amiri", "amiri", 400), ("amiri_bold", "amiri", 700),
                              ("noto_arabic", "noto-sans-arabic", 400)):
        try:
            out[key] = fontpkg.path(name, weight=weight).resolve()
        except Exception:
            pass
    return out


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["dir"] = dir_attrs
    env.filters["num"] = fmt_num
    env.filters["int"] = lambda v: fmt_num(v, 0)
    env.filters["conf"] = fmt_conf
    return env


def _records(df, cols=None):
    return df[cols].to_dict("records") if cols else df.to_dict("records")


def _diverse(pairs: list[dict]) -> list[dict]:
    """Strongest first, but a pair that repeats an already shown claim waits its turn."""
    seen: set[str] = set()
    first, later = [], []
    for p in pairs:
        ids = {p["claim_id_a"], p["claim_id_b"]}
        if ids & seen:
            later.append(p)
        else:
            first.append(p)
            seen |= ids
    return first + later


# A stance the summary states is *tentative* (shown, not asserted) when the statements behind it
# are few and the judge unsure: one statement below STRONG, or a mean confidence below SURE.
SURE, STRONG = 0.5, 0.7


def fmt_conf(v) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if math.isnan(f) else f"{f:.2f}"


def tentative(n: int, conf) -> bool:
    try:
        c = float(conf)
    except (TypeError, ValueError):
        c = float("nan")
    if math.isnan(c):
        return n <= 1
    return c < SURE or (n <= 1 and c < STRONG)


def _positions(actors: list[dict]) -> list[dict]:
    """The affirm/deny positions the summary states, each with its evidence."""
    out = []
    for r in actors:
        na, nd = int(r["n_affirm"]), int(r["n_deny"])
        if na == nd:
            continue                       # neutral only, or mixed: no position stated
        stance, n = ("affirm", na) if na > nd else ("deny", nd)
        out.append({"speaker": r["speaker"], "bloc": r.get("bloc", ""), "stance": stance, "n": n,
                    "n_claims": int(r["n_claims"]), "conf": r.get("mean_confidence"),
                    "claim_id": r.get("strongest_claim_id", ""),
                    "tentative": tentative(n, r.get("mean_confidence"))})
    out.sort(key=lambda p: (p["tentative"], p["stance"] != "affirm", -p["n"],
                            -(p["conf"] if isinstance(p["conf"], float) and p["conf"] == p["conf"]
                              else -1), p["speaker"]))
    return out


def _statements(claims, tid: str, actor_order: list[str]) -> list[dict]:
    """The topic's statements grouped by actor (table order), unattributed last."""
    c = claims[claims["topic_id"] == tid]
    if c.empty:
        return []
    rank = {a: i for i, a in enumerate(actor_order)}
    groups = []
    for spk, g in c.groupby("speaker", sort=False):
        rows = _records(g.sort_values(["date", "doc_id", "start"], kind="mergesort"))
        for r in rows:
            r["conf_fmt"] = fmt_conf(r.get("confidence"))
        groups.append({"speaker": spk, "bloc": rows[0].get("bloc", ""), "statements": rows})
    groups.sort(key=lambda g: (g["speaker"] == "", rank.get(g["speaker"], len(rank)),
                               g["speaker"]))
    return groups


def topic_views(run: RunData) -> list[dict]:
    topics, claims = run.topics, run.claims
    at, con = run.actor_topic, run.contrasts
    if topics.empty and not claims.empty:  # no topics.csv: list the topics the claims name
        c = claims[claims["topic_id"] != ""]
        rows = []
        for tid, g in c.groupby("topic_id", sort=True):
            rows.append({"topic_id": tid, "label": g["topic_label"].iloc[0], "proposition": "",
                         "keywords": "", "size": len(g), "n_actors": g["speaker"].nunique(),
                         "representative": "", "kind": ""})
        topic_rows = sorted(rows, key=lambda r: (-r["size"], r["topic_id"]))
    else:
        topic_rows = _records(topics)
    claim_by_id = {r["claim_id"]: r for r in _records(claims)} if not claims.empty else {}
    views = []
    for t in topic_rows:
        tid = t["topic_id"]
        actors = _records(at[(at["topic_id"] == tid) & (at["speaker"] != "")])
        actors.sort(key=lambda r: (-r["net_stance"], -r["n_claims"], r["speaker"]))
        for r in actors:
            r["conf_fmt"] = fmt_conf(r.get("mean_confidence"))
        pairs = _records(con[con["topic_id"] == tid])
        pairs.sort(key=lambda r: (-r["similarity"], r["claim_id_a"], r["claim_id_b"]))
        pairs = _diverse(pairs)
        for p in pairs:
            for side in ("a", "b"):
                c = claim_by_id.get(p[f"claim_id_{side}"], {})
                for k in ("text", "date", "outlet", "doc_id", "bloc"):
                    if not p.get(f"{k}_{side}"):
                        p[f"{k}_{side}"] = c.get(k, "")
                if not p.get(f"speaker_{side}"):
                    p[f"speaker_{side}"] = c.get("speaker", "") or c.get("speaker_text", "")
                p[f"conf_{side}"] = fmt_conf(c.get("confidence"))
            # affirming side on the left, denying on the right
            if p["stance_a"] == "deny" and p["stance_b"] != "deny":
                for k in ("claim_id", "speaker", "stance", "text", "date", "outlet", "doc_id",
                          "bloc", "conf"):
                    p[f"{k}_a"], p[f"{k}_b"] = p[f"{k}_b"], p[f"{k}_a"]
        keywords = [k.strip() for k in str(t.get("keywords", "")).split(";") if k.strip()]
        positions = _positions(actors)
        views.append({**t, "label": t.get("label") or tid, "keywords_list": keywords,
                      "actors": actors, "contrasts": pairs[:N_CONTRASTS],
                      "n_contrasts": len(pairs), "positions": positions,
                      "n_unstated": len(actors) - len(positions),
                      "groups": _statements(claims, tid, [a["speaker"] for a in actors]),
                      "affirm": [p["speaker"] for p in positions if p["stance"] == "affirm"],
                      "deny": [p["speaker"] for p in positions if p["stance"] == "deny"]})
    return views


def corpus_summary(run: RunData) -> list[tuple[str, str]]:
    docs, claims = run.documents, run.claims
    dates = sorted(d for d in list(docs["date"]) + list(claims["date"]) if d)
    outlets = {o for o in list(docs["outlet"]) + list(claims["outlet"]) if o}
    attributed = int((claims["speaker"] != "").sum())
    n_claims = len(claims)
    share = f" ({attributed / n_claims:.0%})" if n_claims else ""
    n_docs = len(docs) if not docs.empty else claims["doc_id"].nunique()
    return [
        ("Documents", str(n_docs)),
        ("Outlets", str(len(outlets))),
        ("Date range", f"{dates[0]} – {dates[-1]}" if dates else "none"),
        ("Statements", str(n_claims)),
        ("Attributed statements", f"{attributed}{share}"),
        ("Speakers (registry actors)", str(claims.loc[claims["speaker"] != "", "speaker"]
                                           .nunique())),
        ("Topics", str(len(run.topics) if not run.topics.empty
                       else claims.loc[claims["topic_id"] != "", "topic_id"].nunique())),
        ("Contrast pairs", str(len(run.contrasts))),
    ]


def _flat(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "—"
    if value == "" or value is None:
        return "—"
    return str(value)


def judge_view(meta: dict, params: dict) -> dict:
    """What the methods page says about the judge, from run.json's `judge` (its model card).

    Only measured figures are quoted, each with the data it was measured on.
    """
    j = meta.get("judge") if isinstance(meta.get("judge"), dict) else {}
    card = j.get("card") if isinstance(j.get("card"), dict) else {}
    kind = "fast" if j.get("class") == "FastJudge" else "cross" if j else ""
    rows: list[tuple[str, str]] = []
    if kind == "cross":
        sc = card.get("scores", {}) if isinstance(card.get("scores"), dict) else {}
        bench = card.get("benchmarks", {}) if isinstance(card.get("benchmarks"), dict) else {}
        def add(label, value):
            if isinstance(value, (int, float)):
                rows.append((label, f"{value:.2f}"))
            elif isinstance(value, str) and value:
                rows.append((label, value))
        add("ANS dev (Arabic headline pairs), macro-F1 affirm/deny/unrelated",
            bench.get("ans_dev_macro_f1", sc.get("ans_dev", {}).get("macro_f1")))
        add("UnifiedFC fold 4 news sentences vs claims, macro-F1 affirm/deny",
            bench.get("ufc4_sentences_macro_f1",
                      sc.get("ufc4_sent", {}).get("macro_f1_affirm_deny")))
        add("UnifiedFC fold 4 sentences, deny F1",
            bench.get("ufc4_sentences_deny_f1", sc.get("ufc4_sent", {}).get("f1_deny")))
        add("UnifiedFC fold 4 articles through the pipeline, 4-way macro-F1",
            bench.get("ufc4_articles_macro_f1"))
        add("Mawqif tweets (5-fold CV), F1 favor/against", bench.get("mawqif_cv_f1"))
        add("Seed statements hand-checked by a reader (stance right)", bench.get("seed_hand_check"))
    elif kind == "fast":
        by_margin = card.get("macro_f1_by_margin", {}) if isinstance(card.get("macro_f1_by_margin"), dict) else {}
        gated = card.get("macro_f1_with_polarity_gate", {}) if isinstance(
            card.get("macro_f1_with_polarity_gate"), dict) else {}
        key = f"{float(params.get('neutral_margin', 0.15)):.2f}"
        if key in gated:
            rows.append(("ANS dev macro-F1 with these rules", f"{gated[key]:.2f}"))
        if "0.00" in by_margin:
            rows.append(("ANS dev macro-F1, model alone (3-way argmax)", f"{by_margin['0.00']:.2f}"))
        if card.get("majority_macro_f1") is not None:
            rows.append(("majority-class baseline", f"{card['majority_macro_f1']:.2f}"))
    return {"kind": kind, "model_id": str(j.get("model_id", "")), "rows": rows,
            "trained": str(card.get("trained_blocks", "")), "base": str(card.get("base", ""))}


def context(run: RunData, figures: dict[str, str | None], fonts: dict[str, Path]) -> dict:
    meta = run.meta
    params = meta.get("parameters") if isinstance(meta.get("parameters"), dict) else {}
    model = meta.get("model") or params.get("model") or "not recorded"
    fast = str(params.get("judge", "fast")) == "fast"      # runs before 0.2 had only the tagger
    key_params = [(k, _flat(params[k])) for k in KEY_PARAMETERS if k in params
                  and (fast or k not in FAST_JUDGE_ONLY)]
    key_params.insert(0, ("embedding model", str(model)))
    claims = run.claims.copy()
    claims["stance_score_fmt"] = [fmt_num(v) if s else "" for v, s in
                                  zip(claims["stance_score"], claims["stance"])]
    claims["conf_fmt"] = [fmt_conf(v) for v in claims["confidence"]] if "confidence" in claims \
        else ["n/a"] * len(claims)
    notices = [str(n) for n in meta.get("notices", [])] if isinstance(meta.get("notices"), list) \
        else []
    counts = meta.get("counts") if isinstance(meta.get("counts"), dict) else {}
    timings = meta.get("timings") if isinstance(meta.get("timings"), dict) else {}
    return {
        "title": str(params.get("title") or "Stance report"),
        "created": str(meta.get("created") or "not recorded"),
        "summary": corpus_summary(run),
        "key_params": key_params,
        "all_params": sorted((str(k), _flat(v)) for k, v in params.items()),
        "model": str(model),
        "judge": judge_view(meta, params),
        "params": params,
        "versions": sorted((str(k), _flat(v)) for k, v in (meta.get("versions") or {}).items())
        if isinstance(meta.get("versions"), dict) else [],
        "inputs": [i for i in meta.get("inputs", []) if isinstance(i, dict)]
        if isinstance(meta.get("inputs"), list) else [],
        "timings": sorted((str(k), _flat(v)) for k, v in timings.items()),
        "counts": sorted((str(k), _flat(v)) for k, v in counts.items()),
        "topics": topic_views(run),
        "figures": figures,
        "unknown": _records(run.unknown_speakers),
        "claims": _records(claims),
        "missing": sorted(run.missing),
        "notices": notices,
        "sure": SURE, "strong": STRONG, "gap_days": _gap_days(),
        # Every key present (None when a font package is missing) so the CSS falls back cleanly.
        "fonts": {k: (fonts[k].as_uri() if k in fonts else None)
                  for k in ("amiri", "amiri_bold", "noto_arabic")},
    }


def _gap_days() -> int:
    from ..viz import GAP_DAYS
    return GAP_DAYS


def render_html(ctx: dict) -> str:
    return _env().get_template("report.html.j2").render(**ctx)
