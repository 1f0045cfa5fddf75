#!/usr/bin/env python
"""Build a messy corpus folder (real news text plus injected defects) and its expected-defects ledger.

    python benchmarks/make_messy_corpus.py OUT_DIR --n-docs 2000 --defect-rate 0.06 --seed 0 \\
        [--max-file-mb 1.0] [--force] [--summary] [--source PATH]

Writes the corpus folder OUT_DIR (refused when it is not empty, unless --force, which only clears
a folder holding nothing but corpus files) and the ledger OUT_DIR.expected.csv BESIDE it, so the
ledger is never read as part of the corpus. `make_corpus(out_dir, n_docs, defect_rate, seed)`
does the same from Python and returns the ledger as a DataFrame.

Good documents
--------------
* Arabic: the public UnifiedFC news articles (../shared/data/unifiedfc/articles_folds1-4.jsonl.gz,
  field `article`, read at generation time and never copied into the repository), cut into
  chunks of whole lines of about 600-3000 characters (each chunk used once, so no two good
  documents share a text by accident).
* English and French: wire-style reports generated from sentence templates.
* Spread over every format the loader reads: .txt (UTF-8; UTF-8 with BOM; CRLF line endings;
  UTF-16 LE/BE with BOM; windows-1256 Arabic), .md, .html (head <title>, <style>, <script>,
  JSON-LD, nav and footer boilerplate, <img>, <noscript>, around an <article>), .jsonl (several
  records per file: doc_id, title, text, date, outlet, url, language; some with a BOM, CRLF, a
  blank line, a record without doc_id, or the text under `content`/`body`) and .csv (several
  rows: doc_id, title, text, date, outlet, url, language; multi-line quoted texts; some with a
  BOM or CRLF). manifest.csv (doc_id, outlet, date, url, language, title) covers some of the
  file documents. Some titles carry bidi controls (U+200F, U+202B/U+202C, U+2067/U+2069): not a
  defect.

Defects (ledger `reason` -> `action`)
-------------------------------------
  binary            .txt of random bytes (some behind PNG/PDF/gzip/zip magic) with NULs -> skipped
  undecodable       bytes that are not UTF-8, not UTF-16 (odd length and lone surrogates at
                    both byte parities) and, in windows-1256, decode to symbols and Latin letters
                    only (no Arabic letter; Python's cp1256 table maps all 256 bytes, so a strict
                    cp1256 failure is impossible; see UNDECODABLE_RECIPE)                -> skipped
  empty             0-byte file, whitespace-only file, BOM-only file                      -> skipped
  too_large         .txt of valid UTF-8 text over the size limit: max(--max-file-mb * 10^6,
                    --max-file-mb * 2^20) + 1..4096 bytes (over the limit whichever MB is meant)
                                                                                          -> skipped
  malformed_record  .jsonl line that is not JSON / JSON that is not an object / an object with
                    no string text field; .csv row with unescaped quotes inside a quoted field
                    (one physical line, mid-file) or an unclosed quote (last row of its file)
                                                    -> skipped (that record only; the rest is kept)
  bad_date          record or manifest date "not-a-date", "2022-13-45", "yesterday", ... -> field_blanked
  bad_url           record or manifest url "htp:/broken url with spaces", "javascript:alert(1)", ...
                                                                                     -> field_blanked
  bad_language      record or manifest language "xx-invalid-42", "Arabic!!", ...        -> field_blanked
  duplicate_id      two records with one doc_id and different texts (same file or two files), or
                    a file foo.txt plus a record with doc_id foo. Only the occurrence that comes
                    later in the loader's order (files sorted by name, then line) gets the row;
                    the first keeps its id.                                              -> renamed
  unsafe_id         record doc_id with path parts (../../x, /etc/passwd, a/b\\c), bidi controls
                    (U+202E, U+2066-U+2069, U+200F) or control characters               -> renamed
  duplicate_text    (not a defect) an exact copy of an earlier good document's text under another
                    id; the later copy in loader order gets the row                       -> skipped

Every defect kind gets max(5, ceil(0.005 * n)) (n >= 2000) or 5 units, and at least
ceil(defect_rate * n / 10), so at least defect_rate of the units are defective. About a quarter
of the field-defect units carry a second field defect (one ledger row each).

Ledger (OUT_DIR.expected.csv), one row per document or record, and per defect
-----------------------------------------------------------------------------
  path       file, relative to OUT_DIR
  line       .jsonl: the 1-based physical line of the record; .csv: the record number with the
             header as 1 (the loader's convention; malformed rows are counted); empty for files
  doc_id     as written in the record (empty when the line does not parse) or the file stem;
             for a .jsonl record without doc_id, the loader's derived `<stem>-<line:05d>`
  good       True when the document's text must be analysed
  reason     empty for a clean document, else one of the kinds above
  action     empty, skipped, field_blanked or renamed
  field      what the defect concerns: file, record, date, url, language, doc_id, text
  value      the offending value (bad date/url/language, the unsafe/duplicate id) or variant
  file_line  the 1-based physical line where the record starts (same as line for .jsonl)
  detail     free text: where a manifest defect sits, which record an id/text duplicates, ...

Deterministic: the same arguments give byte-identical files (seeded RNG, no time stamps).
"""
from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import gzip
import html
import io
import json
import math
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "unifiedfc" / "articles_folds1-4.jsonl.gz"

DEFECT_KINDS = ("binary", "undecodable", "empty", "too_large", "malformed_record", "bad_date",
                "bad_url", "bad_language", "duplicate_id", "unsafe_id")
ACTIONS = {"binary": "skipped", "undecodable": "skipped", "empty": "skipped",
           "too_large": "skipped", "malformed_record": "skipped", "bad_date": "field_blanked",
           "bad_url": "field_blanked", "bad_language": "field_blanked",
           "duplicate_id": "renamed", "unsafe_id": "renamed", "duplicate_text": "skipped"}
NOT_GOOD = {"binary", "undecodable", "empty", "too_large", "malformed_record", "duplicate_text"}
FIELD_KINDS = {"bad_date": "date", "bad_url": "url", "bad_language": "language"}
LEDGER_COLUMNS = ["path", "line", "doc_id", "good", "reason", "action", "field", "value",
                  "file_line", "detail"]
CORPUS_EXTS = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")
MIN_DOCS = 100

