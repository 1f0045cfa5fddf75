"""Read a corpus folder into the `documents` table.

documents columns
-----------------
doc_id      stable id: file stem, or `<file stem>-<row>` for .jsonl/.csv rows without an id
title       headline (manifest, HTML <title>/<h1>, a `title` field, or a short first line)
outlet      from the manifest or the record ("" when unknown)
date        ISO YYYY-MM-DD ("" when unknown)
language    ISO 639-1 code from the manifest, else guessed from the script/stop words
url         from the manifest or the record
text        the document text exactly as decoded (statement offsets index into this string)
sha256      hash of `text`
source      the file (and row) it came from
encoding    the encoding it was decoded with
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..io import sha256_text

SUPPORTED = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")
# The analyst's own files may sit in the corpus folder; they are never read as articles.
ANALYST_FILES = ("annotations.csv", "annotations_report.csv", "actors.yaml", "topics.yaml", "stance.toml")
MANIFEST_COLUMNS = ("doc_id", "outlet", "date", "url", "language", "title")
TEXT_FIELDS = ("text", "content", "body", "article", "full_text")
DOCUMENT_COLUMNS = ["doc_id", "title", "outlet", "date", "language", "url", "text", "sha256",
                    "source", "encoding"]


@dataclass
class LoadReport:
    """What happened while loading, for run.json and the CLI (nothing is silently dropped)."""
    files: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- decoding
def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode UTF-8 (BOM or not), UTF-16 (BOM, or BOM-less with NUL pattern), or windows-1256."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, "utf-16", path), "utf-16"
    if b"\x00" in data:
        # BOM-less UTF-16: NULs sit on every other byte for Latin text; Arabic (U+06xx) has
        # 0x06 there instead, so look at the share of one parity that is 0x00 or 0x06.
        even, odd = data[0::2], data[1::2]
        for enc, half in (("utf-16-le", odd), ("utf-16-be", even)):
            if len(data) % 2 == 0 and half and sum(b in (0, 6) for b in half) / len(half) > 0.6:
                try:
                    return data.decode(enc), enc
                except UnicodeDecodeError:
                    pass
        raise InputError("looks like a binary file (it contains NUL bytes), not text",
                         path=path, hint="remove it from the corpus folder or convert it to UTF-8 text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    text = data.decode("cp1256", errors="replace")
    if "\ufffd" not in text and _plausible_arabic_codepage(text):
        return text, "windows-1256"
    raise InputError(
        f"cannot decode: not UTF-8 (bad byte at offset {utf8_error.start}), UTF-16 or windows-1256",
        path=path, hint="re-save the file as UTF-8")


def _strict(data: bytes, enc: str, path: Path) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        raise InputError(f"declares {enc} by its byte-order mark but byte {e.start} is invalid",
                         path=path, hint="re-save the file as UTF-8") from None


def _plausible_arabic_codepage(text: str) -> bool:
    # windows-1256 maps nearly every byte to something, so accept it only when the result reads
    # as Arabic/ASCII text rather than a soup of accented letters and symbols.
    if not text:
        return False
    arabic = sum("\u0600" <= c <= "\u06ff" for c in text)
    ascii_ = sum(c.isascii() for c in text)
    return arabic > 0 and (arabic + ascii_) / len(text) > 0.9


# --------------------------------------------------------------------------- HTML
class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "iframe", "svg", "head", "object", "embed"}
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
             "section", "article", "header", "footer", "blockquote", "figure", "figcaption",
             "table", "hr", "pre", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self._skip = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self._in_h1 = True
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "h1":
            self._in_h1 = False
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        if self._in_h1:
            self.h1_parts.append(data)
        self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str]:
    """Visible text of an HTML page (scripts, styles and media dropped) and its title."""
    p = _TextExtractor()
    p.feed(markup)
    p.close()
    raw = "".join(p.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(p.h1_parts).split()) or " ".join("".join(p.title_parts).split())
    return text, html.unescape(title)


# --------------------------------------------------------------------------- language
_SCRIPT_LANG = (("ar", re.compile("[\u0600-\u06ff]")), ("ru", re.compile("[\u0400-\u04ff]")),
                ("he", re.compile("[\u0590-\u05ff]")), ("zh", re.compile("[\u4e00-\u9fff]")))
def _latin_hints() -> dict[str, frozenset]:
    from ..textnorm import STOPWORDS_EN, STOPWORDS_FR
    return {
        "en": STOPWORDS_EN,
        "fr": STOPWORDS_FR,
        "de": frozenset("der die und das ist nicht mit den dem des ein eine wird werden auf für von".split()),
        "es": frozenset("el los las y que del una por para con no se será son está".split()),
    }


_LATIN_HINTS = _latin_hints()


def guess_language(text: str) -> str:
    sample = text[:5000]
    counts = {lang: len(rx.findall(sample)) for lang, rx in _SCRIPT_LANG}
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    letters = sum(c.isalpha() for c in sample) or 1
    if n / letters > 0.3:
        return lang
    words = re.findall(r"[a-zà-ÿ']+", sample.lower())
    # Words shared by several languages ("a", "on", "est") count for each; the most hits wins.
    scores = {k: sum(w in v for w in words) for k, v in _LATIN_HINTS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] else "und"


# --------------------------------------------------------------------------- manifest
def parse_date(value: str, where: str, path: Path, line: int | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        raise InputError(f"bad date {value!r} for {where}", path=path, line=line,
                         hint="use ISO dates, YYYY-MM-DD") from None


def _csv_dict_rows(text: str, path: Path):
    """Header and (row number, row) pairs of a CSV text (the header is row 1, as before).

    A malformed CSV raises InputError naming the physical line the parser stopped on.
    """
    # An article in one cell can exceed the csv module's default 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
        rows = list(reader)
    except csv.Error as e:
        raise InputError(f"malformed CSV: {e}", path=path, line=reader.line_num or None,
                         hint="check the quoting on that line; save it as UTF-8 CSV") from None
    return fieldnames, list(enumerate(rows, start=2))


def read_manifest(path: Path) -> dict[str, dict]:
    try:
        raw, _ = decode_bytes(path.read_bytes(), path)
    except OSError as e:
        raise InputError(f"cannot read manifest ({e.strerror})", path=path) from None
    fieldnames, rows = _csv_dict_rows(raw.lstrip("\ufeff"), path)
    if rows and "doc_id" not in (fieldnames or []):
        raise InputError("manifest has no doc_id column", path=path, line=1,
                         hint="columns: " + ", ".join(MANIFEST_COLUMNS))
    out: dict[str, dict] = {}
    for i, row in rows:  # line 1 is the header
        doc_id = (row.get("doc_id") or "").strip()
        if not doc_id:
            raise InputError("empty doc_id", path=path, line=i)
        if doc_id in out:
            raise InputError(f"doc_id {doc_id!r} is listed twice (first on line "
                             f"{out[doc_id]['_line']})", path=path, line=i,
                             hint="keep one row per document")
        meta = {k: (row.get(k) or "").strip() for k in MANIFEST_COLUMNS if k != "doc_id"}
        meta["date"] = parse_date(meta["date"], f"document {doc_id!r}", path, i)
        meta["_line"] = i
        out[doc_id] = meta
    return out


# --------------------------------------------------------------------------- records
def _records_from_file(path: Path, max_bytes: int) -> list[dict]:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                         path=path, hint="split it into articles, or raise max_file_mb")
    data = path.read_bytes()
    text, enc = decode_bytes(data, path)
    ext = path.suffix.lower()
    if ext in (".txt", ".md"):
        return [{"doc_id": path.stem, "text": text, "encoding": enc, "source": path.name}]
    if ext in (".html", ".htm"):
        body, title = html_to_text(text)
        return [{"doc_id": path.stem, "text": body, "title": title, "encoding": enc,
                 "source": path.name}]
    if ext == ".jsonl":
        recs = []
        for i, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"invalid JSON: {e.msg}", path=path, line=i) from None
            if not isinstance(obj, dict):
                raise InputError("each line must be a JSON object", path=path, line=i)
            recs.append(_record(obj, path, i, enc))
        return recs
    if ext == ".csv":
        fieldnames, rows = _csv_dict_rows(text.lstrip("\ufeff"), path)
        if not any(f in (fieldnames or []) for f in TEXT_FIELDS):
            raise InputError("no text column", path=path, line=1,
                             hint="name the article column one of: " + ", ".join(TEXT_FIELDS))
        return [_record(row, path, i, enc) for i, row in rows]
    raise InputError(f"unsupported file type {ext!r}", path=path,
                     hint="supported: " + ", ".join(SUPPORTED))


def _record(obj: dict, path: Path, line: int, enc: str) -> dict:
    text = next((obj[f] for f in TEXT_FIELDS if isinstance(obj.get(f), str)), None)
    if text is None:
        raise InputError("record has no text field", path=path, line=line,
                         hint="give each record one of: " + ", ".join(TEXT_FIELDS))
    rec = {k: str(obj[k]).strip() for k in MANIFEST_COLUMNS if obj.get(k) not in (None, "")}
    rec.setdefault("doc_id", f"{path.stem}-{line:05d}")
    rec.update(text=text, encoding=enc, source=f"{path.name}:{line}", _line=line)
    return rec


def _first_line_title(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    # A headline is short and does not end like a sentence.
    if 0 < len(first) <= 160 and not re.search(r"[.!؟?]\s*$", first):
        return first
    return ""


# --------------------------------------------------------------------------- entry point
def load_corpus(corpus: str | Path, manifest_name: str = "manifest.csv", max_file_mb: float = 20.0,
                dedupe: bool = True) -> tuple[pd.DataFrame, LoadReport]:
    """Read every supported file under `corpus` (non-recursive) into the documents table."""
    root = Path(corpus)
    if not root.exists():
        raise InputError("corpus path does not exist", path=root,
                         hint="pass a folder of articles (or a single file)")
    report = LoadReport()
    if root.is_file():
        files, mpath = [root], root.parent / manifest_name
    else:
        reserved = {manifest_name, *ANALYST_FILES}
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED
                       and p.name not in reserved and not p.name.startswith("."))
        mpath = root / manifest_name
    if not files:
        raise InputError("no articles found", path=root,
                         hint="supported files: " + ", ".join(SUPPORTED))
    manifest = read_manifest(mpath) if mpath.exists() else {}
    max_bytes = int(max_file_mb * 1e6)

    records: list[dict] = []
    for f in files:
        recs = _records_from_file(f, max_bytes)
        report.files.append(f.name)
        for rec in recs:
            if not rec["text"].strip():
                where = f.name + (f":{rec['_line']}" if "_line" in rec else "")
                raise InputError("empty document (no text, or only whitespace)", path=root / where,
                                 hint="remove the file or give it the article text")
            records.append(rec)

    seen_ids: dict[str, str] = {}
    for rec in records:
        if rec["doc_id"] in seen_ids:
            raise InputError(f"duplicate doc_id {rec['doc_id']!r} (also in {seen_ids[rec['doc_id']]})",
                             path=root / rec["source"].split(":")[0])
        seen_ids[rec["doc_id"]] = rec["source"]

    # A one-file corpus shares its folder's manifest with other articles: only check folders.
    missing = [d for d in manifest if d not in seen_ids] if root.is_dir() else []
    if missing:
        d = missing[0]
        raise InputError(f"manifest names document {d!r} but no such file or record is in the corpus",
                         path=mpath, line=manifest[d]["_line"],
                         hint="fix the doc_id (it is the file name without extension) or remove the row")

    docs = _documents(records, manifest, dedupe, root, report)
    return docs, report


def documents_from_frame(frame: pd.DataFrame, dedupe: bool = True) -> tuple[pd.DataFrame, LoadReport]:
    """The documents table for articles given as a DataFrame (one row per article: a text column
    named one of TEXT_FIELDS, optional doc_id, title, outlet, date, url, language)."""
    where = Path("<DataFrame>")
    if not any(f in frame.columns for f in TEXT_FIELDS):
        raise InputError("no text column", path=where,
                         hint="name the article column one of: " + ", ".join(TEXT_FIELDS))
    report = LoadReport()
    records = [_record({k: v for k, v in row.items() if isinstance(v, str) or k in TEXT_FIELDS},
                       where, i, "") for i, row in enumerate(frame.to_dict("records"), start=1)]
    seen: set[str] = set()
    for rec in records:
        if rec["doc_id"] in seen:
            raise InputError(f"duplicate doc_id {rec['doc_id']!r}", path=where, line=rec["_line"])
        seen.add(rec["doc_id"])
    return _documents(records, {}, dedupe, where, report), report


def _documents(records: list[dict], manifest: dict, dedupe: bool, root: Path,
               report: LoadReport) -> pd.DataFrame:
    rows, by_hash = [], {}
    for rec in records:
        meta = manifest.get(rec["doc_id"], {})
        text = rec["text"]
        h = sha256_text(text)
        if dedupe and h in by_hash:
            report.duplicates.append({"doc_id": rec["doc_id"], "same_as": by_hash[h], "source": rec["source"]})
            report.notices.append(f"{rec['source']}: same text as document {by_hash[h]!r}; skipped")
            continue
        by_hash[h] = rec["doc_id"]
        date = meta.get("date") or parse_date(rec.get("date", ""), f"document {rec['doc_id']!r}",
                                               root / rec["source"].split(":")[0], rec.get("_line"))
        rows.append({
            "doc_id": rec["doc_id"],
            "title": meta.get("title") or rec.get("title") or _first_line_title(text),
            "outlet": meta.get("outlet") or rec.get("outlet", ""),
            "date": date,
            "language": meta.get("language") or rec.get("language") or guess_language(text),
            "url": meta.get("url") or rec.get("url", ""),
            "text": text,
            "sha256": h,
            "source": rec["source"],
            "encoding": rec["encoding"],
        })
    return pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
