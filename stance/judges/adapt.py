"""Few-shot adaptation of the fast judge's tagger to an analyst's corrections (`--judge fast`).

`stance adapt-stance RUN_DIR --out my_tagger.json` takes the stance corrections in the run's
annotations.csv, rebuilds exactly what the tagger judged for each corrected claim (the unit of the
statement and the proposition recorded in claims.csv), nudges the bundled model toward the
corrections (DefaultStanceTagger.adapt) and saves a new model file; rerun with
`--judge fast --stance-model my_tagger.json`. The analyst's files are only read.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..annotations import load_annotations, match_annotations
from ..config import Config
from ..errors import AnnotationError, InputError


def adapt_stance(run_dir: str | Path, out: str | Path, config: Config,
                 annotations: str | Path | None = None, strength: float = 1.0) -> dict:
    from ..embed import EmbeddingCache, load_embedder
    from .fast import LABELS, FastJudge
    from .units import judged_text
    run_dir = Path(run_dir)
    claims_path = run_dir / "claims.csv"
    if not claims_path.exists():
        raise InputError("no claims.csv here: pass a folder written by `stance run`", path=run_dir)
    from ..engine import load_run
    claims = load_run(run_dir).claims
    need = {"stance_unit_start", "stance_unit_end", "stance_target", "reported_start"}
    if need - set(claims.columns):
        raise InputError("claims.csv lacks the stance unit columns; rerun `stance run` with this version",
                         path=claims_path)
    ann_path = Path(annotations) if annotations else config.resolve("annotations")
    if ann_path is None:
        raise AnnotationError("no annotations.csv found", path=config.corpus,
                              hint="pass --annotations FILE or put annotations.csv in the corpus folder")
    matched = match_annotations(claims, load_annotations(ann_path))
    use = matched[(matched["status"] == "applied") & (matched["stance"] != "")]
    use = use[[int(claims["stance_unit_start"].iat[r]) >= 0 for r in use["row"]]]
    # Two corrections of one claim: the later row wins, as when corrections are applied.
    use = use.drop_duplicates("row", keep="last")
    rows = use["row"].astype(int).tolist()
    if not rows:
        raise AnnotationError("no stance corrections match a claim with a topic in this run", path=ann_path)
    sub = claims.iloc[rows]
    texts, unit_texts = [], []
    for t, st, rs, us, ue in zip(sub["text"], sub["start"], sub["reported_start"],
                                 sub["stance_unit_start"], sub["stance_unit_end"]):
        a, b = int(us) - int(st), int(ue) - int(st)
        unit_texts.append(t[a:b])
        texts.append(judged_text(t, int(rs) - int(st), (a, b)))   # what the judge read
    props = sub["stance_target"].tolist()
    cache = EmbeddingCache(config.cache_path())
    embedder = load_embedder(config)
    vecs = cache.encode(embedder, unit_texts + props, kind="query", batch_size=config.batch_size)
    cv, pv = vecs[:len(rows)], vecs[len(rows):]
    labels = use["stance"].tolist()
    base = FastJudge(config.stance_model, config.neutral_margin, config.strong_deny).tagger()
    before = base.predict(texts, props, cv, pv)[0]
    tuned = base.adapt(texts, props, cv, pv, labels, strength=strength)
    after = tuned.predict(texts, props, cv, pv)[0]
    tuned.save(out)
    return {"examples": len(rows), "labels": {k: labels.count(k) for k in LABELS if k in labels},
            "agree_before": int(np.sum(np.array(before) == np.array(labels))),
            "agree_after": int(np.sum(np.array(after) == np.array(labels))), "out": str(out)}
