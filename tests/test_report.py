"""The analyst's report: built from a realistic run folder written here, checked as text."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from stance.report import build_report
from stance.report.pdf import LocalOnlyFetcher

EVIL = '<img src="http://example.com/x.png"><script>alert(1)</script>'

ACTORS = {  # speaker → (country, bloc)
    "Vladimir Putin": ("RUS", "Russia"),
    "Dmitry Peskov": ("RUS", "Russia"),
    "Joe Biden": ("USA", "West"),
    "Jen Psaki": ("USA", "West"),
    "Emmanuel Macron": ("FRA", "West"),
    "Volodymyr Zelensky": ("UKR", "Ukraine"),
}
TOPICS = [  # topic_id, label, proposition, keywords, kind
    ("T1", "نية روسيا غزو أوكرانيا", "روسيا تهدف لمهاجمة أوكرانيا عسكريا",
     "غزو;أوكرانيا;الحشد العسكري;الحدود", "defined"),
    ("T2", "تسليح أوكرانيا", "إمداد حلف الناتو لأوكرانيا بالسلاح يؤجج الأزمة في دونباس",
     "السلاح;الناتو;دونباس", "defined"),
    ("T3", "العقوبات على روسيا", "", "العقوبات;روسيا;التصعيد", "discovered"),
]
# claim rows: doc, speaker, speaker_text, topic, stance, score, text (sentences from seeds/)
CLAIMS = [
    ("D1", "Jen Psaki", "جين بساكي", "T1", "affirm", 0.82,
     "ما زلنا نعتقد أن روسيا تهدف لمهاجمة أوكرانيا، بالطبع يمكنهم تغيير رأيهم ونعتزم ترك الباب مفتوحاً للدبلوماسية"),
    ("D1", "Joe Biden", "بايدن", "T1", "affirm", 0.55,
     "إذا أقدمت روسيا على أي عمل عسكري فإن ذلك يعني أنهم أغلقوا باب الدبلوماسية واختاروا الحرب"),
    ("D2", "Dmitry Peskov", "بيسكوف", "T1", "deny", -0.77,
     "تتهم الأخيرة روسيا بالسعي لغزو أوكرانيا عسكريا، وهو ما ينفيه الكرملين نفيا قاطعا"),
    ("D3", "Vladimir Putin", "بوتين", "T1", "deny", -0.61,
     "استفزازات العسكريين الأوكرانيين هي سبب التصعيد في دونباس"),
    ("D3", "Emmanuel Macron", "ماكرون", "T1", "neutral", 0.05,
     "اتفق بوتين وماكرون على أهمية تكثيف جهود البحث عن حلول للأزمة في دونباس"),
    ("D3", "Vladimir Putin", "بوتين", "T2", "affirm", 0.71,
     "إمداد حلف الناتو لأوكرانيا بالسلاح يدفعها إلى حل الأزمة في دونباس عسكرياً"),
    ("D4", "Dmitry Peskov", "بيسكوف", "T2", "affirm", 0.64,
     "كلما قلّت الأسلحة الموردة إلى أوكرانيا، اقتربت نهاية العملية العسكرية الخاصة"),
    ("D4", "Volodymyr Zelensky", "زيلينسكي", "T2", "deny", -0.58,
     "الأسلحة الموردة إلى أوكرانيا هي للدفاع عن أرضنا وليست سبب الأزمة " + EVIL),
    ("D1", "Joe Biden", "جو بايدن", "T2", "deny", -0.42,
     "الرئيس الأمريكي جو بايدن ليس لديه أي نية لإرسال قوات للقتال في أوكرانيا"),
    ("D1", "Jen Psaki", "بساكي", "T3", "affirm", 0.69,
     "واشنطن ستزيد من وتيرة العقوبات ضد روسيا إذا واصلت التصعيد في الأزمة الأوكرانية"),
    ("D2", "Dmitry Peskov", "بيسكوف", "T3", "deny", -0.51,
     "المحادثات بين الرئيس الروسي ونظيره الأميركي ستُعقد عبر اتصال مرئي آمن"),
    ("D5", "Volodymyr Zelensky", "زيلينسكي", "T3", "affirm", 0.48,
     "نطالب بعقوبات أشد على روسيا قبل فوات الأوان"),
    ("D5", "", "نيوبرغر", "T3", "neutral", 0.02,
     "الجهات الفاعلة السيبرانية الروسية استهدفت مؤخراً كيانات الحكومة الأوكرانية"),
    ("D2", "", "", "", "", 0.0, "ويأتي لقاء الزعيمين وسط أجواء من التوتر تخيم على العلاقات بين موسكو وواشنطن"),
]
DOCS = [  # doc_id, title, outlet, date
    ("D1", "البيت الأبيض: مستعدون للرد", "Al Mayadeen", "2022-02-18"),
    ("D2", "بيسكوف: قمة مرئية بين بوتين وبايدن", "UrduPoint / Sputnik", "2021-12-07"),
    ("D3", "بوتين لماكرون: استفزازات كييف سبب التصعيد", "Al Mayadeen", "2022-02-20"),
    ("D4", "الكرملين عن تعليق شحنات الأسلحة", "Al Mayadeen", "2025-07-02"),
    ("D5", "Kyiv calls for sanctions", "RT Arabic", "2022-02-23"),
]
QUOTE_PHRASE = "نعتقد أن روسيا تهدف لمهاجمة أوكرانيا"


def _probs(stance: str, score: float) -> dict:
    """Judge probabilities for a synthetic claim: the stronger the score, the surer."""
    if not stance:
        return {"p_related": "", "p_affirm": "", "p_deny": "", "p_neutral": ""}
    sure = round(0.35 + 0.6 * abs(score), 3)
    rest = round((1 - sure) / 2, 3)
    p = {"affirm": rest, "deny": rest, "neutral": rest}
    p[stance] = sure
    return {"p_related": 0.95, "p_affirm": p["affirm"], "p_deny": p["deny"],
            "p_neutral": p["neutral"]}


def _write(path: Path, rows: list[dict], cols: list[str]) -> None:
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False, encoding="utf-8-sig")


def make_run(d: Path, optional: bool = True) -> Path:
    """A run folder as `stance run` writes it (documents, claims, …, run.json)."""
    d.mkdir(parents=True, exist_ok=True)
    docs = {x[0]: x for x in DOCS}
    labels = {t[0]: t[1] for t in TOPICS}
    claims, offsets = [], {}
    for i, (doc, spk, spk_text, tid, st, score, text) in enumerate(CLAIMS):
        start = offsets.get(doc, 0)
        offsets[doc] = start + len(text) + 1
        country, bloc = ACTORS.get(spk, ("", ""))
        claims.append({
            "claim_id": f"c{i:03d}", "doc_id": doc, "start": start, "end": start + len(text),
            "text": text, "kind": "quote" if spk else "sentence", "speaker": spk,
            "speaker_text": spk_text, "organisation": "", "country": country, "bloc": bloc,
            "attribution": "reporting_verb" if spk else ("unknown_speaker" if spk_text else ""),
            "relayed_by": "Kremlin" if spk == "Dmitry Peskov" else "", "topic_id": tid,
            "topic_label": labels.get(tid, ""), "topic_score": 0.9 if tid else "",
            "stance": st, "stance_score": score if st else "", "date": docs[doc][3],
            "outlet": docs[doc][2], **_probs(st, score)})
    cdf = pd.DataFrame(claims)
    _write(d / "documents.csv",
           [{"doc_id": k, "title": t, "outlet": o, "date": dt, "language": "ar",
             "n_claims": int((cdf["doc_id"] == k).sum())} for k, t, o, dt in DOCS],
           ["doc_id", "title", "outlet", "date", "language", "n_claims"])
    cdf.to_csv(d / "claims.csv", index=False, encoding="utf-8-sig")
    (d / "run.json").write_text(json.dumps({
        "parameters": {"title": "Ukraine crisis: who says what", "model": "e5-small-offline",
                       "topic_threshold": 0.84, "clusterer": "agglomerative",
                       "distance_threshold": 0.12, "neutral_margin": 0.15,
                       "stance_model": "default", "min_statement_chars": 12},
        "model": "e5-small-offline",
        "judge": {"class": "CrossEncoderJudge", "model_id": "judge-0123abcd",
                  "card": {"scores": {"ans_dev": {"macro_f1": 0.61},
                                      "ufc4_sent": {"macro_f1_affirm_deny": 0.58}}}},
        "versions": {"stance": "0.1.0", "pandas": pd.__version__},
        "inputs": [{"file": "seeds/000_6c32ca4a3fcb9360.txt", "sha256": "ab" * 32}],
        "timings": {"load": 0.2, "embed": 3.1},
        "counts": {"documents": len(DOCS), "claims": len(CLAIMS)},
        "created": "2026-11-27T10:00:00+00:00"}, ensure_ascii=False), encoding="utf-8")
    if not optional:
        return d
    attributed = cdf[(cdf["speaker"] != "") & (cdf["topic_id"] != "")]
    _write(d / "topics.csv",
           [{"topic_id": t, "label": lab, "proposition": prop, "keywords": kw,
             "size": int((cdf["topic_id"] == t).sum()),
             "n_actors": attributed.loc[attributed["topic_id"] == t, "speaker"].nunique(),
             "representative": cdf.loc[cdf["topic_id"] == t, "text"].iloc[0], "kind": kind}
            for t, lab, prop, kw, kind in TOPICS],
           ["topic_id", "label", "proposition", "keywords", "size", "n_actors",
            "representative", "kind"])
    at = []
    for (spk, tid), g in attributed.groupby(["speaker", "topic_id"]):
        na, nd = int((g.stance == "affirm").sum()), int((g.stance == "deny").sum())
        nn = int((g.stance == "neutral").sum())
        at.append({"speaker": spk, "country": ACTORS[spk][0], "bloc": ACTORS[spk][1],
                   "topic_id": tid, "topic_label": labels[tid], "n_affirm": na, "n_deny": nd,
                   "n_neutral": nn, "n_claims": len(g), "net_stance": (na - nd) / len(g)})
    _write(d / "actor_topic.csv", at, list(at[0]))
    con = []
    for tid in labels:
        sub = attributed[attributed["topic_id"] == tid]
        for a in sub[sub.stance == "affirm"].itertuples():
            for b in sub[sub.stance == "deny"].itertuples():
                con.append({"topic_id": tid, "topic_label": labels[tid],
                            "claim_id_a": a.claim_id, "claim_id_b": b.claim_id,
                            "speaker_a": a.speaker, "speaker_b": b.speaker,
                            "stance_a": "affirm", "stance_b": "deny",
                            "similarity": round(0.9 - 0.05 * len(con), 2),
                            "text_a": a.text, "text_b": b.text, "date_a": a.date,
                            "date_b": b.date, "outlet_a": a.outlet, "outlet_b": b.outlet,
                            "doc_id_a": a.doc_id, "doc_id_b": b.doc_id, "bloc_a": a.bloc,
                            "bloc_b": b.bloc})
    _write(d / "contrasts.csv", con, list(con[0]))
    _write(d / "unknown_speakers.csv",
           [{"speaker_text": "نيوبرغر", "n": 1, "example_claim_id": "c012"}],
           ["speaker_text", "n", "example_claim_id"])
    pairs = [("Jen Psaki", "Joe Biden", 2, 0), ("Dmitry Peskov", "Vladimir Putin", 2, 0),
             ("Dmitry Peskov", "Jen Psaki", 0, 2), ("Joe Biden", "Vladimir Putin", 0, 2),
             ("Volodymyr Zelensky", "Vladimir Putin", 0, 1), ("Jen Psaki", "Volodymyr Zelensky", 1, 0),
             ("Emmanuel Macron", "Joe Biden", 0, 1)]
    _write(d / "actor_network_edges.csv",
           [{"actor_a": a, "actor_b": b, "congruence": c, "conflict": x, "weight": c - x,
             "topics": "T1;T3", "bloc_a": ACTORS[a][1], "bloc_b": ACTORS[b][1]}
            for a, b, c, x in pairs],
           ["actor_a", "actor_b", "congruence", "conflict", "weight", "topics", "bloc_a", "bloc_b"])
    tl = []
    for (date, spk, tid), g in attributed.groupby(["date", "speaker", "topic_id"]):
        na, nd = int((g.stance == "affirm").sum()), int((g.stance == "deny").sum())
        tl.append({"date": date, "speaker": spk, "bloc": ACTORS[spk][1], "topic_id": tid,
                   "topic_label": labels[tid], "n_affirm": na, "n_deny": nd,
                   "n_neutral": int((g.stance == "neutral").sum()),
                   "net_stance": (na - nd) / len(g)})
    _write(d / "timeline.csv", tl, list(tl[0]))
    return d


# Bidi format characters: pdftotext wraps runs in U+202A-C itself, and the report's text layer
# adds an invisible U+061C where pdftotext's reordering needs it (see stance/report/pdftext.py).
BIDI_FORMAT = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _flat(s: str) -> str:
    """Whitespace and bidi format characters removed; nothing else (no NFKC, marks kept).

    Extractors infer spaces from gaps between glyphs (pdftotext puts the space of "، " before
    the comma in right-to-left lines), so spaces are not compared; every letter, mark and
    punctuation mark is, in order.
    """
    return re.sub(r"\s+", "", BIDI_FORMAT.sub("", s))


def _norm(s: str) -> str:
    """NFKC (presentation forms → letters), then drop diacritics, tatweel, bidi marks, spaces."""
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"[\u064B-\u065F\u0670\u0640\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", s)
    return re.sub(r"\s+", "", s)


def _pypdf_text(pdf: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)


def _missing_quotes(pdf: Path, texts) -> dict[str, list[str]]:
    """Statements not found in the PDF's text layer, per extractor (pdftotext when installed)."""
    layers = {"pypdf": _flat(_pypdf_text(pdf))}
    if shutil.which("pdftotext"):
        layers["pdftotext"] = _flat(subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
            text=True).stdout)
    return {k: [t for t in texts if _flat(t) not in v] for k, v in layers.items()}


