"""The corpus-level end of attribution: repeats, discovered actors merged across documents, and
the actors table (actors.csv).

Per-document attribution (`Attributor`) runs on partitions and gives each discovered speaker a
key within its document. Here, once for the whole corpus:

1. outlet boilerplate and exact duplicates are marked (`repeats.py`); no carry-over crosses
   boilerplate; untitled Arabic "names" that the corpus shows to be common words are dropped
   with the statements carried over from them (`evidence.py`);
2. discovered actors are merged across documents: one person under the full name, the surname
   alone ("Mokoena" where a "Lindiwe Mokoena" speaks; the only person of that surname in the
   corpus otherwise) and spellings that differ only in vowel letters ("دميتري/ديميتري بيسكوف");
   organisations, governments and role holders by what they are (the Kremlin, the Russian
   government, NATO, the Russian foreign minister);
3. a discovered actor whose name or display name is a registry alias becomes that registry actor
   (the registry wins); bloc: the analyst's (`blocs:` country lists in actors.yaml, or the bloc
   every registry actor of that country shares), else the gazetteer's default blocs;
4. one row per actor credited with a statement, in a form that can be pasted into actors.yaml.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pandas as pd

from .. import schema
from ..textnorm import ARABIC_LETTER, normalize
from .attribute import ACTORS_FIELD
from .discover import Description, fold
from .registry import tokenize
from .gazetteer import gazetteer
from .evidence import carry_across_boilerplate, verify_names
from .repeats import mark_repeats

_SKELETON_AR = re.compile("[اويىه]")
_SKELETON_LAT = re.compile("[aeiouy]")


def finalize_attribution(claims: pd.DataFrame, documents: pd.DataFrame, registry, config
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims, actors table) once every document is attributed."""
    claims = mark_repeats(claims, documents)
    claims = carry_across_boilerplate(claims)
    claims = verify_names(claims, documents)
    claims, credited, merged = resolve_discovered(claims, registry, documents)
    claims = claims.drop(columns=[ACTORS_FIELD], errors="ignore")
    return claims, actors_table(claims, registry, credited, merged)


def country_blocs(registry) -> dict:
    """Country -> bloc from the analyst: `blocs:` country lists, else the bloc that every
    registry actor of that country has."""
    out = dict(getattr(registry, "country_blocs", {}) or {})
    seen: dict[str, set] = defaultdict(set)
    for aid in getattr(registry, "actors", {}) or {}:
        r = registry.resolve(aid)
        if r["country"] and r["bloc"]:
            seen[r["country"]].add(r["bloc"])
    for c, bs in seen.items():
        if len(bs) == 1:
            out.setdefault(c, next(iter(bs)))
    return out


class _Actor:
    def __init__(self, desc: Description):
        self.desc = desc
        self.names: Counter = Counter()
        self.texts: Counter = Counter()
        self.descs: list[Description] = []
        self.id = ""
        self.registry_id = ""

    def add(self, d: Description, n: int = 1):
        self.descs.append(d)
        if d.name:
            self.names[d.name] += n
        if d.text:
            self.texts[d.text] += n

    def name(self) -> str:
        if self.names:
            return max(self.names, key=lambda s: (len(s.split()), self.names[s], -len(s)))
        named = [d for d in self.descs if d.org_code]          # a seat's name: "Kremlin"
        return (named[0] if named else self.desc).display()

    def common(self, field: str) -> str:
        c = Counter(getattr(d, field) for d in self.descs if getattr(d, field))
        return c.most_common(1)[0][0] if c else ""


def _skeleton(word: str) -> str:
    return (_SKELETON_AR if ARABIC_LETTER.match(word) else _SKELETON_LAT).sub("", word)


