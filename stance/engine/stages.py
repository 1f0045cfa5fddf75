"""The stages of a run, written once for every engine.

| stage       | parallel over       | what it does                                                   |
|-------------|---------------------|----------------------------------------------------------------|
| load        | -                   | read the corpus (documents table, load report)                |
| statements  | document partitions | segment, find the reported content, attribute speakers;        |
|             |                     | speaker corrections and document metadata                      |
| embed       | text partitions     | content, clause and proposition vectors (on-disk cache)        |
| match       | pair partitions     | candidate defined topics per statement (bi-encoder), then the  |
|             |                     | judge reads each (statement, proposition) pair                 |
| discover    | -                   | statements no defined topic took are clustered                 |
| stance      | pair partitions     | topic corrections; the judge's stance toward each statement's  |
|             |                     | topic (reusing `match`'s judgements); stance corrections        |
| compare     | -                   | topics table, actor x topic, contrasts, networks, timeline     |

`run_stages(state)` runs them in this order; `LocalExecutor` and `DaskExecutor` only differ in where
a stage's `executor.map(...)` runs. Every stage reads what earlier ones left on the `RunState` and
sets its own outputs there; nothing calls back into an earlier stage.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..annotations import apply_annotations, check_corrections, load_annotations, match_annotations
from ..config import Config
from ..io import sha256_text
from .executors import partition_bounds
from .notices import coverage_notices, language_gaps
from .pairs import _defined_targets, make_pairs, run_judge
from .state import Embeddings, RunState




# --------------------------------------------------------------------------- load
def load(st: RunState) -> None:
    if st.documents is not None:           # documents given directly (transform of a DataFrame)
        return
    from ..corpus import load_corpus
    c = st.config
    # --strict: the first bad document stops the run; otherwise it is skipped and reported.
    st.documents, st.load_report = load_corpus(c.corpus, c.manifest, c.max_file_mb, c.dedupe,
                                               strict=c.strict)


# --------------------------------------------------------------------------- statements
def statements_part(documents: pd.DataFrame, config: Config, registry, progress: bool = False
                    ) -> pd.DataFrame:
    """Segment, reported-content spans and attribution for a partition of documents."""
    from ..attribution import Attributor
    from ..corpus import BoilerplateCleaner, Segmenter, content_span
    cleaner = BoilerplateCleaner(config.boilerplate_patterns, use_defaults=config.default_boilerplate)
    seg = Segmenter(cleaner, config.min_statement_chars, config.max_statement_chars)
    s = seg.transform(documents, progress=progress)
    spans = [content_span(t) for t in s["text"]]
    s["reported_start"] = s["start"].to_numpy() + np.asarray([a for a, _ in spans], dtype=int)
    s["reported_end"] = s["start"].to_numpy() + np.asarray([b for _, b in spans], dtype=int)
    return Attributor(registry).transform(s, documents, progress=progress)


def statements(st: RunState) -> None:
    c, docs = st.config, st.documents
    bounds = partition_bounds(docs["text"].str.len().to_numpy() + 1, st.executor.n_parts())
    parts = st.executor.map(statements_part, [docs.iloc[a:b] for a, b in bounds], c,
                            st.models.registry, c.progress and st.executor.progress_in_tasks)
    claims = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if claims.empty:
        from ..errors import InputError
        raise InputError("no statements found in the corpus (every document is empty or "
                         "boilerplate)", path=c.corpus, hint="check the files and boilerplate_patterns")
    from ..attribution import finalize_attribution
    st.corrections = match_annotations(claims, load_annotations(c.resolve("annotations")))
    claims = apply_annotations(claims, st.corrections, "speaker", st.models.registry)
    # What needs the whole corpus (actors merged across documents …) happens once, here.
    claims, st.actors = finalize_attribution(claims, docs, st.models.registry, c)
    meta = docs.set_index("doc_id")[["date", "outlet", "language"]]
    for col in ("date", "outlet", "language"):
        claims[col] = claims["doc_id"].map(meta[col]).fillna("")
    claims["text_sha256"] = [sha256_text(t) for t in claims["text"]]
    st.claims = claims


def reported_texts(claims: pd.DataFrame) -> list[str]:
    """Each statement's reported content (the quotation, or what follows 'said that')."""
    return [t[rs - s:re - s] for t, s, rs, re in zip(claims["text"], claims["start"],
                                                       claims["reported_start"], claims["reported_end"])]