def _pdftext(pdf: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
    return "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)


# Building a PDF with shaped Arabic takes a few seconds; the whole file takes over ten.
slow = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    run = make_run(tmp_path_factory.mktemp("run"))
    attempts = []

    def no_network(self, *a, **k):
        attempts.append(a)
        raise OSError("network access is forbidden while building the report")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", no_network)
        mp.setattr(socket.socket, "connect_ex", no_network)
        mp.setattr(socket, "create_connection", lambda *a, **k: no_network(None, *a))
        pdf, html = build_report(run)
    return {"run": run, "pdf": pdf, "html": html, "attempts": attempts,
            "text": _pdftext(pdf), "html_text": html.read_text(encoding="utf-8")}


@slow
def test_outputs_written(built):
    run = built["run"]
    assert built["pdf"] == run / "stance_report.pdf" and built["pdf"].stat().st_size > 10_000
    assert built["html"] == run / "stance_report.html"
    assert len(PdfReader(built["pdf"]).pages) >= 6
    for name in ("actor_topic_heatmap.png", "actor_network.png", "stance_timeline.png"):
        assert (run / "figures" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in run.iterdir() if p.name.endswith(".tmp")]  # atomic writes cleaned up


@slow
def test_sections_and_actors_in_pdf(built):
    text = built["text"]
    for title in ("Executive summary", "Actor × topic stance", "Agreement and conflict network",
                  "Stance over time", "Methods and limitations", "Unknown speakers",
                  "Appendix", "Strongest contrasts", "Proposition"):
        assert title in text, title
    for actor in ACTORS:
        assert actor in text, actor
    assert "e5-small-offline" in text and "0.61" in text  # model and the judge's measured score
    assert "judge-0123abcd" in text and "0.58" in text
    assert "Page 1 of" in text
    assert "\ufb02" not in text  # Latin ligatures off: "conflict" copies as typed


@slow
def test_arabic_extracts_in_logical_order(built):
    text = _norm(built["text"])
    assert _norm(QUOTE_PHRASE) in text
    assert _norm("تسليح أوكرانيا") in text  # a topic label (heading)


@slow
def test_article_markup_is_escaped_and_nothing_fetched(built):
    html = built["html_text"]
    assert "&lt;img src=&#34;http://example.com/x.png&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img src=\"http" not in html
    assert 'alert(1)' in built["text"]  # shown literally in the PDF
    assert built["attempts"] == []
    assert 'dir="rtl" lang="ar"' in html


def test_fetcher_allows_only_local_report_files(tmp_path):
    (tmp_path / "figures").mkdir()
    png = tmp_path / "figures" / "a.png"
    png.write_bytes(b"\x89PNG")
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    f = LocalOnlyFetcher([tmp_path / "figures"])
    assert f.fetch(png.as_uri()).read() == b"\x89PNG"
    for url in ("http://example.com/x.png", "https://example.com/", secret.as_uri(),
                "file://evil.example/etc/passwd", (tmp_path / "figures" / ".." / "secret.txt").as_uri(),
                "data:text/plain,hi", "ftp://example.com/x"):
        with pytest.raises(ValueError):
            f.fetch(url)


@slow
def test_missing_optional_files_still_build(tmp_path):
    run = make_run(tmp_path / "bare", optional=False)
    pdf, html = build_report(run, pdf_path=tmp_path / "out" / "r.pdf",
                             html_path=tmp_path / "out" / "r.html")
    first = html.read_text(encoding="utf-8")
    assert 'src="../bare/figures/actor_topic_heatmap.png"' in first  # relative to the HTML
    build_report(run, pdf_path=tmp_path / "out" / "r.pdf", html_path=tmp_path / "out" / "r.html")
    assert html.read_text(encoding="utf-8") == first  # deterministic
    text = _pdftext(pdf)
    assert "Executive summary" in text and "Appendix" in text
    assert "None:" in text  # e.g. no network edges, no unknown speakers
    assert "Joe Biden" in text  # actor table derived from claims
    assert not (run / "figures" / "actor_network.png").exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "claims.csv").write_text("", encoding="utf-8")
    pdf, html = build_report(empty)
    assert pdf.exists() and "no statements" in html.read_text(encoding="utf-8")


