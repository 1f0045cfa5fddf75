"""The bundled gazetteer (`stance/resources/gazetteer/`), loaded once per process.

It answers two questions for attribution without any analyst file:

* which words of a speaker phrase are a country (name or demonym), a seat of power used as a
  metonym (الكرملين, the White House, l'Élysée), an international organisation (NATO, الأمم
  المتحدة), an office (وزارة الخارجية, foreign ministry) or a role (المتحدث باسم, spokesman,
  porte-parole, пресс-секретарь) — `Gazetteer.find(tokens)`;
* what the default bloc of a country or organisation code is — `Gazetteer.bloc(code)`
  (blocs.yaml: listed countries, else the country's English name; organisations listed,
  else their parent's bloc, else their code).

Matching works on the attributor's tokens (`registry.tokenize`), so it folds Arabic spelling,
clitics and the article, Russian case endings, and case; abbreviations of 2-4 capitals ("US",
"UN", "ЕС") match only when written in capitals. See the gazetteer's README.md for sources.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

from .registry import canon, longest_first, tokenize

RESOURCE = "resources/gazetteer"
_ADJ = "adjslot"
_ABBREV = re.compile(r"^[A-ZА-ЯЁ]{2,4}$")


@dataclass(frozen=True)
class Entry:
    kind: str            # country | demonym | seat | org | office | role
    code: str            # ISO3, seat id, organisation code, office or role (English)
    country: str = ""    # the country or organisation code the words imply
    label: str = ""      # English label (seat/organisation name, office, role)
    gender: str = ""     # m / f where the form says (Arabic), "" otherwise
    extra: str = ""      # a seat's refers_to, a role's office
    ambiguous: bool = False


@dataclass
class Hit:
    i: int
    j: int
    entry: Entry
    start: int = 0
    end: int = 0


@dataclass
class Gazetteer:
    countries: dict = field(default_factory=dict)      # ISO3 -> record
    orgs: dict = field(default_factory=dict)           # code -> record
    seats: dict = field(default_factory=dict)          # id -> record
    blocs: dict = field(default_factory=dict)          # ISO3 / org code -> bloc
    index: dict = field(default_factory=dict)          # first key -> [(keys, Entry, abbrev)]
    demonym_keys: dict = field(default_factory=dict)   # key -> Entry (single-token demonyms)

    # ------------------------------------------------------------------ building
    def add(self, phrase: str, entry: Entry) -> None:
        phrase = str(phrase).replace("{adj}", _ADJ)
        toks = tokenize(phrase)
        keys = tuple(_ADJ if t.norm == _ADJ else canon(t.norm) for t in toks)
        if not keys or keys[0] == _ADJ:
            return
        abbrev = len(toks) == 1 and bool(_ABBREV.match(toks[0].surface))
        self.index.setdefault(keys[0], []).append((keys, entry, abbrev))
        if entry.kind == "demonym" and len(keys) == 1:
            self.demonym_keys.setdefault(keys[0], entry)

    def _sort(self) -> None:
        for lst in self.index.values():
            lst.sort(key=lambda e: -len(e[0]))

    # ------------------------------------------------------------------ queries
    def find(self, toks, i0: int = 0, i1: int | None = None) -> list[Hit]:
        """Non-overlapping gazetteer hits in toks[i0:i1], longest first."""
        i1 = len(toks) if i1 is None else i1
        cands: list[Hit] = []
        for i in range(i0, i1):
            for k in toks[i].keys:
                for keys, entry, abbrev in self.index.get(k, ()):
                    n = len(keys)
                    if i + n > i1 or (abbrev and not toks[i].surface.isupper()):
                        continue
                    country, ok = entry.country, True
                    for m in range(1, n):
                        if keys[m] == _ADJ:
                            dem = next((self.demonym_keys[x] for x in toks[i + m].keys
                                        if x in self.demonym_keys), None)
                            if dem is None:
                                ok = False
                                break
                            country = country or dem.country
                        elif keys[m] not in toks[i + m].keys:
                            ok = False
                            break
                    if ok:
                        e = entry if country == entry.country else _with_country(entry, country)
                        cands.append(Hit(i, i + n, e, toks[i].start, toks[i + n - 1].end))
        return longest_first(cands, lambda h: (-(h.j - h.i), h.i))

    def bloc(self, code: str) -> str:
        """Default bloc of a country (ISO3) or organisation code; "" when unknown."""
        if not code:
            return ""
        if code in self.blocs:
            return self.blocs[code]
        if code in self.countries:
            return self.countries[code].get("name", code)
        org = self.orgs.get(code)
        if org is not None:
            return self.bloc(org["parent"]) if org.get("parent") else code
        return ""

    def government(self, iso3: str) -> str:
        """English name of a country's government: "Russian government"."""
        c = self.countries.get(iso3)
        if c is None:
            return self.orgs.get(iso3, {}).get("name", iso3)
        dem = [d for d in (c.get("demonyms") or {}).get("en", []) if not d.isupper()
               and "." not in d]
        return f"{dem[0]} government" if dem else f"Government of {c.get('name', iso3)}"

    def adjective(self, code: str) -> str:
        """English qualifier of a country or organisation: "Russian", "NATO"."""
        c = self.countries.get(code)
        if c is not None:
            dem = [d for d in (c.get("demonyms") or {}).get("en", []) if not d.isupper()
                   and "." not in d]
            return dem[0] if dem else c.get("name", code)
        org = self.orgs.get(code)
        return _short(org) if org else code

    def name(self, code: str) -> str:
        if code in self.countries:
            return self.countries[code].get("name", code)
        if code in self.orgs:
            return self.orgs[code].get("name", code)
        return code