# --------------------------------------------------------------------------- embed
def embed_part(texts: list[str], embedder, cache_root: str, batch_size: int,
               progress: bool = False) -> tuple[np.ndarray, object]:
    from ..embed import EmbeddingCache
    cache = EmbeddingCache(cache_root)
    vecs = cache.encode(embedder, texts, kind="query", batch_size=batch_size, progress=progress)
    return vecs, cache.last_stats


def embed(st: RunState) -> None:
    from ..corpus import clause_spans
    c, claims = st.config, st.claims
    texts = claims["text"].tolist()
    starts = claims["start"].to_numpy()
    rel = list(zip(claims["reported_start"].to_numpy() - starts,
                   claims["reported_end"].to_numpy() - starts))
    contents = [t[a:b] for t, (a, b) in zip(texts, rel)]
    owner, clause_texts, bounds = [], [], []
    for i, (t, span) in enumerate(zip(texts, rel)):
        spans = clause_spans(t, span=(int(span[0]), int(span[1])))
        if len(spans) > 1:
            for a, b in spans:
                owner.append(i)
                clause_texts.append(t[a:b])
                bounds.append((a, b))
    anchors = [a for t in st.models.topic_model.defs for a in t.anchors]
    every = contents + clause_texts + anchors
    cuts = partition_bounds(np.ones(len(every)), st.executor.n_parts())
    parts = st.executor.map(embed_part, [every[a:b] for a, b in cuts], st.models.embedder,
                            str(c.cache_path()), c.batch_size,
                            c.progress and st.executor.progress_in_tasks)
    dim = int(st.models.embedder.dim)
    vecs = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, dim), np.float32)
    n, m = len(contents), len(clause_texts)
    st.emb = Embeddings(content=vecs[:n], clauses=vecs[n:n + m],
                        clause_owner=np.asarray(owner, dtype=int), clause_bounds=bounds,
                        anchors=vecs[n + m:], model_id=st.models.embedder.model_id,
                        stats=_sum_stats([p[1] for p in parts]))


def _sum_stats(stats: list):
    from ..embed import CacheStats
    stats = [s for s in stats if s is not None]
    if not stats:
        return None
    return CacheStats(**{f: sum(getattr(s, f) for s in stats)
                         for f in ("n_texts", "n_unique", "n_hit", "n_miss", "n_corrupt_shards")})


# --------------------------------------------------------------------------- match (defined)
def eligible_rows(claims: pd.DataFrame) -> np.ndarray:
    """Statements that may get a topic: not headings, not outlet boilerplate."""
    return ~claims["kind"].isin(("heading", "boilerplate")).to_numpy() if "kind" in claims else \
        np.ones(len(claims), dtype=bool)


def match(st: RunState) -> None:
    """Defined topics: bi-encoder candidates, the judge's reading of each pair, the decision.

    Statements the analyst corrected into a topic are extra examples of it from the start; with
    `feedback`, statements the judge reads as clearly about a topic (P >= FEEDBACK_P) become
    examples too, and statements still without a topic get a second round of candidates.
    """
    tm, claims, c = st.models.topic_model, st.claims, st.config
    if st.fit:
        tm.fit_centre(st.emb.content)
    eligible = eligible_rows(claims)
    index = {t.id: i for i, t in enumerate(tm.defs)}
    anchors, a_topic = st.emb.anchors, tm.anchor_topic()
    corrected = _corrected_rows(st, index)
    if len(corrected):
        anchors = np.vstack([anchors, st.emb.content[corrected[:, 0]]])
        a_topic = np.concatenate([a_topic, corrected[:, 1]])
    judged = _judge_candidates(st, tm.candidate_topics(
        st.emb.content, anchors, eligible, st.emb.clauses, st.emb.clause_owner, a_topic))
    if c.feedback and len(judged):
        sure = judged[judged["p_related"] >= FEEDBACK_P].sort_values("p_related", ascending=False)
        sure = sure.groupby("topic_id", sort=False).head(FEEDBACK_PER_TOPIC)
        if len(sure):
            open_rows = eligible & ~np.isin(np.arange(len(claims)), _assigned(judged, c)["row"])
            more = tm.candidate_topics(
                st.emb.content, np.vstack([anchors, st.emb.content[sure["row"].to_numpy(dtype=int)]]),
                open_rows, st.emb.clauses, st.emb.clause_owner,
                np.concatenate([a_topic, [index[t] for t in sure["topic_id"]]]))
            seen = set(zip(judged["row"], judged["topic_id"]))
            more = more[[(r, t) not in seen for r, t in zip(more["row"], more["topic_id"])]]
            if len(more):
                judged = pd.concat([judged, _judge_candidates(st, more)], ignore_index=True)
    st.judged = judged
    out = claims.copy()
    out["topic_id"] = ""
    out["topic_score"] = 0.0
    out["topic_kind"] = ""
    best = _assigned(judged, c)
    idx = best["row"].to_numpy(dtype=int)
    out.loc[out.index[idx], "topic_id"] = best["topic_id"].to_numpy()
    out.loc[out.index[idx], "topic_score"] = best["score"].to_numpy(dtype=float)
    out.loc[out.index[idx], "topic_kind"] = "defined"
    st.claims = out
    st.notices.extend(language_gaps(out, tm.defs))
    st.notices.extend(coverage_notices(out, judged, eligible, c.topic_threshold, tm.defs))


