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
            "outlet": docs[doc][2]})
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
        "stance_tagger": {"name": "nli-ar-small", "ans_dev_macro_f1": 0.61,
                          "majority_macro_f1": 0.27},
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


def _norm(s: str) -> str:
    """NFKC (presentation forms → letters), then drop diacritics, tatweel, bidi marks, spaces."""
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"[\u064B-\u065F\u0670\u0640\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", s)
    return re.sub(r"\s+", "", s)


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
    assert "e5-small-offline" in text and "0.61" in text  # model and tagger accuracy
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
