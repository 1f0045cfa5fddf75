"""Names in a speaker phrase: each word's class (gazetteer word, title, institution word,
function word, candidate name word) and the runs of words that form a person's or an
organisation's name ("Lindiwe Mokoena", "Ministry of Development, Industry and Trade",
"هيئة تحرير الشام", "Министерство по чрезвычайным ситуациям"). Used by `discover.parse`."""
from __future__ import annotations

import unicodedata

from ..textnorm import ARABIC_LETTER, STOPWORDS_AR
from .gazetteer import gazetteer
from .lexicon import is_filler
from .registry import canon


def fold(word: str) -> str:
    """Comparison form of a name token: canon + no Latin diacritics (Araújo = Araujo)."""
    w = canon(word)
    if not ARABIC_LETTER.match(w):
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    return w


def token_class(toks, k, hit_at, L) -> str:
    """hit | joint | conn | title | inst | func | notname | word | artword | lower"""
    t = toks[k]
    if k in hit_at:
        return "hit"
    ck, n = canon(t.norm), t.norm
    if n in L.joint:
        return "joint"
    latin = not ARABIC_LETTER.match(n)
    if n in L.connectors and (latin or n not in L.titles):
        return "conn"
    if ck in L.titles or n in L.honorifics:
        return "title"
    if ck in L.anaphor or ck in L.two_participants:
        return "func"
    if ck in L.institutions:
        return "inst"
    if not latin and t.surface.lstrip("وف\u200f").startswith("آ") and len(n) >= 2:
        return "artword" if n.startswith("ال") else "word"     # "آن نيوبرغر", not "أن"
    if n in L.latin_function or is_filler(n, L.filler) or n in L.post_stop or n in L.pre_stop \
            or n.isdigit() or n in L.pronouns or not latin and (len(n) < 2 or "\u064b" in t.surface
                                                               or n in L.subject_end
                                                               or n in STOPWORDS_AR
                                                               or n[:1] in "وف" and n[1:] in STOPWORDS_AR):
        return "func"
    if ck in L.not_names:
        return "notname"
    if latin:
        return "word" if t.surface[:1].isupper() else "lower"
    return "artword" if n.startswith(("ال", "وال", "لل", "بال", "فال", "كال", "ولل")) else "word"


def is_glued(tok, L) -> bool:
    """An Arabic token glued to "و" that starts a new conjunct ("وفرنسا", "وماكرون")."""
    if not tok.surface.lstrip("\u200f").startswith("و") or len(tok.norm) < 4:
        return False
    g, ck = gazetteer(), canon(tok.norm)
    return ck not in g.index and ck not in L.titles and ck not in L.institutions


def gap_text(phrase, toks, a, b) -> str:
    return phrase[toks[a].end:toks[b].start]


class Run:
    def __init__(self, idx, org, glued=False):
        self.idx, self.org, self.glued = idx, org, glued


