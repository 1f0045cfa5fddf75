"""Read a corpus folder into the `documents` table.

documents columns
-----------------
doc_id      stable id: file stem, or `<file stem>-<row>` for .jsonl/.csv rows without an id
            (made safe and unique: see "Ids" below)
title       headline (manifest, HTML <title>/<h1>, a `title` field, or a short first line)
outlet      from the manifest or the record ("" when unknown)
date        ISO YYYY-MM-DD ("" when unknown)
language    ISO 639-1 code from the manifest, else guessed from the script/stop words
url         from the manifest or the record (an absolute http(s) address, or "")
text        the document text exactly as decoded (statement offsets index into this string)
sha256      hash of `text`
source      the file (and row) it came from
encoding    the encoding it was decoded with

Skip and report
---------------
One bad document never stops a run. A file or record that cannot be read (binary, undecodable,
empty, over the size limit, malformed) is skipped; a bad date, url or language loses only that
field; an exact copy of an earlier text is skipped; an unsafe or duplicate id is renamed. Each
becomes a row of `LoadReport.skipped` (written as skipped.csv: path relative to the corpus, line,
doc_id, reason, action, detail = the error message and its hint). `strict=True` (`--strict`)
raises the first of these as an `InputError` instead (copies of a text are still only skipped).
A corpus where no document can be read is an error either way, and so is a mistake in the
manifest's structure (no doc_id column, an empty or repeated doc_id, a row naming no document).

Ids
---
An id with path separators, control, bidi or other invisible characters is replaced by
`safe_doc_id(id)` (those characters become `_`). When an id is taken by an earlier document
(files sorted by name, then records by line), the later one becomes `<id>~<first 8 hex digits of
its text's SHA-256>` (then `-2`, `-3` … should that be taken too): stable across reruns, and
unchanged when other documents are added. The manifest's row for an id describes the document
that keeps the id.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..io import sha256_text
from .decode import decode_bytes, guess_language, html_to_text
from .records import (FIELD_CHECKS, TEXT_FIELDS, RawRecord, csv_records, has_surrogate,
                      input_error, jsonl_records, no_surrogates, safe_doc_id, show)

SUPPORTED = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")
# The analyst's own files may sit in the corpus folder; they are never read as articles.
ANALYST_FILES = ("annotations.csv", "annotations_report.csv", "actors.yaml", "topics.yaml", "stance.toml")
MANIFEST_COLUMNS = ("doc_id", "outlet", "date", "url", "language", "title", "speaker", "author")
DOCUMENT_COLUMNS = ["doc_id", "title", "outlet", "date", "language", "url", "text", "sha256",
                    "source", "encoding", "speaker", "author"]


REASONS = {"binary": "skipped", "undecodable": "skipped", "empty": "skipped", "too_large": "skipped",
           "unreadable": "skipped", "malformed_record": "skipped", "duplicate_text": "skipped",
           "bad_date": "field_blanked", "bad_url": "field_blanked", "bad_language": "field_blanked",
           "duplicate_id": "renamed", "unsafe_id": "renamed"}
"""skipped.csv reasons and the action each gets."""
SKIPPED_COLUMNS = ["path", "line", "doc_id", "reason", "action", "detail"]


@dataclass
class LoadReport:
    """What happened while loading, for run.json and the CLI (nothing is silently dropped)."""
    files: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    """skipped.csv rows: path, line, doc_id, reason, action, detail."""
    notices: list[str] = field(default_factory=list)

    def skipped_table(self) -> pd.DataFrame:
        """`skipped` as the skipped.csv table (schema columns; line is an integer or empty)."""
        df = pd.DataFrame(self.skipped, columns=SKIPPED_COLUMNS)
        df["line"] = pd.array([None if v is None or pd.isna(v) else int(v) for v in df["line"]],
                              dtype="Int64")
        return df

    def counts(self) -> dict:
        """skipped.csv in numbers (for run.json): rows, documents skipped, rows by reason/action."""
        by_reason = Counter(r["reason"] for r in self.skipped)
        by_action = Counter(r["action"] for r in self.skipped)
        return {"rows": len(self.skipped), "documents_skipped": by_action.get("skipped", 0),
                "by_reason": {k: by_reason[k] for k in REASONS if by_reason.get(k)},
                "by_action": dict(sorted(by_action.items()))}

    def summary_line(self, n_documents: int) -> str:
        """One line for the terminal, e.g. "3 of 2,000 documents skipped (2 binary, 1 empty), 12
        dates blanked, 1 id renamed"; "" when there is nothing to say."""
        if not self.skipped:
            return ""
        by_reason = Counter(r["reason"] for r in self.skipped)
        skipped = [(k, by_reason[k]) for k, a in REASONS.items() if a == "skipped" and by_reason.get(k)]
        n_skip = sum(n for _, n in skipped)
        total = n_documents + n_skip
        if n_skip:
            parts = [f"{n_skip:,} of {total:,} documents skipped ("
                     + ", ".join(f"{n:,} {k}" for k, n in skipped) + ")"]
        else:
            parts = [f"all {total:,} documents read"]
        for reason, noun in (("bad_date", "date"), ("bad_url", "url"), ("bad_language", "language")):
            n = by_reason.get(reason, 0)
            if n:
                parts.append(f"{n:,} {noun}{'s' if n != 1 else ''} blanked")
        n = by_reason.get("duplicate_id", 0) + by_reason.get("unsafe_id", 0)
        if n:
            parts.append(f"{n:,} id{'s' if n != 1 else ''} renamed")
        return ", ".join(parts)


