"""Record readers (.jsonl, .csv) that survive bad rows, and the checks on a record's fields.

Each reader yields one `RawRecord` per record it found: either the record's fields, or the
`InputError` that says why it cannot be used (the loader skips it and reports it, or raises it in
strict mode). Nothing here raises on bad input, and nothing is dropped without a trace.

Line numbers are physical lines (what an editor shows), 1-based, counting blank lines. A .csv
record also has its record number (the header is record 1, blank lines are not counted, broken
records are): derived ids (`<file stem>-<record:05d>`) and the `source` column use it, as before.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from ..errors import InputError

TEXT_FIELDS = ("text", "content", "body", "article", "full_text")


def input_error(reason: str, message: str, path, line: int | None = None,
                hint: str | None = None) -> InputError:
    """An InputError that also says which skipped.csv reason it is (`error.reason`)."""
    e = InputError(message, path=path, line=line, hint=hint)
    e.reason = reason
    return e


@dataclass
class RawRecord:
    """One record of a .jsonl/.csv file (or one row of a DataFrame) before any field check."""
    line: int                       # physical line where it starts
    number: int                     # .csv: record number (header = 1); .jsonl: = line
    fields: dict | None = None      # the parsed object / row (None when it could not be read)
    error: InputError | None = None
    doc_id: str = ""                # the id as written, when one could be read (for the report)


# --------------------------------------------------------------------------- lines
def physical_lines(text: str) -> list[str]:
    """Lines ending in '\\n' (kept), split on '\\n' only: U+2028, U+0085, \\x1c… are text, never
    line breaks (str.splitlines would cut records there). A file that uses bare '\\r' (old Mac)
    throughout is split on '\\r'."""
    sep = "\n" if "\n" in text or "\r" not in text else "\r"
    parts = text.split(sep)
    lines = [p + sep for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# --------------------------------------------------------------------------- .jsonl
def jsonl_records(text: str, path: Path) -> Iterator[RawRecord]:
    for i, raw in enumerate(physical_lines(text), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield RawRecord(i, i, error=input_error("malformed_record", f"invalid JSON: {e.msg}",
                                                    path, i, hint="each line of a .jsonl file is "
                                                    "one JSON object"))
            continue
        except (ValueError, RecursionError) as e:      # nesting too deep, huge numbers …
            yield RawRecord(i, i, error=input_error("malformed_record", f"invalid JSON: {e}",
                                                    path, i))
            continue
        if not isinstance(obj, dict):
            yield RawRecord(i, i, error=input_error("malformed_record",
                                                    "each line must be a JSON object", path, i))
            continue
        yield RawRecord(i, i, fields=obj, doc_id=_written_id(obj))


# --------------------------------------------------------------------------- .csv
def _scan(lines: list[str], k: int, stop: int | None = None):
    """Records parsed from line index k until the first error (or the first record starting
    after line `stop`): ([(start, end, row)], error), error being (start, end, message) or None;
    start/end are 1-based physical lines."""
    reader = csv.reader(iter(lines[k:]), strict=True)
    prev, out = 0, []
    while stop is None or k + prev + 1 <= stop:
        try:
            row = next(reader)
        except StopIteration:
            return out, None
        except csv.Error as e:
            return out, (k + prev + 1, max(k + reader.line_num, k + prev + 1), str(e))
        start, end, prev = k + prev + 1, k + reader.line_num, reader.line_num
        if row:                       # a blank line is no record
            out.append((start, end, row))
    return out, None


def _balanced(lines: list[str]) -> bool:
    return sum(ln.count('"') for ln in lines) % 2 == 0


def csv_rows(text: str) -> list[tuple[int, int, list[str] | None, str]]:
    """(first line, last line, fields or None, error message) of every record of a CSV text.

    A record the csv module rejects (a quote inside a quoted field, an unclosed quote) is one
    broken record. When it ran over several lines, the lines after its first are read again as
    records: an unclosed quote must not swallow the good rows after it. That second reading is
    kept only if every record starting inside the broken span parses cleanly, with the header's
    number of fields and an even number of quote characters (a stray quote in an unquoted field
    parses, but no CSV writer makes one); otherwise the span is one broken record.
    """
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    lines = physical_lines(text)
    out: list = []
    k = 0
    while k < len(lines):
        recs, err = _scan(lines, k)
        out.extend((s, e, row, "") for s, e, row in recs)
        if err is None:
            break
        s, e, msg = err
        header = out[0][2] if out else None
        if e > s and header is not None:
            inside, err2 = _scan(lines, s, stop=e)
            if err2 is None and inside and all(
                    len(r[2]) == len(header) and _balanced(lines[r[0] - 1:r[1]]) for r in inside):
                out.append((s, s, None, msg))
                k = s
                continue
        out.append((s, e, None, msg))
        k = e
    return out


def csv_records(text: str, path: Path) -> tuple[list[str] | None, list[RawRecord], InputError | None]:
    """Header, records, and an error when the file as a whole cannot be read (no text column)."""
    rows = csv_rows(text)
    if not rows:
        return None, [], None
    h_start, _, header, h_msg = rows[0]
    if header is None:
        return None, [], input_error("malformed_record", f"malformed CSV header: {h_msg}", path,
                                     h_start, hint="check the quoting on that line; save it as "
                                                   "UTF-8 CSV")
    header = [h.strip() for h in header]
    if not any(f in header for f in TEXT_FIELDS):
        return header, [], input_error("malformed_record", "no text column", path, h_start,
                                       hint="name the article column one of: " + ", ".join(TEXT_FIELDS))
    recs = []
    for number, (start, end, row, msg) in enumerate(rows[1:], start=2):
        if row is None:
            where = f" (lines {start}-{end})" if end > start else ""
            recs.append(RawRecord(start, number, doc_id=_id_from_broken(text, start, header),
                                  error=input_error("malformed_record", f"malformed CSV{where}: {msg}",
                                                    path, start, hint="check the quoting on that "
                                                    "line; save it as UTF-8 CSV")))
        elif len(row) > len(header):
            fields = dict(zip(header, row))
            recs.append(RawRecord(start, number, doc_id=_written_id(fields),
                                  error=input_error("malformed_record",
                                                    f"row has {len(row)} fields, the header has "
                                                    f"{len(header)}", path, start,
                                                    hint="quote fields that hold commas or quotes")))
        else:
            fields = dict(zip(header, row))     # a short row: the missing fields are empty
            recs.append(RawRecord(start, number, fields=fields, doc_id=_written_id(fields)))
    return header, recs, None


def _id_from_broken(text: str, line: int, header: list[str]) -> str:
    """Best-effort doc_id of a broken CSV record (for the report only)."""
    if "doc_id" not in header:
        return ""
    try:
        first = physical_lines(text)[line - 1]
        row = next(csv.reader([first.rstrip("\r\n")]))
        return row[header.index("doc_id")].strip()
    except (csv.Error, IndexError, StopIteration):
        return ""


def _written_id(obj: dict) -> str:
    v = obj.get("doc_id")
    return "" if v is None or isinstance(v, (dict, list)) else str(v).strip()


# --------------------------------------------------------------------------- field checks
_SURROGATE = re.compile("[\ud800-\udfff]")
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id
ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu
lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu
rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr
ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split())
_LEGACY_639 = {"iw": "he", "in": "id", "ji": "yi"}
_LANG_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y")


def parse_date(value: str, where: str, path, line: int | None) -> str:
    """ISO YYYY-MM-DD of a date in one of the accepted forms ('' for none); InputError else."""
    value = (value or "").strip()
    if not value:
        return ""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        raise input_error("bad_date", f"bad date {value!r} for {where}", path, line,
                          hint="use ISO dates, YYYY-MM-DD") from None


def parse_url(value: str, where: str, path, line: int | None) -> str:
    """The url if it is an absolute http(s) address without spaces or control characters."""
    value = (value or "").strip()
    if not value:
        return ""
    ok = not any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in value)
    if ok:
        try:
            p = urlsplit(value)
            ok = p.scheme.lower() in ("http", "https") and bool(p.hostname)
            p.port      # noqa: B018 (raises on a bad port)
        except ValueError:
            ok = False
    if not ok:
        raise input_error("bad_url", f"bad url {value!r} for {where}", path, line,
                          hint="give the article's full http(s) address, without spaces")
    return value


def parse_language(value: str, where: str, path, line: int | None) -> str:
    """The ISO 639-1 code of a language tag ('ar', 'EN', 'fr-CA', 'pt_BR' -> 'pt'; 'und')."""
    value = (value or "").strip()
    if not value:
        return ""
    m = _LANG_TAG.fullmatch(value)
    code = m.group(1).lower() if m else ""
    code = _LEGACY_639.get(code, code)
    if code in ISO_639_1 or code == "und":
        return code
    raise input_error("bad_language", f"bad language {value!r} for {where}", path, line,
                      hint="use a two-letter ISO 639-1 code such as ar, en, fr, ru")


FIELD_CHECKS = (("date", parse_date), ("url", parse_url), ("language", parse_language))


def has_surrogate(s: str) -> bool:
    return bool(_SURROGATE.search(s))


def no_surrogates(s: str) -> str:
    """Lone surrogates (from JSON escapes like \\ud800) replaced by U+FFFD (same length)."""
    return _SURROGATE.sub("\ufffd", s)


# --------------------------------------------------------------------------- ids
UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
MAX_ID_BYTES = 200


def safe_doc_id(doc_id: str) -> str:
    """The id made safe to show and to use as a file name: '/', '\\\\', control, bidi and other
    invisible format characters (bidi controls, zero-width marks), lone surrogates and
    line/paragraph separators become '_'; an id of dots only ('.', '..') becomes underscores; an
    id over 200 UTF-8 bytes is cut to 100 characters plus '~' and the first 8 hex digits of its
    SHA-256. Deterministic: the same id always gives the same safe id."""
    out = "".join("_" if c in "/\\" or unicodedata.category(c) in UNSAFE_CATEGORIES else c
                  for c in doc_id)
    if out and set(out) == {"."}:
        out = "_" * len(out)
    if len(out.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        import hashlib
        out = out[:100] + "~" + hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return out


def show(s: str) -> str:
    """`s` with control, bidi and other invisible characters written as \\uXXXX escapes, so a
    report never carries a terminal escape sequence or reorders its own text."""
    def esc(c: str) -> str:
        if unicodedata.category(c) not in UNSAFE_CATEGORIES:
            return c
        return f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
    return "".join(map(esc, s))