def name_runs(phrase, toks, cls, hit_at, L) -> list[Run]:
    """Name runs: organisation names (led by or ending in an institution word, or holding a
    country: "Health Canada") and person names."""
    n, out, k = len(toks), [], 0
    arabic = any(ARABIC_LETTER.match(t.norm) for t in toks)
    in_run: set[int] = set()
    while k < n:
        c = cls[k]
        head = all(cls[x] in ("conn", "func") for x in range(k))
        lead = c == "inst" and (arabic or toks[k].surface[:1].isupper() or head) or \
            c == "hit" and hit_at[k].i == k and hit_at[k].entry.code == "ministry" and \
            (toks[k].surface[:1].isupper() or head) and portfolio_follows(phrase, toks, cls, hit_at, k)
        solo = arabic and c == "artword" and all(cls[x] in ("func", "conn") for x in range(n) if x != k)
        if not (lead or c == "word" or solo):
            k += 1
            continue
        prev_entity = k > 0 and (k - 1 in in_run or k - 1 in hit_at and
                                 hit_at[k - 1].entry.kind in ("country", "seat", "org", "demonym"))
        glued = arabic and prev_entity and is_glued(toks[k], L)
        idx, inst = list(range(k, hit_at[k].j)) if c == "hit" else [k], lead
        j = idx[-1] + 1
        while j < n and j - k < 10:
            gap = gap_text(phrase, toks, j - 1, j)
            cj = cls[j]
            if any(ch in gap for ch in ".:;!?؟؛\"“”«»()"):
                break
            comma = any(ch in gap for ch in ",،")
            entity_hit = cj == "hit" and hit_at[j].i == j and \
                hit_at[j].entry.kind in ("country", "seat", "org", "demonym")
            if arabic:
                if inst and not comma and ar_org_continues(toks, cls, hit_at, idx, j):
                    idx.append(j)
                elif not inst and not comma and cj in ("word", "artword") and len(idx) < 4 \
                        and not is_glued(toks[j], L) and _ar_name_continues(toks, cls, idx, j):
                    idx.append(j)
                else:
                    break
            elif not comma and cj in ("word", "inst") and (cj == "word" or inst or
                                                          toks[j].surface[:1].isupper() or
                                                          cls[idx[-1]] == "word"):
                inst = inst or cj == "inst"
                idx.append(j)
            elif not comma and entity_hit and (inst or hit_at[j].entry.kind in ("country", "seat")):
                idx += list(range(j, hit_at[j].j))
                inst, j = True, hit_at[j].j
                continue
            elif inst and lead and not comma and cj == "lower":
                idx.append(j)
            elif cj in ("conn", "joint") or comma and inst and cj in ("word", "inst"):
                ext = extension(phrase, toks, cls, hit_at, j, lowercase=inst and lead)
                if ext and (inst or any(cls[x] == "inst" and toks[x].surface[:1].isupper()
                                        for x in ext)):
                    inst = True
                    idx += list(range(j, ext[-1] + 1))
                    j = ext[-1] + 1
                    continue
                break
            else:
                break
            j += 1
        if arabic and not inst:
            # "وكشف الأسد أن": an article-initial word is a name when it is the whole subject
            alone = len(idx) == 1 and all(cls[x] in ("func", "conn") for x in range(n) if x != idx[0])
            while idx and cls[idx[0]] == "artword" and not alone:
                idx = idx[1:]
        while idx and cls[idx[-1]] in ("conn", "joint"):
            idx.pop()
        if idx and inst and not arabic and idx[0] > 0 and idx[0] - 1 in hit_at and \
                hit_at[idx[0] - 1].entry.kind in ("demonym", "country") and \
                toks[idx[0] - 1].surface[:1].isupper() and gap_text(phrase, toks, idx[0] - 1, idx[0]).strip() == "":
            h = hit_at[idx[0] - 1]                # "Brazilian Steel Institute", "Ghana Statistical …"
            idx = list(range(h.i, h.j)) + idx
        if idx:
            # "центра «Арарат Аналитика»", "the lender Gold Coast": a name after an institution
            after_inst = k > 0 and cls[k - 1] == "inst" and not arabic
            org = inst or after_inst or any(x in hit_at for x in idx) or \
                (len(idx) == 1 and toks[idx[0]].surface.isupper() and len(toks[idx[0]].norm) >= 2
                 and not arabic)
            out.append(Run(idx, org, glued))
            in_run.update(idx)
        k = max(j, k + 1)
    return out


_COMPOUND = {"عبد", "ابو", "بن", "ابن", "ام", "بو", "ال", "ولد", "بنت"}


def _ar_name_continues(toks, cls, idx, j) -> bool:
    """Arabic names: a family name with the article ends the name ("كريم الحداد"), except in
    compounds ("عبد الفتاح السيسي", "أبو محمد الجولاني"); a word after it starts something else
    ("احدث الأخبار ماكرون")."""
    prev = idx[-1]
    if cls[prev] != "artword":
        return True
    return len(idx) >= 2 and toks[idx[-2]].norm in _COMPOUND or toks[prev].norm in _COMPOUND


def nisba(tok) -> bool:
    """An Arabic relational adjective ("الدولي", "السورية", "العربي")."""
    n = canon(tok.norm)
    return n.endswith(("ي", "يه", "يون", "يين"))


