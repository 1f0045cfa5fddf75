"""Messy corpora: one bad document never stops a run (issue 17).

Skipped documents, blanked fields and renamed ids are each a row of skipped.csv; ids never reach
outside the output folder; a run killed while embedding resumes from the cache with identical
outputs. Fast: a hash embedder and the fast judge stand in for the models (no model is loaded).
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stance.cli import main
from stance.corpus import documents_from_frame, load_corpus
from stance.corpus.records import csv_rows, safe_doc_id
from stance.errors import InputError

ROOT = Path(__file__).resolve().parents[1]

ART = {
    "a": "Kremlin spokesman Dmitry Peskov said that Russia has no plans to invade Ukraine.\n\n"
         "US President Joe Biden said Russian troops are ready to attack Ukraine at any moment.\n",
    "b": "French President Emmanuel Macron said that tough sanctions will be imposed on Russia.\n",
    "c": "Officials in Geneva said that the talks on the ceasefire would resume next week.\n",
    "d": "The minister said the dam will flood farmland near the river within a year.\n",
    "e": "Farmers said the reservoir has already cut the water they get for their fields.\n",
}


class HashEmbedder:
    """Hashed words and bigrams, 384 dims (the fast judge's feature size); no model."""
    model_id = "test-hash-384"
    dim = 384

    def encode(self, texts, kind="query", batch_size=32, progress=False):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            words = [w.strip(".,\"'").lower() for w in t.split()]
            for w in words + [a + " " + b for a, b in zip(words, words[1:])]:
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0 if (h >> 8) % 2 else -1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def run_cli(monkeypatch, tmp_path, capsys):
    """`stance run` in-process with the hash embedder and the fast judge."""
    import stance.embed
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stance.embed, "load_embedder", lambda cfg: HashEmbedder())

    def run(corpus, out, *extra):
        capsys.readouterr()
        rc = main(["run", str(corpus), "--out", str(out), "--judge", "fast", "--cache-dir",
                   str(tmp_path / "cache"), "--no-progress", *map(str, extra)])
        o, e = capsys.readouterr()
        return rc, o, e
    return run


def write(root: Path, files: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        p = root / name
        p.write_bytes(content) if isinstance(content, bytes) else p.write_text(content, encoding="utf-8")
    return root


def jsonl(*objs) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs)