BAD_VALUES = {
    "bad_date": ["not-a-date", "2022-13-45", "yesterday", "2023-02-30", "0000-00-00", "13/13/2013"],
    "bad_url": ["htp:/broken url with spaces", "javascript:alert(1)", "not a url",
                "http://exa mple.com/a b", "data:text/html,<script>alert(1)</script>",
                "javascript:void(0)"],
    "bad_language": ["xx-invalid-42", "Arabic!!", "12", "??", "ar/en", "<script>"],
}

UNDECODABLE_RECIPE = (
    "byte 0 = 0x80 (a lone UTF-8 continuation byte); the body is random bytes drawn from the 68 "
    "high bytes (0x80-0xFE) that windows-1256 maps outside U+0600-U+06FF (0x80 0x82-0x89 0x8B 0x8C "
    "0x91-0x97 0x99 0x9B-0x9E 0xA0 0xA2-0xA9 0xAB-0xB9 0xBB-0xBE 0xD7 0xE0 0xE2 0xE7-0xEB 0xEE 0xEF "
    "0xF4 0xF7 0xF9 0xFB-0xFE), with a space or LF every ~40 bytes; two surrogate traps "
    "D8 D8 D8 93 93 are inserted at an even and an odd offset (an unpaired UTF-16 high surrogate "
    "in LE and BE at either byte parity); the total length is odd; no NUL byte, no BOM")
# High bytes whose windows-1256 character is not an Arabic letter (symbols, Latin, ZWJ/LRM/RLM).
_CP1256_NON_ARABIC = bytes(b for b in range(0x80, 0xFF)
                           if not "\u0600" <= bytes([b]).decode("cp1256") <= "\u06ff")

OUTLETS = {
    "ar": [("Al Jazeera", "aljazeera"), ("DW Arabic", "dw-arabic"), ("BBC Arabic", "bbc-arabic"),
           ("RT Arabic", "rt-arabic"), ("Sky News Arabia", "skynewsarabia"),
           ("Al Arabiya", "alarabiya"), ("Enab Baladi", "enabbaladi"), ("SANA", "sana"),
           ("Asharq Al-Awsat", "aawsat"), ("Al-Manar", "almanar"), ("Anadolu Arabic", "aa-arabic"),
           ("France 24 Arabic", "france24-ar")],
    "en": [("Reuters", "reuters"), ("Associated Press", "apnews"), ("The Guardian", "guardian"),
           ("Middle East Eye", "middleeasteye"), ("Al-Monitor", "al-monitor")],
    "fr": [("France 24", "france24"), ("Le Monde", "lemonde"), ("RFI", "rfi"),
           ("L'Orient-Le Jour", "lorientlejour"), ("AFP", "afp")],
}
BIDI_TITLE = [("\u200f", ""), ("\u202b", "\u202c"), ("\u2067", "\u2069"), ("\u200f", "\u200f")]
NAV = {
    "ar": ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "منوعات", "فيديو", "اتصل بنا"],
    "en": ["Home", "World", "Middle East", "Business", "Opinion", "Video", "Contact"],
    "fr": ["Accueil", "Monde", "Moyen-Orient", "Économie", "Opinions", "Vidéo", "Contact"],
}
FOOTER = {"ar": "جميع الحقوق محفوظة", "en": "All rights reserved", "fr": "Tous droits réservés"}