def _cluster(local: dict, doc_words: dict | None = None) -> dict:
    """(doc, key) -> global key, merging persons by full name, surname and spelling."""
    gkey, doc_words = {}, doc_words or {}
    persons = {lk: d for lk, (d, _) in local.items() if d.kind == "person" and d.name_keys}
    full = defaultdict(set)                         # surname -> full-name global keys
    docs_of = defaultdict(set)
    for (doc, key), d in persons.items():
        docs_of[d.name_keys].add(doc)
    for (doc, key), d in persons.items():
        # a full name another document's surname may join: introduced by a title or role, or
        # named in two documents ("ضرورة معرفة مكانة المعلم" is no one's full name)
        if len(d.name_keys) >= 2 and (d.titled or d.role or len(docs_of[d.name_keys]) > 1):
            full[d.name_keys[-1]].add(d.name_keys)
    # spelling variants: same surname, same first-name skeleton
    canon_full: dict[tuple, tuple] = {}
    for sn, keys in full.items():
        by_skel: dict[tuple, tuple] = {}
        for k in sorted(keys, key=lambda k: (-len(k), k)):
            sk = (_skeleton(k[0]), len(k))
            canon_full[k] = by_skel.setdefault(sk, k)
    by_doc = defaultdict(list)
    for (doc, key), d in persons.items():
        by_doc[doc].append(d)
    for lk, (d, _) in local.items():
        doc, key = lk
        if lk in persons and len(d.name_keys) >= 2:
            gkey[lk] = "p:" + " ".join(canon_full.get(d.name_keys, d.name_keys))
        elif lk in persons:
            sn = d.name_keys[0]
            sn2 = sn[1:] if ARABIC_LETTER.match(sn) and sn[:1] in "وف" and len(sn) > 4 else sn
            same_doc = [o for o in by_doc[doc] if len(o.name_keys) >= 2 and o.name_keys[-1] in (sn, sn2)
                        and o.name_keys in canon_full]
            # another document's full name only when this one names its first name too
            # ("كين" joins "جاك كين" only in an article that says "جاك")
            words = doc_words.get(doc, set())
            cands = {canon_full.get(o.name_keys, o.name_keys) for o in same_doc} or \
                {canon_full.get(k, k) for s in (sn, sn2) for k in full.get(s, ()) if k[0] in words}
            gkey[lk] = "p:" + " ".join(next(iter(cands))) if len(cands) == 1 else "p:" + sn2
        else:
            gkey[lk] = key
    return gkey


def resolve_discovered(claims: pd.DataFrame, registry, documents: pd.DataFrame | None = None):
    """Corpus-wide ids, names, organisations, countries and blocs of discovered actors."""
    c = claims.reset_index(drop=True).copy()
    for col in ("speakers_all", "speaker_source", ACTORS_FIELD):
        if col not in c:
            c[col] = ""
    g, blocs = gazetteer(), country_blocs(registry)
    rows = []
    for pos, raw in enumerate(c[ACTORS_FIELD].fillna("").astype(str)):
        if raw and str(c.at[pos, "attribution"]) != "annotation":
            info = json.loads(raw)
            rows.append((pos, info["keys"], {k: Description.from_dict(v)
                                             for k, v in info["actors"].items()}))
    local: dict = {}
    for pos, keys, descs in rows:
        doc = str(c.at[pos, "doc_id"])
        for k, d in descs.items():
            lk = (doc, k)
            if lk not in local:
                local[lk] = (d, _Actor(d))
            local[lk][1].add(d)
    texts = {} if documents is None or "text" not in documents else \
        dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    docs_needed = {doc for doc, _ in local}
    gkey = _cluster(local, {d: {fold(t.norm) for t in tokenize(texts[d])}
                            for d in docs_needed if d in texts})
    actors: dict[str, _Actor] = {}
    for lk, (d, a) in local.items():
        k = gkey[lk]
        if k not in actors:
            actors[k] = _Actor(d)
        for x in a.descs:
            actors[k].add(x)
    _ids(actors, registry)
    credited: list[tuple[int, str]] = []
    for pos, keys, descs in rows:
        doc = str(c.at[pos, "doc_id"])
        names = []
        for n, k in enumerate(keys):
            if k in descs:
                a = actors[gkey[(doc, k)]]
                aid = a.registry_id or a.id
                if n == 0:
                    _fill(c, pos, a, registry, blocs, g)
            else:
                aid = k
            credited.append((pos, aid))
            names.append(registry.resolve(aid)["speaker"] if aid in registry else
                         next(x.name() for x in actors.values() if x.id == aid))
        c.at[pos, "speakers_all"] = ";".join(dict.fromkeys(names))
    done = {p for p, _, _ in rows}
    for pos in range(len(c)):
        sid = str(c.at[pos, "speaker_id"])
        if pos in done or not str(c.at[pos, "speaker"]):
            continue
        if sid in registry:
            credited.append((pos, sid))
            c.at[pos, "speaker_source"] = "registry"
        elif str(c.at[pos, "attribution"]) == "annotation":
            a = next((x for x in actors.values() if x.name() == str(c.at[pos, "speaker"])), None)
            if a is not None:
                _fill(c, pos, a, registry, blocs, g)
                credited.append((pos, a.registry_id or a.id))
            c.at[pos, "speaker_source"] = c.at[pos, "speaker_source"] if a is not None else "annotation"
        c.at[pos, "speakers_all"] = str(c.at[pos, "speaker"])
    c.index = claims.index
    return c, credited, actors