def skipped(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "skipped.csv", encoding="utf-8-sig", keep_default_na=False,
                       dtype={"line": str})


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- skip and report
def test_bad_documents_are_skipped_and_reported(tmp_path, run_cli):
    corpus = write(tmp_path / "corpus", {
        "a.txt": ART["a"],
        "img.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\xff",
        "junk.txt": bytes([0xC3, 0x28, 0xA0, 0xA1, 0x80, 0x81, 0x90, 0xFF]),
        "blank.md": "  \n\t\n",
        "huge.txt": "word " * 300_000,
        "news.jsonl": jsonl({"doc_id": "n1", "text": ART["b"], "date": "not-a-date",
                             "url": "javascript:alert(1)", "language": "Arabic!!"},
                            {"doc_id": "n2", "title": "no text here"}) + "{broken\n" + "[1, 2]\n",
        "rows.csv": 'doc_id,text,date\nr1,"' + ART["c"].strip() + '",2022-01-05\n'
                    'r2,"Peskov said "no" today",2022-01-06\n'
                    'r3,"' + ART["d"].strip() + '",05/01/2022\n',
        "manifest.csv": "doc_id,outlet,date,url,language\na,Outlet A,2022-13-45,https://a.example/1,xx-invalid-42\n",
    })
    out = tmp_path / "out"
    rc, stdout, err = run_cli(corpus, out, "--max-file-mb", "1")
    assert rc == 0, err
    # 12 documents: 4 analysed (a, n1, r1, r3), 8 skipped (4 files, 4 records).
    sk = skipped(out)
    got = sorted(zip(sk["path"], sk["line"], sk["doc_id"], sk["reason"], sk["action"]))
    assert got == sorted([
        ("blank.md", "", "blank", "empty", "skipped"),
        ("huge.txt", "", "huge", "too_large", "skipped"),
        ("img.txt", "", "img", "binary", "skipped"),
        ("junk.txt", "", "junk", "undecodable", "skipped"),
        ("manifest.csv", "2", "a", "bad_date", "field_blanked"),
        ("manifest.csv", "2", "a", "bad_language", "field_blanked"),
        ("news.jsonl", "1", "n1", "bad_date", "field_blanked"),
        ("news.jsonl", "1", "n1", "bad_url", "field_blanked"),
        ("news.jsonl", "1", "n1", "bad_language", "field_blanked"),
        ("news.jsonl", "2", "n2", "malformed_record", "skipped"),
        ("news.jsonl", "3", "", "malformed_record", "skipped"),
        ("news.jsonl", "4", "", "malformed_record", "skipped"),
        ("rows.csv", "3", "r2", "malformed_record", "skipped"),
    ])
    assert len(sk) == 13
    assert (f"8 of 12 documents skipped (1 binary, 1 undecodable, 1 empty, 1 too_large, "
            f"4 malformed_record), 2 dates blanked, 1 url blanked, 2 languages blanked: see "
            f"{out / 'skipped.csv'}") in err
    assert err.count("skipped.csv") == 1
    detail = sk.set_index(["path", "reason"])["detail"]
    assert detail[("img.txt", "binary")] == ("looks like a binary file (it contains NUL bytes), not "
                                             "text (hint: remove it from the corpus folder or "
                                             "convert it to UTF-8 text)")
    assert "bad date 'not-a-date' for document 'n1'" in detail[("news.jsonl", "bad_date")]
    assert detail[("news.jsonl", "bad_date")].endswith("; date left empty")
    assert "file is 1.5 MB, over the 1 MB limit" in detail[("huge.txt", "too_large")]
    assert "malformed CSV" in detail[("rows.csv", "malformed_record")]

    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    d = docs.set_index("doc_id")
    assert sorted(d.index) == ["a", "n1", "r1", "r3"]
    assert d.loc["a", "outlet"] == "Outlet A" and d.loc["a", "date"] == ""       # blanked
    assert d.loc["a", "url"] == "https://a.example/1" and d.loc["a", "language"] == "en"  # guessed
    assert (d.loc["n1", "date"], d.loc["n1", "url"], d.loc["n1", "language"]) == ("", "", "en")
    assert d.loc["r3", "date"] == "2022-01-05"
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["skipped"]["documents_skipped"] == 8 and run["counts"]["documents_skipped"] == 8
    assert run["skipped"]["by_reason"]["malformed_record"] == 4
    assert run["skipped"]["by_action"] == {"field_blanked": 5, "skipped": 8}

    # --strict: the first problem stops the run, with its file and hint; nothing is written.
    rc, _, err = run_cli(corpus, tmp_path / "strict-out", "--max-file-mb", "1", "--strict")
    assert rc == 2 and err.startswith("stance: error: ") and "hint:" in err
    assert f"{corpus / 'manifest.csv'}:2: bad date '2022-13-45'" in err
    assert not (tmp_path / "strict-out").exists()


def test_clean_corpus_has_no_skipped_csv(tmp_path, run_cli):
    corpus = write(tmp_path / "corpus", {"a.txt": ART["a"], "b.txt": ART["b"]})
    rc, _, err = run_cli(corpus, tmp_path / "out")
    assert rc == 0, err
    assert not (tmp_path / "out" / "skipped.csv").exists()
    assert "skipped" not in err
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run["skipped"] == {"rows": 0, "documents_skipped": 0, "by_reason": {}, "by_action": {}}


# --------------------------------------------------------------------------- ids
UNSAFE = ["../../escaped", "/etc/passwd", "a/b\\c", "\u202etxt.exe", "x\u2066y\u2069",
          "bell\x07", "ansi\x1b[31m", "..", "C:\\Windows\\system32", "tab\there", "line\u2028sep"]


