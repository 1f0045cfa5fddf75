"""Actor registry (`actors.yaml`) and tolerant alias matching.

actors.yaml is written by the analyst, never by the program. Format::

    actors:
      - id: kremlin                 # slug, unique
        name: Kremlin               # English display name (required)
        kind: organisation          # person | organisation (default: person if `parent` is set)
        aliases: [الكرملين, Kremlin, Кремль]
        titles: []                  # optional definite descriptions ("الرئيس الأميركي") that refer to
                                    # this actor only once it was named earlier in the same document
        role: executive office
        parent: ""                  # id of the organisation a person speaks for
        organisation: ""            # display name; inherited from parent when absent
        country: RUS                # ISO 3166-1 alpha-3 or a registry code (NATO, EU, DPR …)
        bloc: Russia                # the analyst's grouping
        gender: m                   # m | f; used for Arabic verb agreement in carry-over
    blocs:                          # optional: bloc -> description, or -> {description,
      Russia: Russian state and allies   # countries: [ISO3, …]} to put countries in the bloc
      West: {description: NATO and EU, countries: [USA, GBR, FRA, DEU]}

Actors found without the registry (discovered names, gazetteer countries and offices) take their
bloc from these `countries:` lists, else from the bloc every registry actor of their country
shares, else from the bundled gazetteer's default blocs (blocs.yaml).

Matching folds Arabic spelling variation (textnorm.normalize), strips proclitics and the article
(و ب ل ف ال وال لل …, textnorm.token_variants), prefers the longest alias, and also matches a
multi-word person alias by its last word (surname) when no other actor uses that word, so that
"بيسكوف", "دميتري بيسكوف" and "ديميتري بيسكوف" all find the same actor.
"""
from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass, field


from ..errors import RegistryError
from ..textnorm import ARABIC_LETTER, normalize, token_variants

# Word tokens on the *original* text, keeping Arabic diacritics and tatweel inside the word.
WORD_RE = re.compile(r"(?:[^\W_]|[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200c\u200d])+",
                     re.UNICODE)

_CYRILLIC = re.compile("[\u0400-\u04ff]")
# Russian case endings, longest first: "Пескова", "Пескову", "Песковым" all reduce to "песков",
# and "Захарова"/"Захаровой" to "захаров", on both the alias and the text side.
_RU_ENDINGS = ("ого", "ему", "ыми", "ими", "ами", "ями", "ой", "ей", "ом", "ем", "ым", "им", "ою",
               "ах", "ях", "а", "у", "е", "ы", "ю", "я", "и")


def canon(tok: str) -> str:
    """Comparison form of a name token: no Arabic article ("الكرملين" = "كرملين"), no Russian
    case ending ("Пескова" = "Песков")."""
    if tok.startswith("ال") and ARABIC_LETTER.match(tok) and len(tok) - 2 >= 2:
        return tok[2:]
    if _CYRILLIC.match(tok):
        for e in _RU_ENDINGS:
            if tok.endswith(e) and len(tok) - len(e) >= 3:
                return tok[:-len(e)]
    return tok


# Words that never make a surname on their own (titles, particles, common name parts).
_NOT_SURNAME = {canon(normalize(w)) for w in """
الرئيس رئيس وزير الوزير المتحدث الناطق باسم الامريكي الاميركي الروسي الفرنسي الاوكراني
الالماني البريطاني الخارجية الدفاع البيت الابيض وزارة الحكومة الدولة ابو بن عبد
الامريكي الاوروبي الصيني التركي الايراني كبير مسؤول المسؤول مصدر الشعبيه
president minister spokesman spokeswoman the of house state department ministry government
official officials source leaders us american russian senior administration
jr sr von van de da del la le al el bin
""".split()}


def token_keys(norm_tok: str) -> frozenset[str]:
    """Comparison keys of a normalised text token: itself and its clitic-stripped forms."""
    return frozenset(canon(v) for v in token_variants(norm_tok))


