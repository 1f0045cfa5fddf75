"""Extractors: read one statement and return plain records of who it names as the source.

Each extractor looks for one kind of cue and returns a `Found` (or None): a reporting verb and
its subject (`reporting`), an "according to" source (`according_to`), a "Speaker: claim" prefix
(`headline_prefix`), a readout of a meeting or call (`readout`). A Found names either a
registry actor (`actor_id`) or, when no registry actor matches, the subject phrase as written
(`text`, parsed into discovered actors by the attributor), or asks the carry-over machine
(`carry.py`) for the speaker (`how="carry_over"` with a `gender`, a pronoun or an anaphor).
Word lists come from `lexicon.py` (resource files); nothing here is specific to one corpus.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..textnorm import ARABIC_LETTER
from .lexicon import is_filler, lexicon
from .registry import Match, canon

_LIGHT = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u0640]")
_QUOTE_CHARS = set("\"“”«»„‟")


@dataclass
class Found:
    actor_id: str = ""      # registry id or, once resolved, a discovered key ("~p:…")
    text: str = ""          # the words that name the speaker (a subject phrase when unresolved)
    how: str = ""           # quote | reporting_verb | carry_over | according_to | headline_prefix
    #                         | readout | unknown
    note: str = ""
    relayed_by: str = ""
    gender: str = ""
    carry: str = ""         # what to ask the carry-over machine: gender, "pronoun:g", "anaphor",
    #                         "participants:n"
    others: list = field(default_factory=list)   # further participants (readouts)


def is_stop(tok, stops) -> bool:
    """Stop-word test that keeps آ apart from أ/إ ("آن نيوبرغر" is a name, "أن" a particle)."""
    if tok.norm not in stops or len(tok.surface) > 1 and tok.surface.isupper():
        return False                              # "WHO" is an organisation, not "who"
    return not _LIGHT.sub("", tok.surface).lstrip("وف").startswith("آ")


def hard_gap(text, toks, a, b, comma=False) -> bool:
    gap = text[toks[a].end:toks[b].start]
    if any(c in _QUOTE_CHARS for c in gap) or any(c in ".:!?؟;؛" for c in gap):
        return True
    return comma and any(c in ",،" for c in gap)


def verb_info(toks, i):
    """(lemma, gender, tense) when toks[i] is a reporting verb here, else None."""
    L = lexicon()
    norm = toks[i].norm
    if norm in L.latin_verbs:
        if norm in L.needs_next and not (i + 1 < len(toks) and toks[i + 1].norm in L.needs_next[norm]):
            return None
        if norm in L.fr_compound and not (i > 0 and toks[i - 1].norm in L.auxiliaries) \
                and not _french_inversion(toks, i) and not _aux_adverb(toks, i):
            return None
        return (norm, L.latin_verbs[norm], "present" if norm in L.latin_present else "past")
    for form in (norm, norm[1:] if norm[:1] in "وف" else None,
                 norm[2:] if norm[:2] in ("وف", "فو") else None):
        if form and form in L.ar_verbs:
            info = L.ar_verbs[form]
            need = L.ar_needs.get(info[0])
            if need and not any(t.norm in need[1] or t.norm[:1] in "وف" and t.norm[1:] in need[1]
                                for t in toks[i + 1:i + 1 + need[0]]):
                return None                  # "علقت عمليات", "جددت قصفها", "نقل السفارة"
            return info
    return None


def _french_inversion(toks, i: int) -> bool:
    """« … », a-t-il déclaré: auxiliary, euphonic t and subject pronoun before the participle."""
    return i >= 3 and toks[i - 1].norm in ("il", "elle", "ils", "elles") and \
        toks[i - 2].norm == "t" and toks[i - 3].norm in ("a", "ont")


def _aux_adverb(toks, i: int) -> bool:
    """"a également indiqué", "a quant à lui dénoncé": an adverb between auxiliary and verb."""
    L = lexicon()
    j = i - 1
    while j > 0 and i - j <= 4 and (toks[j].norm in L.adverbs or toks[j].norm in
                                    ("quant", "à", "lui", "elle", "eux", "toutefois", "m")):
        j -= 1
    return j < i - 1 and toks[j].norm in L.auxiliaries


def negated(toks, i) -> bool:
    L = lexicon()
    if i == 0:
        return False
    p = toks[i - 1].norm
    if p in L.negation or p[1:] in L.negation and p[:1] in "وف":
        return True
    if p in L.auxiliaries and i > 1 and toks[i - 2].norm in L.negation:
        return True
    return p == "t" and i > 1 and toks[i - 2].norm in L.nt_aux


def clause_initial(text, toks, i) -> bool:
    """Only openers (كما، ثم …), fillers or nothing between the clause start and the verb."""
    L = lexicon()
    j = i - 1
    while j >= 0:
        if hard_gap(text, toks, j, j + 1, comma=True):
            return True
        if toks[j].norm not in L.clause_openers and not is_filler(toks[j].norm, L.filler) \
                and not toks[j].norm.isdigit():          # "2014 / 2 / 26 - أعرب …"
            return False
        j -= 1
    return True


def is_impersonal(toks, i) -> bool:
    """The journalist's own formula ("يذكر أن", "يشار إلى"): narration, not a speaker."""
    L = lexicon()
    norm = toks[i].norm
    core = norm[1:] if norm[:1] in "وف" and norm[1:] in L.ar_verbs else norm
    return core in L.ar_impersonal