def test_every_statement_extracts_as_written(built):
    """Fast variant of the seeds check: every statement of the synthetic run (Arabic with marks,
    quotes, digits, an escaped tag) comes back from the PDF's text layer in pdftotext and pypdf,
    letter for letter (only whitespace and bidi format characters ignored)."""
    texts = [c[-1] for c in CLAIMS]
    missing = _missing_quotes(built["pdf"], texts)
    assert missing["pypdf"] == []
    # pdftotext: all but the markup test string, whose Latin run inside an Arabic line ends in
    # neutral characters ("</", ">") that poppler's simplified bidi places at the other end.
    assert [t for t in missing.get("pdftotext", []) if EVIL not in t] == []


def test_text_layer_round_trips_shaped_arabic(tmp_path):
    """The cases that broke the old text layer: lam-kaf (Amiri's kashida), marks over letters,
    a number inside an Arabic line, punctuation runs pdftotext reorders, a no-break space."""
    from weasyprint import HTML
    from stance.report.pdf import write_pdf
    from stance.report.render import font_files
    lines = ["الكرملين ولكن لك", "قال بيسكوف: \"نحن مستعدون\"", "إنّ عسكرياً ستُعقد",
             "المادتين الـ3 والـ4 في اتفاقي", "وتواجه\xa0 موسكو تهديدات", "Lavrov لافروف said"]
    fonts = font_files()
    face = "".join(f'@font-face{{font-family:Amiri;src:url("{fonts["amiri"].as_uri()}")}}'
                   for _ in [0] if "amiri" in fonts)
    body = "".join(f'<p dir="rtl" lang="ar">{t}</p>' for t in lines)
    html = f"<html><head><style>{face} p{{font-family:Amiri}}</style></head><body>{body}</body></html>"
    pdf = tmp_path / "t.pdf"
    write_pdf(html, tmp_path, pdf, roots=list(fonts.values()))
    missing = _missing_quotes(pdf, lines)
    assert all(v == [] for v in missing.values()), missing
    assert "الكرملين" in _pypdf_text(pdf)
    assert HTML  # weasyprint importable