class _Problems:
    """Collects what could not be used as it was; in strict mode raises the first instead."""

    def __init__(self, report: LoadReport, strict: bool):
        self.report = report
        self.strict = strict

    def add(self, err: InputError, rel: str, line: int | None, doc_id: str, outcome: str = "",
            always_soft: bool = False) -> None:
        reason = getattr(err, "reason", "malformed_record")
        if self.strict and not always_soft:
            raise err
        detail = err.detail + (f" (hint: {err.hint})" if err.hint else "") + (f"; {outcome}" if outcome else "")
        self.report.skipped.append({"path": show(rel), "line": line, "doc_id": show(doc_id or ""),
                                    "reason": reason, "action": REASONS[reason],
                                    "detail": show(detail)})


# --------------------------------------------------------------------------- manifest
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


def read_manifest(path: Path, problems: _Problems | None = None, rel: str = "") -> dict[str, dict]:
    """doc_id -> metadata of manifest.csv. Its structure is always checked strictly; a bad date,
    url or language is blanked and reported through `problems` (raised when it is None/strict)."""
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
        for name, check in FIELD_CHECKS:
            try:
                meta[name] = check(meta.get(name, ""), f"document {doc_id!r}", path, i)
            except InputError as e:
                if problems is None:
                    raise
                problems.add(e, rel or path.name, i, doc_id, outcome=f"{name} left empty")
                meta[name] = ""
        meta["_line"] = i
        out[doc_id] = meta
    return out


# --------------------------------------------------------------------------- records
def _blank(text: str) -> bool:
    """No visible character: empty, whitespace, BOMs, zero-width and bidi marks only."""
    return all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp")
               for c in text)


def _empty_error(path, line: int | None = None, what: str = "") -> InputError:
    return input_error("empty", what or "empty document (no text, or only whitespace)", path, line,
                       hint="remove the file or give it the article text")