def in_relative(toks, i) -> bool:
    """An Arabic verb inside a relative clause ("النواب الذين أقروا", "ما قالوا"): it reports
    nothing about the sentence's source."""
    L = lexicon()
    return i > 0 and ARABIC_LETTER.match(toks[i].norm) is not None and toks[i - 1].norm in L.relatives_ar


def names_nobody(phrase: str) -> bool:
    """The subject is somebody that is no actor ("السكان", "شهود عيان", "وسائل إعلام")."""
    from .registry import tokenize
    L = lexicon()
    return any(canon(t.norm) in L.not_names or canon(t.norm[1:]) in L.not_names and t.norm[:1] in "وف"
               for t in tokenize(phrase)[:3])


def pronoun_at(toks, i):
    """(index, gender) of a subject pronoun before the verb, an auxiliary or an adverb."""
    L = lexicon()
    j = i - 1
    while j >= 0 and (toks[j].norm in L.auxiliaries or toks[j].norm in L.adverbs):
        j -= 1
    if j >= 0 and toks[j].norm in L.pronouns and not ARABIC_LETTER.match(toks[j].norm):
        return j, L.pronouns[toks[j].norm]
    # inverted: "«…», — сказал он", "“…,” said he"
    if i + 1 < len(toks) and toks[i + 1].norm in L.pronouns and (i == 0 or j < 0 or
                                                                 toks[j].surface[:1].islower()):
        return i + 1, L.pronouns[toks[i + 1].norm]
    return None


def windows(text, toks, in_quote, i, post_window, pre_window):
    """(pre_start, post_end, clean_stop): the subject windows before and after the verb."""
    L = lexicon()
    n = len(toks)
    j, clean = i + 1, False
    while j < n and j - i <= post_window:
        if hard_gap(text, toks, j - 1, j):
            clean = True
            break
        if in_quote[j] or is_stop(toks[j], L.post_stop):
            clean = in_quote[j] or is_stop(toks[j], L.clean_stop)
            break
        j += 1
    k = i
    while k > 0 and i - k < pre_window:
        if hard_gap(text, toks, k - 1, k) or in_quote[k - 1]:
            break
        if is_stop(toks[k - 1], L.pre_stop) or verb_info(toks, k - 1):
            break
        k -= 1
    return k, j, clean


def pick(reg, ms: list[Match], toks, side):
    """Person first (earliest after the verb, nearest before it), else organisation."""
    L = lexicon()

    def ok(m):
        prev = toks[m.i - 1].norm if m.i > 0 else ""
        return prev not in L.addressee
    persons = [m for m in ms if reg.get(m.actor_id).is_person and ok(m)]
    orgs = [m for m in ms if not reg.get(m.actor_id).is_person and ok(m)]
    if side == "post":
        return persons[0] if persons else (orgs[0] if orgs else None)
    return persons[-1] if persons else (orgs[-1] if orgs else None)


def surface(text, ms, chosen) -> str:
    """Span of the picked mention, widened over adjacent mentions of the same actor
    ("الرئيس الروسي فلاديمير بوتين", "المتحدث باسم الكرملين، دميتري بيسكوف")."""
    a, b = chosen.start, chosen.end
    for m in ms:
        if m.actor_id != chosen.actor_id or m is chosen:
            continue
        gap = text[min(b, m.end):max(a, m.start)] if m.start >= b or m.end <= a else ""
        if len(gap) <= 3 and not any(c in _QUOTE_CHARS or c in ".:" for c in gap):
            a, b = min(a, m.start), max(b, m.end)
    return text[a:b]


