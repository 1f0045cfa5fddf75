"""Property-based tests for the record readers (.jsonl, .csv): whatever the records hold (random
Unicode, quotes, separators, U+2028/U+0085, BOMs, CRLF, lone surrogates, ids that are paths or
collide, bad dates), loading never crashes, and every record ends as exactly one of: a document
whose text is the record's text exactly, or a skipped.csv row at the record's line with the right
reason. Random bytes under any supported name are a document, a skipped file, or (when nothing
at all can be read) the one InputError that says so.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.corpus import load_corpus
from stance.corpus.load import REASONS, _blank
from stance.corpus.records import ISO_639_1, safe_doc_id
from stance.errors import InputError

# More examples for a deeper search: STANCE_HYPOTHESIS_EXAMPLES=2000 pytest tests/test_messy_properties.py
SETTINGS = settings(max_examples=int(os.environ.get("STANCE_HYPOTHESIS_EXAMPLES", "120")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PIECES = ['"', "'", ",", ";", "\t", "\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x1c", "\x1e",
          "\ufeff", "\u200f", "\u202e", "\\", "{", "}", "[", "]", ":", "\"\"", " ", "قال", "Песков",
          "said", "😀", "\u00a0", "\x0b", "\x0c", "null", "text", "doc_id"]
text_st = st.one_of(st.text(max_size=60),
                    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=25)
                    .map("".join))
id_st = st.one_of(st.none(), st.sampled_from(["a", "a", "b", "../../x", "/etc/passwd", "a/b", "..",
                                               "x\u202e", "bell\x07", "a~1", " a "]),
                  st.text(max_size=12))
date_st = st.one_of(st.sampled_from(["", "2022-02-03", "2022-02-03T10:00:00Z", "03/02/2022",
                                     "not-a-date", "2022-13-45", "yesterday"]), st.text(max_size=10))
url_st = st.one_of(st.sampled_from(["", "https://a.example/x", "http://b.example", "javascript:x",
                                    "http://exa mple.com", "not a url"]), st.text(max_size=10))
lang_st = st.one_of(st.sampled_from(["", "ar", "EN", "fr-CA", "pt_BR", "xx-invalid-42", "Arabic!!",
                                     "und", "12"]), st.text(max_size=5))
record_st = st.fixed_dictionaries({"doc_id": id_st, "text": text_st, "date": date_st, "url": url_st,
                                   "language": lang_st, "title": st.one_of(st.none(), text_st)})


def _check_documents(docs, rep):
    assert docs["doc_id"].is_unique
    assert all(safe_doc_id(d) == d for d in docs["doc_id"])
    assert all(d == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in docs["date"])
    assert all(u == "" or u.startswith(("http://", "https://", "HTTP", "Http", "hTTP")) or
               u.lower().startswith(("http://", "https://")) for u in docs["url"])
    assert all(lang in ISO_639_1 or lang == "und" for lang in docs["language"])
    for r in rep.skipped:
        assert r["action"] == REASONS[r["reason"]]
        assert not any(c in r["doc_id"] + r["detail"] + r["path"] for c in "\x07\x1b\u202e\u2028")


def _load(files: dict[str, bytes], **kw):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for name, data in files.items():
            (root / name).write_bytes(data)
        return load_corpus(root, **kw)


def _expect(records, lines):
    """What each record must become: ("doc", text) or ("skip", reason), by its start line."""
    out, kept = {}, set()
    for rec, line in zip(records, lines):
        t = rec["text"]
        if not isinstance(t, str):
            out[line] = ("skip", "malformed_record")
        elif re.search("[\ud800-\udfff]", t):
            out[line] = ("skip", "malformed_record")
        elif _blank(t):
            out[line] = ("skip", "empty")
        elif t in kept:
            out[line] = ("skip", "duplicate_text")
        else:
            kept.add(t)
            out[line] = ("doc", t)
    return out


def _load_and_verify(name: str, data: bytes, expected: dict, source_of: dict) -> None:
    """Load a corpus of one file; each record must become what `expected` says, by its line."""
    try:
        docs, rep = _load({name: data})
    except InputError as e:
        assert "no document could be read" in str(e)
        assert all(k == "skip" for k, _ in expected.values())
        return
    _check_documents(docs, rep)
    texts = dict(zip(docs["source"], docs["text"]))
    skipped = {(r["line"], r["reason"]) for r in rep.skipped if r["path"] == name and r["action"] == "skipped"}
    assert len(skipped) == sum(1 for k, _ in expected.values() if k == "skip")
    for line, (kind, what) in expected.items():
        if kind == "doc":
            assert texts.get(source_of[line]) == what, (line, what)
        else:
            assert (line, what) in skipped, (line, what, rep.skipped)
    assert len(docs) == sum(1 for k, _ in expected.values() if k == "doc")


@SETTINGS
@given(records=st.lists(record_st, min_size=1, max_size=6), bom=st.booleans(), crlf=st.booleans(),
       ascii_=st.booleans(), blank_after=st.integers(0, 6),
       weird=st.lists(st.sampled_from([None, 12345, ["a"], {"x": 1}, True]), max_size=6))
def test_jsonl_reader(records, bom, crlf, ascii_, blank_after, weird):
    records = [dict(r) for r in records]
    for r, w in zip(records, weird):           # some records whose text is not a string
        if w is not None and w is not True:
            r["text"] = w
    if not ascii_:                              # a lone surrogate cannot be written as UTF-8
        for r in records:
            if isinstance(r["text"], str):
                r["text"] = re.sub("[\ud800-\udfff]", "?", r["text"])
    eol = "\r\n" if crlf else "\n"
    lines, body = [], []
    for i, r in enumerate(records):
        if i == blank_after and i:
            body.append("")
        obj = {k: v for k, v in r.items() if v is not None}
        body.append(json.dumps(obj, ensure_ascii=ascii_))
        lines.append(len(body))
    data = (codecs.BOM_UTF8 if bom else b"") + (eol.join(body) + eol).encode("utf-8")
    _load_and_verify("feed.jsonl", data, _expect(records, lines),
                     {ln: f"feed.jsonl:{ln}" for ln in lines})


@SETTINGS
@given(records=st.lists(record_st, min_size=1, max_size=6), bom=st.booleans(), crlf=st.booleans(),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
def test_csv_reader(records, bom, crlf, quoting):
    records = [dict(r) for r in records]
    for r in records:                           # CSV cells are text; no NUL, no lone surrogates
        r["text"] = re.sub("[\ud800-\udfff\x00]", "?", r["text"])
        for k in ("doc_id", "date", "url", "language", "title"):
            if r[k] is not None:
                r[k] = re.sub("[\ud800-\udfff\x00]", "?", r[k])
    eol = "\r\n" if crlf else "\n"
    cols = ["doc_id", "title", "text", "date", "url", "language"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=eol, quoting=quoting)
    # With "\n" as line terminator Python's writer leaves a bare CR unquoted (not CSV by RFC
    # 4180; its own reader rejects it): quote such rows.
    w_all = csv.writer(buf, lineterminator=eol, quoting=csv.QUOTE_ALL)
    w.writerow(cols)
    lines, numbers, phys = [], {}, 2
    for i, r in enumerate(records):
        start = len(buf.getvalue())
        row = ["" if r[c] is None else r[c] for c in cols]
        (w_all if any("\r" in v for v in row) else w).writerow(row)
        lines.append(phys)
        numbers[phys] = f"rows.csv:{i + 2}"
        phys += buf.getvalue()[start:].count("\n")
    data = (codecs.BOM_UTF8 if bom else b"") + buf.getvalue().encode("utf-8")
    _load_and_verify("rows.csv", data, _expect(records, lines), numbers)


garbage = st.one_of(st.binary(max_size=300),
                    st.lists(st.sampled_from(PIECES + ['{"text": "', '"}', '{"doc_id": 1, "text": "x"}',
                                                       "doc_id,text", '"a","b"']), max_size=40)
                    .map(lambda xs: "".join(xs).encode("utf-8")),
                    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
                    st.text(max_size=100).map(lambda s: s.encode("utf-16", "surrogatepass")))


@SETTINGS
@given(data=garbage, ext=st.sampled_from([".jsonl", ".csv", ".txt", ".html", ".md"]))
def test_any_bytes_never_crash(data, ext):
    files = {"good.txt": "Peskov said that the talks would go on next week.".encode(), "x" + ext: data}
    docs, rep = _load(files)
    assert "good" in set(docs["doc_id"])
    _check_documents(docs, rep)
    assert all(r["path"] == "x" + ext for r in rep.skipped)
    try:
        _load({"x" + ext: data})
    except InputError as e:
        assert "no document could be read" in str(e)
