"""Synthetic multilingual (ar, en, fr, ru) training pairs for the claim judge.

A pair is (proposition, statement) -> label in {unrelated, affirm, deny, neutral}. The hand-written
bank in ``judge_data/events.yaml`` holds news claims ("events", each with a contradiction) in the
four languages, speakers with their grammatical gender, and sentence frames in four families:

    say      S asserts the clause            clause = proposition         -> affirm
    deny     S rejects the clause as false   clause = proposition         -> deny
    neutral  S takes no side on the clause                                -> neutral
    bare     the clause on its own (no named speaker)                     -> like say

The proposition is an event's ``p`` (sometimes its ``neg``; a statement asserting ``neg`` then
affirms it). The statement puts the same event's ``p`` or ``neg`` (or one of their paraphrases,
``p_alt`` / ``neg_alt``) into a frame; a statement built on a *different* event's clause (half
from the same group: hard negatives) is ``unrelated``, except between events marked ``related``
(a troop build-up bears on an intention to invade): those are never paired. A frame may be kept
to some event groups (``groups``: intelligence frames for the security groups) or to alarming
news (``alarm``: "S warned that …", only with the ``p`` clause of an event marked ``alarm``).
About a third of the pairs are cross-language.

    from judge_synth import synth_pairs      # from scripts/, e.g. in scripts/train_judge.py
    df = synth_pairs(seed=0)                 # ~8,000 rows, deterministic for a seed

    python scripts/judge_synth.py --n 200 --seed 0            # generate 200 pairs, print a sample + counts
    python scripts/judge_synth.py --show 30 --lang fr         # 30 random French statements
    python scripts/judge_synth.py --check                     # validate the bank and the output
"""
from __future__ import annotations

import argparse
import random
import re
import signal
import sys
from pathlib import Path

import pandas as pd
import yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "judge_data" / "events.yaml"
LANGS = ("ar", "en", "fr", "ru")
FAMILIES = ("say", "deny", "neutral", "bare")
LABELS = ("unrelated", "affirm", "deny", "neutral")
TARGET_SHARE = {"unrelated": 0.30, "affirm": 0.25, "deny": 0.25, "neutral": 0.20}
COLUMNS = ["proposition", "statement", "label", "lang_p", "lang_s", "family", "event", "source"]

CROSS_SHARE = 1 / 3      # share of pairs whose statement language differs from the proposition's
NEG_PROP_SHARE = 0.3     # share of pairs whose proposition is the event's `neg`
SAME_GROUP_SHARE = 0.5   # share of unrelated pairs whose statement comes from the same group

# How each stance label is produced: (family, clause polarity relative to the proposition, weight).
# "same" = the statement's clause has the proposition's polarity, "flip" = the opposite one.
PLANS = {
    "affirm": [("say", "same", 5), ("bare", "same", 2), ("deny", "flip", 3)],
    "deny": [("say", "flip", 4), ("bare", "flip", 2), ("deny", "same", 4)],
    "neutral": [("neutral", "any", 1)],
}
UNRELATED_FAMILIES = [("say", 35), ("deny", 20), ("neutral", 20), ("bare", 25)]

# Characters after which an inserted clause starts a sentence (keeps its capital letter). After a
# colon only English keeps the capital ("Breaking: The …"); French and Russian write lower case.
_OPENERS = set('"“«„')
# Names from the test corpus that must never appear in synthetic training text.
_FORBIDDEN = re.compile(
    r"(?i)\b(russia|russian|ukrain\w*|nato|donbas+|putin|zelensk\w*|biden|russie|russe|otan|poutine"
    r"|росси\w*|русск\w*|украин\w*|нато|донбасс?\w*|путин\w*|зеленск\w*|байден\w*)\b"
    r"|روسي|أوكران|اوكران|الناتو|الأطلسي|دونباس|بوتين|زيلينسك|بايدن"
)
_AR_PARTICLES = {"لن", "لم", "ليس", "لا", "إن", "أن", "قد", "سوف", "ما", "لقد"}
# Clause keys per language, event keys and frame keys the bank may use.
_LANG_KEYS = {"p", "neg", "proper", "p_alt", "neg_alt"}
_EVENT_KEYS = {"id", "group", "contrary", "related", "alarm", *LANGS}
_FRAME_KEYS = {"t", "m", "f", "only", "w", "groups", "alarm"}
# Fictional names a clause may start with (then `proper: true` keeps the capital when embedded) and
# words that must not keep one (a `proper` clause starting with an article is a mistake).
_PROPER_WORDS = {"Corvex", "Kestria", "Kestrian", "Dalmoria", "Dalmorian", "Ostrania", "Ostranian", "Marvia",
                 "Marvian", "Veloria", "Velorian", "Кестрия", "Дальмория", "Острания", "Марвия", "Велория"}