def test_unsafe_ids_are_renamed_and_nothing_escapes_the_output_folder(tmp_path, run_cli):
    victim = tmp_path / "victim"
    ids = UNSAFE + [str(victim / "planted")]
    texts = [f"Official number {i} said that the talks on item {i} had failed again today."
             for i in range(len(ids))]
    corpus = write(tmp_path / "work" / "corpus", {
        "feed.jsonl": jsonl(*({"doc_id": d, "text": t, "title": d} for d, t in zip(ids, texts))),
        "\u202eevil.txt": ART["e"],
    })
    out = tmp_path / "work" / "runs" / "out"
    before = tree(tmp_path)
    rc, _, err = run_cli(corpus, out)
    assert rc == 0, err
    after = tree(tmp_path)
    new = [p for p in after if p not in before]
    assert new and all(p.startswith(("work/runs/out/", "cache/")) for p in new), new
    assert {p: h for p, h in after.items() if p in before} == before       # nothing changed
    assert not victim.exists()
    assert [p.name for p in (tmp_path / "work" / "runs").iterdir()] == ["out"]

    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    assert len(docs) == len(ids) + 1 and docs["doc_id"].is_unique
    assert all(safe_doc_id(d) == d and "/" not in d and "\\" not in d for d in docs["doc_id"])
    assert {"_txt.exe", ".._.._escaped", "_etc_passwd", "a_b_c", "__", "_evil"} <= set(docs["doc_id"])
    sk = skipped(out)
    assert set(sk["reason"]) == {"unsafe_id"} and set(sk["action"]) == {"renamed"}
    assert len(sk) == len(ids) + 1
    # The report never carries raw control or bidi characters.
    raw = (out / "skipped.csv").read_text(encoding="utf-8-sig")
    assert not any(c in raw for c in "\x07\x1b\u202e\u2066\u2069\u2028")
    assert "\\u202etxt.exe" in raw and "renamed to '_txt.exe'" in raw
    claims = pd.read_csv(out / "claims.csv", encoding="utf-8-sig", keep_default_na=False)
    assert all(c.rsplit(":", 1)[0] in set(docs["doc_id"]) for c in claims["claim_id"])


def test_duplicate_ids_get_distinct_stable_ids(tmp_path):
    corpus = write(tmp_path / "c", {
        "dup.txt": ART["a"],
        "feed.jsonl": jsonl({"doc_id": "dup", "text": ART["b"]}, {"doc_id": "x", "text": ART["c"]},
                            {"doc_id": "x", "text": ART["d"]}),
        "rows.csv": "doc_id,text\nx," + ART["e"].strip() + "\n",
        "manifest.csv": "doc_id,outlet\ndup,Outlet D\nx,Outlet X\n",
    })
    docs, rep = load_corpus(corpus)
    h = {k: hashlib.sha256(v.encode()).hexdigest()[:8] for k, v in ART.items()}
    h_csv = hashlib.sha256(ART["e"].strip().encode()).hexdigest()[:8]     # the csv cell's text
    assert list(docs["doc_id"]) == ["dup", f"dup~{h['b']}", "x", f"x~{h['d']}", f"x~{h_csv}"]
    d = docs.set_index("doc_id")
    assert d.loc["dup", "outlet"] == "Outlet D" and d.loc[f"dup~{h['b']}", "outlet"] == ""
    assert d.loc["x", "outlet"] == "Outlet X"
    rows = [(r["path"], r["line"], r["reason"], r["action"]) for r in rep.skipped]
    assert rows == [("feed.jsonl", 1, "duplicate_id", "renamed"), ("feed.jsonl", 3, "duplicate_id", "renamed"),
                    ("rows.csv", 2, "duplicate_id", "renamed")]
    assert "duplicate doc_id 'dup' (also in dup.txt)" in rep.skipped[0]["detail"]
    assert f"renamed to 'dup~{h['b']}'" in rep.skipped[0]["detail"]
    # Stable: the same input gives the same ids; adding a document elsewhere changes none of them.
    again, _ = load_corpus(corpus)
    assert list(again["doc_id"]) == list(docs["doc_id"])
    write(corpus, {"0-first.txt": "A new article said that the river rose again overnight.\n"})
    more, _ = load_corpus(corpus)
    assert set(docs["doc_id"]) <= set(more["doc_id"])
    # Same id and same text twice (dedupe off): still distinct ids.
    c2 = write(tmp_path / "c2", {"f.jsonl": jsonl({"doc_id": "s", "text": ART["a"]},
                                                 {"doc_id": "s", "text": ART["a"]},
                                                 {"doc_id": "s", "text": ART["a"]})})
    docs2, _ = load_corpus(c2, dedupe=False)
    assert list(docs2["doc_id"]) == ["s", f"s~{h['a']}", f"s~{h['a']}-2"]
    with pytest.raises(InputError, match=r"f.jsonl:2: duplicate doc_id 's' \(also in f.jsonl:1\)"):
        load_corpus(c2, dedupe=False, strict=True)


