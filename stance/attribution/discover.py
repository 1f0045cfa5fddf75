"""Discovered actors: what a speaker phrase names when no registry actor matches it.

`parse(phrase)` reads a speaker phrase ("المتحدث باسم الكرملين، دميتري بيسكوف", "the Russian
foreign minister", "Chief executive Lindiwe Mokoena", "ألمانيا وفرنسا") with the bundled
gazetteer and the title/institution word lists, and returns one `Description` per actor it
names (coordinated speakers are split): a person's name with titles and roles stripped, the
role, the organisation, the country; or, for a name-less phrase, the gazetteer entity it names
(a country = its government, a seat = the office it stands for, an organisation, an office of a
country, a role of a country or organisation).

`DocActors` gives each description a key within one document, so that carry-over works on
discovered speakers and "Mokoena" or "the minister" later in the article is the same actor as
"Chief executive Lindiwe Mokoena" / "Transport Minister Naledi Khumalo" before it. Corpus-wide
merging (full name vs surname, spellings, scripts) happens once, in `actors.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..textnorm import ARABIC_LETTER
from .gazetteer import Hit, gazetteer
from .lexicon import lexicon
from .names import fold, gap_text, modifier, name_runs, portfolio, surface, token_class
from .registry import canon, tokenize

_LOCATIVE = {"in", "at", "في", "à", "в", "во", "from", "de"}
_ROLE_KIND = {"spokesperson": "spokes", "adviser": "advis", "national security adviser": "advis"}


@dataclass
class Description:
    name: str = ""              # a person's or organisation's own name as written
    name_keys: tuple = ()       # comparison form of the name's tokens
    role: str = ""              # English role from the gazetteer ("spokesperson")
    office: str = ""            # English office ("foreign ministry")
    org: str = ""               # organisation spoken for (English label)
    org_code: str = ""          # seat id or organisation code of `org`
    country: str = ""           # ISO3 or organisation code
    kind: str = ""              # person | organisation | state
    gender: str = ""
    text: str = ""              # the words of the phrase that describe this actor
    start: int = 0              # offsets of `text` inside the phrase
    end: int = 0
    titled: bool = False        # a title, role or organisation introduces the name
    weak: bool = False          # one untitled Arabic word among other words: maybe no name
    generic: bool = False       # "الوكالة", "the agency": an institution named by its kind
    check: str = ""             # untitled Arabic name to verify on the corpus (evidence.py):
    #                             "untitled" (the whole subject, repeated, or a given name
    #                             first) or "tentative" (needs the corpus to name it again)

    def to_dict(self) -> dict:
        return {f: getattr(self, f) for f in ("name", "name_keys", "role", "office", "org",
                                              "org_code", "country", "kind", "gender", "text",
                                              "titled", "check")}

    @classmethod
    def from_dict(cls, d: dict) -> "Description":
        return cls(**{**d, "name_keys": tuple(d.get("name_keys") or ())})

    @property
    def source(self) -> str:
        return "discovered" if self.name else "gazetteer"

    @property
    def role_kind(self) -> str:
        r = self.role
        for k in ("minist", "secretary"):
            if k in r:
                return "minist"
        if r in _ROLE_KIND:
            return _ROLE_KIND[r]
        if r in ("president", "leader", "governor", "mayor", "director-general",
                 "secretary-general", "chief", "head"):
            return "head"
        L = lexicon()
        keys = {canon(t.norm) for t in tokenize(r)}
        return next((k for k, words in L.role_category.items() if keys & words), r)

    def display(self) -> str:
        """English-first display name: the name, else a gazetteer description."""
        g = gazetteer()
        if self.name:
            return self.name
        if self.kind == "state":
            return g.government(self.country)
        if self.kind == "organisation":
            if self.org:
                return self.org
            if self.office and self.country:
                return f"{g.adjective(self.country)} {self.office}"
            return self.office
        if self.org_code:
            qual = self.org if self.org_code not in g.countries else g.adjective(self.org_code)
        else:
            qual = g.adjective(self.country) if self.country else ""
        return f"{qual} {self.role}".strip() if self.role else self.text

    def key(self) -> str:
        """Identity within a document (before surname/role resolution)."""
        if self.name:
            return ("p:" if self.kind == "person" else "o:") + " ".join(self.name_keys)
        if self.kind == "state":
            return "c:" + self.country
        if self.kind == "organisation":
            seat = gazetteer().seats.get(self.org_code)
            if seat and seat.get("refers_to") and self.country:
                # "الكرملين" and "الرئاسة الروسية" are one office: the Russian presidency
                return f"o:{seat['refers_to']}@{self.country}"
            return "o:" + (self.org_code or f"{self.office}@{self.country}")
        return f"r:{self.role}@{self.org_code or self.country}"


def parse(phrase: str) -> list[Description]:
    """The actors a speaker phrase names (several when coordinated); [] when none."""
    L, g = lexicon(), gazetteer()
    toks = tokenize(phrase)
    if not toks:
        return []
    # "بوتين لـ ماكرون": what follows an Arabic "to" is the addressee, not a speaker.
    # "مصدر ميداني لتلفزيون الخبر": a medium after a glued "ل" is the addressee too.
    cut = next((k for k, t in enumerate(toks) if k > 0 and (
        t.norm in ("ل", "لنظيره", "لنظيرته") or
        t.norm[:1] == "ل" and ARABIC_LETTER.match(t.norm) and _media(t.norm[1:], L))), None)
    if cut is not None:
        toks = toks[:cut]
    hits = g.find(toks)
    hit_at = {p: h for h in hits for p in range(h.i, h.j)}
    cls = [token_class(toks, k, hit_at, L) for k in range(len(toks))]
    runs = name_runs(phrase, toks, cls, hit_at, L)
    in_org = {i for r in runs if r.org for i in r.idx}
    # Split points: "and"/"et"/"и"/"و" between entities, or a word glued to "و".
    cuts = []
    for k in range(1, len(toks)):
        if k in in_org:
            continue
        if cls[k] == "joint" and k < len(toks) - 1:
            cuts.append((k, k + 1))
        elif any(r.glued and r.idx[0] == k for r in runs) or \
                k in hit_at and hit_at[k].i == k and _glued_hit(toks[k], hit_at[k]):
            cuts.append((k, k))
    parts, lo = [], 0
    for a, b in cuts:
        parts.append(list(range(lo, a)))
        lo = b
    parts.append(list(range(lo, len(toks))))
    parts = [p for p in parts if p]
    descs = [_describe(phrase, toks, p, hit_at, cls, runs) for p in parts]
    if len(descs) > 1 and not all(d is not None and (d.name or d.kind in ("state", "organisation"))
                                  for d in descs):
        descs = [_describe(phrase, toks, list(range(len(toks))), hit_at, cls, runs)]
    return [d for d in descs if d is not None]


def _media(rest: str, L) -> bool:
    """"تلفزيون" of "لتلفزيون", "القناة" of "للقناة": a medium."""
    if rest.startswith("ل"):
        rest = "ا" + rest
    return canon(rest) in L.media


def _glued_hit(tok, hit) -> bool:
    return tok.surface.lstrip("\u200f").startswith("و") and \
        hit.entry.kind in ("country", "seat", "org") and canon(tok.norm) not in gazetteer().index


def _describe(phrase, toks, part, hit_at, cls, all_runs) -> Description | None:
    L = lexicon()
    P = set(part)
    runs = [r for r in all_runs if r.idx[0] in P]
    hits = sorted({id(hit_at[i]): hit_at[i] for i in part if i in hit_at}.values(), key=lambda h: h.i)
    in_runs = {i for r in runs for i in r.idx}
    d = Description()
    _qualify(d, [h for h in hits if h.i not in in_runs], toks)
    persons = [r for r in runs if not r.org and not portfolio(r, toks, cls, hit_at)
               and not modifier(phrase, toks, r)]
    orgs = [r for r in runs if r.org]
    arabic = any(ARABIC_LETTER.match(toks[i].norm) for i in part)
    if arabic and runs:
        # the head of an Arabic phrase comes first; an organisation right after a title is
        # the person's affiliation ("ممثل منظمة الأغذية …، السيد كريم الحداد")
        first = [r for r in runs if r in persons or r.org and not (
            persons and r.idx[0] > 0 and cls[r.idx[0] - 1] in ("title", "hit"))]
        if first and first[0].org:
            persons = []
            orgs = first
        # "وزارة الدفاع الروسية قتلها …", "الاتحاد الأوربي أكبر شريك": a government, office or
        # organisation before any title is the subject; the words after it are not a name
        head = next((i for i in part if cls[i] in ("hit", "title", "word", "inst", "artword")), None)
        if persons and head is not None and cls[head] == "hit" and \
                hit_at[head].entry.kind in ("country", "seat", "org", "office") and \
                not any(cls[i] == "title" or i in hit_at and hit_at[i].entry.kind == "role"
                        for i in part if head < i < persons[0].idx[0]):
            persons, orgs = [], [r for r in orgs if r.idx[0] < head]
    if persons:
        multi = [r for r in persons if len(r.idx) >= 2]
        # "Депутат Жогорку Кенеша … Айгуль Токтогулова": the name nearest the verb, not a
        # name after "of"/"de" (an affiliation)
        free = [r for r in multi if not (r.idx[0] > 0 and cls[r.idx[0] - 1] == "conn")]
        r = persons[0] if arabic else (free[-1] if free else multi[-1] if multi else persons[-1])
        d.kind, d.role = "person", d.role
        if orgs and not d.org_code:
            d.org = surface(phrase, toks, orgs[0].idx, orgs[0].glued)
    elif orgs:
        r = orgs[0]
        d.kind, d.role = "organisation", ""
        inner = [hit_at[i] for i in r.idx if i in hit_at]
        if inner and not d.country:
            d.country = inner[0].entry.country
    elif any(cls[i] == "notname" for i in part) and not (d.role or d.org_code or d.office):
        return None
    elif d.kind or not arabic and any(cls[i] == "title" and toks[i].norm not in L.honorifics
                                      for i in part):
        if not d.kind:
            t = next(toks[i] for i in part if cls[i] == "title")
            d.kind, d.role = "person", t.surface.lower()
        marks = [(h.i, h.j - 1) for h in hits] + [(i, i) for i in part if cls[i] == "title"]
        lo, hi = min(a for a, _ in marks), max(b for _, b in marks)
        if any(cls[i] == "notname" for i in part) and not (d.role or d.org_code or d.office):
            return None
        d.start, d.end = toks[lo].start, toks[hi].end
        d.text = phrase[d.start:d.end]
        return d
    else:
        return None
    d.name = surface(phrase, toks, r.idx, r.glued)
    if d.kind == "person" and not d.role:
        title = [toks[i] for i in part if cls[i] == "title" and i < r.idx[0]
                 and toks[i].norm not in L.honorifics]
        d.role = title[-1].surface.lower() if title else ""
    keys = [fold(toks[i].norm) for i in r.idx if d.kind == "person" or cls[i] != "conn"]
    if r.glued and keys:
        keys[0] = fold(toks[r.idx[0]].norm[1:])
    d.name_keys = tuple(keys)
    lo = r.idx[0]
    while lo - 1 in P and cls[lo - 1] in ("hit", "title", "conn") and \
            not any(ch in gap_text(phrase, toks, lo - 1, lo) for ch in ".:;\"“”«»"):
        lo -= 1
    while lo < r.idx[0] and cls[lo] == "conn":
        lo += 1
    d.titled = lo < r.idx[0] or r.org
    if d.kind == "person" and d.role in ("source", "official") and len(r.idx) == 1 and arabic:
        return None                              # "مصادر موثوقة": an adjective, no name
    if arabic and d.kind == "person" and len(r.idx) == 1 and not d.titled:
        d.weak = any(cls[i] in ("word", "artword", "inst", "notname") and i not in r.idx for i in part)
    if d.kind == "organisation" and len(r.idx) == 1 and cls[r.idx[0]] == "inst" and \
            (toks[r.idx[0]].norm.startswith(("ال", "وال")) or not arabic and not
             toks[r.idx[0]].surface[:1].isupper()):
        d.generic = True
    d.start, d.end = toks[lo].start, toks[r.idx[-1]].end
    d.text = phrase[d.start:d.end]
    return d


def _qualify(d: Description, hits: list[Hit], toks) -> None:
    """Role, office, organisation and country from the gazetteer words of the phrase."""
    g = gazetteer()
    loc_country = ""
    for h in hits:
        e = h.entry
        prev = toks[h.i - 1].norm if h.i > 0 else ""
        locative = prev in _LOCATIVE
        if e.kind == "role":
            if not d.role:
                d.role, d.gender = e.code, d.gender or e.gender
                if e.country and not d.country:
                    d.country = e.country
        elif e.kind == "office":
            if not d.office:
                d.office = e.code
                d.gender = d.gender or ""
                if e.country and not d.country:
                    d.country = e.country
        elif e.kind == "demonym":
            if not d.country:
                d.country = e.country
        elif e.kind == "country":
            if locative:
                loc_country = loc_country or e.country
            elif not d.country:
                d.country = e.country
        elif e.kind == "seat":
            if locative and e.ambiguous:
                loc_country = loc_country or e.country
                continue
            if e.extra == "government":          # a capital: its country's government
                d.country = d.country or e.country
            elif not d.org_code:
                d.org_code, d.country = e.code, d.country or e.country
                d.org = e.label
        elif e.kind == "org":
            if not d.org_code:
                d.org_code, d.org = e.code, g.orgs[e.code].get("name", e.code)
                d.country = d.country or e.code
    if d.office and not d.org:
        d.org = f"{g.adjective(d.country)} {d.office}" if d.country else ""
    if d.role and not d.org and d.country:
        office = next((h.entry.extra for h in hits if h.entry.kind == "role" and h.entry.extra), "")
        d.org = f"{g.adjective(d.country)} {office}" if office else g.government(d.country)
    if d.role:
        d.kind = "person"
    elif d.office == "government" and d.country and not d.org_code:
        d.kind, d.office, d.org = "state", "", ""     # "الحكومة الروسية" = "موسكو" = Russia
    elif d.org_code or d.office:
        d.kind = "organisation"
    elif d.country:
        d.kind = "state"
    if d.kind == "state" and not any(h.entry.kind in ("country", "seat") or h.entry.code == "government"
                                     for h in hits):
        d.kind = ""                              # a demonym alone names nobody
    if not d.country and loc_country and d.role:
        d.country = loc_country


@dataclass
class DocActors:
    """Keys of the actors discovered in one document, with surname and role resolution."""
    actors: dict = field(default_factory=dict)      # key -> Description (most complete)
    order: list = field(default_factory=list)       # keys in order of first appearance

    def register(self, d: Description) -> str:
        key = d.key()
        if d.kind == "person" and d.name and len(d.name_keys) > 1 and key not in self.actors:
            # "بيسكوف الغرب …": a known surname first is that person, the rest is not a name
            for k in reversed(self.order):
                o = self.actors[k]
                if o.kind == "person" and len(o.name_keys) >= 2 and \
                        o.name_keys[-1] == d.name_keys[0]:
                    d.text = d.name.split()[0]
                    return k
        if d.kind == "person" and d.name:
            if len(d.name_keys) == 1:
                for k in reversed(self.order):
                    o = self.actors[k]
                    if o.kind == "person" and o.name_keys and o.name_keys[-1] == d.name_keys[0]:
                        return k
            else:
                single = "p:" + d.name_keys[-1]
                if single in self.actors and single not in self.order[:0]:
                    self.actors[key] = _merge(self.actors.pop(single), d)
                    self.order[self.order.index(single)] = key
                    self.aliases_of_single = getattr(self, "aliases_of_single", {})
                    self.aliases_of_single[single] = key
                    return key
        elif d.kind == "person" and d.role:
            for k in reversed(self.order):
                o = self.actors[k]
                if o.kind == "person" and o.name and o.role_kind == d.role_kind and \
                        (not d.country or not o.country or o.country == d.country):
                    return k
        if key in self.actors:
            self.actors[key] = _merge(self.actors[key], d)
        else:
            self.actors[key] = d
            self.order.append(key)
        return key

    def knows(self, d: Description) -> bool:
        """A person already named in this document (full name, or the same surname)."""
        if d.key() in self.actors:
            return True
        return d.kind == "person" and bool(d.name_keys) and any(
            o.kind == "person" and o.name_keys and o.name_keys[-1] == d.name_keys[-1]
            for o in self.actors.values())

    def resolve(self, key: str) -> str:
        return getattr(self, "aliases_of_single", {}).get(key, key)


def _merge(a: Description, b: Description) -> Description:
    """The more complete of two descriptions of one actor, with the other's gaps filled."""
    best, other = (b, a) if len(b.name_keys) > len(a.name_keys) else (a, b)
    for f in ("role", "office", "org", "org_code", "country", "gender"):
        if not getattr(best, f) and getattr(other, f):
            setattr(best, f, getattr(other, f))
    # the surest mention decides: a titled one needs no check, an untitled whole subject
    # only the word check
    rank = {"": 0, "untitled": 1, "tentative": 2}
    best.check = min(a.check, b.check, key=lambda c: rank.get(c, 2))
    best.titled = a.titled or b.titled
    return best
