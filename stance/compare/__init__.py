"""Compare actors: who says what about which topic, who opposes whom, and how it changes over time.

Every function takes the claims table (one row per statement; see DESIGN.md) and returns a new
DataFrame / graph / dict; nothing here mutates its input or does I/O except `export_networks`.
Missing values may be "" or NaN/None; both are treated as missing. Rows are always returned in a
deterministic order. Topic ids sort "naturally" (T2 before T10). Empty input (no rows, no topics,
no attributed claims) gives empty outputs with the documented columns, never an exception.

Definitions shared by all outputs
---------------------------------
- *attributed claim*: `speaker` is not empty. *Actor* = `speaker` (the registry's display name).
- a claim with `duplicate_of` set repeats an earlier one (same text, another document) and is
  left out of every count, so a statement reprinted by several articles counts once.
- *topic claim*: `topic_id` is not empty.
- stance values are lower-cased; a topic claim whose stance is not affirm/deny/neutral (e.g. "")
  counts as neutral.
- an actor's `country` / `bloc` is the most frequent non-empty value over all their attributed
  claims (ties: alphabetically first); a topic's `topic_label` is its most frequent non-empty label.
- *dominant stance* of an actor on a topic: affirm if n_affirm > n_deny, deny if n_deny > n_affirm,
  "mixed" if equal and non-zero, "neutral" if the actor made only neutral claims on it.
- dates are normalised to ISO `YYYY-MM-DD`; anything unparseable counts as missing ("").

Outputs
-------
`actor_topic(claims)` -> DataFrame, one row per actor x topic (attributed topic claims only):
    speaker, country, bloc, topic_id, topic_label, n_affirm, n_deny, n_neutral, n_claims,
    net_stance (= (n_affirm - n_deny) / n_claims, 3 decimals, in [-1, 1]),
    first_date, last_date ("" when none of the claims is dated),
    mean_confidence (mean `stance_confidence` of the statements behind the dominant stance -
    all of them when mixed; NaN when the judge's probabilities are missing),
    strongest_claim_id (the most confident of those statements; ties: smallest claim_id).
    Sorted by topic_id, net_stance descending, speaker.

`stance_confidence(claims)` -> Series: how sure the judge is of each claim's stance,
    P(that stance | about the topic) x P(about the topic) = p_<stance> x p_related, in [0, 1];
    1 for an analyst's correction (stance_source "annotation"); NaN without a stance or
    without the judge's probabilities.

`contrasts(claims, embeddings, max_pairs=200, min_similarity=None)` -> DataFrame, one row per
opposing pair of claims:
    topic_id, topic_label, claim_id_a, claim_id_b, speaker_a, speaker_b, stance_a, stance_b,
    similarity, text_a, text_b, date_a, date_b, outlet_a, outlet_b, doc_id_a, doc_id_b,
    country_a, country_b, bloc_a, bloc_b.
    A pair = two attributed claims on the same topic, one affirm and one deny, by different
    speakers; side a is always the affirming claim (stance_a == "affirm", stance_b == "deny").
    similarity = cosine of the two claims' embeddings (3 decimals): the higher, the more directly
    the two statements speak to each other.
    Ranking: similarity (3 decimals) descending; at equal similarity a cross-bloc pair (both blocs
    known and different) ranks above a same-bloc/unknown-bloc pair; then the unrounded
    similarity, topic_id, claim_id_a, claim_id_b. The output is in this order.
    Fair cap: topics take turns (round-robin) - every topic's best pair comes before any topic's
    second best, and so on - until `max_pairs` (None = no cap) pairs are chosen, so one big topic
    cannot take all the slots. `min_similarity` drops pairs below that cosine.
    Repeats: the same statement (same topic, speaker, stance and text up to case/whitespace; e.g.
    one wire quote reprinted by many outlets) is paired once, using its earliest dated occurrence.
    Cost: per topic, affirm x deny similarity blocks in bounded chunks (never all x all claims).

`network_edges(claims, kind="both")` -> DataFrame, one row per actor pair (DNA one-mode network):
    actor_a, actor_b (actor_a < actor_b), congruence (number of topics on which both hold the same
    dominant stance, affirm or deny), conflict (number of topics with opposite dominant stances),
    weight, topics (";"-joined topic ids), bloc_a, bloc_b.
    kind="congruence": pairs with congruence > 0, weight = congruence, topics = congruent topics;
    kind="conflict":   pairs with conflict > 0,   weight = conflict,   topics = conflicting topics;
    kind="both":       pairs with either > 0,     weight = congruence - conflict (may be 0 or
    negative), topics = all topics on which both took a side.
    Neutral and "mixed" dominant stances create no ties (as in Leifeld's Discourse Network
    Analyzer, where only the agreement qualifier's two values are compared). Sorted by actor_a,
    actor_b.

`actor_network(claims, kind="both")` -> networkx.Graph built from `network_edges`:
    nodes = every actor with an attributed topic claim (isolates included), attributes
    label, country, bloc, n_claims (attributed topic claims), n_topics;
    edges carry congruence, conflict, weight, topics. graph attribute `kind`.

`actor_topic_network(claims)` -> networkx.Graph, two-mode (actors x topics):
    actor nodes: id = speaker, bipartite=0, node_type="actor", label, country, bloc, n_claims;
    topic nodes: id = "topic:<topic_id>", bipartite=1, node_type="topic", label (topic_label or
    the id), topic_id, n_claims (all claims on the topic, attributed or not);
    edges (one per actor_topic row): stance (dominant), n_affirm, n_deny, n_neutral, n_claims,
    net_stance, weight (= n_claims).

`export_networks(claims, out_dir)` -> [Path] writes, each atomically (temp file + os.replace):
    actor_network.graphml (kind="both"), actor_topic_network.graphml, actor_network_edges.csv
    (`network_edges`, UTF-8 with BOM). All GraphML attribute values are str/int/float.

`timeline(claims, freq="D")` -> DataFrame, one row per date bucket x actor x topic:
    date (ISO; for freq "W" the Monday starting the week, "M" the first of the month, "Q"/"Y" the
    first day of the quarter/year), speaker, bloc, topic_id, topic_label, n_affirm, n_deny,
    n_neutral, net_stance. Attributed topic claims with a date only. Sorted by topic_id, speaker,
    date.

`events(claims)` -> DataFrame, one row per attributed topic claim (DNA "statement" export):
    date, doc_id, claim_id, person (= speaker), organisation, country, bloc, concept
    (= topic_label), topic_id, agreement, stance_score, text, outlet.
    agreement: 1 = affirm, 0 = deny, "" = neutral. Neutral claims are kept (they show who spoke
    on the topic) but carry no agreement value, so DNA-style tools that only know a binary
    qualifier can drop them by filtering agreement != "". Sorted by date (undated last), doc_id,
    start, claim_id.

`summary(claims)` -> dict {topic_id: {"topic_label": str, "affirmers": [speaker, ...],
    "deniers": [speaker, ...], "n_claims": int}} for every topic with at least one claim.
    affirmers/deniers = actors whose dominant stance is affirm/deny, strongest net_stance first
    (then by name); n_claims counts all claims on the topic, attributed or not. Topics in
    natural topic_id order.
"""
from ._common import (ACTOR_TOPIC_COLUMNS, CONTRASTS_COLUMNS, EVENTS_COLUMNS,
                      NETWORK_EDGES_COLUMNS, TIMELINE_COLUMNS, stance_confidence)
from .networks import actor_network, actor_topic_network, export_networks, network_edges
from .tables import actor_topic, contrasts, events, summary, timeline

__all__ = [
    "ACTOR_TOPIC_COLUMNS", "CONTRASTS_COLUMNS", "NETWORK_EDGES_COLUMNS", "TIMELINE_COLUMNS",
    "EVENTS_COLUMNS", "actor_topic", "contrasts", "actor_network", "actor_topic_network",
    "network_edges", "export_networks", "timeline", "events", "summary", "stance_confidence",
]