FEEDBACK_P = 0.9
"""A statement the judge reads as this surely about a topic becomes an example of it."""
FEEDBACK_PER_TOPIC = 5


def _judge_candidates(st: RunState, cands: pd.DataFrame) -> pd.DataFrame:
    targets = _defined_targets(st)
    pairs, uv, pv = make_pairs(st, cands["row"].to_numpy(dtype=int),
                               [targets[t] for t in cands["topic_id"]], cands["score"].to_numpy())
    judged = run_judge(st, pairs, uv, pv)
    judged["rank"] = cands["rank"].to_numpy() if len(cands) else []
    return judged


def _assigned(judged: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per statement, the best-ranked candidate that the judge reads as related enough.

    The judge vets, the similarity ranking chooses: the judge reads a statement on the same
    events as about every neighbouring proposition (p_related 0.9 for several), so its largest
    p_related picks the wrong neighbour more often than the candidate ranking does (UnifiedFC
    fold 4, every claim a topic: 0.66 of lines got their own claim that way, 0.70 this way, with
    higher precision; benchmarks/RESULTS.md, bench_topics.py ufc_assign).
    """
    if not len(judged):
        return judged.assign(row=pd.Series(dtype=int))
    ok = judged[judged["p_related"] >= config.topic_threshold]
    return ok.sort_values(["row", "rank", "p_related"], ascending=[True, True, False],
                          kind="mergesort").drop_duplicates("row")


def _corrected_rows(st: RunState, index: dict) -> np.ndarray:
    """(row, topic index) of statements the analyst corrected into a defined topic."""
    corr = st.corrections
    if corr is None or not len(corr):
        return np.zeros((0, 2), dtype=int)
    ok = corr[(corr["status"] == "applied") & corr["topic_id"].isin(index)]
    return np.asarray([(int(r), index[t]) for r, t in zip(ok["row"], ok["topic_id"])],
                      dtype=int).reshape(-1, 2)


# --------------------------------------------------------------------------- discover
def discover(st: RunState) -> None:
    tm, claims = st.models.topic_model, st.claims.copy()
    emb_c = tm.centre(st.emb.content)
    contents = reported_texts(claims)
    rest = np.flatnonzero((claims["topic_id"].to_numpy() == "") & eligible_rows(claims))
    if st.fit:
        ids = tm.fit_discovered(emb_c, rest, claims["claim_id"].to_numpy(), contents)
        st.info["discovery"] = dict(getattr(tm, "discovery_", {}))
        row_of = {cid: i for i, cid in enumerate(claims["claim_id"])}
        # What a discovered topic's stance is measured toward: its representative's content.
        tm.propositions_ = {tid: (contents[row_of[cid]], st.emb.content[row_of[cid]])
                            for tid, cid in tm.representatives_.items()}
    else:
        ids = tm.assign(emb_c[rest])
    got = ids != ""
    claims.loc[claims.index[rest[got]], "topic_id"] = ids[got]
    claims.loc[claims.index[rest[got]], "topic_kind"] = "discovered"
    scores = tm.centroid_scores(emb_c[rest[got]], ids[got])
    claims.loc[claims.index[rest[got]], "topic_score"] = np.round(scores.astype(float), 4)
    claims["no_topic_reason"] = no_topic_reasons(claims)
    st.claims = claims


def no_topic_reasons(claims: pd.DataFrame) -> np.ndarray:
    """Why a statement has no topic: heading, boilerplate, too_short (no content words), or
    outlier (too far from every topic); "" when it has one."""
    from ..textnorm import content_tokens
    kind = claims["kind"].to_numpy() if "kind" in claims else np.full(len(claims), "body")
    out = np.full(len(claims), "", dtype=object)
    none = claims["topic_id"].to_numpy() == ""
    contents = reported_texts(claims)
    for i in np.flatnonzero(none):
        if kind[i] in ("heading", "boilerplate"):
            out[i] = kind[i]
        elif len(content_tokens(contents[i])) < 2:
            out[i] = "too_short"
        else:
            out[i] = "outlier"
    return out


# --------------------------------------------------------------------------- stance
def stance(st: RunState) -> None:
    claims, corr = st.claims, st.corrections
    tm = st.models.topic_model
    known = {t.id for t in tm.defs} | set(getattr(tm, "centroids_", {}))
    corr = check_corrections(corr, claims, known)
    claims = apply_annotations(claims, corr, "topic_id")
    # A stance correction on a statement left without a topic cannot apply.
    corr = check_corrections(corr, claims, known, stage="stance")
    targets = _defined_targets(st)
    for tid, (text, vec) in getattr(tm, "propositions_", {}).items():
        targets[tid] = (tid, [text], vec[None, :])
    tids = claims["topic_id"].to_numpy()
    have = np.flatnonzero(tids != "")
    # Judgements made while matching are reused; the rest (discovered topics, corrected topics)
    # are read now.
    done = {}
    if st.judged is not None and len(st.judged):
        for k, (r, t) in enumerate(zip(st.judged["row"], st.judged["topic_id"])):
            done[(int(r), t)] = k
    need = [i for i in have if (int(i), tids[i]) not in done and tids[i] in targets]
    pairs, uv, pv = make_pairs(st, np.asarray(need, dtype=int), [targets[tids[i]] for i in need],
                               np.asarray(claims["topic_score"].to_numpy()[need], dtype=float))
    extra = run_judge(st, pairs, uv, pv)
    out = claims.copy()
    for col, default in (("stance", ""), ("stance_score", np.nan), ("stance_source", ""),
                         ("stance_unit_start", -1), ("stance_unit_end", -1), ("stance_target", ""),
                         ("p_related", np.nan), ("p_affirm", np.nan), ("p_deny", np.nan),
                         ("p_neutral", np.nan)):
        out[col] = default
    sources = []
    if st.judged is not None and len(st.judged):
        keep = [k for i in have for k in [done.get((int(i), tids[i]))] if k is not None]
        sources.append(st.judged.iloc[keep])
    if len(extra):
        sources.append(extra)
    if sources:
        j = pd.concat(sources, ignore_index=True)
        idx = out.index[j["row"].to_numpy(dtype=int)]
        out.loc[idx, "stance"] = j["stance"].to_numpy()
        out.loc[idx, "stance_score"] = np.round(j["stance_score"].to_numpy(dtype=float), 4)
        out.loc[idx, "stance_source"] = np.where(j["conditional"].to_numpy(dtype=bool),
                                                 "model+conditional", "model")
        out.loc[idx, "stance_unit_start"] = j["unit_start"].to_numpy(dtype=int)
        out.loc[idx, "stance_unit_end"] = j["unit_end"].to_numpy(dtype=int)
        out.loc[idx, "stance_target"] = j["proposition"].to_numpy()
        for col in ("p_related", "p_affirm", "p_deny", "p_neutral"):
            out.loc[idx, col] = np.round(j[col].to_numpy(dtype=float), 4)
    st.claims = apply_annotations(out, corr, "stance")
    st.corrections = corr


# --------------------------------------------------------------------------- compare
def compare(st: RunState) -> None:
    from .. import compare as cmp
    from ..attribution import unknown_speakers
    tm, claims = st.models.topic_model, st.claims
    st.topics = tm.topics_table(claims, tm.centre(st.emb.content), reported_texts(claims))
    labels = dict(zip(st.topics["topic_id"], st.topics["label"]))
    claims = claims.copy()
    claims["topic_label"] = [labels.get(t, t) for t in claims["topic_id"]]
    st.claims = claims
    st.tables = {
        "actor_topic": cmp.actor_topic(claims),
        "contrasts": cmp.contrasts(claims, st.emb.content, max_pairs=st.config.max_contrasts),
        "actor_network_edges": cmp.network_edges(claims),
        "timeline": cmp.timeline(claims),
        "events": cmp.events(claims),
        "unknown_speakers": unknown_speakers(claims),
        "actors": st.actors if st.actors is not None else schema.empty("actors"),
    }


STAGES = (
    ("load", load),
    ("statements", statements),
    ("embed", embed),
    ("match", match),
    ("discover", discover),
    ("stance", stance),
    ("compare", compare),
)


def run_stages(st: RunState) -> RunState:
    for name, fn in STAGES:
        with st.timer.stage(name):
            fn(st)
    return st
