"""HTML → PDF with WeasyPrint, allowed to read only the files the report needs.

Article text is escaped, so a corpus cannot add elements; the fetcher is the second wall: it
serves file:// URLs inside the allowed folders (this package, the run's figures/, the font files)
and refuses everything else, so the build never makes a network request.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..io import atomic_path
from .pdftext import searchable_text


class LocalOnlyFetcher(URLFetcher):
    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=["file"], allow_redirects=False)
        self.roots = [Path(r).resolve() for r in roots]

    def allows(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_file():
            return None
        if any(path == r or path.is_relative_to(r) for r in self.roots):
            return path
        return None

    def fetch(self, url, headers=None):
        path = self.allows(url)
        if path is None:
            raise ValueError(f"blocked by the report's URL fetcher: {url[:120]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() in (".ttf", ".otf"):
            mime = "font/ttf" if path.suffix.lower() == ".ttf" else "font/otf"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": mime})


def write_pdf(html: str, base_dir: Path, pdf_path: Path, roots: list[Path]) -> None:
    fetcher = LocalOnlyFetcher(roots)
    base_url = base_dir.resolve().as_uri() + "/"
    # WeasyPrint logs every blocked URL and unsupported CSS property at WARNING; keep quiet
    # unless something is really wrong.
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        doc = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        with atomic_path(pdf_path) as tmp, searchable_text():
            # Keep WeasyPrint's font subsetting although it costs seconds on Amiri: with
            # full_fonts=True, Arabic glyphs lose their text mapping and copy/extract as junk.
            # searchable_text(): the text layer gives back the typeset text (pdftext.py).
            doc.write_pdf(target=str(tmp))
    finally:
        log.setLevel(level)
