#!/usr/bin/env python
"""Build the bundled gazetteer's countries.yaml, or check every gazetteer file.

    python scripts/build_gazetteer.py            # regenerate stance/resources/gazetteer/countries.yaml
    python scripts/build_gazetteer.py --check    # validate all gazetteer YAML files, print counts

Building needs Babel (Unicode CLDR territory names) and pycountry (ISO 3166-1 codes and names,
with the iso-codes translations); `pip install babel pycountry`.  They are build-time only:
`stance` never imports them.  --check needs only PyYAML.

countries.yaml = one entry per ISO 3166-1 country (plus Kosovo, XK/XKX, a user-assigned code
in common use), with
  names     CLDR short name + ISO short/official/common names (English from pycountry, the
            other languages from the iso-codes translations) + hand-written variants
            (name_variants.yaml) + mechanical variants (unaccented French capitals, Russian е
            for ё, straight apostrophes, "and" for "&", Russian genitives);
  demonyms  hand-written adjectives (demonyms.yaml), expanded: Arabic definite forms and sound
            plurals, French plurals, the full Russian adjective paradigm, English plurals.

An alias (compared in the `stance` matching form: Arabic folding, case folding) that two
countries share in one language is resolved by source rank: hand-written beats CLDR/ISO
verbatim, which beats derived forms (translations, stripped parentheses, generated variants).
A tie between generated aliases drops the alias from both and reports it; a tie between
hand-written aliases is an error to fix in the hand files.
"""
from __future__ import annotations

import argparse
import gettext
import importlib.util
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GAZ = ROOT / "stance" / "resources" / "gazetteer"
LANGS = ("en", "ar", "fr", "ru")

HAND, VERBATIM, DERIVED = 1, 2, 3          # source rank: lower wins an alias conflict
SIZE_LIMIT = 1_500_000                      # bytes, countries.yaml

# ISO 3166-1 has no code for Kosovo; CLDR and the EU/IMF use XK / XKX.
EXTRA_COUNTRIES = [{"alpha_2": "XK", "alpha_3": "XKX", "numeric": None, "name": "Kosovo",
                    "official_name": "Republic of Kosovo", "iso_status": "user-assigned"}]