@dataclass
class Token:
    start: int
    end: int
    surface: str
    norm: str
    keys: frozenset


@functools.lru_cache(maxsize=500_000)
def _token_forms(surface: str) -> tuple[str, frozenset]:
    # News vocabulary repeats heavily: normalise each surface form once per process.
    n = normalize(surface)
    return n, (token_keys(n) if n else frozenset())


def tokenize(text: str, offset: int = 0) -> list[Token]:
    out = []
    for m in WORD_RE.finditer(text):
        n, keys = _token_forms(m.group())
        if not n:
            continue
        out.append(Token(offset + m.start(), offset + m.end(), m.group(), n, keys))
    return out


@dataclass
class Match:
    i: int                 # first token index
    j: int                 # one past the last token index
    actor_id: str
    how: str               # alias | surname | title
    start: int = 0
    end: int = 0

    @property
    def length(self) -> int:
        return self.j - self.i


@dataclass
class Actor:
    id: str
    name: str
    kind: str = "person"
    aliases: list = field(default_factory=list)
    titles: list = field(default_factory=list)
    role: str = ""
    parent: str = ""
    organisation: str = ""
    country: str = ""
    bloc: str = ""
    gender: str = ""
    line: int | None = None

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


_FIELDS = {"id", "name", "kind", "aliases", "titles", "role", "parent", "organisation", "country",
           "bloc", "gender"}