def test_safe_doc_id():
    assert safe_doc_id("aljazeera-00012") == "aljazeera-00012"
    assert safe_doc_id("بيان_الخارجية 2022") == "بيان_الخارجية 2022"
    assert safe_doc_id("../../x") == ".._.._x"
    assert safe_doc_id("..") == "__" and safe_doc_id(".") == "_"
    assert safe_doc_id("/etc/passwd") == "_etc_passwd"
    assert safe_doc_id("\u202eabc\u200f") == "_abc_"
    long = "x" * 500
    assert len(safe_doc_id(long)) == 109 and safe_doc_id(long) == safe_doc_id(long)
    for d in UNSAFE:
        s = safe_doc_id(d)
        assert s != d and safe_doc_id(s) == s and "/" not in s and "\\" not in s


# --------------------------------------------------------------------------- record readers
def test_jsonl_splits_on_newline_only(tmp_path):
    text = "Peskov said that\u2028talks go on\x85and on\u2029today\x1c.\r\n"
    corpus = write(tmp_path / "c", {"n.jsonl": "\ufeff" + jsonl({"doc_id": "a", "text": text})
                                    .replace("\n", "\r\n") + "\r\n\r\n" + jsonl({"text": ART["b"]})})
    docs, rep = load_corpus(corpus)
    assert list(docs["doc_id"]) == ["a", "n-00004"] and not rep.skipped
    assert docs.loc[0, "text"] == text


def test_csv_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path):
    body = ('doc_id,text,date\n'
            'a,"' + ART["b"].strip() + '",2022-01-01\n'
            'b,"an unclosed quote, 2022-01-02\n'
            'c,"' + ART["c"].strip() + '",2022-01-03\n'
            'd,"' + ART["d"].strip() + '",2022-01-04\n'
            'e,"multi\nline ""quoted"" text",2022-01-05\n'
            'f,too,many,fields\n'
            'g,"' + ART["e"].strip() + '",2022-01-07\n')
    corpus = write(tmp_path / "c", {"rows.csv": body})
    docs, rep = load_corpus(corpus)
    assert list(docs["doc_id"]) == ["a", "c", "d", "e", "g"]
    assert docs.set_index("doc_id").loc["e", "text"] == 'multi\nline "quoted" text'
    assert [(r["line"], r["doc_id"], r["reason"]) for r in rep.skipped] == \
        [(3, "b", "malformed_record"), (8, "f", "malformed_record")]
    assert "row has 4 fields, the header has 3" in rep.skipped[1]["detail"]
    # Record numbers (derived ids, `source`) count the broken rows; lines are physical lines.
    assert list(docs["source"]) == ["rows.csv:2", "rows.csv:4", "rows.csv:5", "rows.csv:6", "rows.csv:8"]


def test_csv_broken_multiline_record_is_one_skipped_span():
    text = ('doc_id,text\n'
            'a,"first line\n'
            'second" line, with a stray quote\n'
            'b,fine\n')
    rows = csv_rows(text)
    assert [(s, e, r) for s, e, r, _ in rows] == [(1, 1, ["doc_id", "text"]), (2, 3, None),
                                                 (4, 4, ["b", "fine"])]
    # A broken header, and broken records after it: read, never a crash.
    rows = csv_rows('a,"b\nc" d,e\n"x\ny" z\nq,r\n')
    assert [(s, e, r) for s, e, r, _ in rows] == [(1, 2, None), (3, 4, None), (5, 5, ["q", "r"])]


def test_dataframe_rows_are_skipped_and_renamed():
    frame = pd.DataFrame({"doc_id": ["a", "a", "b", None], "text": [ART["a"], ART["b"], None, "  "],
                          "date": ["2022-01-01", "yesterday", "", ""]})
    docs, rep = documents_from_frame(frame)
    assert list(docs["doc_id"]) == ["a", f"a~{hashlib.sha256(ART['b'].encode()).hexdigest()[:8]}"]
    assert [(r["line"], r["reason"]) for r in rep.skipped] == [
        (2, "bad_date"), (2, "duplicate_id"), (3, "malformed_record"), (4, "empty")]
    with pytest.raises(InputError, match="no document could be read"):
        documents_from_frame(frame.iloc[2:])


def test_summary_line():
    from stance.corpus import LoadReport
    rep = LoadReport(skipped=[{"reason": r, "action": a} for r, a in [
        ("binary", "skipped"), ("empty", "skipped"), ("empty", "skipped"), ("bad_date", "field_blanked"),
        ("bad_url", "field_blanked"), ("unsafe_id", "renamed")]])
    assert rep.summary_line(1997) == ("3 of 2,000 documents skipped (1 binary, 2 empty), 1 date "
                                      "blanked, 1 url blanked, 1 id renamed")
    rep.skipped = rep.skipped[3:]
    assert rep.summary_line(5) == "all 5 documents read, 1 date blanked, 1 url blanked, 1 id renamed"
    assert LoadReport().summary_line(5) == ""