def _load_textnorm():
    """stance.textnorm without importing the stance package (and its dependencies)."""
    spec = importlib.util.spec_from_file_location("_stance_textnorm", ROOT / "stance" / "textnorm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_TEXTNORM = _load_textnorm()


def norm(s: str) -> str:
    """Comparison form used for duplicate and conflict detection (= `stance` matching form)."""
    return " ".join(_TEXTNORM.normalize(s).split())


# ----------------------------------------------------------------------------- string helpers
_AR_MARKS = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_FR_CAP_ACCENTS = str.maketrans("ÉÈÊËÀÂÎÏÔÙÛÇ", "EEEEAAIIOUUC")


def clean(s: str, lang: str) -> str:
    s = unicodedata.normalize("NFC", s).strip()
    if lang == "ar":
        s = _AR_MARKS.sub("", s)
    if lang == "en":
        s = re.sub(r"^[Tt]he ", "", s)             # ISO: "the State of Palestine"
    return " ".join(s.split())


def uninvert(s: str, lang: str) -> str | None:
    """ISO/iso-codes list names are often inverted ("Korea, Republic of"); running text is not."""
    if lang == "ar":
        if "،" not in s:
            return s
        a, b = (p.strip() for p in s.split("،", 1))
        first = a.split()[0]
        return b if first[:4] in b else None      # "كوريا، جمهورية كوريا" -> "جمهورية كوريا"
    if "," not in s:
        return s
    a, b = (p.strip() for p in s.split(",", 1))
    if b.endswith(("'", "’")):
        return b + a                               # "Iran, République islamique d'" -> "...d'Iran"
    if re.search(r"\b(of|of the|de|du|de la|des)$", b) or re.match(r"Îles?\b", b):
        return f"{b} {a}"                          # "Russie, Fédération de", "Salomon, Îles"
    return None                                    # a list ("Bonaire, Saint-Eustache et Saba") or worse


def variants(s: str, lang: str) -> list[str]:
    """Mechanical spelling variants of a name (the name itself first)."""
    out = [s]
    if "’" in s:
        out.append(s.replace("’", "'"))
    if lang == "fr":
        for v in list(out):
            w = re.sub(r"\b([ÉÈÊËÀÂÎÏÔÙÛÇ])", lambda m: m.group(1).translate(_FR_CAP_ACCENTS), v)
            if w != v:
                out.append(w)
    if lang == "ru":
        for v in list(out):
            if "ё" in v or "Ё" in v:
                out.append(v.replace("ё", "е").replace("Ё", "Е"))
    return out


def reshape(s: str, lang: str) -> tuple[str, bool]:
    """CLDR display conventions -> running-text form; returns (form, changed)."""
    t = s
    t = re.sub(r"\s*\([^)]*\)", "", t).strip()               # "Myanmar (Burma)" -> "Myanmar"
    t = t.replace(" - ", " " if lang == "ar" else "-")        # "Congo - Kinshasa"
    if " & " in t:
        t = t.replace(" & ", {"en": " and ", "fr": " et ", "ru": " и ", "ar": " و"}[lang])
    if lang == "en":
        t = re.sub(r"\bSt\. ", "Saint ", t)
    if lang == "ru":
        t = re.sub(r"\bо-ва\b", "острова", t)
        t = re.sub(r"\bо-в\b", "остров", t)
    return " ".join(t.split()), t != s


# ----------------------------------------------------------------------------- Russian morphology
_RU_VOWELS = set("аеёиоуыэюя")
_RU_VELAR = set("кгхжшщч")


def ru_noun_genitive(w: str) -> str | None:
    if not w or w[-1] in "оеиуюыэ" or not re.fullmatch(r"[А-Яа-яЁё’'\-]+", w):
        return None                                # indeclinable (Марокко, Чили) or plural (Нидерланды)
    if w.endswith("я"):
        return w[:-1] + "и"                        # Россия -> России, Гвинея -> Гвинеи
    if w.endswith("а"):
        return w[:-1] + ("и" if w[-2] in _RU_VELAR else "ы")   # Польша -> Польши, Куба -> Кубы
    if w[-1] in "йь":
        return w[:-1] + "я"                        # Китай -> Китая, Израиль -> Израиля
    if w[-1].lower() not in _RU_VOWELS:
        return w + "а"                             # Иран -> Ирана
    return None


def ru_genitive(name: str) -> str | None:
    """Genitive of a one-word or adjective+noun country name ("президент России",
    "МИД Саудовской Аравии"); None where the rule would guess."""
    if name.isupper() or any(ch.isdigit() for ch in name):
        return None
    words = name.split()
    if len(words) == 1:
        return ru_noun_genitive(name)
    if len(words) == 2:
        adj, noun = words
        g = ru_noun_genitive(noun)
        if g is None:
            return None
        if adj.endswith("ая"):
            return f"{adj[:-2]}ой {g}"             # Саудовская Аравия -> Саудовской Аравии
        if adj.endswith(("ый", "ий", "ой")) and noun[-1] not in "ая":
            return f"{adj[:-2]}ого {g}"            # Восточный Тимор -> Восточного Тимора
    return None


_RU_ADJ_ENDINGS = {
    # nom m, f, n, pl; gen m/n; dat m/n; instr m/n + dat pl; prep m/n; gen/dat/instr/prep f;
    # acc f; gen/prep pl; instr pl
    "velar": ["ий", "ая", "ое", "ие", "ого", "ому", "им", "ом", "ой", "ую", "их", "ими"],
    "velar_stressed": ["ой", "ая", "ое", "ие", "ого", "ому", "им", "ом", "ой", "ую", "их", "ими"],
    "hard": ["ый", "ая", "ое", "ые", "ого", "ому", "ым", "ом", "ой", "ую", "ых", "ыми"],
    "hard_stressed": ["ой", "ая", "ое", "ые", "ого", "ому", "ым", "ом", "ой", "ую", "ых", "ыми"],
    "soft": ["ий", "яя", "ее", "ие", "его", "ему", "им", "ем", "ей", "юю", "их", "ими"],
}


def ru_adjective_forms(w: str) -> list[str]:
    """The full case/gender/number paradigm of a Russian adjective given in m. nom. sg."""
    if len(w) < 4:
        return [w]
    stem, end = w[:-2], w[-2:]
    if end == "ий":
        kind = "velar" if stem[-1] in _RU_VELAR else "soft"
    elif end == "ый":
        kind = "hard"
    elif end == "ой":
        kind = "velar_stressed" if stem[-1] in _RU_VELAR else "hard_stressed"
    else:
        return [w]
    return [stem + e for e in _RU_ADJ_ENDINGS[kind]]


# ----------------------------------------------------------------------------- demonym expansion
def expand_demonyms(lang: str, items: list[str], country_names: set[str] = frozenset()) -> list[str]:
    """Expanded forms of hand-written demonyms (see demonyms.yaml).  `country_names` (norm
    forms) keeps English names used as adjectives ("Vatican", "New Zealand") unpluralised."""
    out: list[str] = []
    for w in items:
        w = clean(str(w), lang)
        if not w:
            continue
        if lang == "en":
            out.append(w)
            if not w.isupper() and re.search(r"(an|i)$", w) and norm(w) not in country_names:
                out.append(w + "s")                # Russians, Israelis, Saudis
        elif lang == "ar":
            out.append(w)
            if " " in w:
                continue                           # multi-word: taken as written
            base = w[2:] if w.startswith("ال") else w
            forms = [base]
            if base.endswith("ي"):
                forms += [base + "ون", base + "ين"]   # sound masculine plural
            for f in forms:
                out += [f, "ال" + f]
        elif lang == "fr":
            out.append(w)
            out.append(w if w.endswith(("s", "x")) else w + "s")
        elif lang == "ru":
            out += ru_adjective_forms(w)
    return out


# ----------------------------------------------------------------------------- YAML output
def flow(value) -> str:
    """One-line YAML for a scalar or a list of scalars (quoted only where needed)."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True,
                          width=10 ** 9, sort_keys=False).strip().removesuffix("\n...").strip()


def _dedupe(seq: list[str]) -> list[str]:
    seen, out = set(), []
    for s in seq:
        k = norm(s)
        if s and k not in seen:
            seen.add(k)
            out.append(s)
    return out


# ----------------------------------------------------------------------------- build
def build() -> int:
    try:
        import babel
        import pycountry
        from babel import Locale
        from babel.core import get_cldr_version
    except ImportError as exc:                     # pragma: no cover
        print(f"build needs babel and pycountry (pip install babel pycountry): {exc}", file=sys.stderr)
        return 2
    from importlib.metadata import version

    demonyms = yaml.safe_load((GAZ / "demonyms.yaml").read_text(encoding="utf-8")) or {}
    hand = yaml.safe_load((GAZ / "name_variants.yaml").read_text(encoding="utf-8")) or {}
    territories = {lang: Locale(lang).territories for lang in LANGS}
    translators = {lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
                   for lang in LANGS if lang != "en"}

    records = []
    for c in pycountry.countries:
        records.append({"alpha_2": c.alpha_2, "alpha_3": c.alpha_3, "numeric": c.numeric, "name": c.name,
                        "official_name": getattr(c, "official_name", None),
                        "common_name": getattr(c, "common_name", None), "iso_status": "official"})
    records += EXTRA_COUNTRIES
    known = {r["alpha_3"] for r in records}
    for src, data in (("demonyms.yaml", demonyms), ("name_variants.yaml", hand)):
        unknown = sorted(set(data) - known)
        if unknown:
            print(f"error: {src}: unknown ISO3 keys {unknown}", file=sys.stderr)
            return 1

    # names[iso3][lang] = list of (alias, rank); demonym lists are kept apart but share the
    # conflict namespace.
    names: dict[str, dict[str, list[tuple[str, int]]]] = {}
    genitives: dict[str, set[str]] = {}
    dems: dict[str, dict[str, list[tuple[str, int]]]] = {}
    for r in records:
        iso3, iso2 = r["alpha_3"], r["alpha_2"]
        h = hand.get(iso3) or {}
        per: dict[str, list[tuple[str, int]]] = {lang: [] for lang in LANGS}

        def add(lang, s, rank):
            s = clean(s, lang)
            if not s:
                return
            shaped, changed = reshape(s, lang)
            if not changed:
                per[lang].append((s, rank))
            elif shaped:                           # the display form itself never occurs in text
                per[lang].append((shaped, rank if rank == HAND else DERIVED))

        for lang in LANGS:
            if iso2 in territories[lang]:
                add(lang, territories[lang][iso2], VERBATIM)
            for s in h.get(lang) or []:
                add(lang, str(s), HAND)
        for field in ("common_name", "name", "official_name"):
            v = r.get(field)
            if not v:
                continue
            u = uninvert(v, "en")
            if u:
                add("en", u, VERBATIM if u == v else DERIVED)
            for lang, tr in translators.items():
                t = tr.gettext(v)
                if t == v and lang != "fr":
                    continue                       # untranslated
                u = uninvert(clean(t, lang), lang)
                if u:
                    add(lang, u, DERIVED)
        # Russian genitives (listed after the nominatives)
        if h.get("ru_genitive"):
            gen = [(clean(str(s), "ru"), HAND) for s in h["ru_genitive"]]
        else:
            gen = [(g, rank if rank == HAND else DERIVED) for s, rank in per["ru"] if (g := ru_genitive(s))]
        genitives[iso3] = {norm(v) for s, _ in gen for v in variants(s, "ru")}
        per["ru"] += gen
        # mechanical variants, then drops
        drops = {lang: {norm(x) for x in (h.get("drop") or {}).get(lang, [])} for lang in LANGS}
        for lang in LANGS:
            expanded = [(v, rank) for s, rank in per[lang] for v in variants(s, lang)]
            per[lang] = [(s, rank) for s, rank in expanded if norm(s) not in drops[lang]]
        names[iso3] = per
        d = demonyms.get(iso3) or {}
        en_names = {norm(s) for s, _ in per["en"]}
        dems[iso3] = {lang: [(v, HAND) for s in expand_demonyms(lang, d.get(lang) or [], en_names)
                             for v in variants(s, lang)] for lang in LANGS}

    # ---- alias conflicts across countries, per language
    report: list[str] = []
    errors: list[str] = []
    for lang in LANGS:
        owners: dict[str, dict[str, int]] = defaultdict(dict)
        shown: dict[str, str] = {}
        for iso3 in names:
            for s, rank in names[iso3][lang] + dems[iso3][lang]:
                k = norm(s)
                shown.setdefault(k, s)
                owners[k][iso3] = min(rank, owners[k].get(iso3, 9))
        for k, own in sorted(owners.items()):
            if len(own) < 2:
                continue
            best = min(own.values())
            winners = sorted(i for i, rk in own.items() if rk == best)
            losers = sorted(set(own) - set(winners))
            if len(winners) == 1:
                keep = winners[0]
                report.append(f"{lang} {shown[k]!r}: kept for {keep} ({_RANK[best]}), dropped from {', '.join(losers)}")
                drop_from = losers
            elif best == HAND:
                errors.append(f"{lang} {shown[k]!r}: hand-written for {', '.join(winners)} — fix the hand files")
                continue
            else:
                report.append(f"{lang} {shown[k]!r}: ambiguous between {', '.join(sorted(own))}, dropped from all")
                drop_from = sorted(own)
            for iso3 in drop_from:
                names[iso3][lang] = [(s, r) for s, r in names[iso3][lang] if norm(s) != k]
                dems[iso3][lang] = [(s, r) for s, r in dems[iso3][lang] if norm(s) != k]
    if errors:
        print("error: alias conflicts between hand-written entries:", *errors, sep="\n  ", file=sys.stderr)
        return 1

    # ---- write
    lines = [
        "# GENERATED by scripts/build_gazetteer.py — do not edit by hand.",
        "# Edit demonyms.yaml / name_variants.yaml (or the build script) and regenerate:",
        "#     python scripts/build_gazetteer.py",
        "#",
        "# One entry per ISO 3166-1 country, plus Kosovo (XK/XKX, user-assigned).",
        "#   iso3, iso2, numeric   ISO 3166-1 codes (numeric is null for Kosovo)",
        "#   name                  English short name; also the country's default bloc name",
        "#   official_name         ISO 3166-1 official English name, where ISO gives one",
        "#   names                 {en, ar, fr, ru}: CLDR short name first, then hand-written",
        "#                         variants, ISO names and mechanical variants; Russian adds",
        "#                         genitive forms (\"России\", \"Саудовской Аравии\")",
        "#   demonyms              {en, ar, fr, ru}: adjectives as in \"the Russian foreign",
        "#                         minister\", expanded (Arabic with and without the article,",
        "#                         masc./fem. and sound plurals; French plurals; every Russian",
        "#                         case/gender/number form; English -s plurals) — only for the",
        "#                         countries in demonyms.yaml",
        "#   ambiguous             names that also have a frequent non-country sense",
        "# Matching is meant to be case-insensitive and to fold Arabic spelling variants",
        "# (stance.textnorm.normalize); aliases of 2-4 capital letters (US, UK, UAE, КСА)",
        "# should be matched case-sensitively.",
        "#",
        "# Sources: Unicode CLDR territory names (Unicode License v3) via Babel; ISO 3166-1",
        "# codes and names with the iso-codes translations (LGPL-2.1-or-later) via pycountry;",
        "# hand-written demonyms.yaml and name_variants.yaml.  See README.md.",
        "meta:",
        f"  babel: {flow(babel.__version__)}",
        f"  cldr: {flow(str(get_cldr_version()))}",
        f"  pycountry: {flow(version('pycountry'))}",
        "  licences: {cldr: Unicode-3.0, iso-codes: LGPL-2.1-or-later, hand-written: same as stance (MIT)}",
        "countries:",
    ]
    n_dem = 0
    for r in sorted(records, key=lambda r: r["alpha_3"]):
        iso3 = r["alpha_3"]
        h = hand.get(iso3) or {}
        display = h.get("display") or reshape(clean(territories["en"].get(r["alpha_2"], r["name"]), "en"), "en")[0]
        lines += [f"  - iso3: {iso3}", f"    iso2: {r['alpha_2']}", f"    numeric: {flow(r['numeric'])}",
                  f"    name: {flow(display)}"]
        if r.get("official_name"):
            lines.append(f"    official_name: {flow(r['official_name'])}")
        if r.get("iso_status") != "official":
            lines.append(f"    iso_status: {r['iso_status']}")
        lines.append("    names:")
        for lang in LANGS:
            ordered = [s for s, rk in names[iso3][lang] if rk == VERBATIM][:1] + \
                      [s for s, _ in sorted(names[iso3][lang], key=lambda x: (norm(x[0]) in genitives[iso3], x[1]))]
            lines.append(f"      {lang}: {flow(_dedupe(ordered))}")
        if any(dems[iso3][lang] for lang in LANGS):
            n_dem += 1
            lines.append("    demonyms:")
            for lang in LANGS:
                lines.append(f"      {lang}: {flow(_dedupe([s for s, _ in dems[iso3][lang]]))}")
        amb = [clean(str(a), "en") for a in h.get("ambiguous") or []]
        if amb:
            lines.append(f"    ambiguous: {flow(amb)}")
    text = "\n".join(lines) + "\n"
    out = GAZ / "countries.yaml"
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}: {len(records)} countries, {n_dem} with demonyms, "
          f"{len(text.encode('utf-8')):,} bytes")
    if report:
        print(f"alias conflicts resolved ({len(report)}):")
        for line in report:
            print("  " + line)
    return 0


_RANK = {HAND: "hand-written", VERBATIM: "CLDR/ISO verbatim", DERIVED: "derived"}


# ----------------------------------------------------------------------------- check
def _has_anchor(text: str) -> bool:
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            return True
    return False


def check() -> int:
    errors: list[str] = []
    warnings: list[str] = []
    data: dict[str, object] = {}
    for path in sorted(GAZ.glob("*.yaml")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
            data[path.name] = yaml.safe_load(text)
            if _has_anchor(text):
                errors.append(f"{path.name}: uses YAML anchors/aliases")
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            errors.append(f"{path.name}: {exc}")
    required = ["countries.yaml", "demonyms.yaml", "name_variants.yaml", "seats.yaml",
                "organisations.yaml", "offices.yaml", "blocs.yaml"]
    missing = [f for f in required if f not in data]
    if missing:
        errors.append(f"missing files: {missing}")
        return _finish(errors, warnings)

    countries = data["countries.yaml"]["countries"]
    iso3 = {c["iso3"]: c for c in countries}
    if len(iso3) != len(countries):
        errors.append("countries.yaml: duplicate iso3")
    if len({c["iso2"] for c in countries}) != len(countries):
        errors.append("countries.yaml: duplicate iso2")
    size = (GAZ / "countries.yaml").stat().st_size
    if size > SIZE_LIMIT:
        warnings.append(f"countries.yaml is {size:,} bytes (> {SIZE_LIMIT:,})")
    for fname in ("demonyms.yaml", "name_variants.yaml"):
        for k in data[fname] or {}:
            if k not in iso3:
                errors.append(f"{fname}: unknown ISO3 {k}")
    for c in countries:
        all_names = {norm(s) for lang in LANGS for s in c["names"].get(lang) or []}
        for a in c.get("ambiguous") or []:
            if norm(a) not in all_names:
                warnings.append(f"countries.yaml {c['iso3']}: ambiguous {a!r} is not among its names")

    orgs = data["organisations.yaml"]["organisations"]
    codes = {o["code"]: o for o in orgs}
    if len(codes) != len(orgs):
        errors.append("organisations.yaml: duplicate code")
    for o in orgs:
        if o["code"] in iso3:
            errors.append(f"organisations.yaml {o['code']}: code collides with an ISO3 code")
        if o.get("parent") and o["parent"] not in codes:
            errors.append(f"organisations.yaml {o['code']}: unknown parent {o['parent']}")
        for m in o.get("members") or []:
            if m not in iso3:
                errors.append(f"organisations.yaml {o['code']}: unknown member {m}")
        if o.get("members") and not o.get("members_as_of"):
            errors.append(f"organisations.yaml {o['code']}: members without members_as_of")
        if len(set(o.get("members") or [])) != len(o.get("members") or []):
            errors.append(f"organisations.yaml {o['code']}: duplicate member")
        _check_names(f"organisations.yaml {o['code']}", o.get("names"), errors)

    off = data["offices.yaml"]
    office_names = [o["office"] for o in off["offices"]]
    if len(set(office_names)) != len(office_names):
        errors.append("offices.yaml: duplicate office")
    word_keys = {"en", "ar", "ar_f", "ar_construct", "fr", "ru"}
    for o in off["offices"] + off["roles"]:
        label = o.get("office") or o.get("role")
        extra = set(o["words"]) - word_keys
        if extra:
            errors.append(f"offices.yaml {label}: unknown word keys {sorted(extra)}")
        for lang in LANGS:
            if not isinstance(o["words"].get(lang), list):
                errors.append(f"offices.yaml {label}: words.{lang} must be a list")
    roles = [r["role"] for r in off["roles"]]
    if len(set(roles)) != len(roles):
        errors.append("offices.yaml: duplicate role")
    for r in off["roles"]:
        if r.get("organisation") is not None and r["organisation"] not in office_names:
            errors.append(f"offices.yaml role {r['role']}: unknown organisation {r['organisation']!r}")
        for k in r.get("implies_country") or {}:
            if k not in iso3:
                errors.append(f"offices.yaml role {r['role']}: unknown country {k}")

    seats = data["seats.yaml"]["seats"]
    if len({s["id"] for s in seats}) != len(seats):
        errors.append("seats.yaml: duplicate id")
    for s in seats:
        if s["country"] not in iso3 and s["country"] not in codes:
            errors.append(f"seats.yaml {s['id']}: unknown country {s['country']}")
        if s["refers_to"] not in office_names and s["refers_to"] != "institutions":
            errors.append(f"seats.yaml {s['id']}: refers_to {s['refers_to']!r} is not an office")
        _check_names(f"seats.yaml {s['id']}", s.get("names"), errors)

    blocs = data["blocs.yaml"]
    where: dict[str, str] = {}
    for b, spec in (blocs.get("blocs") or {}).items():
        for m in spec.get("countries") or []:
            if m not in iso3:
                errors.append(f"blocs.yaml {b}: unknown country {m}")
            if m in where:
                errors.append(f"blocs.yaml: {m} is in both {where[m]} and {b}")
            where[m] = b
    org_bloc = blocs.get("organisations") or {}
    for code, b in org_bloc.items():
        if code not in codes:
            errors.append(f"blocs.yaml organisations: unknown code {code}")
        elif b not in (blocs.get("blocs") or {}):
            errors.append(f"blocs.yaml organisations: {code} -> unknown bloc {b}")
        else:
            outside = [m for m in codes[code].get("members") or [] if where.get(m) != b]
            if outside:
                warnings.append(f"blocs.yaml: {code} -> {b}, but members {outside} are not in {b}")
    for code, o in codes.items():
        ms = o.get("members") or []
        if ms and code not in org_bloc and not o.get("parent"):
            bs = {where.get(m) for m in ms}
            if len(bs) == 1 and None not in bs:
                warnings.append(f"blocs.yaml: all members of {code} are in {bs.pop()} but {code} is not mapped")
    if "West" in (blocs.get("blocs") or {}) and {"NATO", "EU"} <= set(codes):
        derived = set(codes["NATO"]["members"]) | set(codes["EU"]["members"]) | {"AUS", "JPN", "KOR", "NZL"}
        listed = set(blocs["blocs"]["West"]["countries"])
        if derived != listed:
            warnings.append(f"blocs.yaml West differs from NATO ∪ EU ∪ IP4: "
                            f"+{sorted(listed - derived)} -{sorted(derived - listed)}")

    # ---- alias conflicts: one alias, one language, two different targets
    index: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for c in countries:
        for field in ("names", "demonyms"):
            for lang in LANGS:
                for s in (c.get(field) or {}).get(lang) or []:
                    index[(lang, norm(s))].setdefault(c["iso3"], f"countries.yaml {c['iso3']} {field}")
    for s in seats:
        for lang in LANGS:
            for a in s["names"].get(lang) or []:
                index[(lang, norm(a))].setdefault(s["country"], f"seats.yaml {s['id']}")
    for o in orgs:
        for lang in LANGS:
            for a in o["names"].get(lang) or []:
                index[(lang, norm(a))].setdefault(o["code"], f"organisations.yaml {o['code']}")
    conflicts = [(lang, a, t) for (lang, a), t in sorted(index.items()) if len(t) > 1]
    for lang, a, t in conflicts:
        errors.append(f"alias conflict [{lang}] {a!r}: " + "; ".join(f"{k} ({v})" for k, v in sorted(t.items())))

    # ---- counts
    print("gazetteer files:")
    for path in sorted(GAZ.iterdir()):
        if path.is_file():
            print(f"  {path.name:22s} {path.stat().st_size:>9,} bytes")
    n_names = {lang: sum(len(c["names"].get(lang) or []) for c in countries) for lang in LANGS}
    n_dems = {lang: sum(len((c.get("demonyms") or {}).get(lang) or []) for c in countries) for lang in LANGS}
    print(f"countries.yaml: {len(countries)} countries, {sum(1 for c in countries if c.get('demonyms'))} with demonyms")
    print("  names:    " + ", ".join(f"{lang} {n_names[lang]}" for lang in LANGS))
    print("  demonyms: " + ", ".join(f"{lang} {n_dems[lang]}" for lang in LANGS))
    print(f"demonyms.yaml: {len(data['demonyms.yaml'])} countries; "
          f"name_variants.yaml: {len(data['name_variants.yaml'])} countries")
    kinds = defaultdict(int)
    for s in seats:
        kinds[s["kind"]] += 1
    print(f"seats.yaml: {len(seats)} entries ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}), "
          f"{sum(len(s['names'].get(lang) or []) for s in seats for lang in LANGS)} names")
    print(f"organisations.yaml: {len(orgs)} organisations, {sum(1 for o in orgs if o.get('members'))} with "
          f"member lists, {sum(len(o['names'].get(lang) or []) for o in orgs for lang in LANGS)} names")
    print(f"offices.yaml: {len(off['offices'])} offices, {len(off['roles'])} roles")
    print(f"blocs.yaml: {len(blocs.get('blocs') or {})} named blocs covering {len(where)} countries; "
          f"{len(org_bloc)} organisations mapped; every other country is its own bloc")
    print(f"alias conflicts: {len(conflicts)}")
    return _finish(errors, warnings)


def _check_names(label: str, names, errors: list[str]) -> None:
    if not isinstance(names, dict) or set(names) != set(LANGS):
        errors.append(f"{label}: names must have exactly {list(LANGS)}")
        return
    for lang in LANGS:
        if not isinstance(names[lang], list) or not all(isinstance(x, str) and x.strip() for x in names[lang]):
            errors.append(f"{label}: names.{lang} must be a list of non-empty strings")


def _finish(errors: list[str], warnings: list[str]) -> int:
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"error: {e}")
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="validate the gazetteer files instead of building")
    args = ap.parse_args(argv)
    return check() if args.check else build()


if __name__ == "__main__":
    sys.exit(main())
