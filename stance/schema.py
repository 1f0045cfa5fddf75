"""Every output table's columns, types and meaning, in one place.

The run writer orders columns by this schema (contract columns first, extensions after), `load_run`
reads types from it, the report asks it which columns exist, and the README's output contract is
checked against it by a test. Extend it, never break it: a column may be added, not renamed or
removed, except through `LEGACY` (old names `load_run` still understands for one release).

Types: ``str`` (text, "" when missing), ``int``, ``float`` (NaN when missing), ``bool``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    meaning: str
    contract: bool = False
    """Part of the output contract in DESIGN.md (required); others are documented extensions."""


@dataclass(frozen=True)
class Table:
    name: str
    row: str
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def contract_names(self) -> list[str]:
        return [c.name for c in self.columns if c.contract]

    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.columns}


def _t(name: str, row: str, *cols: tuple) -> Table:
    return Table(name, row, tuple(Column(*c) for c in cols))


C = True   # contract column
E = False  # extension

DOCUMENTS = _t(
    "documents", "document",
    ("doc_id", "str", "stable id (file name without extension, or the record's doc_id)", C),
    ("title", "str", "headline (first line, HTML <title>, or the record's title)", C),
    ("outlet", "str", "publisher, from the manifest or the record", C),
    ("date", "str", "publication date, ISO YYYY-MM-DD", C),
    ("language", "str", "ISO 639-1 code (manifest, record, or guessed from the text)", C),
    ("n_claims", "int", "statements found in the document", C),
    ("url", "str", "source address", E),
    ("sha256", "str", "hash of the document text", E),
    ("source", "str", "file (and record line) the document came from", E),
    ("encoding", "str", "encoding the file was decoded with", E),
)

CLAIMS = _t(
    "claims", "statement",
    ("claim_id", "str", "<doc_id>:<start>, stable across reruns of the same input", C),
    ("doc_id", "str", "document of the statement", C),
    ("start", "int", "document offset of the statement's first character", C),
    ("end", "int", "document offset after its last character (text == document[start:end])", C),
    ("text", "str", "the statement exactly as in the document", C),
    ("speaker", "str", "actor who made it: registry display name or discovered actor's name", C),
    ("speaker_text", "str", "the words of the text that name the speaker", C),
    ("organisation", "str", "organisation the speaker speaks for", C),
    ("country", "str", "ISO 3166-1 alpha-3, or a code for a non-state entity (NATO, EU …)", C),
    ("bloc", "str", "the analyst's grouping (registry, else the default blocs table)", C),
    ("attribution", "str", "how the speaker was found: quote, reporting_verb, carry_over, "
                           "according_to, headline_prefix, readout, author (the document's "
                           "manifest author), annotation, unattributed; empty for boilerplate", C),
    ("topic_id", "str", "defined topic id, d<N> for a discovered topic, empty when none", C),
    ("topic_label", "str", "the topic's label", C),
    ("stance", "str", "affirm, deny or neutral toward the topic's proposition (empty: no topic)", C),
    ("stance_score", "float", "P(affirm) - P(deny) given the statement is about the topic", C),
    ("date", "str", "the document's date", C),
    ("outlet", "str", "the document's outlet", C),
    ("language", "str", "the document's language", E),
    ("kind", "str", "body, heading, title or boilerplate (also: a statement repeated in "
                    "two or more articles of one outlet)", E),
    ("is_quote", "bool", "the statement holds a quotation of two words or more", E),
    ("speaker_id", "str", "registry or discovered actor id", E),
    ("relayed_by", "str", "actor who reports the speaker's words, when not the speaker", E),
    ("attribution_note", "str", "why the attribution was made (cue word, carry-over source …)", E),
    ("reported_start", "int", "document offset of the reported content (the quotation, or what "
                              "follows 'said that'); equals start when the whole statement", E),
    ("reported_end", "int", "document offset after the reported content", E),
    ("topic_score", "float", "vector similarity to the topic (corpus-centred cosine to the "
                             "nearest proposition wording or example; to the centroid for a "
                             "discovered topic)", E),
    ("topic_kind", "str", "defined, discovered, annotated, or empty", E),
    ("no_topic_reason", "str", "why a statement has no topic: heading, boilerplate, too_short "
                               "(under two content words) or outlier (no topic near enough)", E),
    ("stance_source", "str", "model, model+conditional or annotation", E),
    ("stance_unit_start", "int", "document offset of the text the judge read (-1: not judged)", E),
    ("stance_unit_end", "int", "document offset after it", E),
    ("stance_target", "str", "the proposition the statement was judged against", E),
    ("p_related", "float", "the judge's probability that the statement is about its topic", E),
    ("p_affirm", "float", "P(affirm | about the topic)", E),
    ("p_deny", "float", "P(deny | about the topic)", E),
    ("p_neutral", "float", "P(neutral | about the topic)", E),
    ("text_sha256", "str", "hash of text (annotations match on it)", E),
    ("quote_start", "int", "document offset of the longest quotation (-1 when none)", E),
    ("quote_end", "int", "document offset after it (-1 when none)", E),
    ("duplicate_of", "str", "claim_id of the first identical statement in the corpus; such "
                            "repeats are counted once in comparisons", E),
    ("speakers_all", "str", "';'-joined names of every actor credited with the statement "
                            "(coordinated speakers, a readout's participants); the first is "
                            "`speaker`", E),
    ("speaker_source", "str", "where the speaker comes from: registry, discovered (a name found "
                              "in the text), gazetteer (a country, seat, organisation or role of "
                              "the bundled gazetteer), annotation; empty when none", E),
)

TOPICS = _t(
    "topics", "topic",
    ("topic_id", "str", "defined topic id or d<N>", C),
    ("label", "str", "display label", C),
    ("proposition", "str", "the claim stance is measured toward (a discovered topic's "
                           "representative statement)", C),
    ("keywords", "str", "';'-joined c-TF-IDF keywords, as written in the corpus", C),
    ("size", "int", "statements in the topic", C),
    ("n_actors", "int", "distinct speakers in the topic", C),
    ("representative", "str", "the statement that best represents the topic", E),
    ("representative_claim_id", "str", "its claim_id", E),
    ("kind", "str", "defined or discovered", E),
)

ACTOR_TOPIC = _t(
    "actor_topic", "actor x topic",
    ("speaker", "str", "actor", C),
    ("country", "str", "actor's country", C),
    ("bloc", "str", "actor's bloc", C),
    ("topic_id", "str", "topic", C),
    ("n_affirm", "int", "statements affirming the proposition", C),
    ("n_deny", "int", "statements denying it", C),
    ("n_neutral", "int", "statements on it taking no side", C),
    ("net_stance", "float", "(n_affirm - n_deny) / n_claims, in [-1, 1]", C),
    ("topic_label", "str", "topic label", E),
    ("n_claims", "int", "statements (repeats counted once)", E),
    ("first_date", "str", "earliest dated statement", E),
    ("last_date", "str", "latest dated statement", E),
    ("mean_confidence", "float", "mean judge probability of the stances counted", E),
    ("strongest_claim_id", "str", "the statement that most clearly carries the dominant stance", E),
)

CONTRASTS = _t(
    "contrasts", "opposing pair",
    ("topic_id", "str", "topic", C),
    ("claim_id_a", "str", "the affirming statement", C),
    ("claim_id_b", "str", "the denying statement", C),
    ("speaker_a", "str", "its speaker", C),
    ("speaker_b", "str", "its speaker", C),
    ("stance_a", "str", "affirm", C),
    ("stance_b", "str", "deny", C),
    ("similarity", "float", "cosine of the two statements' content vectors", C),
    ("topic_label", "str", "topic label", E),
    ("text_a", "str", "statement a", E), ("text_b", "str", "statement b", E),
    ("date_a", "str", "date of a", E), ("date_b", "str", "date of b", E),
    ("outlet_a", "str", "outlet of a", E), ("outlet_b", "str", "outlet of b", E),
    ("doc_id_a", "str", "document of a", E), ("doc_id_b", "str", "document of b", E),
    ("country_a", "str", "country of a", E), ("country_b", "str", "country of b", E),
    ("bloc_a", "str", "bloc of a", E), ("bloc_b", "str", "bloc of b", E),
)

ACTORS = _t(
    "actors", "actor",
    ("actor_id", "str", "registry id, or a slug of a discovered actor's name", C),
    ("name", "str", "display name", C),
    ("aliases", "str", "';'-joined spellings seen in the corpus (and the registry's)", C),
    ("role", "str", "role or title (spokesperson, foreign minister …)", C),
    ("organisation", "str", "organisation the actor speaks for", C),
    ("country", "str", "ISO 3166-1 alpha-3 or organisation code", C),
    ("bloc", "str", "bloc", C),
    ("source", "str", "registry, discovered or gazetteer", C),
    ("n_statements", "int", "statements credited to the actor (as speaker or joint speaker; "
                            "repeats counted once)", C),
    ("kind", "str", "person, organisation or state", E),
)

UNKNOWN_SPEAKERS = _t(
    "unknown_speakers", "name seen, not resolved to an actor",
    ("speaker_text", "str", "the name as written", C),
    ("n", "int", "statements", C),
    ("example_claim_id", "str", "one of them", C),
)

NETWORK_EDGES = _t(
    "actor_network_edges", "actor pair",
    ("actor_a", "str", "first actor (alphabetical)", E),
    ("actor_b", "str", "second actor", E),
    ("congruence", "int", "topics where both hold the same dominant stance", E),
    ("conflict", "int", "topics with opposite dominant stances", E),
    ("weight", "int", "congruence - conflict", E),
    ("topics", "str", "';'-joined topic ids", E),
    ("bloc_a", "str", "bloc of a", E),
    ("bloc_b", "str", "bloc of b", E),
)

TIMELINE = _t(
    "timeline", "date x actor x topic",
    ("date", "str", "day", E), ("speaker", "str", "actor", E), ("bloc", "str", "bloc", E),
    ("topic_id", "str", "topic", E), ("topic_label", "str", "label", E),
    ("n_affirm", "int", "affirming statements", E), ("n_deny", "int", "denying statements", E),
    ("n_neutral", "int", "neutral statements", E), ("net_stance", "float", "net stance", E),
)

EVENTS = _t(
    "events", "attributed topic statement (Discourse Network Analyzer export)",
    ("date", "str", "date", E), ("doc_id", "str", "document", E), ("claim_id", "str", "statement", E),
    ("person", "str", "speaker", E), ("organisation", "str", "organisation", E),
    ("country", "str", "country", E), ("bloc", "str", "bloc", E),
    ("concept", "str", "topic label", E), ("topic_id", "str", "topic", E),
    ("agreement", "str", "1 affirm, 0 deny, empty neutral", E),
    ("stance_score", "float", "stance score", E), ("text", "str", "statement", E),
    ("outlet", "str", "outlet", E),
)

ANNOTATIONS_REPORT = _t(
    "annotations_report", "annotation row",
    ("claim_id", "str", "annotated statement", E), ("text_sha256", "str", "text hash given", E),
    ("speaker", "str", "speaker correction", E), ("topic_id", "str", "topic correction", E),
    ("stance", "str", "stance correction", E), ("note", "str", "analyst's note", E),
    ("line", "int", "line in annotations.csv", E),
    ("status", "str", "applied, unmatched, text_changed, unknown_topic, no_topic", E),
)

SKIPPED = _t(
    "skipped", "document, record or field that could not be used as it was",
    ("path", "str", "file, relative to the corpus folder (manifest.csv for a manifest value)", E),
    ("line", "int", "physical line where the record starts (.jsonl/.csv; manifest.csv: its row); "
                    "empty for a whole file", E),
    ("doc_id", "str", "the id as written or derived (empty when unknown); control and bidi "
                      "characters shown as \\uXXXX", E),
    ("reason", "str", "binary, undecodable, empty, too_large, unreadable, malformed_record, "
                      "bad_date, bad_url, bad_language, duplicate_id, unsafe_id, duplicate_text", E),
    ("action", "str", "skipped (the document is not analysed), field_blanked (the document is, "
                      "without that field) or renamed (under a new id)", E),
    ("detail", "str", "the error message and its hint; the new id when renamed", E),
)

TABLES: dict[str, Table] = {t.name: t for t in (
    DOCUMENTS, CLAIMS, TOPICS, ACTOR_TOPIC, CONTRASTS, ACTORS, UNKNOWN_SPEAKERS, NETWORK_EDGES,
    TIMELINE, EVENTS, ANNOTATIONS_REPORT, SKIPPED)}

# Old column names `load_run` still reads (one release): name -> (new name, conversion).
# 0.1 wrote the reported content's offsets relative to the statement as content_start/end.
LEGACY = {"claims": {"content_start": "reported_start", "content_end": "reported_end"}}


def ordered(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """`df` with the schema's columns first (in order, those present), then any others."""
    names = TABLES[table].names
    return df[[c for c in names if c in df] + [c for c in df if c not in names]]