@slow
def test_seeds_report_every_quote_extracts(tmp_path, seeds_dir):
    """Issue 16: every statement of the seeds report is found in its text layer."""
    from stance import Config, StancePipeline
    cfg = Config(corpus=str(seeds_dir), judge="fast", progress=False, report=True)
    out = StancePipeline(cfg).fit_transform().save(tmp_path / "seeds", report=True)
    claims = pd.read_csv(out / "claims.csv", dtype=str, keep_default_na=False)
    missing = _missing_quotes(out / "stance_report.pdf", list(claims["text"]))
    assert all(v == [] for v in missing.values()), {k: v[:3] for k, v in missing.items()}


def _html(run: Path) -> str:
    from stance.report.data import load_run
    from stance.report.render import context, render_html
    return render_html(context(load_run(run), {"heatmap": None, "network": None,
                                               "timeline": None}, {}))


def test_summary_states_the_evidence_behind_each_position(tmp_path):
    from stance.report.data import load_run
    from stance.report.render import topic_views, tentative
    views = {t["topic_id"]: t for t in topic_views(load_run(make_run(tmp_path / "r")))}
    t1 = {p["speaker"]: p for p in views["T1"]["positions"]}
    psaki = t1["Jen Psaki"]          # one affirm statement, sure: asserted
    assert (psaki["stance"], psaki["n"], psaki["claim_id"]) == ("affirm", 1, "c000")
    assert psaki["conf"] == pytest.approx(0.95 * (0.35 + 0.6 * 0.82), abs=1e-3)
    assert not psaki["tentative"]
    biden = t1["Joe Biden"]          # one affirm statement the judge is unsure of: tentative
    assert biden["n"] == 1 and biden["conf"] < 0.7 and biden["tentative"]
    assert "Emmanuel Macron" not in t1          # neutral only: no position stated
    assert tentative(1, 0.69) and not tentative(1, 0.71) and tentative(3, 0.45)
    assert tentative(1, float("nan")) and not tentative(2, float("nan"))
    html = _html(tmp_path / "r")
    summary = html[html.index("Executive summary"):html.index("Actor × topic stance")]
    assert "c000" in summary and "1 of 1" in summary and "tentative" in summary
    assert f"{psaki['conf']:.2f}" in summary


