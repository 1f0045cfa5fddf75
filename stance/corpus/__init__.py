"""Corpus stage: read articles (any supported format and encoding), mark boilerplate, split them
into statements with exact document offsets, and find each statement's reported content."""
from .clean import BoilerplateCleaner, kept_regions
from .content import clause_spans, content_span
from .decode import decode_bytes, guess_language, html_to_text
from .load import LoadReport, documents_from_frame, load_corpus
from .segment import Segmenter, quote_spans

__all__ = ["BoilerplateCleaner", "kept_regions", "clause_spans", "content_span", "LoadReport",
           "decode_bytes", "documents_from_frame", "guess_language", "html_to_text", "load_corpus", "Segmenter", "quote_spans"]