class ActorRegistry:
    """Actors by id, with an alias index for tolerant matching over token sequences."""

    def __init__(self, actors: list[Actor] | None = None, blocs: dict | None = None,
                 path: str | None = None):
        self.path = path
        self.blocs = {}
        self.country_blocs: dict[str, str] = {}      # ISO3 -> bloc from `blocs: {…: {countries}}`
        for bloc, spec in (blocs or {}).items():
            if isinstance(spec, dict):
                self.blocs[bloc] = str(spec.get("description") or "")
                for c in spec.get("countries") or []:
                    self.country_blocs[str(c).strip().upper()] = str(bloc)
            else:
                self.blocs[bloc] = spec
        self.actors: dict[str, Actor] = {}
        self.warnings: list[str] = []
        for a in actors or []:
            self.actors[a.id] = a
        self._index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        self._build_index()

    # ------------------------------------------------------------------ loading
    @classmethod
    def empty(cls) -> "ActorRegistry":
        return cls([])

    @classmethod
    def from_records(cls, records: list[dict], blocs: dict | None = None,
                     path: str | None = None) -> "ActorRegistry":
        actors, seen = [], {}
        for k, rec in enumerate(records):
            line = rec.pop("__line__", None) if isinstance(rec, dict) else None
            if not isinstance(rec, dict):
                raise RegistryError(f"actor #{k + 1} is not a mapping", path=path, line=line,
                                    hint="each entry under `actors:` starts with `- id: ...`")
            aid = str(rec.get("id") or "").strip()
            if not aid:
                raise RegistryError(f"actor #{k + 1} has no `id`", path=path, line=line,
                                    hint="give every actor a unique slug id")
            if aid in seen:
                raise RegistryError(f"duplicate actor id {aid!r} (first defined on line "
                                    f"{seen[aid]})", path=path, line=line,
                                    hint="ids must be unique; merge the two entries")
            seen[aid] = line
            name = str(rec.get("name") or "").strip()
            if not name:
                raise RegistryError(f"actor {aid!r} has no `name`", path=path, line=line,
                                    hint="add the English display name, e.g. `name: Dmitry Peskov`")
            unknown = set(rec) - _FIELDS
            aliases = rec.get("aliases") or []
            titles = rec.get("titles") or []
            if isinstance(aliases, str):
                aliases = [aliases]
            if isinstance(titles, str):
                titles = [titles]
            if not isinstance(aliases, list) or not isinstance(titles, list):
                raise RegistryError(f"actor {aid!r}: `aliases`/`titles` must be lists", path=path,
                                    line=line)
            gender = str(rec.get("gender") or "").strip().lower()[:1]
            if gender and gender not in "mf":
                raise RegistryError(f"actor {aid!r}: gender must be m or f, not {rec['gender']!r}",
                                    path=path, line=line)
            parent = str(rec.get("parent") or "").strip()
            kind = str(rec.get("kind") or "").strip().lower()
            if kind in ("org", "organization"):
                kind = "organisation"
            if not kind:
                kind = "person" if (parent or gender) else "organisation"
            if kind not in ("person", "organisation"):
                raise RegistryError(f"actor {aid!r}: kind must be person or organisation",
                                    path=path, line=line)
            a = Actor(id=aid, name=name, kind=kind,
                      aliases=[str(x).strip() for x in aliases if x is not None and str(x).strip()],
                      titles=[str(x).strip() for x in titles if x is not None and str(x).strip()],
                      role=str(rec.get("role") or ""), parent=parent,
                      organisation=str(rec.get("organisation") or ""),
                      country=str(rec.get("country") or ""), bloc=str(rec.get("bloc") or ""),
                      gender=gender, line=line)
            if unknown:
                warnings.warn(f"{path}:{line}: actor {aid!r} has unknown fields {sorted(unknown)}")
            actors.append(a)
        ids = {a.id for a in actors}
        for a in actors:
            if a.parent and a.parent not in ids:
                raise RegistryError(f"actor {a.id!r} has unknown parent {a.parent!r}", path=path,
                                    line=a.line, hint="parent must be the id of another actor")
        reg = cls(actors, blocs, path)
        for a in actors:                                   # parent cycles
            seen_ids, cur = set(), a
            while cur.parent:
                if cur.id in seen_ids:
                    raise RegistryError(f"parent cycle through {a.id!r}", path=path, line=a.line)
                seen_ids.add(cur.id)
                cur = reg.actors[cur.parent]
        return reg

    @classmethod
    def load(cls, path) -> "ActorRegistry":
        from ..io import list_item_lines, load_yaml
        path = str(path)
        data, node = load_yaml(path, RegistryError, "actor registry")
        if data is None:
            return cls([], path=path)
        if not isinstance(data, dict):
            raise RegistryError("top level must be a mapping with an `actors:` list", path=path,
                                line=1)
        records = data.get("actors") or []
        if not isinstance(records, list):
            raise RegistryError("`actors:` must be a list", path=path, line=1)
        lines = list_item_lines(node, "actors")
        records = [dict(r, __line__=lines[i] if i < len(lines) else None)
                   if isinstance(r, dict) else r for i, r in enumerate(records)]
        blocs = data.get("blocs") or {}
        if not isinstance(blocs, dict):
            raise RegistryError("`blocs:` must be a mapping", path=path)
        return cls.from_records(records, blocs, path)

    # ------------------------------------------------------------------ index
    def _build_index(self) -> None:
        owners: dict[tuple[str, ...], set[str]] = {}
        for a in self.actors.values():
            for alias in a.aliases + [a.name]:
                key = tuple(canon(t) for t in _alias_tokens(alias))
                if key:
                    owners.setdefault(key, set()).add(a.id)
        for key, ids in owners.items():
            if len(ids) > 1:
                msg = (f"alias {' '.join(key)!r} is used by several actors: {sorted(ids)}; "
                       f"it will resolve to none of them")
                self.warnings.append(msg)
                warnings.warn(f"{self.path or 'registry'}: {msg}")
        entries: list[tuple[tuple[str, ...], str, str]] = []
        for key, ids in owners.items():
            if len(ids) == 1:
                entries.append((key, next(iter(ids)), "alias"))
        # Surnames: last word of multi-word person aliases, when unique to that actor.
        surname_owner: dict[str, set[str]] = {}
        for a in self.actors.values():
            if not a.is_person:
                continue
            for alias in a.aliases + [a.name]:
                toks = [canon(t) for t in _alias_tokens(alias)]
                if len(toks) >= 2 and len(toks[-1]) >= 3 and toks[-1] not in _NOT_SURNAME:
                    surname_owner.setdefault(toks[-1], set()).add(a.id)
        single_alias_owner = {k[0]: ids for k, ids in owners.items() if len(k) == 1}
        for sn, ids in surname_owner.items():
            other = single_alias_owner.get(sn, set())
            if len(ids) == 1 and not (other - ids) and (sn,) not in owners:
                entries.append(((sn,), next(iter(ids)), "surname"))
        for a in self.actors.values():
            for t in a.titles:
                key = tuple(canon(x) for x in _alias_tokens(t))
                if key:
                    entries.append((key, a.id, "title"))
        self._index = {}
        for key, aid, how in entries:
            self._index.setdefault(key[0], []).append((key, aid, how))
        for lst in self._index.values():
            lst.sort(key=lambda e: -len(e[0]))

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self.actors)

    def __contains__(self, actor_id: str) -> bool:
        return actor_id in self.actors

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def organisation_of(self, actor_id: str) -> str:
        a = self.actors[actor_id]
        if a.organisation:
            return a.organisation
        if a.parent:
            p = self.actors[a.parent]
            return p.name if not p.is_person else self.organisation_of(p.id)
        return a.name if not a.is_person else ""

    def _inherit(self, actor_id: str, attr: str) -> str:
        cur = self.actors.get(actor_id)
        while cur is not None:
            v = getattr(cur, attr)
            if v:
                return v
            cur = self.actors.get(cur.parent) if cur.parent else None
        return ""

    def resolve(self, actor_id: str) -> dict:
        """speaker (display name), organisation, country, bloc, following parent links."""
        if actor_id not in self.actors:
            return {"speaker": "", "organisation": "", "country": "", "bloc": ""}
        return {"speaker": self.actors[actor_id].name,
                "organisation": self.organisation_of(actor_id),
                "country": self._inherit(actor_id, "country"),
                "bloc": self._inherit(actor_id, "bloc")}

    def ancestors(self, actor_id: str) -> list[str]:
        out, cur = [], self.actors.get(actor_id)
        while cur is not None and cur.parent:
            out.append(cur.parent)
            cur = self.actors.get(cur.parent)
        return out

    def find(self, toks: list[Token], i0: int = 0, i1: int | None = None,
             titles: bool | set = True) -> list[Match]:
        """Non-overlapping actor mentions in toks[i0:i1], longest match first."""
        i1 = len(toks) if i1 is None else i1
        cands: list[Match] = []
        for i in range(i0, i1):
            for k in toks[i].keys:
                for key, aid, how in self._index.get(k, ()):
                    if how == "title" and (not titles or (isinstance(titles, set)
                                                          and aid not in titles)):
                        continue
                    n = len(key)
                    if i + n > i1:
                        continue
                    if all(key[m] in toks[i + m].keys for m in range(1, n)):
                        cands.append(Match(i, i + n, aid, how, toks[i].start, toks[i + n - 1].end))
        rank = {"alias": 0, "surname": 1, "title": 2}
        return longest_first(cands, lambda m: (-m.length, rank[m.how], m.i))

    def match_text(self, text: str) -> list[tuple[str, str]]:
        """(actor_id, surface) for every mention in a string (titles excluded)."""
        toks = tokenize(text)
        return [(m.actor_id, text[m.start:m.end]) for m in self.find(toks, titles=False)]


def longest_first(cands: list, order) -> list:
    """Non-overlapping spans (objects with .i, .j) taken in `order`, returned by position."""
    cands = sorted(cands, key=order)
    taken: set[int] = set()
    out = []
    for m in cands:
        if any(p in taken for p in range(m.i, m.j)):
            continue
        taken.update(range(m.i, m.j))
        out.append(m)
    return sorted(out, key=lambda m: m.i)


def _alias_tokens(alias: str) -> list[str]:
    return [t.norm for t in tokenize(alias)]