def _short(org: dict) -> str:
    en = (org.get("names") or {}).get("en") or []
    abbr = [n for n in en if _ABBREV.match(n)]
    return abbr[0] if abbr else org.get("name", org.get("code", ""))


def _with_country(entry: Entry, country: str) -> Entry:
    return Entry(entry.kind, entry.code, country, entry.label, entry.gender, entry.extra,
                 entry.ambiguous)


def _ar_gender(word: str) -> str:
    from ..textnorm import normalize
    w = normalize(word)
    if w.endswith("ون") or w.endswith("ين") or w.endswith("ان"):
        return ""
    return "f" if w.endswith("ه") else "m"


def _load_yaml(name: str) -> dict:
    import yaml
    text = resources.files("stance").joinpath(f"{RESOURCE}/{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded and indexed once per process."""
    g = Gazetteer()
    for c in _load_yaml("countries")["countries"]:
        iso3 = c["iso3"]
        g.countries[iso3] = c
        amb = set(c.get("ambiguous") or [])
        for lang, names in (c.get("names") or {}).items():
            for n in names:
                g.add(n, Entry("country", iso3, iso3, c["name"], ambiguous=n in amb))
        for lang, dems in (c.get("demonyms") or {}).items():
            for d in dems:
                g.add(d, Entry("demonym", iso3, iso3, c["name"],
                               gender=_ar_gender(d) if lang == "ar" else ""))
    for o in _load_yaml("organisations")["organisations"]:
        g.orgs[o["code"]] = o
        for names in (o.get("names") or {}).values():
            for n in names:
                g.add(n, Entry("org", o["code"], o["code"], o["name"]))
    for s in _load_yaml("seats")["seats"]:
        g.seats[s["id"]] = s
        en = (s.get("names") or {}).get("en") or [s["id"]]
        for names in (s.get("names") or {}).values():
            for n in names or []:
                g.add(n, Entry("seat", s["id"], s["country"], en[0], extra=s.get("refers_to", ""),
                               ambiguous=s.get("kind") == "capital"))
    off = _load_yaml("offices")
    for o in off.get("offices") or []:
        _add_words(g, o.get("words") or {}, "office", o["office"], "", o["office"])
    for r in off.get("roles") or []:
        _add_words(g, r.get("words") or {}, "role", r["role"], "", r.get("organisation") or "")
        for iso, langs in (r.get("implies_country") or {}).items():
            for words in (langs or {}).values():
                for w in words:
                    g.add(w, Entry("role", r["role"], iso, r["role"],
                                   extra=r.get("organisation") or ""))
    blocs = _load_yaml("blocs")
    for bloc, spec in (blocs.get("blocs") or {}).items():
        for iso in (spec or {}).get("countries") or []:
            g.blocs[iso] = bloc
    g.blocs.update(blocs.get("organisations") or {})
    g._sort()
    return g


def _add_words(g: Gazetteer, words: dict, kind: str, code: str, country: str, extra: str) -> None:
    for lang, ws in words.items():
        gender = {"ar": "m", "ar_f": "f"}.get(lang, "")
        for w in ws or []:
            g.add(w, Entry(kind, code, country, code, gender=gender, extra=extra))