def test_topic_sections_list_statements_by_actor_then_contrasts(tmp_path):
    html = _html(make_run(tmp_path / "r"))
    labels = [t[1] for t in TOPICS]
    start = html.index(f">{labels[0]}</h2>")
    section = html[start:html.index(f">{labels[1]}</h2>")]
    by_actor = section[section.index("Statements by actor"):section.index("Strongest contrasts")]
    for doc, spk, _, tid, st, _, text in CLAIMS:
        if tid == "T1":
            assert text.replace('"', "&#34;") in by_actor or text in by_actor
    order = [by_actor.index(f'<div class="who">{a}') for a in ("Jen Psaki", "Joe Biden")]
    assert order == sorted(order)                              # grouped, table order
    assert "confidence 0." in by_actor and 'class="badge deny"' in by_actor
    t3 = html[html.index(f">{labels[2]}</h2>"):]
    assert '<div class="who">Unattributed' in t3              # unattributed last
    assert "Notices from this run" in html


def test_rerun_into_a_report_folder_rebuilds_the_report(tmp_path, monkeypatch, capsys):
    """Issue 16 item 4, fast: fake models, the real CLI and run writer."""
    import stance.pipeline as pipeline_mod
    from stance import cli
    from test_engine import ARTICLES, TOPICS as FLOOD, HashEmbedder, KeywordJudge
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k, v in ARTICLES.items():
        (corpus / f"{k}.txt").write_text(v, encoding="utf-8")
    (corpus / "topics.yaml").write_text(FLOOD, encoding="utf-8")
    real = pipeline_mod.StancePipeline
    monkeypatch.setattr(pipeline_mod, "StancePipeline",
                        lambda cfg: real(cfg.update({"cache_dir": str(tmp_path / "cache"),
                                                     "min_cluster_size": 2}),
                                         embedder=HashEmbedder(), judge=KeywordJudge()))
    out = tmp_path / "X"
    assert cli.main(["run", str(corpus), "--out", str(out), "--report", "--no-progress"]) == 0
    first = (out / "stance_report.pdf").stat().st_mtime_ns
    capsys.readouterr()
    assert cli.main(["run", str(corpus), "--out", str(out), "--distance-threshold", "0.5",
                     "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "held a report; it was rebuilt" in err
    assert (out / "stance_report.pdf").stat().st_mtime_ns != first
    assert (out / "stance_report.html").exists() and (out / "figures").is_dir()
    assert json.loads((out / "run.json").read_text())["parameters"]["distance_threshold"] == 0.5
    assert "report" in json.loads((out / "run.json").read_text())["timings"]


@slow
def test_rerun_of_the_seeds_keeps_the_report(tmp_path, seeds_dir):
    """The issue's own commands, on the real seeds."""
    import sys
    out = tmp_path / "X"
    base = [sys.executable, "-m", "stance.cli", "run", str(seeds_dir), "--out", str(out),
            "--judge", "fast", "--no-progress"]
    subprocess.run(base + ["--report"], check=True, capture_output=True, text=True)
    first = (out / "stance_report.pdf").stat().st_mtime_ns
    r = subprocess.run(base + ["--distance-threshold", "0.5"], check=True, capture_output=True,
                       text=True)
    assert "held a report; it was rebuilt" in r.stderr
    assert (out / "stance_report.pdf").stat().st_mtime_ns != first


@pytest.mark.parametrize("argv, want", [
    (["run", "seeds", "--distance-treshold", "0.5"], "did you mean --distance-threshold?"),
    (["run", "seeds", "--no-reprt"], "did you mean --no-report?"),
    (["report", "X", "--pdff"], "stance report: error: unknown option --pdff"),
    (["adapt-stance", "X", "--out", "y", "--strenght", "2"], "did you mean --strength?"),
    (["build-model", "--cache-dri", "x"], "did you mean --cache-dir?"),
    (["reprot", "X"], "did you mean 'report'?"),
])
def test_misspelled_flags_name_the_right_one(argv, want, capsys):
    from stance import cli
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert want in err and "usage:" not in err


def test_model_build_says_what_it_is_doing(capsys):
    from stance.embed.offline import _Steps
    steps = _Steps("building the offline embedding model", 2)
    steps("reading")
    steps("saving")
    steps.done()
    err = capsys.readouterr().err
    assert "building the offline embedding model" in err
    assert "[1/2] reading" in err and "[2/2] saving" in err and "model ready" in err