def _record(obj: dict, path: Path, line: int, enc: str, number: int | None = None) -> dict:
    """The loader's record of a parsed object (text, manifest columns); InputError when it has no
    usable text. `line` is where errors point; `number` (default `line`) names derived ids."""
    number = line if number is None else number
    text = next((obj[f] for f in TEXT_FIELDS if isinstance(obj.get(f), str)), None)
    if text is None:
        raise input_error("malformed_record", "record has no text field", path, line,
                          hint="give each record one of: " + ", ".join(TEXT_FIELDS))
    if has_surrogate(text):
        raise input_error("malformed_record", "the text holds a lone surrogate (an escape such as "
                          "\\ud800 that is no character)", path, line,
                          hint="re-export the record as UTF-8 JSON")
    rec = {}
    for k in MANIFEST_COLUMNS:
        v = obj.get(k)
        if v is None or isinstance(v, (dict, list)):
            continue
        v = str(v).strip()
        if v:
            rec[k] = v if k == "doc_id" else no_surrogates(v)
    rec.setdefault("doc_id", f"{path.stem}-{number:05d}")
    rec.update(text=text, encoding=enc, source=f"{path.name}:{number}", _line=line)
    return rec


def _first_line_title(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    # A headline is short and does not end like a sentence.
    if 0 < len(first) <= 160 and not re.search(r"[.!؟?]\s*$", first):
        return first
    return ""


def _from_raw(raw: RawRecord, path: Path, rel: str, enc: str, problems: _Problems,
              seen: set) -> dict | None:
    """A candidate document from a record, or None (reported) when it cannot be used."""
    if raw.error is not None:
        seen.add(raw.doc_id)
        problems.add(raw.error, rel, raw.line, raw.doc_id)
        return None
    try:
        rec = _record(raw.fields, path, raw.line, enc, raw.number)
    except InputError as e:
        seen.add(raw.doc_id)
        problems.add(e, rel, raw.line, raw.doc_id)
        return None
    seen.add(rec["doc_id"])
    if _blank(rec["text"]):
        problems.add(_empty_error(path, raw.line), rel, raw.line, rec["doc_id"])
        return None
    rec.update(_line=raw.line, _rel=rel, _path=path)
    return rec


def _read_file(path: Path, rel: str, max_bytes: int, problems: _Problems, seen: set,
               report: LoadReport) -> list[dict]:
    """Candidate documents of one corpus file; what cannot be used is reported (or raised)."""
    ext = path.suffix.lower()
    whole = ext in (".txt", ".md", ".html", ".htm")
    file_id = path.stem if whole else ""
    seen.add(file_id)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            mb = f"{size / 1e6:.1f} MB"
            if mb == f"{max_bytes / 1e6:.1f} MB":      # just over: "1.0 MB, over 1 MB" says nothing
                mb = f"{size:,} bytes"
            problems.add(input_error("too_large", f"file is {mb}, over the "
                                     f"{max_bytes / 1e6:g} MB limit", path,
                                     hint="split it into articles, or raise max_file_mb"),
                         rel, None, file_id)
            return []
        data = path.read_bytes()
    except OSError as e:
        problems.add(input_error("unreadable", f"cannot read the file ({e.strerror})", path,
                                 hint="check that it exists and that you may read it"),
                     rel, None, file_id)
        return []
    try:
        text, enc = decode_bytes(data, path)
    except InputError as e:
        problems.add(e, rel, None, file_id)
        return []
    report.files.append(path.name)
    if whole:
        title = ""
        if ext in (".html", ".htm"):
            text, title = html_to_text(text)
        if _blank(text):
            problems.add(_empty_error(path), rel, None, file_id)
            return []
        rec = {"doc_id": path.stem, "text": text, "encoding": enc, "source": path.name,
               "_line": None, "_rel": rel, "_path": path}
        if title:
            rec["title"] = title
        return [rec]
    body = text.lstrip("\ufeff")
    if ext == ".jsonl":
        raws = list(jsonl_records(body, path))
    else:
        _, raws, err = csv_records(body, path)
        if err is not None:
            problems.add(err, rel, err.line, "")
            return []
    if not raws:
        problems.add(_empty_error(path, what="no records (the file is empty"
                                  + (", or holds only its header)" if ext == ".csv" else ")")),
                     rel, None, "")
        return []
    out = []
    for raw in raws:
        rec = _from_raw(raw, path, rel, enc, problems, seen)
        if rec is not None:
            out.append(rec)
    return out


# --------------------------------------------------------------------------- entry point
def load_corpus(corpus: str | Path, manifest_name: str = "manifest.csv", max_file_mb: float = 20.0,
                dedupe: bool = True, strict: bool = False) -> tuple[pd.DataFrame, LoadReport]:
    """Read every supported file under `corpus` (non-recursive) into the documents table.

    strict: raise the first problem (an unreadable file, a bad record or field, an unsafe or
    duplicate id) instead of skipping and reporting it in `LoadReport.skipped`.
    """
    root = Path(corpus)
    if not root.exists():
        raise InputError("corpus path does not exist", path=root,
                         hint="pass a folder of articles (or a single file)")
    report = LoadReport()
    problems = _Problems(report, strict)
    if root.is_file():
        base = root.parent
        files, mpath = [root], root.parent / manifest_name
    else:
        base = root
        reserved = {manifest_name, *ANALYST_FILES}
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED
                       and p.name not in reserved and not p.name.startswith("."))
        mpath = root / manifest_name
    if not files:
        raise InputError("no articles found", path=root,
                         hint="supported files: " + ", ".join(SUPPORTED))
    manifest = read_manifest(mpath, problems, mpath.name) if mpath.exists() else {}
    max_bytes = int(max_file_mb * 1e6)

    records: list[dict] = []
    seen: set[str] = set()       # every id met (kept or not), for the manifest check
    for f in files:
        records.extend(_read_file(f, f.relative_to(base).as_posix(), max_bytes, problems, seen,
                                  report))

    # A one-file corpus shares its folder's manifest with other articles: only check folders.
    missing = [d for d in manifest if d not in seen] if root.is_dir() else []
    if missing:
        d = missing[0]
        raise InputError(f"manifest names document {d!r} but no such file or record is in the corpus",
                         path=mpath, line=manifest[d]["_line"],
                         hint="fix the doc_id (it is the file name without extension) or remove the row")

    return _finish(_documents(records, manifest, dedupe, problems, report), root, report)