_ARTICLES = {"The", "A", "An", "No", "Le", "La", "Les", "Un", "Une", "Des", "Aucun", "Aucune"}


# ----------------------------------------------------------------------------------------- bank

def load_bank(path=None) -> dict:
    """Read events.yaml and normalise frames to dicts {m, f, only, w}."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    frames = {}
    for lang in LANGS:
        frames[lang] = {}
        for fam in FAMILIES:
            entries = []
            for e in raw["frames"][lang][fam]:
                if isinstance(e, str):
                    e = {"t": e}
                m = e.get("m", e.get("t"))
                f = e.get("f", e.get("t"))
                entries.append({"m": m, "f": f, "only": e.get("only"), "w": float(e.get("w", 1)),
                                "groups": e.get("groups"), "alarm": bool(e.get("alarm", False))})
            frames[lang][fam] = entries
    return {"events": raw["events"], "speakers": raw["speakers"], "frames": frames}


# ------------------------------------------------------------------------------------- grammar

def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def _upper_first_letter(s: str) -> str:
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s[:i] + ch.upper() + s[i + 1:]
    return s


def _embedded(before: str, lang: str) -> bool:
    """True when a clause placed after `before` sits inside a sentence (after that/que/что/comma)."""
    b = before.rstrip()
    return bool(b) and b[-1] not in _OPENERS and not (lang == "en" and b[-1] == ":")


def fill(lang: str, template: str, clause: str, proper: bool = False, speaker: str | None = None) -> str:
    """Fill a frame with a speaker and a clause and fix the grammar at the joins."""
    t = template
    if lang == "ru":  # comma before что (о том, что / правда ли, что / заявил, что)
        t = re.sub(r"([^\s,«—])\s+что\b", r"\1, что", t)
    if "{S}" in t:
        if speaker is None:
            raise ValueError(f"frame needs a speaker: {template}")
        if lang == "fr":  # de le -> du, à les -> aux … should a frame ever put {S} after de/à
            for prep, art, fused in (("de", "le", "du"), ("de", "les", "des"), ("à", "le", "au"), ("à", "les", "aux")):
                if re.search(rf"\b{prep} \{{S\}}", t) and speaker.startswith(art + " "):
                    t = re.sub(rf"\b{prep} \{{S\}}", fused + " " + speaker[len(art) + 1:], t)
        t = t.replace("{S}", speaker)
    before = t.split("{P}", 1)[0]
    c = clause
    if lang != "ar" and not proper and _embedded(before, lang):
        c = _lower_first(c)
    s = t.replace("{P}", c)
    if lang == "fr":
        s = re.sub(r"\b([Qq]u)e ([aeiouyàâäéèêëîïôöûüAEIOUYÀÂÉÈÊÎÔÛ])", r"\1'\2", s)  # que il -> qu'il
        s = re.sub(r"\b([Ss])i (ils?)\b", r"\1'\2", s)                                # si il -> s'il
    s = re.sub(r"\s{2,}", " ", s).strip()
    return _upper_first_letter(s)


# ----------------------------------------------------------------------------------- generator

def _frame_pool(entries: list, polarity: str, group: str, alarm: bool) -> list:
    """The frames that fit a clause: its polarity (only: p), its event's group and alarm flag."""
    return [e for e in entries
            if not (e["only"] == "p" and polarity != "p")
            and (not e["groups"] or group in e["groups"])
            and (not e["alarm"] or (alarm and polarity == "p"))]