# --------------------------------------------------------------------------- source texts
class ArabicPool:
    """Chunks (whole lines, ~600-3000 characters) of the UnifiedFC articles, each handed out once."""

    def __init__(self, source: Path, rng: random.Random):
        if not source.exists():
            raise FileNotFoundError(f"{source}: the UnifiedFC articles are needed (pass --source)")
        self.rng = rng
        chunks, seen = [], set()
        with gzip.open(source, "rt", encoding="utf-8") as f:
            for raw in f:
                art = json.loads(raw).get("article") or ""
                for ch in self._chunk(art):
                    key = " ".join(ch.split())
                    if key not in seen:
                        seen.add(key)
                        chunks.append(ch)
        rng.shuffle(chunks)
        self.chunks = chunks
        self.seen = seen
        self.i = 0

    def _chunk(self, article: str) -> list[str]:
        lines = [ln.strip() for ln in article.split("\n")]
        lines = [ln for ln in lines if ln and all(c >= " " for c in ln)
                 and "\u2028" not in ln and "\u2029" not in ln and "\ufffd" not in ln]
        out, cur, size = [], [], 0
        target = self.rng.randint(600, 3000)
        for ln in lines:
            if len(ln) > 3000:
                continue
            if cur and size + len(ln) + 1 > 3000:
                if size >= 600:
                    out.append("\n".join(cur))
                cur, size, target = [], 0, self.rng.randint(600, 3000)
            cur.append(ln)
            size += len(ln) + 1
            if size >= target:
                out.append("\n".join(cur))
                cur, size, target = [], 0, self.rng.randint(600, 3000)
        if cur and size >= 600:
            out.append("\n".join(cur))
        # Mostly Arabic script (the pages carry some Latin navigation text; keep it real, not soup).
        return [c for c in out if _arabic_share(c) >= 0.6]

    def take(self, pred=None) -> str:
        """Next unused chunk (satisfying pred); when the pool runs dry, splice two chunks."""
        for j in range(self.i, len(self.chunks)):
            c = self.chunks[j]
            if pred is None or pred(c):
                self.chunks[self.i], self.chunks[j] = c, self.chunks[self.i]
                self.i += 1
                return c
        for _ in range(10000):
            a, b = self.rng.sample(self.chunks, 2)
            la, lb = a.split("\n"), b.split("\n")
            ln = la[: max(1, len(la) // 2)] + lb[len(lb) // 2:]
            text = "\n".join(ln)[:3000].rsplit("\n", 1)[0] if len("\n".join(ln)) > 3000 else "\n".join(ln)
            key = " ".join(text.split())
            if len(text) >= 300 and key not in self.seen and (pred is None or pred(text)):
                self.seen.add(key)
                return text
        raise RuntimeError("ran out of distinct Arabic source texts")


def _arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u0600" <= c <= "\u06ff" for c in letters) / max(1, len(letters))


def _cp1256_ok(text: str) -> bool:
    try:
        text.encode("cp1256")
        return True
    except UnicodeEncodeError:
        return False


_EN = {
    "speaker": ["Foreign Minister Sergei Lavrov", "U.S. Secretary of State Rex Tillerson",
                "U.N. envoy Staffan de Mistura", "Turkish President Tayyip Erdogan",
                "French President Emmanuel Macron", "Iranian Foreign Minister Mohammad Javad Zarif",
                "a senior Kurdish official", "a Pentagon spokesman", "Russia's Defence Ministry",
                "Saudi Foreign Minister Adel al-Jubeir", "a Syrian military source",
                "the head of the Syrian Observatory for Human Rights", "a State Department official",
                "Jordan's government spokesman", "Lebanese Prime Minister Saad al-Hariri"],
    "place": ["Idlib", "Aleppo", "Raqqa", "Deir ez-Zor", "Eastern Ghouta", "Daraa", "Afrin",
              "Manbij", "Homs", "Hama", "Douma", "Palmyra", "Qalamoun", "Al-Bukamal"],
    "city": ["Geneva", "Astana", "Moscow", "Washington", "Ankara", "Tehran", "Damascus",
             "Beirut", "Paris", "Riyadh", "Sochi", "Brussels", "Amman", "Vienna"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"],
    "claim": ["the ceasefire in {place} was largely holding",
              "government forces had taken full control of {place}",
              "chemical weapons had been used in {place}",
              "coalition air strikes had hit civilian areas in {place}",
              "foreign fighters were leaving {place}",
              "Islamic State had lost nearly all of its territory",
              "aid convoys had reached {place} for the first time in months",
              "the talks in {city} had made real progress",
              "rebel groups had agreed to withdraw heavy weapons from {place}",
              "the de-escalation zone around {place} would be extended"],
    "quote": ["We will not accept any solution imposed from outside",
              "There is no military solution to this conflict",
              "The evidence is clear and we will respond",
              "These reports are fabricated and serve a political agenda",
              "Our forces will stay as long as they are needed",
              "The humanitarian situation is catastrophic",
              "We are ready to work with all parties who want peace",
              "Nobody should doubt our commitment to the agreement"],
    "demand": ["an immediate ceasefire", "unhindered access for aid agencies",
               "an independent international investigation", "the withdrawal of all foreign forces",
               "new sanctions against those responsible", "a political transition",
               "the release of detainees", "a new round of negotiations"],
}
_EN_SENT = [
    "{speaker} said on {day} that {claim}.",
    "\"{quote},\" {speaker} told reporters in {city}.",
    "{speaker} denied reports that {claim}.",
    "According to monitors, at least {num} people were killed in fighting near {place} on {day}.",
    "{speaker} called for {demand}.",
    "Officials in {city} did not immediately respond to a request for comment.",
    "{speaker} warned that the situation in {place} could deteriorate further.",
    "Talks in {city} are expected to resume in {month}, diplomats said.",
    "More than {num} families have fled {place} since {month}, the United Nations said.",
    "The statement came a day after {speaker} met counterparts in {city}.",
    "Residents of {place} reported heavy shelling overnight.",
    "{speaker} insisted that {claim}, contradicting earlier accounts.",
    "It was not possible to verify the reports independently.",
]
_FR = {
    "speaker": ["le ministre russe des Affaires étrangères Sergueï Lavrov",
                "l'envoyé de l'ONU Staffan de Mistura", "le président turc Recep Tayyip Erdogan",
                "le président Emmanuel Macron", "le chef de la diplomatie française Jean-Yves Le Drian",
                "un porte-parole du Pentagone", "le ministère russe de la Défense",
                "un responsable kurde", "le directeur de l'Observatoire syrien des droits de l'homme",
                "une source militaire syrienne", "le ministre iranien Mohammad Javad Zarif",
                "le Premier ministre libanais Saad Hariri"],
    "place": ["Idleb", "Alep", "Raqqa", "Deir ez-Zor", "la Ghouta orientale", "Deraa", "Afrine",
              "Manbij", "Homs", "Hama", "Douma", "Palmyre"],
    "city": ["Genève", "Astana", "Moscou", "Washington", "Ankara", "Téhéran", "Damas",
             "Beyrouth", "Paris", "Riyad", "Sotchi", "Bruxelles"],
    "day": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "month": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"],
    "claim": ["le cessez-le-feu à {place} était globalement respecté",
              "les forces gouvernementales avaient pris le contrôle de {place}",
              "des armes chimiques avaient été utilisées à {place}",
              "des frappes de la coalition avaient touché des quartiers civils à {place}",
              "l'organisation État islamique avait perdu la quasi-totalité de son territoire",
              "des convois humanitaires étaient arrivés à {place}",
              "les pourparlers de {city} avaient permis des avancées réelles",
              "la zone de désescalade autour de {place} serait prolongée"],
    "quote": ["Il n'y a pas de solution militaire à ce conflit",
              "Nous n'accepterons aucune solution imposée de l'extérieur",
              "Ces informations sont fausses et servent un agenda politique",
              "La situation humanitaire est catastrophique",
              "Nous sommes prêts à travailler avec toutes les parties",
              "Les preuves sont claires et nous réagirons"],
    "demand": ["un cessez-le-feu immédiat", "un accès sans entrave pour l'aide humanitaire",
               "une enquête internationale indépendante", "le retrait de toutes les forces étrangères",
               "de nouvelles sanctions", "une transition politique", "la libération des détenus"],
}
_FR_SENT = [
    "{speaker} a déclaré {day} que {claim}.",
    "« {quote} », a affirmé {speaker} devant la presse à {city}.",
    "{speaker} a démenti les informations selon lesquelles {claim}.",
    "Selon des observateurs, au moins {num} personnes ont été tuées dans des combats près de {place} {day}.",
    "{speaker} a appelé à {demand}.",
    "Les autorités à {city} n'ont pas répondu aux sollicitations.",
    "{speaker} a averti que la situation à {place} pourrait encore se détériorer.",
    "Les pourparlers de {city} doivent reprendre en {month}, selon des diplomates.",
    "Plus de {num} familles ont fui {place} depuis {month}, selon les Nations unies.",
    "Des habitants de {place} ont fait état de bombardements intenses pendant la nuit.",
    "Ces informations n'ont pas pu être vérifiées de source indépendante.",
]


class TemplateTexts:
    """English and French wire-style reports from sentence templates (each text unique)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def take(self, lang: str) -> tuple[str, str]:
        vocab, sents = (_EN, _EN_SENT) if lang == "en" else (_FR, _FR_SENT)
        r = self.rng
        while True:
            slots = {k: r.choice(v) for k, v in vocab.items()}
            slots["claim"] = slots["claim"].format(**slots)
            slots["num"] = str(r.randint(3, 400))
            spk = slots["speaker"]
            title = f"{spk[0].upper()}{spk[1:]}: {slots['claim']}"[:110].rsplit(" ", 1)[0]
            paras, size = [], len(title)
            target = r.randint(600, 2800)
            while size < target:
                para = []
                for _ in range(r.randint(2, 4)):
                    s = {k: r.choice(v) for k, v in vocab.items()}
                    s["claim"] = s["claim"].format(**s)
                    s["num"] = str(r.randint(3, 900))
                    sent = r.choice(sents).format(**s)
                    para.append(sent[0].upper() + sent[1:])
                paras.append(" ".join(para))
                size += len(paras[-1]) + 2
            text = title + "\n\n" + "\n\n".join(paras)
            text = text[:3000].rsplit("\n\n", 1)[0] if len(text) > 3000 else text
            if len(text) >= 400 and text not in self.seen:
                self.seen.add(text)
                return title, text


# --------------------------------------------------------------------------- planning
@dataclass(eq=False)
class Unit:
    """One document or record of the corpus (one or more ledger rows)."""
    uid: int
    role: str                      # clean, a defect kind, dupid_a/dupid_b, duptext
    container: str = ""            # txt, md, html, jsonl, csv
    variant: str = ""              # encoding / malformed variant / empty variant ...
    lang: str = "ar"
    title: str = ""
    text: str = ""
    outlet: str = ""
    slug: str = ""
    date: str = ""
    url: str = ""
    doc_id: str = ""
    id_written: bool = True        # False: a .jsonl record without doc_id (derived id)
    text_key: str = "text"
    manifest: bool = False         # file document listed in manifest.csv
    manifest_title: str = ""
    field_defects: list = field(default_factory=list)   # [(kind, value)]
    partner: "Unit | None" = None  # duplicate_id / duplicate_text partner
    same_file: bool = False        # duplicate_id pair kept in one file
    raw: bytes | None = None       # the exact bytes of a file document
    decoded: str = ""              # the text the loader will read (txt/md/records)
    path: str = ""
    line: int | None = None
    file_line: int | None = None
    manifest_line: int | None = None


def quotas(n: int, rate: float) -> tuple[int, int]:
    """(units per defect kind, duplicate_text units)."""
    min_k = max(5, math.ceil(0.005 * n)) if n >= 2000 else 5
    target = math.ceil(rate * n)
    per = max(min_k, math.ceil(target / len(DEFECT_KINDS)))
    return per, min_k


def _slug_outlet(rng: random.Random, lang: str) -> tuple[str, str]:
    return rng.choice(OUTLETS[lang])


def _good_date(rng: random.Random, iso_only: bool = False) -> str:
    d = dt.datetime(2015, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365), seconds=rng.randrange(86400))
    x = rng.random()
    if iso_only or x < 0.85:
        return d.strftime("%Y-%m-%d")
    return d.strftime("%Y-%m-%dT%H:%M:%SZ") if x < 0.95 else d.strftime("%Y-%m-%d %H:%M:%S")


def _title_of(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    if len(first) <= 90:
        return first
    return first[:90].rsplit(" ", 1)[0]


def _body_lines(text: str, title: str) -> list[str]:
    """The text's non-blank lines, less the first when it is the (untruncated) title."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    plain = title.strip("".join(a + b for a, b in BIDI_TITLE))
    return lines[1:] if len(lines) > 1 and lines[0].strip() == plain else lines


def _bidi(rng: random.Random, title: str) -> str:
    a, b = rng.choice(BIDI_TITLE)
    return f"{a}{title}{b}"


# --------------------------------------------------------------------------- file bodies
def _encode_text(text: str, variant: str) -> bytes:
    if variant == "utf8":
        return text.encode("utf-8")
    if variant == "utf8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if variant == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if variant == "crlf-bom":
        return codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8")
    if variant == "utf16-le":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if variant == "utf16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if variant == "cp1256":
        return text.encode("cp1256")
    raise ValueError(variant)


def _decoded_of(text: str, variant: str) -> str:
    return text.replace("\n", "\r\n") if variant.startswith("crlf") else text


def _html_page(u: Unit, rng: random.Random) -> str:
    lang = u.lang
    esc = html.escape
    nav = " ".join(f'<li><a href="/{i}">{esc(t)}</a></li>' for i, t in enumerate(NAV[lang]))
    body = _body_lines(u.text, u.title)
    head_title = u.title if rng.random() > 0.2 else _bidi(rng, u.title)
    dir_attr = ' dir="rtl"' if lang == "ar" else ""
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": u.title, "datePublished": u.date[:10]}, ensure_ascii=False)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"{dir_attr}>',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(head_title)} | {esc(u.outlet)}</title>",
        "<style>body{font-family:sans-serif;margin:0} .nav li{display:inline;margin:0 4px}"
        " .ad{min-height:90px} p:before{content:'»'}</style>",
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        f"gtag('js',new Date());var tpl=\"<p>not article text {u.uid}</p>\";if(a<b&&b>c){{}}</script>",
        f'<script type="application/ld+json">{ld}</script>',
        "</head>",
        "<body>",
        f'<header><nav class="nav"><ul>{nav}</ul></nav></header>',
        f'<div class="ad"><img src="/ads/banner-{rng.randint(1, 9)}.png" alt="" width="728" height="90">'
        "<script>loadAd('top');</script></div>",
        "<noscript>Please enable JavaScript</noscript>",
        "<article>",
        f"<h1>{esc(u.title)}</h1>",
    ]
    if rng.random() < 0.5:
        out.append(f'<figure><img src="/img/{u.uid}.jpg" alt="{esc(u.title[:40])}"></figure>')
    out += [f"<p>{esc(p)}</p>" for p in body]
    out += [
        "</article>",
        '<aside class="related"><svg width="10" height="10"><text>icon</text></svg></aside>',
        f"<footer><p>© {esc(u.outlet)} — {FOOTER[lang]}</p></footer>",
        '<script src="/static/app.js" async></script>',
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _binary_bytes(rng: random.Random, variant: str) -> bytes:
    body = bytearray(rng.randbytes(rng.randint(256, 8192)))
    for _ in range(max(4, len(body) // 20)):
        body[rng.randrange(len(body))] = 0
    magic = {"png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
             "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "zip": b"PK\x03\x04\x14\x00\x00\x00",
             "random": b"\x00"}[variant]
    return magic + bytes(body)


def _undecodable_bytes(rng: random.Random) -> bytes:
    n = rng.randint(400, 6000)
    body = bytearray()
    while len(body) < n:
        body.append(rng.choice(_CP1256_NON_ARABIC))
        if rng.random() < 0.025:
            body.append(rng.choice(b" \n"))
    trap = b"\xd8\xd8\xd8\x93\x93"
    i = rng.randrange(10, len(body) // 2) & ~1          # even offset
    j = (rng.randrange(len(body) // 2, len(body) - 10) | 1)  # odd offset (after the first trap)
    body[j:j] = trap
    body[i:i] = trap
    data = b"\x80" + bytes(body)
    if len(data) % 2 == 0:
        data += b"\x97"
    return data


def _empty_bytes(variant: str) -> bytes:
    return {"zero": b"", "spaces": b"   \n\n\t  \r\n  \n", "bom": codecs.BOM_UTF8,
            "newlines": b"\n\n\n", "bom-spaces": codecs.BOM_UTF8 + b" \r\n\t\r\n"}[variant]


def _too_large_bytes(rng: random.Random, filler: bytes, limit: int) -> bytes:
    size = limit + rng.randint(1, 4096)
    start = rng.randrange(len(filler) // 4)
    data = filler[start:start + size]
    data = data.decode("utf-8", errors="ignore").encode("utf-8")   # whole characters only
    return data + b"\n" * (size - len(data))


# --------------------------------------------------------------------------- main entry
def ledger_path(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    return out.with_name(out.name + ".expected.csv")


def _prepare_dir(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.exists():
        entries = sorted(out.iterdir())
        if entries and not force:
            raise FileExistsError(f"{out} is not empty (pass --force to replace a generated corpus)")
        foreign = [p.name for p in entries if not p.is_file() or p.suffix.lower() not in CORPUS_EXTS]
        if foreign:
            raise FileExistsError(f"{out} holds {', '.join(foreign[:3])}: --force only clears a "
                                  "folder of corpus files; choose another folder")
        for p in entries:
            p.unlink()
    out.mkdir(parents=True, exist_ok=True)


def make_corpus(out_dir: str | Path, n_docs: int = 2000, defect_rate: float = 0.06, seed: int = 0,
                *, max_file_mb: float = 1.0, force: bool = False,
                source: str | Path = DEFAULT_SOURCE) -> pd.DataFrame:
    """Write the messy corpus into out_dir and its ledger beside it; return the ledger."""
    if n_docs < MIN_DOCS:
        raise ValueError(f"n_docs must be at least {MIN_DOCS} (every defect kind needs 5 units)")
    if not 0 <= defect_rate <= 0.6:
        raise ValueError("defect_rate must be within [0, 0.6]")
    per, n_duptext = quotas(n_docs, defect_rate)
    n_dupid_b = max(2, per // 3)                      # file foo.txt + record foo
    n_clean = n_docs - per * (len(DEFECT_KINDS) + 1) - n_duptext   # + the duplicate_id partners
    if n_clean < n_duptext + 20:
        raise ValueError("too few documents for this defect rate")
    out = Path(out_dir)
    _prepare_dir(out, force)
    rng = random.Random(seed)
    pool = ArabicPool(Path(source), random.Random(seed + 1))
    tmpl = TemplateTexts(random.Random(seed + 2))

    uids = list(range(1, n_docs + 1))
    rng.shuffle(uids)
    units: list[Unit] = []

    def new(role: str) -> Unit:
        u = Unit(uid=uids[len(units)], role=role)
        units.append(u)
        return u

    # ---- roles
    for kind in ("binary", "undecodable", "empty", "too_large"):
        for k in range(per):
            u = new(kind)
            u.container = "txt"
            if kind == "binary":
                u.variant = ("random", "png", "pdf", "gzip", "zip")[k % 5]
            elif kind == "empty":
                u.variant = ("zero", "spaces", "bom", "newlines", "bom-spaces")[k % 5]
                u.container = ("txt", "md", "html")[(k // 5) % 3]
                if u.variant.startswith("bom") and u.container == "html":
                    u.container = "txt"
    for k in range(per):
        u = new("malformed_record")
        u.variant = ("not_json", "not_object", "no_text", "csv_inner_quote", "not_json",
                     "not_object", "no_text", "csv_unclosed_quote")[k % 8]
        u.container = "csv" if u.variant.startswith("csv") else "jsonl"
    for kind in ("bad_date", "bad_url", "bad_language"):
        for k in range(per):
            u = new(kind)
            u.field_defects.append((kind, BAD_VALUES[kind][k % len(BAD_VALUES[kind])]))
            u.manifest = k % 3 == 0            # the bad value sits in manifest.csv
    for k in range(per):
        new("unsafe_id").variant = str(k)
    for k in range(per):
        b = new("dupid_b")
        a = new("clean")                      # the partner: counted among the clean units
        a.role, a.partner, b.partner = "dupid_a", b, a
        b.variant = "file+record" if k < n_dupid_b else ("same_file" if k % 2 else "two_files")
    dup_copies = [new("duptext") for _ in range(n_duptext)]
    while len(units) < n_docs:
        new("clean")

    # ---- second field defects on about a quarter of the field-defect units
    field_units = [u for u in units if u.role in FIELD_KINDS]
    for u in field_units:
        if rng.random() < 0.25:
            other = rng.choice([k for k in FIELD_KINDS if k != u.role])
            u.field_defects.append((other, rng.choice(BAD_VALUES[other])))
    for u in units:
        if u.role == "unsafe_id" and rng.random() < 0.2:
            u.field_defects.append(("bad_date", rng.choice(BAD_VALUES["bad_date"])))

    # ---- containers and texts of the documents that carry text
    def pick_container(u: Unit) -> str:
        x = rng.random()
        return "txt" if x < 0.34 else "md" if x < 0.42 else "html" if x < 0.54 else \
            "jsonl" if x < 0.83 else "csv"

    for u in units:
        if u.role in ("binary", "undecodable", "empty", "too_large"):
            continue
        if u.role in FIELD_KINDS:
            u.container = rng.choice(("txt", "md", "html")) if u.manifest else \
                ("jsonl" if rng.random() < 0.65 else "csv")
        elif u.role in ("unsafe_id", "duptext"):
            u.container = "jsonl" if rng.random() < 0.65 else "csv"
        elif u.role == "dupid_b":
            u.container = "jsonl" if rng.random() < 0.6 else "csv"
        elif u.role == "dupid_a":
            u.container = "txt" if u.partner.variant == "file+record" else \
                (u.partner.container if u.partner.variant == "same_file" else
                 ("csv" if u.partner.container == "jsonl" else "jsonl"))
        elif u.role == "malformed_record":
            pass
        else:
            u.container = pick_container(u)
        if u.role == "duptext":
            continue                       # its text is copied below
        u.lang = "ar" if rng.random() < 0.82 else ("en" if rng.random() < 0.6 else "fr")
        u.outlet, u.slug = _slug_outlet(rng, u.lang)
        if u.container == "txt" and u.role in ("clean", "dupid_a"):
            x = rng.random()
            u.variant = ("utf8" if x < 0.45 else "utf8-bom" if x < 0.57 else "crlf" if x < 0.67
                         else "crlf-bom" if x < 0.70 else "utf16-le" if x < 0.78
                         else "utf16-be" if x < 0.81 else "cp1256")
            if u.lang != "ar" and u.variant == "cp1256":
                u.variant = "utf8"
            if u.role == "dupid_a":
                u.variant = "utf8"
        elif u.container == "md" and u.role == "clean":
            u.variant = rng.choice(("utf8", "utf8", "utf8", "utf8-bom", "crlf"))
        elif u.container in ("txt", "md"):
            u.variant = u.variant or "utf8"
        if u.lang == "ar":
            u.text = pool.take(_cp1256_ok if u.variant == "cp1256" else None)
            u.title = _title_of(u.text)
        else:
            u.title, u.text = tmpl.take(u.lang)
        u.date = _good_date(rng, iso_only=u.container in ("txt", "md", "html"))
        u.url = f"https://{u.slug}.example/{u.date[:4]}/{u.date[5:7]}/{u.uid:05d}.html"

    # ---- ids
    for u in units:
        u.doc_id = f"{u.slug or _slug_outlet(rng, 'ar')[1]}-{u.uid:05d}"
    unsafe_forms = [
        lambda b: f"../../{b}", lambda b: "/etc/passwd", lambda b: f"a/b\\c-{b}",
        lambda b: f"\u202e{b}", lambda b: f"{b}\u2066x\u2069", lambda b: f"\u2067{b}\u2069",
        lambda b: f"{b}\u200f", lambda b: f"{b}\x07bell", lambda b: f"{b}\x1b[31m",
        lambda b: f"..\\..\\{b}", lambda b: f"{b}\t\x01", lambda b: f"\u2068{b}\u2069",
        lambda b: f"C:\\Windows\\{b}", lambda b: f"{b}/../../../etc/shadow", lambda b: f"{b}\x7f",
    ]
    k_unsafe = 0
    for u in units:
        if u.role == "unsafe_id":
            u.doc_id = unsafe_forms[k_unsafe % len(unsafe_forms)](u.doc_id)
            if u.doc_id == "/etc/passwd" and k_unsafe >= len(unsafe_forms):
                u.doc_id = f"/etc/passwd.{k_unsafe}"     # ids stay distinct after sanitising
            k_unsafe += 1
        elif u.role == "dupid_b":
            u.doc_id = u.partner.doc_id
    for u in units:
        if (u.role == "clean" and u.container == "jsonl" and rng.random() < 0.08):
            u.id_written = False
        if u.container == "jsonl" and u.role in ("clean",) and rng.random() < 0.05:
            u.text_key = rng.choice(("content", "body"))
        if u.role == "clean" and u.container in ("jsonl", "csv", "html") and rng.random() < 0.06:
            u.title = _bidi(rng, u.title)
        if u.container in ("txt", "md"):
            if u.container == "md" and u.role not in ("empty",):
                u.text = f"# {u.title}\n\n" + "\n\n".join(_body_lines(u.text, u.title))
            if u.role not in ("binary", "undecodable", "empty", "too_large"):
                u.text += "\n"
                u.decoded = _decoded_of(u.text, u.variant)
        elif u.container in ("jsonl", "csv"):
            u.decoded = u.text

    # ---- exact-duplicate texts: copies of clean txt/md/jsonl/csv documents
    originals = [u for u in units if u.role == "clean" and u.container in ("txt", "md", "jsonl", "csv")
                 and u.id_written and not u.title.startswith(tuple(a for a, _ in BIDI_TITLE))]
    for c, o in zip(dup_copies, rng.sample(originals, len(dup_copies))):
        c.partner, o.partner = o, c
        o.role = "duptext_orig"
        if "\r" in o.decoded and c.container == "csv":
            c.container = "jsonl"
        if rng.random() < 0.25:
            c.container, c.variant = "txt", "utf8"
        c.text = c.decoded = o.decoded
        c.lang, c.outlet, c.slug = o.lang, o.outlet, o.slug
        c.title = o.title
        c.date = _good_date(rng)
        c.url = f"https://{c.slug}.example/{c.date[:4]}/{c.date[5:7]}/{c.uid:05d}.html"
        c.doc_id = f"{c.slug}-{c.uid:05d}"

    # ---- manifest membership (clean file documents, and the manifest-borne field defects)
    for u in units:
        if u.container in ("txt", "md", "html") and u.role == "clean" and rng.random() < 0.4:
            u.manifest = True
            if rng.random() < 0.2:
                u.manifest_title = u.title if rng.random() < 0.7 else _bidi(rng, u.title)

    # ---- bytes of file documents
    limit = max(int(max_file_mb * 1e6), int(max_file_mb * 2 ** 20))
    filler = b""
    if any(u.role == "too_large" for u in units):
        parts, size, j = [], 0, 0
        while size < limit * 1.3 + 8192:
            c = pool.chunks[j % len(pool.chunks)]
            parts.append(c.encode("utf-8") + b"\n\n")
            size += len(parts[-1])
            j += 1
        filler = b"".join(parts)
    for u in units:
        if u.container not in ("txt", "md", "html"):
            continue
        ext = u.container
        u.path = f"{u.doc_id}.{ext}"
        if u.role == "binary":
            u.raw = _binary_bytes(rng, u.variant)
        elif u.role == "undecodable":
            u.raw = _undecodable_bytes(rng)
        elif u.role == "empty":
            u.raw = _empty_bytes(u.variant)
        elif u.role == "too_large":
            u.raw = _too_large_bytes(rng, filler, limit)
        elif ext == "html":
            u.raw = _html_page(u, rng).encode("utf-8")
            if rng.random() < 0.15:
                u.raw = u.raw.replace(b"\n", b"\r\n")
        else:
            u.raw = _encode_text(u.text, u.variant or "utf8")
    # ---- record files
    rec_units = {"jsonl": [], "csv": []}
    for u in units:
        if u.container in rec_units:
            rec_units[u.container].append(u)
    files: dict[str, bytes] = {}
    _layout_jsonl(rec_units["jsonl"], rng, files)
    _layout_csv(rec_units["csv"], rng, files)
    for u in units:
        if u.raw is not None:
            files[u.path] = u.raw
    manifest_rows = _manifest(units, rng)
    files["manifest.csv"] = manifest_rows

    for name in sorted(files):
        (out / name).write_bytes(files[name])

    ledger = _ledger(units)
    ledger.to_csv(ledger_path(out), index=False, lineterminator="\n", encoding="utf-8")
    return ledger


# --------------------------------------------------------------------------- record files
def _record_obj(u: Unit) -> dict:
    obj = {}
    if u.id_written:
        obj["doc_id"] = u.doc_id
    obj["title"] = u.title
    obj[u.text_key] = u.text
    vals = {"date": u.date, "url": u.url, "language": u.lang}
    for kind, value in u.field_defects:
        vals[FIELD_KINDS[kind]] = value
    obj["date"], obj["outlet"], obj["url"], obj["language"] = (vals["date"], u.outlet, vals["url"],
                                                              vals["language"])
    return obj


def _group(units: list[Unit], rng: random.Random, lo: int, hi: int) -> list[list[Unit]]:
    """Shuffle into files of lo..hi records; a same-file duplicate_id pair stays together."""
    blocks, placed = [], set()
    for u in units:
        if id(u) in placed:
            continue
        if u.role == "dupid_b" and u.variant == "same_file" and u.partner.container == u.container:
            blocks.append([u.partner, u] if rng.random() < 0.5 else [u, u.partner])
            placed.update((id(u), id(u.partner)))
        elif u.role == "dupid_a" and u.partner.variant == "same_file":
            continue                                   # placed with its partner
        else:
            blocks.append([u])
            placed.add(id(u))
    rng.shuffle(blocks)
    groups, cur, target = [], [], rng.randint(lo, hi)
    for b in blocks:
        cur.extend(b)
        if len(cur) >= target:
            groups.append(cur)
            cur, target = [], rng.randint(lo, hi)
    if cur:
        if groups and len(cur) < lo:
            groups[-1].extend(cur)
        else:
            groups.append(cur)
    return groups


def _layout_jsonl(units: list[Unit], rng: random.Random, files: dict) -> None:
    for k, g in enumerate(_group(units, rng, 5, 40)):
        name = f"feed-{k:03d}.jsonl"
        eol = "\r\n" if rng.random() < 0.15 else "\n"
        bom = rng.random() < 0.1
        ascii_ = rng.random() < 0.2
        blank_at = rng.randrange(1, len(g)) if len(g) > 1 and rng.random() < 0.2 else -1
        lines = []
        for i, u in enumerate(g):
            if i == blank_at:
                lines.append("")
            u.path, u.line = name, len(lines) + 1
            u.file_line = u.line
            if not u.id_written:
                u.doc_id = f"{Path(name).stem}-{u.line:05d}"
            if u.role == "malformed_record":
                lines.append(_bad_json_line(u, rng, k))
            else:
                lines.append(json.dumps(_record_obj(u), ensure_ascii=ascii_))
        text = eol.join(lines) + eol
        files[name] = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def _bad_json_line(u: Unit, rng: random.Random, k: int) -> str:
    u.text = u.decoded = ""
    good = {"doc_id": u.doc_id, "title": "تقرير", "text": "نص قصير عن الاجتماع.", "date": "2017-05-03"}
    n = u.uid % 4
    if u.variant == "not_json":
        u.doc_id = ""
        s = json.dumps(good, ensure_ascii=False)
        return [s[: len(s) // 2], s.replace('"', "'"), s[:-1] + ', "x": }',
                "<html><body>502 Bad Gateway</body></html>"][n]
    if u.variant == "not_object":
        u.doc_id = ""
        return ['["doc_id", "text", 1, 2]', '"a bare JSON string holding an article"', "42",
                "null"][n]
    # no_text: an object without a string under any text field
    obj = dict(good)
    del obj["text"]
    if n == 1:
        obj["text"] = None
    elif n == 2:
        obj["text"] = 12345
    elif n == 3:
        obj["headline_only"] = "عنوان بلا نص"
    return json.dumps(obj, ensure_ascii=False)


CSV_HEADER = ["doc_id", "title", "text", "date", "outlet", "url", "language"]


def _csv_row(values: list[str], eol: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerow(values)
    return buf.getvalue()


def _plain(s: str) -> str:
    return re.sub(r'[",\r\n]+', " ", s).strip()


def _layout_csv(units: list[Unit], rng: random.Random, files: dict) -> None:
    unclosed = [u for u in units if u.variant == "csv_unclosed_quote"]
    rest = [u for u in units if u.variant != "csv_unclosed_quote"]
    groups = _group(rest, rng, 5, 25)
    while len(groups) < len(unclosed):
        groups.append([])
    for g, u in zip(rng.sample(range(len(groups)), len(unclosed)), unclosed):
        groups[g].append(u)                      # an unclosed quote can only be the last row
    for k, g in enumerate(groups):
        name = f"export-{k:03d}.csv"
        eol = "\r\n" if rng.random() < 0.3 else "\n"
        bom = rng.random() < 0.3
        rows = [_csv_row(CSV_HEADER, eol)]
        phys = 2
        for i, u in enumerate(g):
            u.path, u.line, u.file_line = name, i + 2, phys
            if u.role == "malformed_record":
                u.text = u.decoded = ""
                words = _plain(u.title or "بيان صحفي حول الاجتماع الأخير")
                if u.variant == "csv_inner_quote":
                    row = (f'{u.doc_id},{words},"المتحدث قال "لن نقبل, بأي حال" ثم غادر القاعة",'
                           f"2017-05-03,{_plain(u.outlet)},https://example.example/x,ar{eol}")
                else:
                    row = (f'{u.doc_id},{words},"نص لم يغلق اقتباسه, 2017-05-03,'
                           f"{_plain(u.outlet)},https://example.example/y,ar{eol}")
            else:
                o = _record_obj(u)
                row = _csv_row([o.get("doc_id", ""), o["title"], o["text"], o["date"], o["outlet"],
                                o["url"], o["language"]], eol)
            rows.append(row)
            phys += row.count("\n")
        files[name] = (codecs.BOM_UTF8 if bom else b"") + "".join(rows).encode("utf-8")


def _manifest(units: list[Unit], rng: random.Random) -> bytes:
    listed = sorted((u for u in units if u.manifest), key=lambda u: u.doc_id)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["doc_id", "outlet", "date", "url", "language", "title"])
    for i, u in enumerate(listed, start=2):
        vals = {"date": u.date[:10], "url": u.url, "language": u.lang}
        for kind, value in u.field_defects:
            vals[FIELD_KINDS[kind]] = value
        w.writerow([u.doc_id, u.outlet, vals["date"], vals["url"], vals["language"], u.manifest_title])
        u.manifest_line = i
    return buf.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- ledger
def _order(u: Unit) -> tuple:
    return (u.path, u.line or 0)


def _ledger(units: list[Unit]) -> pd.DataFrame:
    # Of a duplicate pair, the side that comes later in the loader's order gets the row.
    rows = []

    def loc(u: Unit) -> str:
        return u.path + (f":{u.line}" if u.line else "")

    for u in units:
        base = {"path": u.path, "line": u.line, "doc_id": u.doc_id, "file_line": u.file_line}
        defects = []
        if u.role in ("binary", "undecodable", "empty", "too_large"):
            defects.append((u.role, "file", u.variant if u.role in ("binary", "empty") else "",
                            {"too_large": f"{len(u.raw)} bytes"}.get(u.role, "")))
        elif u.role == "malformed_record":
            defects.append((u.role, "record", u.variant, ""))
        elif u.role == "unsafe_id":
            defects.append(("unsafe_id", "doc_id", u.doc_id, ""))
        elif u.role in ("dupid_b", "dupid_a") and _order(u) > _order(u.partner):
            defects.append(("duplicate_id", "doc_id", u.doc_id, f"same doc_id as {loc(u.partner)}"))
        elif u.role in ("duptext", "duptext_orig") and _order(u) > _order(u.partner):
            defects.append(("duplicate_text", "text", "",
                            f"same text as {loc(u.partner)} (doc_id {u.partner.doc_id})"))
        for kind, value in u.field_defects:
            where = (f"manifest.csv line {u.manifest_line}" if u.manifest
                     else f"{loc(u)} field {FIELD_KINDS[kind]}")
            defects.append((kind, FIELD_KINDS[kind], value, where))
        if not defects:
            rows.append({**base, "good": True, "reason": "", "action": "", "field": "", "value": "",
                         "detail": ""})
        for reason, fld, value, detail in defects:
            rows.append({**base, "good": not any(d[0] in NOT_GOOD for d in defects),
                         "reason": reason, "action": ACTIONS[reason], "field": fld, "value": value,
                         "detail": detail})
    df = pd.DataFrame(rows)
    df["line"] = df["line"].astype("Int64")
    df["file_line"] = df["file_line"].astype("Int64")
    df = df.sort_values(["path", "line", "reason"], na_position="first", kind="mergesort")
    return df[LEDGER_COLUMNS].reset_index(drop=True)


def summary(ledger: pd.DataFrame) -> str:
    units = ledger.drop_duplicates(["path", "line"])
    is_rec = units["line"].notna()
    defective = ledger[ledger["reason"].isin(DEFECT_KINDS)].drop_duplicates(["path", "line"])
    lines = [f"units (documents + records): {len(units)}",
             f"  file documents: {int((~is_rec).sum())}",
             f"  records (.jsonl/.csv): {int(is_rec.sum())}",
             f"files: {units['path'].nunique()} corpus files + manifest.csv",
             f"good documents (text analysed): {int(units['good'].sum())}",
             f"defective units: {len(defective)} ({len(defective) / len(units):.1%})",
             "rows per reason:"]
    counts = ledger["reason"].value_counts()
    for k in (*DEFECT_KINDS, "duplicate_text"):
        lines.append(f"  {k:17s} {int(counts.get(k, 0)):5d}  ({ACTIONS[k]})")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--n-docs", type=int, default=2000, help="documents + records (default 2000)")
    ap.add_argument("--defect-rate", type=float, default=0.06)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-file-mb", type=float, default=1.0,
                    help="the size limit the benchmark runs stance with (too_large files exceed it)")
    ap.add_argument("--force", action="store_true", help="replace an earlier generated corpus")
    ap.add_argument("--summary", action="store_true", help="print counts per kind")
    ap.add_argument("--source", default=str(DEFAULT_SOURCE), help="UnifiedFC articles .jsonl.gz")
    args = ap.parse_args(argv)
    try:
        ledger = make_corpus(args.out_dir, args.n_docs, args.defect_rate, args.seed,
                             max_file_mb=args.max_file_mb, force=args.force, source=args.source)
    except (FileExistsError, FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.summary:
        print(summary(ledger))
    units = ledger.drop_duplicates(["path", "line"])
    print(f"{args.out_dir}: {len(units)} documents/records, "
          f"{int(ledger['reason'].isin(DEFECT_KINDS).sum())} defect rows; ledger "
          f"{ledger_path(args.out_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
