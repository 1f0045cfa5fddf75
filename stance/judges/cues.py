"""Cue words of a sentence: negations, denials and increase/decrease words, per language.

The word lists live in `stance/resources/judges/cues.yaml` (one list per language); everything
is compared in `textnorm.normalize()` form, so the lists are normalised once, when first used.
The fast judge's pair features and its polarity gate, and the conditional gate, read them.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from ..textnorm import content_tokens, normalize, tokens

CUES_FILE = Path(__file__).resolve().parents[1] / "resources" / "judges" / "cues.yaml"


def _norm_set(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    """The cue lists of cues.yaml, normalised (loaded once per process)."""
    import yaml
    raw = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    out = {k: _norm_set(" ".join(raw[k].values())) for k in ("negation", "denial", "increase", "decrease")}
    out["not_negation_next"] = {normalize(k): _norm_set(v) for k, v in raw["not_negation_next"].items()}
    cond = raw["conditional"]
    out["conditional_words"] = _norm_set(" ".join(cond["words"].values()))
    out["conditional_phrases"] = tuple(tuple(normalize(w) for w in ph.split())
                                       for phs in cond["phrases"].values() for ph in phs)
    return out


_AR_CLITICS = ("و", "ف", "ب", "ل")
_NT_RE = re.compile(r"n['’]t\b")
_FR_NE_RE = re.compile(r"\bne\b|\bn['’]\w", re.UNICODE)

def _strip_clitic(tok: str, lexicon: frozenset[str]) -> str | None:
    if tok in lexicon:
        return tok
    for c in _AR_CLITICS:
        if tok.startswith(c) and tok[len(c):] in lexicon:
            return tok[len(c):]
    if tok.startswith("وب") and tok[2:] in lexicon:
        return tok[2:]
    return None


@functools.lru_cache(maxsize=262144)
def cue_counts(text: str) -> dict[str, int]:
    """Counts of negation cues, denial cues, and increase/decrease words in one sentence."""
    lex = lexicon()
    norm = normalize(text)
    toks = tokens(text)
    neg = den = up = down = 0
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        base = _strip_clitic(t, lex["negation"])
        if base is not None:
            if nxt in lex["not_negation_next"].get(base, ()):
                continue
            neg += 1
            continue
        if _strip_clitic(t, lex["denial"]) is not None:
            den += 1
        elif _strip_clitic(t, lex["increase"]) is not None:
            up += 1
        elif _strip_clitic(t, lex["decrease"]) is not None:
            down += 1
    # English contractions ("didn't") and French "ne ... " without pas/jamais/rien/aucun.
    neg += len(_NT_RE.findall(norm))
    if _FR_NE_RE.search(norm) and not any(t in {"pas", "jamais", "rien", "aucun", "aucune", "ni"}
                                          for t in toks):
        neg += 1
    return {"neg": neg, "den": den, "up": up, "down": down}


def polarity_evidence(claim: str, proposition: str) -> bool:
    """Is there a lexical reason to read the claim as opposing the proposition?"""
    c, p = cue_counts(claim), cue_counts(proposition)
    if (c["neg"] + c["den"] > 0) != (p["neg"] + p["den"] > 0):
        return True
    c_dir, p_dir = np.sign(c["up"] - c["down"]), np.sign(p["up"] - p["down"])
    return bool(c_dir * p_dir < 0)


@functools.lru_cache(maxsize=262144)
def _content_set(text: str) -> frozenset[str]:
    return frozenset(content_tokens(text))


@functools.lru_cache(maxsize=262144)
def _char_ngrams(text: str, n: int = 3) -> frozenset[str]:
    s = " ".join(tokens(text))
    return frozenset(s[i:i + n] for i in range(max(0, len(s) - n + 1)))


CUE_FEATURES = (
    "claim_neg", "claim_den", "prop_neg", "prop_den", "claim_negative", "prop_negative",
    "polarity_mismatch", "both_negative", "mismatch_x_cos", "mismatch_x_overlap",
    "claim_dir", "prop_dir", "direction_mismatch", "direction_agree",
    "token_jaccard", "prop_covered", "claim_covered", "char3_jaccard", "cosine",
)


def pair_cue_features(claim: str, proposition: str, cosine: float) -> list[float]:
    """Hand-crafted features of one pair, in CUE_FEATURES order."""
    c, p = cue_counts(claim), cue_counts(proposition)
    c_total, p_total = c["neg"] + c["den"], p["neg"] + p["den"]
    # A side is negative when it carries any cue: stacked cues in news are negative concord
    # ("никогда не", "الادعاءات ... كاذبة"), far more often than a double negation.
    c_negative, p_negative = int(c_total > 0), int(p_total > 0)
    mismatch = float(c_negative != p_negative)
    # Cached per text: a proposition recurs for every claim of its topic (read-only results).
    ct, pt = _content_set(claim), _content_set(proposition)
    inter = len(ct & pt)
    jacc = inter / len(ct | pt) if ct | pt else 0.0
    prop_cov = inter / len(pt) if pt else 0.0
    claim_cov = inter / len(ct) if ct else 0.0
    cg, pg = _char_ngrams(claim), _char_ngrams(proposition)
    char_j = len(cg & pg) / len(cg | pg) if cg | pg else 0.0
    c_dir = float(np.sign(c["up"] - c["down"]))
    p_dir = float(np.sign(p["up"] - p["down"]))
    return [
        min(c["neg"], 3), min(c["den"], 3), min(p["neg"], 3), min(p["den"], 3),
        c_negative, p_negative, mismatch, float(c_negative and p_negative),
        mismatch * cosine, mismatch * max(prop_cov, jacc),
        c_dir, p_dir, float(c_dir * p_dir < 0), float(c_dir * p_dir > 0),
        jacc, prop_cov, claim_cov, char_j, cosine,
    ]