def ar_org_continues(toks, cls, hit_at, idx, j) -> bool:
    """Does toks[j] continue an Arabic organisation name? An indefinite head takes a genitive
    phrase ("هيئة تحرير الشام", "منظمة الأغذية والزراعة"); a definite head only adjectives and
    a "لـ" complement ("المرصد السوري لحقوق الإنسان"), not its verb's object ("التحالف
    الحوثيين"); after a definite word, a bare word starts a person's name ("المرصد رامي …")."""
    cj, prev = cls[j], toks[idx[-1]]
    if cj == "hit":
        return hit_at[j].entry.kind not in ("role",)
    if cj not in ("word", "artword", "inst", "conn"):
        return False
    definite = toks[idx[0]].norm.startswith(("ال", "وال"))
    if cj == "word" and cls[idx[-1]] in ("artword", "hit") and not toks[j].norm.startswith(("ل", "ب")):
        return False
    if not definite:
        return len(idx) < 6
    if cj == "artword" and nisba(toks[j]):
        return True
    if toks[j].norm.startswith("ل") and len(toks[j].norm) > 3:      # "لحقوق", "للاستثمار"
        return True
    return cj == "artword" and prev.norm.startswith("ل") and len(idx) < 6


def portfolio_follows(phrase, toks, cls, hit_at, k) -> bool:
    """A generic "ministry" followed by its portfolio: "Ministry of Development", "ministère
    guinéen de l'Hydraulique", "Министерство по чрезвычайным ситуациям"."""
    j = hit_at[k].j
    while j < len(toks) and (j in hit_at and hit_at[j].entry.kind == "demonym"):
        j = hit_at[j].j
    return j < len(toks) and cls[j] == "conn" and bool(extension(phrase, toks, cls, hit_at, j, True))


def extension(phrase, toks, cls, hit_at, j, lowercase=False) -> list[int]:
    """Tokens from j that continue an organisation name: connectors, then capitalised words
    (or a country; lower-case words too after a French/Russian institution) — "of Development,
    Industry and Trade", "of Ghana", "de crise national", "по чрезвычайным ситуациям"."""
    stop = ".:;!?\"“”«»()"
    words = ("word", "inst", "lower") if lowercase else ("word", "inst")
    k = j
    while k < len(toks) and cls[k] in ("conn", "joint"):
        if k > j and any(ch in gap_text(phrase, toks, k - 1, k) for ch in stop):
            return []
        k += 1
    if k >= len(toks) or k > j and any(ch in gap_text(phrase, toks, k - 1, k) for ch in stop):
        return []
    if cls[k] in words:
        out = list(range(j, k + 1))
        while k + 1 < len(toks) and cls[k + 1] in words and \
                not any(ch in gap_text(phrase, toks, k, k + 1) for ch in ",،" + stop):
            k += 1
            out.append(k)
        return out
    if cls[k] == "hit" and hit_at[k].entry.kind in ("country", "seat", "org"):
        return list(range(j, hit_at[k].j))
    return []


def modifier(phrase, toks, r) -> bool:
    """"Toronto-based", "Accra-based": a place glued to a lower-case word, not a name."""
    k = r.idx[-1]
    return len(r.idx) == 1 and k + 1 < len(toks) and \
        phrase[toks[k].end:toks[k + 1].start] == "-" and toks[k + 1].surface[:1].islower()


def portfolio(r, toks, cls, hit_at) -> bool:
    """Capitalised words that name a minister's portfolio ("ministre de l'Énergie")."""
    k = r.idx[0] - 1
    if k < 0 or cls[k] != "conn":
        return False
    lower, steps = 0, 0
    while k >= 0 and steps < 8 and (cls[k] in ("conn", "word") or k in hit_at and
                                    hit_at[k].entry.kind == "demonym" or
                                    cls[k] == "lower" and lower < 2):
        lower += cls[k] == "lower"
        k, steps = k - 1, steps + 1
    return k >= 0 and (cls[k] == "title" or k in hit_at and hit_at[k].entry.kind in ("role", "office"))


def surface(phrase, toks, idx, glued=False) -> str:
    s = phrase[toks[idx[0]].start:toks[idx[-1]].end]
    if glued:
        s = s.lstrip("\u200f")[1:]
    return " ".join(s.strip(" ,،'\"“”«»").split())