def _pick_frame(rng: random.Random, entries: list, polarity: str, group: str, alarm: bool) -> dict:
    pool = _frame_pool(entries, polarity, group, alarm)
    return rng.choices(pool, weights=[e["w"] for e in pool], k=1)[0]


def _related(events: list) -> dict[str, set]:
    """Event id -> ids it must never be paired with as `unrelated` (the `related` lists, symmetric)."""
    rel: dict[str, set] = {e["id"]: set() for e in events}
    for e in events:
        for r in e.get("related") or []:
            rel[e["id"]].add(r)
            rel.setdefault(r, set()).add(e["id"])
    return rel


def _speakers_for(speakers: list, group: str) -> list:
    return [sp for sp in speakers if not sp.get("groups") or group in sp["groups"]]


def _flip(pol: str) -> str:
    return "neg" if pol == "p" else "p"


def synth_pairs(seed: int = 0, path=None, n: int = 8000) -> pd.DataFrame:
    """Labelled (proposition, statement) pairs in ar/en/fr/ru, deterministic for `seed`.

    Columns: proposition, statement, label, lang_p, lang_s, family, event, source ("synth").
    """
    bank = load_bank(path)
    rng = random.Random(seed)
    events = list(bank["events"])
    by_group: dict[str, list] = {}
    for ev in events:
        by_group.setdefault(ev["group"], []).append(ev)
    related = _related(events)

    targets = {lab: int(round(TARGET_SHARE[lab] * n)) for lab in LABELS}
    targets["neutral"] = n - sum(v for k, v in targets.items() if k != "neutral")

    rows, seen = [], set()
    for label in LABELS:
        made, tries = 0, 0
        while made < targets[label] and tries < 50 * targets[label] + 1000:
            tries += 1
            ev = rng.choice(events)
            lang_p = rng.choice(LANGS)
            lang_s = lang_p if rng.random() >= CROSS_SHARE else rng.choice([x for x in LANGS if x != lang_p])
            prop_pol = "neg" if rng.random() < NEG_PROP_SHARE else "p"
            if label == "unrelated":
                rel = related[ev["id"]]
                same = [e for e in by_group[ev["group"]] if e["id"] != ev["id"] and e["id"] not in rel]
                if same and rng.random() < SAME_GROUP_SHARE:
                    src = rng.choice(same)
                else:
                    src = rng.choice([e for e in events if e["group"] != ev["group"] and e["id"] not in rel])
                fam = rng.choices([f for f, _ in UNRELATED_FAMILIES], weights=[w for _, w in UNRELATED_FAMILIES])[0]
                clause_pol = rng.choice(["p", "neg"])
            else:
                src = ev
                # double negation (deny frame + the other clause) only where neg is p's exact negation
                plan = [x for x in PLANS[label] if not (ev.get("contrary") and x[0] == "deny" and x[1] == "flip")]
                fam, rel, _ = rng.choices(plan, weights=[w for *_, w in plan])[0]
                clause_pol = rng.choice(["p", "neg"]) if rel == "any" else (prop_pol if rel == "same" else _flip(prop_pol))
            entry = _pick_frame(rng, bank["frames"][lang_s][fam], clause_pol, src["group"], bool(src.get("alarm")))
            speaker = None
            if "{S}" in entry["m"]:
                sp = rng.choice(_speakers_for(bank["speakers"][lang_s], src["group"]))
                speaker, template = sp["s"], entry[sp["g"]]
            else:
                template = entry["m"]
            clause_src = src[lang_s]
            clause = clause_src[clause_pol]
            alts = clause_src.get(clause_pol + "_alt") or []
            if alts:  # a paraphrase of the clause, as often as the clause itself
                clause = rng.choice([clause, *alts])
            statement = fill(lang_s, template, clause, bool(clause_src.get("proper")), speaker)
            proposition = ev[lang_p][prop_pol]
            key = (proposition, statement)
            if key in seen:
                continue
            seen.add(key)
            rows.append({
                "proposition": proposition, "statement": statement, "label": label,
                "lang_p": lang_p, "lang_s": lang_s, "family": fam, "event": ev["id"], "source": "synth",
            })
            made += 1
    rng.shuffle(rows)
    return pd.DataFrame(rows, columns=COLUMNS)