def person_for_role(reg, chosen: Match, toks, lo, hi, mentioned: dict):
    """"المتحدثة باسم البيت الأبيض" without a name → that organisation's person of the same
    role and gender named earlier in the document (most recent), else the organisation."""
    L = lexicon()
    a = reg.get(chosen.actor_id)
    if a.is_person:
        return chosen.actor_id, ""
    role_g, cat = "", ""
    for t in toks[lo:hi]:
        ks = {canon(k) for k in t.keys}
        if ks & L.role_f:
            role_g = "f"
        elif ks & L.role_m:
            role_g = role_g or "m"
        for c, words in L.role_category.items():
            if ks & words and not cat:
                cat = c
    if not role_g:
        return chosen.actor_id, ""
    need = L.role_registry_words.get(cat, ())
    cands = [aid for aid in mentioned
             if reg.get(aid).is_person and reg.get(aid).parent == chosen.actor_id
             and reg.get(aid).gender in ("", role_g)
             and (not need or any(w in reg.get(aid).role.lower() for w in need))]
    if not cands:
        return chosen.actor_id, ""
    best = max(cands, key=lambda aid: mentioned[aid])
    return best, f"; role noun resolved to {reg.get(best).name}, named earlier"


def role_gender(toks, lo, hi) -> str:
    """Grammatical gender of a role noun in toks[lo:hi] ("المتحدثة" f, "المتحدث" m)."""
    L = lexicon()
    g = ""
    for t in toks[lo:hi]:
        ks = {canon(k) for k in t.keys}
        if ks & L.role_f:
            return "f"
        if ks & L.role_m:
            g = "m"
    return g


def unknown_subject(text, toks, i, pre_start, post_end, clean_stop, arabic):
    """The subject phrase of a verb when no registry actor is in it (None when there is none):
    after an Arabic clause-initial verb up to a stop, before it otherwise; Latin/Cyrillic:
    the words before the verb (after it for "said X", "— заявил X")."""
    L = lexicon()
    if arabic:
        cont, bounded = arabic_subject(text, toks, i + 1, post_end)
        clean_end = clean_stop and bool(cont) and cont[-1] >= post_end - 1 and \
            (post_end >= len(toks) or is_stop(toks[post_end], L.clean_stop) or len(cont) <= 4)
        bounded = bounded or clean_end
        pre = [k for k in range(pre_start, i) if toks[k].norm not in L.clause_openers
               and not is_filler(toks[k].norm, L.filler) and not toks[k].norm.isdigit()]
        post_ok = cont and not toks[cont[0]].norm.isdigit() and \
            (clause_initial(text, toks, i) or not pre or clean_end and len(cont) <= 4
             or _surely_named(text, toks, cont) and not _surely_named(text, toks, pre))
        if post_ok:
            return text[toks[cont[0]].start:toks[cont[-1]].end], bounded
        if pre and len(pre) <= 10:
            from .discover import parse
            phrase = text[toks[pre[0]].start:toks[pre[-1]].end]
            # SVO: the subject ends right before its verb ("… صور نشرت مطلع … كشفت" names no one)
            ds = parse(phrase)
            if ds and len(phrase) - ds[-1].end > 12:
                return None
            return phrase, True
        return None
    from .discover import parse
    end = i
    while end > pre_start and (toks[end - 1].norm in L.auxiliaries or toks[end - 1].norm in L.adverbs):
        end -= 1
    start = pre_start
    # "The Institute, which represents the mills, welcomed …": the subject is before the clause
    if start > 1 and toks[start - 1].norm in L.relative and not toks[start - 1].surface.isupper():
        k = start - 1
        while k > 0 and i - k < 24 and not hard_gap(text, toks, k - 1, k) and \
                not is_stop(toks[k - 1], L.pre_stop) and not verb_info(toks, k - 1):
            k -= 1
        seg = [t for t in range(k, start - 1)]
        if seg:
            phrase = text[toks[seg[0]].start:toks[seg[-1]].end]
            if parse(phrase):
                return phrase, True
    cands = []
    if end > start:
        cands.append(text[toks[start].start:toks[end - 1].end])
    if post_end > i + 1:
        cuts = [k for k in range(i + 2, post_end)
                if any(c in ",،" for c in text[toks[k - 1].end:toks[k].start])] + [post_end]
        stop = cuts[0]
        # "a affirmé son président, Lambert Yao, lors …": a title, then the name
        if len(cuts) > 1 and (_role_only(text, toks, list(range(i + 1, stop))) or
                              2 <= cuts[1] - stop <= 4 and all(toks[k].surface[:1].isupper()
                                                               for k in range(stop, cuts[1]))):
            stop = cuts[1]
        cands.append(text[toks[i + 1].start:toks[stop - 1].end])
    for phrase in cands:
        if parse(phrase):
            return phrase, True
    return (cands[0], True) if cands else None