def documents_from_frame(frame: pd.DataFrame, dedupe: bool = True,
                         strict: bool = False) -> tuple[pd.DataFrame, LoadReport]:
    """The documents table for articles given as a DataFrame (one row per article: a text column
    named one of TEXT_FIELDS, optional doc_id, title, outlet, date, url, language). Rows are
    skipped, fields blanked and ids renamed as for files (`strict` as in `load_corpus`)."""
    where = Path("<DataFrame>")
    if not any(f in frame.columns for f in TEXT_FIELDS):
        raise InputError("no text column", path=where,
                         hint="name the article column one of: " + ", ".join(TEXT_FIELDS))
    report = LoadReport()
    problems = _Problems(report, strict)
    records, seen = [], set()
    for i, row in enumerate(frame.to_dict("records"), start=1):
        obj = {k: _cell(v) for k, v in row.items()}
        obj = {k: v for k, v in obj.items() if isinstance(v, str) or k in TEXT_FIELDS}
        raw = RawRecord(i, i, fields=obj, doc_id=str(obj.get("doc_id") or "").strip())
        rec = _from_raw(raw, where, where.name, "", problems, seen)
        if rec is not None:
            records.append(rec)
    if not len(frame):
        return _documents([], {}, dedupe, problems, report), report
    return _finish(_documents(records, {}, dedupe, problems, report), where, report)


def _finish(docs: pd.DataFrame, root: Path, report: LoadReport) -> tuple[pd.DataFrame, LoadReport]:
    if docs.empty:
        raise _nothing_readable(root, report)
    # skipped.csv in file order (manifest.csv among the files), each file's rows by line.
    report.skipped.sort(key=lambda r: (r["path"], r["line"] or 0))
    return docs, report


