import codecs
import json

import pytest

from stance.corpus import decode_bytes, guess_language, html_to_text, load_corpus
from stance.errors import InputError

AR = "قال المتحدث باسم الكرملين إن روسيا لا تنوي مهاجمة أوكرانيا."
EN = "The minister said the talks would continue next week."


def test_seeds_load_with_manifest(seed_docs):
    assert len(seed_docs) == 5
    row = seed_docs.set_index("doc_id").loc["001_99d6a1084786c1d6"]
    assert row.outlet == "Al Mayadeen" and row.date == "2022-02-18" and row.language == "ar"
    assert row.title.startswith("بلينكن يلتقي لافروف")
    assert (seed_docs["sha256"].str.len() == 64).all()


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""), ("cp1256", b""),
])
def test_encodings(tmp_path, encoding, bom):
    p = tmp_path / "a.txt"
    p.write_bytes(bom + AR.encode(encoding))
    text, used = decode_bytes(p.read_bytes(), p)
    assert text == AR


def test_undecodable_bytes_name_the_file(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(bytes(range(0x80, 0x100)) * 3)
    with pytest.raises(InputError, match="bad.txt.*cannot decode"):
        decode_bytes(p.read_bytes(), p)


def test_binary_file(tmp_path):
    p = tmp_path / "img.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    with pytest.raises(InputError, match="binary"):
        decode_bytes(p.read_bytes(), p)


def test_formats(tmp_path):
    (tmp_path / "a.txt").write_text(AR, encoding="utf-8")
    (tmp_path / "b.md").write_text("# Title\n\n" + EN, encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><head><title>T</title><style>p{}</style><script>alert(1)</script></head>"
        "<body><h1>Headline here</h1><p>" + EN.replace("talks", "peace talks") +
        "</p><img src='http://example.com/x.png'></body></html>", encoding="utf-8")
    with open(tmp_path / "d.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"doc_id": "j1", "text": "Le ministre a dit que les négociations continuent.",
                            "outlet": "Le Monde", "date": "2022-03-01"}) + "\n")
        f.write(json.dumps({"content": "Министр сказал, что переговоры продолжатся."}) + "\n")
    (tmp_path / "e.csv").write_text('doc_id,text,date\ncsv1,"Officials said, again, that aid continues.",2022-01-05\n',
                                    encoding="utf-8")
    docs, rep = load_corpus(tmp_path)
    d = docs.set_index("doc_id")
    assert set(d.index) == {"a", "b", "c", "j1", "d-00002", "csv1"}
    assert d.loc["c", "title"] == "Headline here"
    assert "alert" not in d.loc["c", "text"] and "p{}" not in d.loc["c", "text"]
    assert d.loc["j1", "outlet"] == "Le Monde" and d.loc["j1", "language"] == "fr"
    assert d.loc["d-00002", "language"] == "ru"
    assert d.loc["a", "language"] == "ar" and d.loc["csv1", "date"] == "2022-01-05"


def test_manifest_errors(tmp_path):
    (tmp_path / "a.txt").write_text(AR, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("doc_id,outlet,date\na,X,2022-13-45\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest.csv:2.*bad date"):
        load_corpus(tmp_path, strict=True)
    docs, rep = load_corpus(tmp_path)             # a bad value: blanked and reported
    assert docs.loc[0, "outlet"] == "X" and docs.loc[0, "date"] == ""
    assert [(r["path"], r["line"], r["reason"], r["action"]) for r in rep.skipped] == \
        [("manifest.csv", 2, "bad_date", "field_blanked")]
    (tmp_path / "manifest.csv").write_text("doc_id,outlet,date\nzzz,X,2022-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest.csv:2.*'zzz'"):
        load_corpus(tmp_path)


def test_duplicates_are_skipped_with_notice(tmp_path):
    (tmp_path / "a.txt").write_text(AR, encoding="utf-8")
    (tmp_path / "b.txt").write_text(AR, encoding="utf-8")
    docs, rep = load_corpus(tmp_path)
    assert list(docs.doc_id) == ["a"] and rep.duplicates[0]["same_as"] == "a"
    assert [(r["path"], r["reason"], r["action"]) for r in rep.skipped] == \
        [("b.txt", "duplicate_text", "skipped")]
    docs, rep = load_corpus(tmp_path, strict=True)   # a copy is never an error
    assert list(docs.doc_id) == ["a"]


def test_empty_and_missing(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "a.txt").write_text("  \n\t ", encoding="utf-8")
    with pytest.raises(InputError, match="a.txt.*empty"):
        load_corpus(tmp_path)                       # no document left: an error
    with pytest.raises(InputError, match="a.txt: empty"):
        load_corpus(tmp_path, strict=True)


def test_html_text_is_inert():
    text, title = html_to_text("<p>a &lt;b&gt; c</p><script>x()</script>")
    assert text == "a <b> c" and title == ""


def test_guess_language():
    assert guess_language(AR) == "ar"
    assert guess_language(EN) == "en"