def sentence_subject_end(toks, limit) -> int:
    """End of the sentence-initial subject phrase: names, titles, connectors and function
    words up to the first other lower-case word ("Araújo and Ferreyra | held …")."""
    L = lexicon()
    end = 0
    while end < limit and (toks[end].surface[:1].isupper() or toks[end].norm in L.latin_function
                           or toks[end].norm in L.connectors or toks[end].norm in L.joint
                           or canon(toks[end].norm) in L.titles):
        end += 1
    return end


def arabic_subject(text, toks, a, b) -> tuple[list[int], bool]:
    """Token indices of the subject phrase after an Arabic verb, from `a` up to the stop `b`,
    without fillers; it ends at a comma or at "في"/"خلال"/… unless a seat, an office or an
    organisation follows ("المسؤول في الإدارة الأميركية"). Also: whether it ended there."""
    from .gazetteer import gazetteer
    L = lexicon()
    out = []
    for k in range(a, b):
        n = toks[k].norm
        if out and any(c in ",،" for c in text[toks[k - 1].end:toks[k].start]):
            nxt = gazetteer().find(toks, k, min(b, k + 3))
            if not (nxt and nxt[0].i == k and nxt[0].entry.kind in ("role", "seat", "org", "office")
                    or _unnamed(text, toks, out)):
                return out[:14], True
        if n in L.subject_end or n[:1] in "وف" and n[1:] in L.subject_end:
            nxt = gazetteer().find(toks, k + 1, min(b, k + 4))
            if out and nxt and nxt[0].i == k + 1 and (
                    nxt[0].entry.kind in ("seat", "office", "org") or _unnamed(text, toks, out)):
                continue
            return out[:14], False          # "في …" ends the phrase, but proves no name
        if is_filler(n, L.filler):
            continue
        out.append(k)
    return out[:14], False


def _surely_named(text, toks, idx) -> bool:
    """The words name an actor by a title, a role, an organisation or a country ("… قال الأمير
    تركي الفيصل": the subject after the verb, not the words before it)."""
    from .discover import parse
    if not idx:
        return False
    ds = parse(text[toks[idx[0]].start:toks[idx[-1]].end])
    return any(d.titled or d.role or d.kind in ("state", "organisation") for d in ds)


def _unnamed(text, toks, idx) -> bool:
    """The words so far name no person yet ("ممثل منظمة الأغذية والزراعة", "وزارة الخارجية")."""
    from .discover import parse
    ds = parse(text[toks[idx[0]].start:toks[idx[-1]].end])
    return not any(d.kind == "person" and d.name for d in ds)


def first_person(toks, lo, i) -> bool:
    """"I promised", "we will", "My government has declared": the author speaks."""
    L = lexicon()
    j = i - 1
    while j >= lo and (toks[j].norm in L.auxiliaries or toks[j].norm in L.adverbs):
        j -= 1
    if j >= lo and toks[j].norm in L.first_person:
        return True
    words = [t for t in toks[lo:i] if t.norm not in L.latin_function or t.norm in L.first_person]
    return bool(words) and words[0].norm in L.first_person and len(words) <= 3


def _role_only(text, toks, idx) -> bool:
    """The words so far describe someone without naming them ("المتحدث باسم الكرملين")."""
    from .discover import parse
    ds = parse(text[toks[idx[0]].start:toks[idx[-1]].end])
    return bool(ds) and all(d.kind == "person" and not d.name for d in ds)


def org_anaphor(toks, lo, hi) -> bool:
    """"The company disputed …", "la société a indiqué": a definite description of an
    organisation, no name."""
    L = lexicon()
    words = [t for t in toks[lo:hi] if t.norm not in L.latin_function and t.norm not in L.connectors]
    if not words:
        return False
    return len(words) == 1 and words[0].norm in L.org_anaphor and not words[0].surface[:1].isupper() \
        or len(words) == 1 and words[0].norm in L.org_anaphor and lo < hi - 1


def impersonal_in(text, toks, in_quote, i) -> str:
    """"сообщили в Министерстве …", "В компании «Шифо Фарм» сообщили": the organisation after
    "в" in a sentence whose plural verb has no subject ("" when none)."""
    L = lexicon()
    for k, t in enumerate(toks):
        if t.norm not in L.impersonal_in or k + 1 >= len(toks) or abs(k - i) > 12:
            continue
        head = toks[k + 1]
        if canon(head.norm) not in L.institutions and head.norm not in ("пресс-службе",):
            continue
        j = k + 2
        while j < len(toks) and j - k < 9 and not any(c in ",.;:!?" for c in
                                                      text[toks[j - 1].end:toks[j].start].replace("«", "").replace("»", "")) \
                and toks[j].norm not in L.pre_stop and not verb_info(toks, j):
            j += 1
        return text[head.start:toks[j - 1].end].replace("«", "").replace("»", "")
    return ""