def empty(table: str) -> pd.DataFrame:
    t = TABLES[table]
    return pd.DataFrame({c.name: pd.Series(dtype=_pandas_dtype(c.dtype)) for c in t.columns})


def _pandas_dtype(dtype: str):
    return {"str": object, "int": "int64", "float": "float64", "bool": bool}[dtype]


def coerce(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Types from the schema on a table read as text: numbers as numbers, ids stay text.

    Columns the schema does not know are left as text; missing schema columns are not added.
    """
    t = TABLES.get(table)
    if t is None:
        return df
    df = df.copy()
    for c in t.columns:
        if c.name not in df:
            continue
        s = df[c.name]
        if c.dtype in ("int", "float"):
            num = pd.to_numeric(s.replace("", np.nan), errors="coerce")
            if c.dtype == "int" and num.notna().all():
                num = num.astype("int64")
            df[c.name] = num
        elif c.dtype == "bool":
            df[c.name] = s.astype(str).str.strip().str.lower().isin(("true", "1", "yes"))
        else:
            df[c.name] = s.fillna("").astype(str)
    return df


def upgrade(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns of an older release renamed to today's (see LEGACY)."""
    old = LEGACY.get(table, {})
    if table == "claims" and "content_start" in df and "reported_start" not in df:
        # 0.1: statement-relative offsets -> document offsets
        start = pd.to_numeric(df["start"], errors="coerce")
        df = df.copy()
        for o, n in old.items():
            df[n] = start + pd.to_numeric(df[o], errors="coerce")
        df = df.drop(columns=list(old))
    return df