def _cell(v):
    """A DataFrame cell as the loader reads it: strings as they are, dates as ISO text."""
    import datetime as dt
    if isinstance(v, dt.date) and not pd.isna(v):
        return (v.date() if isinstance(v, dt.datetime) else v).isoformat()
    return v


def _renamed(doc_id: str, text_hash: str, taken) -> str:
    base = f"{doc_id}~{text_hash[:8]}"
    new, n = base, 2
    while new in taken:
        new, n = f"{base}-{n}", n + 1
    return new


def _documents(records: list[dict], manifest: dict, dedupe: bool, problems: _Problems,
               report: LoadReport) -> pd.DataFrame:
    rows: list[dict] = []
    by_hash: dict[str, tuple[str, str]] = {}
    owner: dict[str, str] = {}            # kept id -> where it came from
    for rec in records:
        text, written = rec["text"], rec["doc_id"]
        path, line, rel = rec["_path"], rec["_line"], rec["_rel"]
        h = sha256_text(text)
        if dedupe and h in by_hash:
            first_id, first_src = by_hash[h]
            report.duplicates.append({"doc_id": written, "same_as": first_id, "source": rec["source"]})
            problems.add(input_error("duplicate_text", f"same text as document {first_id!r} "
                                     f"({first_src})", path, line), rel, line, written,
                         always_soft=True)
            continue
        doc_id = safe_doc_id(written)
        if doc_id != written:
            problems.add(input_error("unsafe_id", f"unsafe doc_id {written!r}: it holds path "
                                     "separators, control or bidi characters", path, line,
                                     hint="use letters, digits, '-', '_' and '.' in ids"),
                         rel, line, written, outcome=f"renamed to {doc_id!r}")
        for name, check in FIELD_CHECKS:
            if rec.get(name):
                try:
                    rec[name] = check(rec[name], f"document {written!r}", path, line)
                except InputError as e:
                    problems.add(e, rel, line, written, outcome=f"{name} left empty")
                    rec[name] = ""
        meta = manifest.get(written) or manifest.get(doc_id) or {}
        if doc_id in owner:
            new = _renamed(doc_id, h, owner)
            problems.add(input_error("duplicate_id", f"duplicate doc_id {doc_id!r} (also in "
                                     f"{owner[doc_id]})", path, line,
                                     hint="give each document its own doc_id"),
                         rel, line, written, outcome=f"renamed to {new!r}")
            doc_id, meta = new, {}        # the manifest row belongs to the id's first document
        owner[doc_id] = rec["source"]
        by_hash[h] = (doc_id, rec["source"])
        row = {
            "doc_id": doc_id,
            "title": meta.get("title") or rec.get("title") or _first_line_title(text),
            "outlet": meta.get("outlet") or rec.get("outlet", ""),
            "date": meta.get("date") or rec.get("date", ""),
            "language": meta.get("language") or rec.get("language") or guess_language(text),
            "url": meta.get("url") or rec.get("url", ""),
            "text": text,
            "sha256": h,
            "source": rec["source"],
            "encoding": rec["encoding"],
        }
        for k in DOCUMENT_COLUMNS:        # any other manifest column (e.g. author)
            if k not in row:
                row[k] = meta.get(k) or rec.get(k, "")
        rows.append(row)
    return pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)


def _nothing_readable(root: Path, report: LoadReport) -> InputError:
    rows = [r for r in report.skipped if r["action"] == "skipped"]
    by = Counter(r["reason"] for r in rows)
    lines = [f"  {r['path']}{':' + str(r['line']) if r['line'] else ''}: {r['detail']}"
             for r in rows[:8]]
    if len(rows) > 8:
        lines.append(f"  … and {len(rows) - 8} more")
    return InputError(f"no document could be read: {len(rows)} skipped ("
                      + ", ".join(f"{n} {k}" for k, n in by.items()) + ")\n" + "\n".join(lines),
                      path=root, hint="fix or remove these files; --strict stops at the first "
                                      "problem")
