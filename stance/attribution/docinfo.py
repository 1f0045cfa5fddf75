"""Facts of one document the attributor needs: its author (manifest `speaker`/`author`), the
acronyms it defines ("la Commission électorale nationale autonome (CENA)"), and names written in
quotation marks («Тенир Майнинг») that are no quotation."""
from __future__ import annotations

import re

import pandas as pd

AUTHOR_FIELDS = ("speaker", "author")


_ACRONYM = re.compile(r"\(([A-ZÀ-ÖА-ЯЁ]{2,8})\)")
_SMALL = {"de", "du", "des", "d", "la", "le", "l", "of", "for", "the", "and", "et", "по", "и", "pour"}


def acronyms(text: str) -> dict:
    """Acronyms a document defines: "la Commission électorale nationale autonome (CENA)"."""
    import unicodedata
    out = {}
    for m in _ACRONYM.finditer(text or ""):
        acr = m.group(1)
        words = re.findall(r"[^\W\d_]+", text[max(0, m.start() - 200):m.start()])[-12:]
        letters, span = "", []
        for w in reversed(words):
            span.insert(0, w)
            if w.casefold() in _SMALL:
                continue
            letters = unicodedata.normalize("NFKD", w[0]).upper()[0] + letters
            if letters == acr:
                out[acr] = _span_text(text[:m.start()], span)
                break
            if len(letters) >= len(acr):
                break
    return out


def _span_text(before: str, words: list[str]) -> str:
    """The original text of the last words of `before` (keeping apostrophes and hyphens)."""
    i = len(before)
    for w in reversed(words):
        i = before.rfind(w, 0, i)
        if i < 0:
            return " ".join(words)
    return before[i:].strip()


def quoted_name(inner: str) -> bool:
    """«Тенир Майнинг», "Radio J": a short capitalised name in quotation marks, not a quote."""
    words = inner.strip("\"“”«»„‟ ").split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or not w[:1].isalpha() for w in words) \
        and not any(c in inner for c in ".,;:!?")


def authors_of(documents: pd.DataFrame | None) -> dict:
    if documents is None or not len(documents) or "doc_id" not in documents:
        return {}
    out = {}
    for f in AUTHOR_FIELDS:
        if f in documents:
            for doc_id, v in zip(documents["doc_id"].astype(str), documents[f]):
                if isinstance(v, str) and v.strip() and doc_id not in out:
                    out[doc_id] = v.strip()
    return out