def _ids(actors: dict, registry) -> None:
    """Registry actor for discovered names that are registry aliases; slugs for the rest."""
    index = {}
    for aid, a in (getattr(registry, "actors", {}) or {}).items():
        for n in [a.name, *a.aliases]:
            index.setdefault(normalize(n), aid)
    taken = set(getattr(registry, "actors", {}) or {})
    for a in sorted(actors.values(), key=lambda a: -sum(a.names.values()) - sum(a.texts.values())):
        for n in [a.name(), a.desc.display(), *a.names]:
            if normalize(n) in index:
                a.registry_id = index[normalize(n)]
                break
        base = _slug(a.name()) or "actor"
        slug, k = base, 2
        while slug in taken:
            slug, k = f"{base}-{k}", k + 1
        taken.add(slug)
        a.id = slug


def _slug(name: str) -> str:
    s = normalize(name)
    s = re.sub(r"[^\w]+", "-", s, flags=re.UNICODE).strip("-_")
    return s[:60]


def _fill(c: pd.DataFrame, pos: int, a: _Actor, registry, blocs: dict, g) -> None:
    if a.registry_id:
        for k, v in {**registry.resolve(a.registry_id), "speaker_id": a.registry_id,
                     "speaker_source": "registry"}.items():
            c.at[pos, k] = v
        return
    country = a.common("country")
    org = a.common("org") or (a.desc.display() if a.desc.kind in ("organisation", "state") else "")
    c.at[pos, "speaker"] = a.name()
    c.at[pos, "speaker_id"] = a.id
    c.at[pos, "organisation"] = org
    c.at[pos, "country"] = country
    c.at[pos, "bloc"] = blocs.get(country) or g.bloc(country)
    c.at[pos, "speaker_source"] = a.desc.source


def actors_table(claims: pd.DataFrame, registry, credited=None, discovered=None) -> pd.DataFrame:
    """One row per actor credited with at least one statement (columns: `schema.ACTORS`)."""
    if credited is None:
        credited = [(p, sid) for p, sid in enumerate(claims["speaker_id"].astype(str))
                    if sid and str(claims["speaker"].iloc[p])]
    counted = claims["duplicate_of"].astype(str).to_numpy() == "" if "duplicate_of" in claims \
        else None
    n = Counter(aid for p, aid in credited if counted is None or counted[p])
    if not n:
        return schema.empty("actors")
    seen_text = defaultdict(list)
    for p, aid in credited:
        t = str(claims["speaker_text"].iloc[p])
        if t and str(claims["speaker_id"].iloc[p]) == aid:
            seen_text[aid].append(t)
    by_id = {a.id: a for a in (discovered or {}).values() if not a.registry_id}
    reg = getattr(registry, "actors", {}) or {}
    g, blocs = gazetteer(), country_blocs(registry)
    rows = []
    for aid in sorted(n):
        if aid in reg:
            a, info = reg[aid], registry.resolve(aid)
            aliases = list(dict.fromkeys([*a.aliases, *sorted(set(seen_text[aid]))]))
            rows.append({"actor_id": aid, "name": a.name, "aliases": ";".join(aliases),
                         "role": a.role, "organisation": info["organisation"],
                         "country": info["country"], "bloc": info["bloc"], "source": "registry",
                         "n_statements": n[aid], "kind": a.kind})
        elif aid in by_id:
            d = by_id[aid]
            country = d.common("country")
            aliases = list(dict.fromkeys([*d.names, *(t for t in d.texts if not d.names)]))
            rows.append({"actor_id": aid, "name": d.name(), "aliases": ";".join(aliases),
                         "role": d.common("role"),
                         "organisation": d.common("org") or (d.desc.display() if d.desc.kind in
                                                             ("organisation", "state") else ""),
                         "country": country, "bloc": blocs.get(country) or g.bloc(country),
                         "source": d.desc.source, "n_statements": n[aid],
                         "kind": d.desc.kind})
        else:                                    # an analyst's annotation naming no actor
            rows_ = claims[claims["speaker_id"].astype(str) == aid]
            if not len(rows_):
                continue
            r = rows_.iloc[0]
            rows.append({"actor_id": aid, "name": r["speaker"], "aliases": "", "role": "",
                         "organisation": r["organisation"], "country": r["country"],
                         "bloc": r["bloc"], "source": "annotation", "n_statements": n[aid],
                         "kind": ""})
    return pd.DataFrame(rows, columns=schema.ACTORS.names)