# ---------------------------------------------------------------------------------------- check

def check(path=None, seed: int = 0) -> pd.DataFrame:
    """Validate the bank and the generated pairs; raise AssertionError on the first problem."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    bank = load_bank(path)
    events = bank["events"]
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)), "duplicate event ids"
    assert len(events) >= 40, f"only {len(events)} events"
    for ev in events:
        assert ev.get("group"), f"{ev['id']}: no group"
        extra = set(ev) - _EVENT_KEYS
        assert not extra, f"{ev['id']}: unknown keys {extra}"
        assert ev.get("contrary", False) in (True, False), f"{ev['id']}: contrary must be true/false"
        assert ev.get("alarm", False) in (True, False), f"{ev['id']}: alarm must be true/false"
        rel = ev.get("related") or []
        assert isinstance(rel, list) and set(rel) <= set(ids), f"{ev['id']}: unknown related ids {rel}"
        assert ev["id"] not in rel and len(rel) == len(set(rel)), f"{ev['id']}: bad related list {rel}"
        for lang in LANGS:
            d = ev.get(lang) or {}
            extra = set(d) - _LANG_KEYS
            assert not extra, f"{ev['id']}/{lang}: unknown keys {extra}"
            assert d.get("proper", False) in (True, False), f"{ev['id']}/{lang}: proper must be true/false"
            clauses = []
            for pol in ("p", "neg"):
                txt = d.get(pol)
                assert isinstance(txt, str) and txt.strip(), f"{ev['id']}/{lang}: missing {pol}"
                alts = d.get(pol + "_alt") or []
                assert isinstance(alts, list), f"{ev['id']}/{lang}: {pol}_alt must be a list"
                clauses += [(pol, txt)] + [(pol + "_alt", a) for a in alts]
            texts = [t for _, t in clauses]
            assert len(texts) == len(set(texts)), f"{ev['id']}/{lang}: a clause is repeated: {texts}"
            for pol, txt in clauses:
                assert isinstance(txt, str) and txt.strip(), f"{ev['id']}/{lang}: empty {pol}"
                assert "{" not in txt and not txt.rstrip().endswith("."), f"{ev['id']}/{lang}/{pol}: {txt!r}"
                assert not _FORBIDDEN.search(txt), f"{ev['id']}/{lang}/{pol}: test-corpus name in {txt!r}"
                first = txt.split()[0]
                if lang == "ar":
                    assert first not in _AR_PARTICLES, f"{ev['id']}/ar/{pol}: not a nominal sentence"
                    continue
                # the subject decides `proper`: a fictional name keeps its capital, an article may not
                word = re.split(r"[’'\s]", txt)[0]
                if word in _PROPER_WORDS:
                    assert d.get("proper"), f"{ev['id']}/{lang}/{pol}: starts with a name, needs proper: true"
                if d.get("proper"):
                    assert word not in _ARTICLES and not re.match(r"[Ll]['’]", txt), \
                        f"{ev['id']}/{lang}/{pol}: proper: true but starts with an article: {txt!r}"
    groups: dict[str, int] = {}
    for ev in events:
        groups[ev["group"]] = groups.get(ev["group"], 0) + 1
    assert sum(1 for v in groups.values() if v >= 3) >= 8, f"fewer than 8 groups of 3+: {groups}"

    for lang in LANGS:
        sps = bank["speakers"][lang]
        assert len(sps) >= 10, f"{lang}: only {len(sps)} speakers"
        for sp in sps:
            assert sp.get("g") in ("m", "f") and sp.get("s"), f"{lang}: bad speaker {sp}"
            assert not _FORBIDDEN.search(sp["s"]), f"{lang}: test-corpus name in speaker {sp}"
            assert set(sp.get("groups") or []) <= set(groups), f"{lang}: unknown group in speaker {sp}"
        for grp in groups:
            assert len(_speakers_for(sps, grp)) >= 3, f"{lang}: fewer than 3 speakers for group {grp}"
        for fam in FAMILIES:
            entries = bank["frames"][lang][fam]
            assert len(entries) >= 4, f"{lang}/{fam}: only {len(entries)} frames"
            for e in raw["frames"][lang][fam]:
                if isinstance(e, dict):
                    extra = set(e) - _FRAME_KEYS
                    assert not extra, f"{lang}/{fam}: unknown frame keys {extra}: {e}"
            for e in entries:
                assert e["groups"] is None or (isinstance(e["groups"], list) and set(e["groups"]) <= set(groups)), \
                    f"{lang}/{fam}: unknown group in frame {e}"
                assert not e["alarm"] or fam == "say", f"{lang}/{fam}: alarm frames are assertions (say): {e}"
            for grp in groups:  # every event can be put in every family, whatever its clause
                for pol in ("p", "neg"):
                    pool = _frame_pool(entries, pol, grp, False)
                    assert len(pool) >= 3, f"{lang}/{fam}: fewer than 3 frames for group {grp}, {pol}"
            for e in entries:
                for g in ("m", "f"):
                    t = e[g]
                    assert isinstance(t, str), f"{lang}/{fam}: frame without an {g} form: {e}"
                    assert t.count("{P}") == 1, f"{lang}/{fam}: need exactly one {{P}}: {t}"
                    n_s = t.count("{S}")
                    if fam == "bare":
                        assert n_s == 0, f"{lang}/bare: a bare frame names no speaker: {t}"
                    else:
                        assert n_s == 1, f"{lang}/{fam}: need exactly one {{S}}: {t}"
                    assert not re.search(r"\{(?!P\}|S\})", t), f"{lang}/{fam}: unknown placeholder: {t}"
                    assert e["only"] in (None, "p"), f"{lang}/{fam}: bad only: {e}"
                    if lang == "ar":  # إن after قال, أن after every other verb
                        assert not re.search(r"\bقالت? \{S\} أن", t), f"ar/{fam}: قال takes إن: {t}"
                        for m in re.finditer(r"(\S+) (?:\{S\} )?إن(?:ه)? ", t):
                            assert m.group(1) in ("قال", "قالت"), f"ar/{fam}: إن only after قال: {t}"
                    assert not _FORBIDDEN.search(t), f"{lang}/{fam}: test-corpus name in frame {t}"
            if lang in ("ar", "ru") and fam != "bare":
                assert all(e["m"] != e["f"] for e in entries), f"{lang}/{fam}: verb must agree with gender"
    assert "Provenance" in open(path or DEFAULT_PATH, encoding="utf-8").readline()
    del raw

    df = synth_pairs(seed=seed, path=path)
    assert len(df) >= 7500, f"only {len(df)} pairs"
    assert set(df["label"]) == set(LABELS)
    assert (df["source"] == "synth").all()
    shares = df["label"].value_counts(normalize=True)
    for lab, target in TARGET_SHARE.items():
        assert abs(shares.get(lab, 0) - target) <= 0.10, f"{lab}: {shares.get(lab, 0):.2f} vs {target:.2f}"
    assert not df["statement"].str.contains("{", regex=False).any(), "leftover { in a statement"
    assert not df["statement"].str.contains("}", regex=False).any(), "leftover } in a statement"
    assert not df.duplicated(["proposition", "statement"]).any(), "duplicate (proposition, statement)"
    cross = (df["lang_p"] != df["lang_s"]).mean()
    assert 0.25 <= cross <= 0.42, f"cross-language share {cross:.2f}"
    assert set(df["lang_p"]) == set(LANGS) and set(df["lang_s"]) == set(LANGS)
    fr = df.loc[df["lang_s"] == "fr", "statement"]
    assert not fr.str.contains(r"\bque [aeiouéèêàâîôûAEIOUÉ]", regex=True).any(), "missing elision que -> qu'"
    assert not fr.str.contains(r"\b(?:de|à) les? ", regex=True).any(), "missing contraction du/au/des/aux"
    ru = df.loc[df["lang_s"] == "ru", "statement"]
    assert not ru.str.contains(r"[^\s,«—] что\b", regex=True).any(), "missing comma before что"
    contrary = {e["id"] for e in events if e.get("contrary")}
    dn = df[(df["label"] == "affirm") & (df["family"] == "deny")]
    assert not dn["event"].isin(contrary).any(), "double negation built from a contrary event"
    # every event gets its share (events are drawn uniformly)
    per_event = df["event"].value_counts()
    floor = 0.4 * len(df) / len(events)
    thin = {i: int(per_event.get(i, 0)) for i in ids if per_event.get(i, 0) < floor}
    assert not thin, f"events with fewer than {floor:.0f} pairs: {thin}"
    # no `unrelated` pair between related events: find each statement's source event by its clause
    related = _related(events)
    clause_owner: dict[str, set] = {}
    for ev in events:
        for lang in LANGS:
            d = ev[lang]
            for c in [d["p"], d["neg"], *(d.get("p_alt") or []), *(d.get("neg_alt") or [])]:
                for form in {c, _lower_first(c)}:
                    clause_owner.setdefault(form, set()).add(ev["id"])
    by_len = sorted(clause_owner, key=len, reverse=True)
    unrel = df[df["label"] == "unrelated"]
    for ev_id, st in zip(unrel["event"], unrel["statement"]):
        owners = next((clause_owner[c] for c in by_len if c in st), set())
        assert ev_id not in owners, f"unrelated pair built from the event's own clause: {ev_id}: {st}"
        assert not owners & related[ev_id], f"unrelated pair between related events {ev_id} / {owners}: {st}"
    assert df.equals(synth_pairs(seed=seed, path=path)), "not deterministic for a seed"
    return df


# ------------------------------------------------------------------------------------------ CLI

def _summary(df: pd.DataFrame) -> str:
    out = [f"{len(df)} pairs"]
    lab = df["label"].value_counts()
    out.append("labels:  " + "  ".join(f"{k} {lab.get(k, 0)} ({lab.get(k, 0) / len(df):.0%})" for k in LABELS))
    out.append("families: " + "  ".join(f"{k} {v}" for k, v in df["family"].value_counts().sort_index().items()))
    cross = (df["lang_p"] != df["lang_s"]).mean()
    out.append(f"cross-language: {cross:.1%}")
    out.append("language pairs (rows lang_p, columns lang_s):")
    out.append(pd.crosstab(df["lang_p"], df["lang_s"]).to_string())
    out.append("label by language pair:")
    out.append(pd.crosstab((df["lang_p"] + "->" + df["lang_s"]).rename("pair"), df["label"]).to_string())
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=8000, help="number of pairs to generate (default 8000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--path", default=None, help="events.yaml (default: judge_data/events.yaml)")
    ap.add_argument("--show", type=int, default=20, help="random rows to print (default 20)")
    ap.add_argument("--lang", choices=LANGS, help="print only statements in this language")
    ap.add_argument("--label", choices=LABELS, help="print only rows with this label")
    ap.add_argument("--check", action="store_true", help="validate the bank and the output, then exit")
    args = ap.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):  # `… | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if args.check:
        df = check(args.path, args.seed)
        print("check OK")
        print(_summary(df))
        return 0
    df = synth_pairs(seed=args.seed, path=args.path, n=args.n)
    view = df
    if args.lang:
        view = view[view["lang_s"] == args.lang]
    if args.label:
        view = view[view["label"] == args.label]
    sample = view.sample(min(args.show, len(view)), random_state=args.seed)
    for r in sample.itertuples():
        print(f"[{r.label:9s} {r.family:7s} {r.lang_p}->{r.lang_s} {r.event}]")
        print(f"  P: {r.proposition}")
        print(f"  S: {r.statement}")
    print()
    print(_summary(df))
    return 0


if __name__ == "__main__":
    sys.exit(main())
