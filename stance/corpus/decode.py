"""From bytes to text: encodings, HTML pages, and a guess of the language.

UTF-8 (with or without BOM), UTF-16 (with a BOM, or detected by its byte pattern) and
windows-1256 (only when the result reads as Arabic text) are accepted; anything else is an error
naming the file. HTML keeps the article's text and title, and drops scripts, styles and images.
"""
from __future__ import annotations

import codecs
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from .records import input_error

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
        raise input_error("binary", "looks like a binary file (it contains NUL bytes), not text",
                          path, hint="remove it from the corpus folder or convert it to UTF-8 text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    text = data.decode("cp1256", errors="replace")
    if "\ufffd" not in text and _plausible_arabic_codepage(text):
        return text, "windows-1256"
    raise input_error(
        "undecodable",
        f"cannot decode: not UTF-8 (bad byte at offset {utf8_error.start}), UTF-16 or windows-1256",
        path, hint="re-save the file as UTF-8")


def _strict(data: bytes, enc: str, path: Path) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        raise input_error("undecodable", f"declares {enc} by its byte-order mark but byte "
                          f"{e.start} is invalid", path, hint="re-save the file as UTF-8") from None


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
