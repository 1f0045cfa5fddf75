"""Stance accuracy on the hand-checked seed sample (benchmarks/seed_stance_gold.csv).

    python benchmarks/bench_seed_stance.py RUN_DIR [RUN_DIR ...] [--card stance/judges/models/fast_tagger.card.json]

The gold file holds one row per (claim, defined topic) with the stance a reader gives it (labels
written by reading the Arabic, not by looking at any model output). Rows whose claim is in a
different topic in the run are reported as coverage, not scored.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

GOLD = Path(__file__).with_name("seed_stance_gold.csv")


def score(run_dir: Path, gold: pd.DataFrame) -> dict:
    claims = pd.read_csv(run_dir / "claims.csv", keep_default_na=False, encoding="utf-8-sig")
    m = gold.merge(claims[["claim_id", "topic_id", "stance"]], on="claim_id", how="left",
                   suffixes=("", "_run"))
    same = m[m.topic_id == m.topic_id_run]
    acc = (same.gold_stance == same.stance).mean() if len(same) else float("nan")
    cm = pd.crosstab(same.gold_stance, same.stance, rownames=["gold"], colnames=["run"])
    return {"run": str(run_dir), "scored": len(same), "gold_rows": len(gold),
            "accuracy": round(float(acc), 3), "correct": int((same.gold_stance == same.stance).sum()),
            "confusion": cm}


def main(argv=None) -> int:
    argv = list(argv if argv is not None else sys.argv[1:])
    card = None
    if "--card" in argv:
        i = argv.index("--card")
        card = Path(argv[i + 1])
        del argv[i:i + 2]
    if not argv:
        print(__doc__)
        return 1
    gold = pd.read_csv(GOLD, keep_default_na=False)
    for d in argv:
        r = score(Path(d), gold)
        print(f"{r['run']}: {r['correct']}/{r['scored']} correct = {r['accuracy']:.3f} "
              f"({r['scored']} of {r['gold_rows']} gold rows in the same topic)")
        print(r["confusion"].to_string(), "\n")
    if card is not None:
        # The first run folder is the pipeline's default settings; record it with the model.
        import json
        r = score(Path(argv[0]), gold)
        data = json.loads(card.read_text(encoding="utf-8")) if card.exists() else {}
        data["seed_sample_accuracy"] = {"correct": r["correct"], "n": r["scored"],
                                        "accuracy": r["accuracy"], "gold": GOLD.name,
                                        "command": "python benchmarks/bench_seed_stance.py RUN_DIR --card " + str(card)}
        card.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