# --------------------------------------------------------------------------- the generated corpus
SOURCE = ROOT.parent / "shared" / "data" / "unifiedfc" / "articles_folds1-4.jsonl.gz"


@pytest.mark.skipif(not SOURCE.exists(), reason="the UnifiedFC articles are not here")
def test_generated_messy_corpus_matches_its_ledger(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_messy import check_load
        from make_messy_corpus import make_corpus
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    corpus = tmp_path / "messy"
    ledger = make_corpus(corpus, n_docs=300, defect_rate=0.2, seed=7, max_file_mb=0.5)
    docs, rep = load_corpus(corpus, max_file_mb=0.5)
    res = check_load(ledger, docs, rep.skipped_table())
    assert not res["missing"] and not res["unexpected"] and not res["wrong_action"], res
    assert res["good_missing"] == [] and res["not_good_analysed"] == []


# --------------------------------------------------------------------------- resume
RUNNER = r'''
import os, sys, time
import stance.embed
from stance.embed import EmbeddingCache
from test_messy import HashEmbedder

EmbeddingCache.chunk_size = 16          # a shard every 16 texts: a kill loses little
slow = float(os.environ.get("SLOW", "0"))
log = os.environ["EMBED_LOG"]


class SlowHashEmbedder(HashEmbedder):
    def encode(self, texts, kind="query", batch_size=32, progress=False):
        time.sleep(slow * len(texts))
        with open(log, "a") as f:
            f.write(f"{len(texts)}\n")
        return super().encode(texts, kind, batch_size, progress)


stance.embed.load_embedder = lambda cfg: SlowHashEmbedder()
from stance.cli import main
sys.exit(main(["run", sys.argv[1], "--out", sys.argv[2], "--cache-dir", sys.argv[3],
               "--judge", "fast", "--no-progress"]))
'''


def _runner(tmp_path: Path, corpus: Path, out: Path, cache: Path, slow: float, log: Path):
    script = tmp_path / "runner.py"
    script.write_text(RUNNER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
               HF_HUB_OFFLINE="1", SLOW=str(slow),
               EMBED_LOG=str(log))
    return subprocess.Popen([sys.executable, str(script), str(corpus), str(out), str(cache)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _embedded(log: Path) -> int:
    return sum(int(x) for x in log.read_text().split()) if log.exists() else 0


def test_killed_run_resumes_from_the_cache_with_identical_outputs(tmp_path):
    corpus = write(tmp_path / "corpus", {
        f"n{k:02d}.txt": "\n\n".join(f"Officials in city number {k * 10 + i} said that talks on item "
                                     f"{i} of plan {k} had failed again today." for i in range(10))
        for k in range(16)})
    # Reference: one uninterrupted run.
    ref = _runner(tmp_path, corpus, tmp_path / "ref", tmp_path / "cache-ref", 0, tmp_path / "ref.log")
    so, se = ref.communicate(timeout=300)
    assert ref.returncode == 0, se
    total = _embedded(tmp_path / "ref.log")
    assert total >= 160 and "reused" not in so

    # Killed (SIGKILL) while embedding, once a few chunks are in the cache.
    cache, log = tmp_path / "cache", tmp_path / "run.log"
    proc = _runner(tmp_path, corpus, tmp_path / "out", cache, 0.01, log)
    deadline = time.monotonic() + 240
    while _embedded(log) < 48 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert alive, "the run ended before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "out").exists()
    shards = list((cache / "embeddings").rglob("shard-*.npz"))
    done = _embedded(log)
    assert shards and done < total

    # Started again: only what is not cached is embedded, and the run says how much it reused.
    log2 = tmp_path / "rerun.log"
    again = _runner(tmp_path, corpus, tmp_path / "out", cache, 0, log2)
    so, se = again.communicate(timeout=300)
    assert again.returncode == 0, se
    redone = _embedded(log2)
    reused = total - redone
    assert 16 * len(shards) == reused and 0 < reused < total
    assert f"reused {reused:,} of {total:,} embeddings from the cache" in so
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run["embedding_cache"]["n_hit"] == reused and run["embedding_cache"]["n_miss"] == redone

    # The outputs equal the uninterrupted run's.
    a, b = tree(tmp_path / "ref"), tree(tmp_path / "out")
    a.pop("run.json"), b.pop("run.json")
    assert a == b
