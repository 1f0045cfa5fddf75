"""Stance of a claim toward its topic's proposition: affirm / deny / neutral, with a score.

The default tagger is a multinomial logistic regression over

* embedding features of the (claim, proposition) pair: u*v, |u-v| and the cosine (e5 query
  vectors, L2-normalised here again for safety);
* multilingual negation and denial cues counted per side (Arabic, English, French, Russian),
  each side's polarity (any cue present) and the polarity mismatch between the sides, alone
  and crossed with similarity, because e5 barely separates a sentence from its negation
  (cosine ~0.93);
* increase/decrease direction words per side and their mismatch (news contradictions are often
  "rises" vs "falls");
* lexical overlap of content tokens and of character trigrams.

It is fitted by ``scripts/fit_stance_tagger.py`` and stored as plain JSON (no pickle) in
``stance/judges/models/fast_tagger.json``. ``load_stance_tagger("default")`` loads that file.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..embed.backends import unit_rows
from ..errors import ModelError
from ..params import Params
from .cues import CUE_FEATURES, pair_cue_features, polarity_evidence

LABELS = ("affirm", "deny", "neutral")
FORMAT = "stance-tagger"
FORMAT_VERSION = 1
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "fast_tagger.json"


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"embeddings must be a 2-D array (n, dim), got shape {x.shape}")
    return unit_rows(x, dtype=np.float64)


# --------------------------------------------------------------------------------------------

class StanceTagger(Params):
    """Base class. Subclasses implement fit / predict_proba / _to_dict / _from_dict."""

    def __init__(self, neutral_margin: float = 0.15):
        self.neutral_margin = neutral_margin

    def fit(self, claims, propositions, claim_emb, prop_emb, labels) -> "StanceTagger":
        raise NotImplementedError

    def predict_proba(self, claims, propositions, claim_emb, prop_emb) -> np.ndarray:
        raise NotImplementedError

    def predict(self, claims, propositions, claim_emb, prop_emb) -> tuple[list[str], np.ndarray]:
        """Labels and stance_score = P(affirm) - P(deny) in [-1, 1].

        affirm/deny is chosen only when its probability exceeds both the neutral probability and
        the opposite stance's probability by at least ``neutral_margin``; otherwise neutral.
        With ``strong_deny`` set (DefaultStanceTagger), a deny that has no polarity evidence and
        P(deny) < strong_deny becomes affirm when the pair is related (P(affirm) + P(deny) -
        P(neutral) >= neutral_margin), else neutral; its deny probability moves accordingly.
        """
        proba = self.predict_proba(claims, propositions, claim_emb, prop_emb)
        score = proba[:, 0] - proba[:, 1]
        out = []
        for pa, pd_, pn in proba:
            best, p_best, p_other = (0, pa, pd_) if pa >= pd_ else (1, pd_, pa)
            if p_best - max(pn, p_other) >= self.neutral_margin and p_best > pn:
                out.append(LABELS[best])
            else:
                out.append("neutral")
        strong = getattr(self, "strong_deny", None)
        if strong and len(out):
            # Deny needs polarity evidence (a negation/denial cue on one side only, or opposite
            # directions). ANS-style "disagree" also covers pairs that merely word things
            # differently; for a claim already matched to the topic, related-without-opposition
            # reads as support. Only a very confident model keeps an unsupported deny.
            for n, (c, p) in enumerate(zip(claims, propositions)):
                if out[n] == "deny" and proba[n, 1] < strong and not polarity_evidence(c, p):
                    related = proba[n, 0] + proba[n, 1] - proba[n, 2]
                    out[n] = "affirm" if related >= self.neutral_margin else "neutral"
                    # The unsupported deny mass joins affirm (or neutral): the score follows.
                    score[n] = proba[n, 0] + proba[n, 1] if out[n] == "affirm" else proba[n, 0]
        return out, score

    # --- persistence -------------------------------------------------------------------------
    def _to_dict(self) -> dict:
        raise NotImplementedError

    @classmethod
    def _from_dict(cls, d: dict, path: str) -> "StanceTagger":
        raise NotImplementedError

    def save(self, path) -> None:
        from ..io import write_text
        d = {"format": FORMAT, "version": FORMAT_VERSION, "class": type(self).__name__,
             "labels": list(LABELS), "params": self.get_params(), **self._to_dict()}
        write_text(path, json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, path) -> "StanceTagger":
        path = str(path)
        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
        except FileNotFoundError as e:
            raise ModelError("stance model file not found", path=path,
                             hint="refit it with scripts/fit_stance_tagger.py") from e
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ModelError(f"stance model file cannot be read ({e})", path=path,
                             hint="the file is corrupt; refit it with scripts/fit_stance_tagger.py"
                             ) from e
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ModelError("not a stance tagger model file", path=path)
        if d.get("version") != FORMAT_VERSION:
            raise ModelError(f"unsupported stance model version {d.get('version')!r}", path=path,
                             hint=f"this code reads version {FORMAT_VERSION}; refit the model")
        if tuple(d.get("labels", ())) != LABELS:
            raise ModelError(f"model labels {d.get('labels')!r} differ from {LABELS}", path=path)
        target = _REGISTRY.get(d.get("class"))
        if target is None or not issubclass(target, cls):
            raise ModelError(f"model class {d.get('class')!r} cannot be loaded as {cls.__name__}",
                             path=path)
        try:
            return target._from_dict(d, path)
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError) as e:
            raise ModelError(f"stance model file is malformed ({type(e).__name__}: {e})",
                             path=path, hint="refit it with scripts/fit_stance_tagger.py") from e


def _check_inputs(claims, propositions, claim_emb, prop_emb):
    n = len(claims)
    if len(propositions) != n or len(claim_emb) != n or len(prop_emb) != n:
        raise ValueError(f"claims ({n}), propositions ({len(propositions)}), claim_emb "
                         f"({len(claim_emb)}) and prop_emb ({len(prop_emb)}) must have equal length")


class DefaultStanceTagger(StanceTagger):
    """Logistic regression over embedding-pair, negation-cue and overlap features.

    Features are standardised; the 2*dim embedding features are then scaled by `embed_weight`
    (< 1 regularises them more than the few cue features). C and embed_weight were chosen on a
    held-out quarter of ANS train (grouped by proposition), not on dev.
    """

    def __init__(self, neutral_margin: float = 0.15, C: float = 0.01,
                 class_weight: str | None = "balanced", embed_weight: float = 0.5,
                 max_iter: int = 3000, strong_deny: float | None = 0.9):
        super().__init__(neutral_margin)
        self.strong_deny = strong_deny
        self.C = C
        self.class_weight = class_weight
        self.embed_weight = embed_weight
        self.max_iter = max_iter

    # features ------------------------------------------------------------------------------
    def features(self, claims, propositions, claim_emb, prop_emb) -> np.ndarray:
        _check_inputs(claims, propositions, claim_emb, prop_emb)
        if len(claims) == 0:
            dim = np.shape(claim_emb)[1] if np.ndim(claim_emb) == 2 else 0
            return np.zeros((0, 2 * dim + len(CUE_FEATURES)))
        u, v = _l2(claim_emb), _l2(prop_emb)
        if u.shape != v.shape:
            raise ValueError(f"claim_emb {u.shape} and prop_emb {v.shape} differ in shape")
        cos = np.sum(u * v, axis=1)
        cues = np.array([pair_cue_features(c, p, float(s))
                         for c, p, s in zip(claims, propositions, cos)], dtype=np.float64)
        return np.hstack([u * v, np.abs(u - v), cues])

    def fit(self, claims, propositions, claim_emb, prop_emb, labels,
            sample_weight=None) -> "DefaultStanceTagger":
        from sklearn.linear_model import LogisticRegression
        bad = sorted({lab for lab in labels if lab not in LABELS})
        if bad:
            raise ValueError(f"unknown labels {bad}; expected {LABELS}")
        X = self.features(claims, propositions, claim_emb, prop_emb)
        if len(X) == 0:
            raise ValueError("cannot fit on empty input")
        y = np.array([LABELS.index(lab) for lab in labels])
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ < 1e-9] = 1.0
        self.embedding_dim_ = (X.shape[1] - len(CUE_FEATURES)) // 2
        Z = self._standardise(X)
        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        lr.fit(Z, y, sample_weight=sample_weight)
        coef = np.zeros((len(LABELS), X.shape[1]))
        intercept = np.zeros(len(LABELS))
        coef[lr.classes_] = lr.coef_ if len(lr.classes_) > 2 else np.vstack([-lr.coef_, lr.coef_])
        intercept[lr.classes_] = (lr.intercept_ if len(lr.classes_) > 2
                                  else np.r_[-lr.intercept_, lr.intercept_])
        if len(lr.classes_) < len(LABELS):  # a class never seen cannot be predicted
            missing = [i for i in range(len(LABELS)) if i not in lr.classes_]
            intercept[missing] = -1e3
        self.coef_, self.intercept_ = coef, intercept
        return self

    def _standardise(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.mean_) / self.scale_
        Z[:, : 2 * self.embedding_dim_] *= self.embed_weight
        return Z

    def predict_proba(self, claims, propositions, claim_emb, prop_emb) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ModelError(f"{type(self).__name__} is not fitted; call fit() or load a model")
        _check_inputs(claims, propositions, claim_emb, prop_emb)
        if len(claims) == 0:
            return np.zeros((0, len(LABELS)))
        dim = np.shape(claim_emb)[1]
        if dim != self.embedding_dim_:
            raise ValueError(f"embeddings have {dim} dimensions; this model was fitted on "
                             f"{self.embedding_dim_}-dimensional vectors")
        # In chunks: the feature matrix is n x (2*dim + cues) float64, ~0.6 GB at 100k claims.
        out = np.empty((len(claims), len(LABELS)))
        for s in range(0, len(claims), 8192):
            sl = slice(s, s + 8192)
            logits = self._standardise(self.features(list(claims[sl]), list(propositions[sl]),
                                                     claim_emb[sl], prop_emb[sl]))
            logits = logits @ self.coef_.T + self.intercept_
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            out[sl] = p / p.sum(axis=1, keepdims=True)
        return out

    def adapt(self, claims, propositions, claim_emb, prop_emb, labels, strength: float = 1.0,
              steps: int = 500, learning_rate: float = 0.05) -> "DefaultStanceTagger":
        """Few-shot adaptation to an analyst's corrections; returns a new tagger.

        Minimises the cross-entropy on the corrected examples plus strength/2 * ||W - W0||^2,
        pulling the fitted weights W0 only as far as the corrections require: a handful of
        examples shifts the model without forgetting what it learned. Features are standardised
        with the base model's statistics, so the adapted model stays comparable.
        """
        import copy
        if not hasattr(self, "coef_"):
            raise ModelError(f"{type(self).__name__} is not fitted; call fit() or load a model")
        bad = sorted({lab for lab in labels if lab not in LABELS})
        if bad:
            raise ValueError(f"unknown labels {bad}; expected {LABELS}")
        Z = self._standardise(self.features(claims, propositions, claim_emb, prop_emb))
        if len(Z) == 0:
            raise ValueError("no corrected examples to adapt to")
        Y = np.zeros((len(Z), len(LABELS)))
        Y[np.arange(len(Z)), [LABELS.index(lab) for lab in labels]] = 1.0
        W0, b0 = self.coef_.copy(), self.intercept_.copy()
        W, b = W0.copy(), b0.copy()
        for _ in range(steps):
            logits = Z @ W.T + b
            logits -= logits.max(axis=1, keepdims=True)
            P = np.exp(logits)
            P /= P.sum(axis=1, keepdims=True)
            G = (P - Y) / len(Z)
            # Gradient step on the data term, then the proximal step of the pull toward W0:
            # stable for any strength (an explicit step diverges once lr * strength > 2).
            shrink = 1.0 + learning_rate * strength
            W = (W - learning_rate * (G.T @ Z) + learning_rate * strength * W0) / shrink
            b = (b - learning_rate * G.sum(axis=0) + learning_rate * strength * b0) / shrink
        new = copy.deepcopy(self)
        new.coef_, new.intercept_ = W, b
        new.meta_ = {**getattr(self, "meta_", {}), "adapted_on": int(len(Z)),
                     "adapt_strength": float(strength)}
        return new

    # persistence ---------------------------------------------------------------------------
    def _to_dict(self) -> dict:
        if not hasattr(self, "coef_"):
            raise ModelError("cannot save an unfitted stance tagger")
        r = lambda a: [float(f"{x:.6g}") for x in np.ravel(a)]  # noqa: E731
        return {"embedding_dim": int(self.embedding_dim_), "cue_features": list(CUE_FEATURES),
                "mean": r(self.mean_), "scale": r(self.scale_),
                "coef": [r(row) for row in self.coef_], "intercept": r(self.intercept_),
                "meta": getattr(self, "meta_", {})}

    @classmethod
    def _from_dict(cls, d: dict, path: str) -> "DefaultStanceTagger":
        params = {k: v for k, v in d["params"].items() if k in cls().get_params()}
        self = cls(**params)
        if list(d["cue_features"]) != list(CUE_FEATURES):
            raise ModelError("model was fitted with a different cue feature set", path=path,
                             hint="refit it with scripts/fit_stance_tagger.py")
        self.embedding_dim_ = int(d["embedding_dim"])
        width = 2 * self.embedding_dim_ + len(CUE_FEATURES)
        self.mean_ = np.asarray(d["mean"], dtype=np.float64)
        self.scale_ = np.asarray(d["scale"], dtype=np.float64)
        self.coef_ = np.asarray(d["coef"], dtype=np.float64)
        self.intercept_ = np.asarray(d["intercept"], dtype=np.float64)
        if (self.mean_.shape != (width,) or self.scale_.shape != (width,)
                or self.coef_.shape != (len(LABELS), width) or self.intercept_.shape != (len(LABELS),)):
            raise ModelError("stance model arrays have inconsistent shapes", path=path,
                             hint="the file is corrupt; refit it with scripts/fit_stance_tagger.py")
        arrays = (self.mean_, self.scale_, self.coef_, self.intercept_)
        if not all(np.isfinite(a).all() for a in arrays) or (self.scale_ <= 0).any():
            raise ModelError("stance model holds non-finite or invalid numbers", path=path)
        self.meta_ = d.get("meta", {})
        return self


_REGISTRY: dict[str, type[StanceTagger]] = {"DefaultStanceTagger": DefaultStanceTagger}


def load_stance_tagger(name_or_path: str = "default", neutral_margin: float = 0.15,
                       strong_deny: float | None = None) -> StanceTagger:
    """Load the bundled tagger ("default") or a saved model file; set its neutral_margin.

    strong_deny (DefaultStanceTagger): a deny with no negation/denial/direction evidence needs at
    least this probability (0 turns the check off); None keeps the saved value.
    """
    path = DEFAULT_MODEL_PATH if str(name_or_path) == "default" else Path(name_or_path)
    tagger = StanceTagger.load(path)
    if not (isinstance(neutral_margin, (int, float)) and math.isfinite(neutral_margin)
            and 0 <= neutral_margin < 1):
        raise ValueError(f"neutral_margin must be in [0, 1), got {neutral_margin!r}")
    tagger.neutral_margin = float(neutral_margin)
    if strong_deny is not None and hasattr(tagger, "strong_deny"):
        tagger.strong_deny = float(strong_deny)
    return tagger


# --------------------------------------------------------------------------------------------
class FastJudge(Params):
    """The fast tagger behind the judge interface (`--judge fast`).

    Relevance is the corpus-centred cosine between the judged unit and the proposition (the
    topic model's candidate score) turned into a probability by a logistic curve centred at
    `relevance_cosine`; stance is the tagger's label with its neutral margin and polarity gate.
    It needs the vectors (`needs_vectors`), so its judgements are not cached by text.
    """

    needs_vectors = True
    cacheable = False

    def __init__(self, model: str = "default", neutral_margin: float = 0.15,
                 strong_deny: float = 0.9, relevance_cosine: float = 0.30, relevance_width: float = 0.05):
        self.model = model
        self.neutral_margin = neutral_margin
        self.strong_deny = strong_deny
        self.relevance_cosine = relevance_cosine
        self.relevance_width = relevance_width

    def _reset(self) -> None:
        self.__dict__.pop("_tagger", None)

    @property
    def model_id(self) -> str:
        return f"fast-{Path(str(self.model)).stem}"

    def tagger(self) -> StanceTagger:
        t = self.__dict__.get("_tagger")
        if t is None:
            t = self._tagger = load_stance_tagger(self.model, self.neutral_margin, self.strong_deny)
        return t

    def judge(self, statements, propositions, statement_vecs=None, proposition_vecs=None,
              relevance=None, progress: bool = False):
        """The judgement table (see `stance.judges.judgement_table`) for the pairs.

        relevance: the pairs' centred cosines from the topic model; without it, the cosine of the
        given vectors is used.
        """
        import pandas as pd
        if statement_vecs is None or proposition_vecs is None:
            raise ValueError("the fast judge needs statement and proposition vectors")
        n = len(statements)
        if n == 0:
            return pd.DataFrame(columns=["related", "stance", "p_affirm", "p_deny", "p_neutral",
                                         "p_unrelated", "stance_score"])
        sv, pv = np.asarray(statement_vecs), np.asarray(proposition_vecs)
        tagger = self.tagger()
        proba = tagger.predict_proba(list(statements), list(propositions), sv, pv)
        labels, score = tagger.predict(list(statements), list(propositions), sv, pv)
        cos = np.asarray(relevance, dtype=float) if relevance is not None else \
            np.sum(_l2(sv) * _l2(pv), axis=1)
        related = 1.0 / (1.0 + np.exp(-(cos - self.relevance_cosine) / self.relevance_width))
        return pd.DataFrame({
            "related": np.round(related, 4), "stance": list(labels),
            "p_affirm": np.round(proba[:, 0], 4), "p_deny": np.round(proba[:, 1], 4),
            "p_neutral": np.round(proba[:, 2], 4), "p_unrelated": np.round(1 - related, 4),
            "stance_score": np.asarray(score, dtype=float),
        })
