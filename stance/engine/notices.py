"""Notices a run prints and records in run.json: what the analyst should look at."""
from __future__ import annotations

import numpy as np
import pandas as pd


def coverage_notices(claims: pd.DataFrame, judged: pd.DataFrame, eligible: np.ndarray,
                     threshold: float, topic_defs) -> list[str]:
    """A notice when most statements matched no defined topic, with what a lower
    --topic-threshold would give (the counts come from the judgements already made)."""
    if not len(topic_defs) or not eligible.any():
        return []
    n = int(eligible.sum())
    got = int((claims["topic_kind"] == "defined").sum())
    if got >= 0.5 * n:
        return []
    best = judged.groupby("row")["p_related"].max() if len(judged) else pd.Series(dtype=float)
    options = [(t, int((best >= t).sum())) for t in (0.4, 0.3, 0.2, 0.1) if t < threshold]
    options = [(t, k) for t, k in options if k > got]
    empty = [t.id for t in topic_defs if not (claims["topic_id"] == t.id).any()]
    msg = (f"{got} of {n} statements matched one of the {len(topic_defs)} defined topics "
           f"(topic_threshold {threshold})")
    if empty:
        msg += f"; no statement matched {', '.join(empty)}"
    if options:
        msg += "; with " + ", ".join(f"--topic-threshold {t} {k} would" for t, k in options) + \
            " (check a few in claims.csv's p_related column before lowering it)"
    msg += "; the others are clustered into discovered topics"
    return [msg]


def language_gaps(claims: pd.DataFrame, topic_defs) -> list[str]:
    """Notices for defined topics written in none of a corpus language's words.

    The model matches across languages, but less tightly than within one, so a statement in a
    language the topic was never written in may miss it. The fix is the analyst's: `also:` lines.
    """
    from ..corpus import guess_language
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
