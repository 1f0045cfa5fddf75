"""Checks the hand-written judge pairs (pairs_*.yaml) before training reads them.

    python scripts/judge_data/check_pairs.py            # every pairs_*.yaml beside this script

Each file holds 40 propositions with unique ids; each proposition has 3 affirming, 3 denying, 2
neutral and 2 unrelated statements, and every text is present in en, ar, fr and ru. No text may
name the seeds' or the benchmarks' subjects (Russia, Ukraine, NATO, Syria, ISIS, dams, their
leaders), so the pairs cannot leak what the judge is measured on.
"""
from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

import yaml

LANGS = ("en", "ar", "fr", "ru")
SHAPE = {"affirm": 3, "deny": 3, "neutral": 2, "unrelated": 2}
N_PROPOSITIONS = 40
FORBIDDEN = {
    "en": r"\b(russia\w*|ukrain\w*|nato|syria\w*|isis|islamic state|dams?|biden|putin|zelensk\w*)\b",
    "fr": r"\b(russie|russes?|ukrain\w*|otan|syrie\w*|syrien\w*|daech|état islamique|barrages?|biden"
          r"|poutine|zelensk\w*)\b",
    "ru": r"\b(росси\w*|русск\w*|украин\w*|нато|сири[яиюей]\w*|игил|плотин\w*|байден\w*|путин\w*"
          r"|зеленск\w*)\b",
    "ar": r"روسي|أوكران|الناتو|سوري|داعش|الدولة الإسلامية|بايدن|بوتين|زيلينسك"
          r"|(^|\s)[وبلف]?(ال)?سدّ?(ود)?($|\s|[،.])",
}


def check(path: Path) -> int:
    props = yaml.safe_load(path.read_text(encoding="utf-8"))["propositions"]
    assert len(props) == N_PROPOSITIONS, (path, len(props))
    assert len({p["id"] for p in props}) == N_PROPOSITIONS, (path, "repeated ids")
    for p in props:
        counts = collections.Counter(s["label"] for s in p["statements"])
        assert counts == SHAPE, (path, p["id"], counts)
        for item in [p, *p["statements"]]:
            for lang in LANGS:
                text = item.get(lang)
                assert isinstance(text, str) and text.strip(), (path, p["id"], lang, item)
                assert not re.search(FORBIDDEN[lang], text, re.I), (path, p["id"], lang, text)
    return sum(len(p["statements"]) for p in props)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(Path(__file__).parent.glob("pairs_*.yaml"))
    for path in paths:
        n = check(path)
        print(f"ok: {path.name}: {N_PROPOSITIONS} propositions, {n} statements x {len(LANGS)} languages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
