#!/usr/bin/env python
"""Build a synthetic corpus of N statements from the real seed text, for scale benchmarks.

    python benchmarks/make_corpus.py --statements 10000 --out /tmp/corpus-10k [--seed 0]

Every statement comes from the seed articles (seeds/*.txt), segmented by stance's own segmenter:

* resampled: statements are drawn with replacement from all seed documents;
* recombined: a statement without quotation marks is, with probability --recombine, joined from
  the head clause of one seed statement and the tail clause of another (split at "،" / "," outside
  any quotation, so quotes always stay balanced);
* names varied: per generated document, each registry person named in it (any Arabic alias,
  longest match first) is, with probability 0.6, replaced by a name drawn from a pool holding the
  registry's other people *and* names that are not in the registry (so attribution meets unknown
  speakers too); the mapping is fixed within a document so carry-over ("وتابع …") stays coherent;
* dates (2021-01-01 .. 2025-12-31) and outlets vary per document; weekday names in the text
  ("الأربعاء" …) are redrawn.

Output folder (never commit it; write it under /tmp):
  corpus-NNN.jsonl     one article per line: doc_id, title, outlet, date, language, url, text
                       (split into files of at most --docs-per-file articles: the loader refuses
                       files over max_file_mb = 20 MB)
  manifest.csv         doc_id, outlet, date, language, url (stance's manifest)
  actors.yaml, topics.yaml   copied from seeds/ so `stance run OUT` finds them
  corpus_manifest.json generator parameters, counts (documents, statements, unique statement
                       texts, names swapped, unknown names used), sha256 of every file

Deterministic: the same --seed and --statements give byte-identical files.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# Names that are not in seeds/actors.yaml (the attributor should list them as unknown speakers).
UNKNOWN_NAMES = [
    "أحمد الخطيب", "جون ميلر", "إيلينا بتروفا", "كارلوس منديز", "توماس برغ", "سامي العلي",
    "أندريه كوزلوف", "ماريا غونزاليس", "هانس فيشر", "ليلى حداد", "بيتر نوفاك", "يوري سميرنوف",
]
OUTLETS = ["Al Mayadeen", "RT Arabic", "Al Jazeera", "BBC Arabic", "Sky News Arabia", "Anadolu Arabic",
           "Asharq Al-Awsat", "France 24 Arabic", "Al Arabiya", "DW Arabic", "Independent Arabia",
           "Al-Quds Al-Arabi"]
WEEKDAYS = ["السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة"]
WEEKDAY_RE = re.compile("|".join(WEEKDAYS))
QUOTES = "\"“”«»„‟'‘’"
ARABIC = re.compile(r"[\u0600-\u06FF]")


def seed_statements() -> list[str]:
    from stance.config import Config
    from stance import StancePipeline
    st = StancePipeline(Config(corpus=str(SEEDS), progress=False)).run_stages(until="statements").claims
    body = st[st["kind"] != "title"] if "kind" in st else st
    return [t.strip() for t in body["text"] if len(t.strip()) >= 20]


def registry_people() -> dict[str, list[str]]:
    """actor id -> Arabic aliases, for persons in the seed registry."""
    import yaml
    data = yaml.safe_load((SEEDS / "actors.yaml").read_text(encoding="utf-8"))
    out = {}
    for a in data.get("actors", []):
        kind = a.get("kind") or ("person" if a.get("parent") or a.get("gender") else "organisation")
        if kind != "person":
            continue
        ar = [s for s in a.get("aliases", []) if ARABIC.search(s)]
        if ar:
            out[a["id"]] = ar
    return out


def split_clause(text: str) -> tuple[str, str] | None:
    """(head, tail) at the middle-most comma outside quotes, or None."""
    if any(q in text for q in QUOTES):
        return None
    cuts = [m.start() for m in re.finditer("[،,]", text) if 15 <= m.start() <= len(text) - 15]
    if not cuts:
        return None
    c = min(cuts, key=lambda i: abs(i - len(text) / 2))
    return text[:c].rstrip(), text[c + 1:].lstrip()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--statements", "-n", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--recombine", type=float, default=0.7)
    ap.add_argument("--min-doc", type=int, default=12, help="fewest statements per article")
    ap.add_argument("--max-doc", type=int, default=40, help="most statements per article")
    ap.add_argument("--docs-per-file", type=int, default=1000)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    pool = seed_statements()
    splits = [s for s in (split_clause(t) for t in pool) if s]
    people = registry_people()
    alias_owner = {al: pid for pid, als in people.items() for al in als}
    alias_re = re.compile("|".join(re.escape(a) for a in sorted(alias_owner, key=len, reverse=True)))
    full_names = sorted({max(als, key=len) for als in people.values()})
    name_pool = full_names + UNKNOWN_NAMES
    start, span = dt.date(2021, 1, 1), (dt.date(2025, 12, 31) - dt.date(2021, 1, 1)).days

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    n_done, n_docs, n_swapped, unknown_used, uniq = 0, 0, 0, set(), set()
    manifest_rows, files, fh = [], [], None
    while n_done < args.statements:
        k = min(rng.randint(args.min_doc, args.max_doc), args.statements - n_done)
        mapping = {pid: (rng.choice(name_pool) if rng.random() < 0.6 else None) for pid in people}
        sents = []
        for _ in range(k):
            if splits and rng.random() < args.recombine:
                (h, _), (_, t) = rng.choice(splits), rng.choice(splits)
                s = f"{h}، {t}"
            else:
                s = rng.choice(pool)

            def swap(m):
                nonlocal n_swapped
                new = mapping[alias_owner[m.group(0)]]
                if new is None:
                    return m.group(0)
                n_swapped += 1
                if new in UNKNOWN_NAMES:
                    unknown_used.add(new)
                return new
            s = alias_re.sub(swap, s)
            # The day named in the sentence follows the article's date variety.
            s = WEEKDAY_RE.sub(lambda m: rng.choice(WEEKDAYS), s)
            sents.append(s)
            uniq.add(s)
        doc_id = f"syn{args.seed}-{n_docs:07d}"
        date = (start + dt.timedelta(days=rng.randrange(span + 1))).isoformat()
        outlet = rng.choice(OUTLETS)
        rec = {"doc_id": doc_id, "title": sents[0][:80], "outlet": outlet, "date": date,
               "language": "ar", "url": f"https://example.invalid/{doc_id}",
               "text": "\n".join(sents) + "\n"}
        if n_docs % args.docs_per_file == 0:
            if fh:
                fh.close()
            files.append(out / f"corpus-{len(files):03d}.jsonl")
            fh = files[-1].open("w", encoding="utf-8", newline="\n")
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        manifest_rows.append([doc_id, outlet, date, "ar", rec["url"]])
        n_docs += 1
        n_done += k
    if fh:
        fh.close()
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["doc_id", "outlet", "date", "language", "url"])
        w.writerows(manifest_rows)
    for name in ("actors.yaml", "topics.yaml"):
        shutil.copyfile(SEEDS / name, out / name)
    meta = {
        "generator": "benchmarks/make_corpus.py",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seed": args.seed, "statements": n_done, "documents": n_docs,
        "unique_statements": len(uniq), "seed_statements": len(pool),
        "recombine": args.recombine, "names_swapped": n_swapped,
        "unknown_names_used": sorted(unknown_used),
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(out.iterdir()) if p.is_file()},
    }
    (out / "corpus_manifest.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")
    print(f"{out}: {n_docs} documents, {n_done} statements ({len(uniq)} unique texts), "
          f"{n_swapped} names swapped, {len(unknown_used)} unregistered names used")
    return 0


if __name__ == "__main__":
    sys.exit(main())
