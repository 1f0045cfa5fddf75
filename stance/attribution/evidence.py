"""Corpus-level evidence that an untitled Arabic phrase is a person's name.

Arabic has no capitals: "وقال حمو :" names a person, "واعتبره خيانة", "بمحاولة", "سجنه" do not,
and nothing in one sentence tells them apart. The whole corpus does. `WordStats` counts, over
every document of the run (no outside data):

* how often a word occurs bare and with the article ("خيانة" / "الخيانة"): a word that often
  takes "ال" is a common noun or adjective, a name almost never does ("بيسكوف" has no
  "البيسكوف");
* how often it follows a verbal particle (قد، لم، لن، أن، لا، سوف …): a verb;
* whether it is a common word with a clitic ("بمحاولة" = ب + "محاولة", "سجنه" = "سجن" + ه):
  the word without it is frequent;
* for a definite word standing alone ("الحملة", "الوقائع"), how often the same word occurs
  without the article: a common noun; a family name ("الحريري") rarely does.

`untitled_check(name, stats)` gives the reason an untitled candidate is no name ("" when it
may be one). Given names (`names.yaml`, hand-written) always pass; the bundled `common_ar`
list always fails. `finalize_attribution` applies it once per corpus (`verify_names`), so that
the statistics see every document; carry-overs from a rejected "speaker" are dropped with it.
"""
from __future__ import annotations

import re
from collections import Counter

from ..textnorm import ARABIC_LETTER, normalize
from .lexicon import lexicon

_TOKEN = re.compile(r"[\u0620-\u064A\u0671-\u06D3]+")
# words after which a verb comes, not a name: particles and relative pronouns
_PARTICLES = frozenset(normalize(w) for w in
                       "قد وقد فقد لقد لم ولم فلم لن ولن لا ولا سوف وسوف الذي التي الذين "
                       "والذي والتي والذين".split())
_ARTICLES = ("ال", "وال", "بال", "لل", "فال", "كال", "ولل", "وبال")
_SUFFIXES = ("هما", "هم", "ها", "ه", "ته", "تها")


class WordStats:
    """Word counts of a corpus (normalised Arabic tokens)."""

    def __init__(self, texts=()):
        self.n: Counter = Counter()
        self.verbal: Counter = Counter()
        self.docs = 0
        for t in texts:
            self.add(t)

    def add(self, text: str) -> None:
        toks = _TOKEN.findall(normalize(str(text)))
        if not toks:
            return
        self.docs += 1
        self.n.update(toks)
        self.verbal.update(b for a, b in zip(toks, toks[1:]) if a in _PARTICLES)

    def bare(self, w: str) -> int:
        return self.n[w] + self.n["و" + w] + self.n["ف" + w]

    def definite(self, w: str) -> int:
        return sum(self.n[p + w] for p in _ARTICLES)

    def common(self, w: str, min_count: int = 3) -> str:
        """Why the word `w` (normalised) is a common word of this corpus; "" if it may be a
        name."""
        if w.startswith("و") and self.n[w[1:]] > self.n[w] and len(w) > 3:
            w = w[1:]
        bare = self.bare(w)
        if w.startswith("ال") and len(w) > 4:
            stem = w[2:]
            indef = self.bare(stem)
            if indef >= 5 and indef >= 0.4 * (self.n[w] + self.n["و" + w]):
                return f"'{w}' is often written without the article (a common word)"
            return self._suffixed(w, bare, min_count)      # "التزامها" = "التزام" + ها
        d = self.definite(w)
        if d >= min_count and d >= 0.15 * bare:
            return f"'{w}' takes the article"
        if self.verbal[w] >= 2 and self.verbal[w] >= 0.08 * bare:
            return f"'{w}' follows verbal particles"
        if w[:1] in "بل" and len(w) > 3:
            rest = w[1:]
            r = self.bare(rest) + self.definite(rest)
            if r >= min_count and r >= 2 * max(bare, 1):
                return f"'{w}' is '{w[0]}' + a common word"
        if w.endswith("ا") and len(w) > 3:
            ds = self.definite(w[:-1])             # "تاريخا", "حضورا": an accusative noun
            if ds >= min_count and ds >= 2 * max(bare, 1):
                return f"'{w}' is a common word in the accusative"
        return self._suffixed(w, bare, min_count)

    def _suffixed(self, w: str, bare: int, min_count: int) -> str:
        heads = (w, w[1:]) if w[:1] in "بل" and len(w) > 4 else (w,)
        for suf in _SUFFIXES:
            for head in heads:
                if not (head.endswith(suf) and len(head) - len(suf) >= 3):
                    continue
                stem = head[:-len(suf)]
                # "ناحيته" = "ناحية" + ه (the ة is written ت before a suffix); "بعبارته"
                for st in (stem, stem[:-1] + "ه" if stem.endswith("ت") else ""):
                    ds = (self.definite(st) + (self.bare(st) if st.startswith("ال") else 0)) \
                        if st else 0
                    if ds >= min_count and ds >= 2 * max(bare, 1):
                        return f"'{w}' is a common word with a pronoun"
        return ""


def untitled_check(name: str, stats: WordStats | None) -> str:
    """Why an untitled Arabic phrase is no person's name ("" when it may be one): a word of the
    bundled common-word list, or a word the corpus shows to be common (see `WordStats`). A
    given name passes; a definite family name after another word is not tested (compound
    names "عبد الله", "نصر الله" and family names "سعد الحريري" take the article)."""
    L = lexicon()
    words = [normalize(w) for w in _TOKEN.findall(name)]
    if not words:
        return ""
    given = given_first(name)
    for k, w in enumerate(words):
        core = w[1:] if w[:1] in "وف" and w[1:] in L.given_ar else w
        if core in L.given_ar:
            continue
        if _plural(core):
            return f"'{w}' is a plural noun (a group, no one's name)"
        if core in L.common_ar or core[1:] in L.common_ar and core[:1] in "وفبل":
            return f"'{w}' is a common word"
        for form in (core, *(core[:-len(x)] for x in ("هما", "هم", "ها", "ه") if core.endswith(x))):
            if form in L.ar_verbs or form[1:] in L.ar_verbs and form[:1] in "وف":
                return f"'{w}' is a reporting verb"     # "ذكره", "نقلت عنها"
        if len(words) == 1 and core.startswith("ال") and core.endswith("يه") and len(core) > 5:
            return f"'{w}' is an adjective (a name is not a feminine nisba alone)"
        if stats is None or stats.docs < 20:
            continue
        prev = words[k - 1] if k else ""
        if k > 0 and w.startswith("ال") and (prev in L.given_ar or prev in _COMPOUND):
            continue                     # "سعد الحريري", "عبد الله", "أبو الغيط"
        why = stats.common(w)
        if why and given and k > 0 and "article" in why:
            continue                     # after a given name: "جمال عيد", "سامي حداد"
        if why:
            return why
    return ""


_COMPOUND = frozenset(normalize(w) for w in "عبد ابو أبو بن ابن ام أم بو ولد بنت".split())


def _plural(w: str) -> bool:
    """"المشاركون", "المؤرخين", "عقاريون", "قياديين": a plural noun or adjective."""
    if w.endswith(("يون", "يين")) and len(w) >= 5:
        return True
    return w.startswith(("ال", "وال")) and w.endswith(("ون", "ين")) and len(w) >= 7


def quoted_arabic_name(text: str, toks, a: int, b: int) -> bool:
    """" محمد علوش " رئيس … أدان", "وطالب " المجتمعون "", "وكالة " رويترز "": one to four
    Arabic words in quotation marks, with no punctuation and no function word or verb inside,
    right after a reporting verb or an institution, media or title word, or right before a
    reporting verb, name someone; they are no quotation."""
    from ..textnorm import STOPWORDS_AR
    from .extract import verb_info
    from .registry import canon
    inner = text[a:b].strip(" \"“”«»")
    words = inner.split()
    if not 1 <= len(words) <= 4 or not ARABIC_LETTER.search(inner) or \
            any(ch in inner for ch in ".,،:;؛!?؟()"):
        return False
    L = lexicon()
    inside = [t for t in toks if a <= t.start < b]
    if not inside or any(t.norm in STOPWORDS_AR or t.norm in L.post_stop or verb_info([t], 0)
                         for t in inside):
        return False
    before = [t for t in toks if t.end <= a - 1]
    after = [t for t in toks if t.start >= b + 1]

    def head(t) -> bool:
        k = canon(t.norm)
        return bool(verb_info([t], 0)) or k in L.institutions or k in L.media or k in L.titles \
            or t.norm in L.honorifics

    gap_before = text[before[-1].end:a - 1] if before else ""
    gap_after = text[b + 1:after[0].start] if after else ""
    return bool(before and head(before[-1]) and not any(ch in gap_before for ch in ".:،,\"“”«»")
                or after and verb_info(after, 0) and not any(ch in gap_after for ch in ".:\"“”«»"))


def clitic_head(name: str, stats: WordStats | None) -> str:
    """Why the first word of a name is a preposition glued to a common word ("بلسان",
    "بشؤون", "لجيش", "لنادي", "لوفد"): no name starts so ("" when it may)."""
    L = lexicon()
    words = [normalize(w) for w in _TOKEN.findall(name)]
    if not words or words[0] in L.given_ar or stats is None or stats.docs < 20:
        return ""
    w = words[0]
    if w[:1] not in "بل" or len(w) < 4 or w[1:] in L.given_ar:
        return ""
    rest = "ال" + w[2:] if w.startswith("لل") else w[1:]
    n = stats.bare(rest) + stats.definite(rest) + (stats.bare(rest[2:]) if rest.startswith("ال") else 0)
    return f"'{w}' is a preposition and a common word" if n >= 3 and n >= 2 * max(stats.bare(w), 1) \
        else ""


def trim_name(name: str, kind: str, stats: WordStats | None) -> str:
    """The name up to the first word that the corpus shows to be no part of it: an object or
    an addressee the phrase ran into ("أحمد أبو زيد الهجوم", "بريت مكجورك للصحفيين", "حركة أمل
    التزامها بميثاقها", "منظمة بدر بقتل مسجونين"). Organisations are cut only at a word with
    a clitic pronoun, a "ب" or a verb ("المرصد السوري لحقوق الإنسان" stays whole); a person's
    family name right after a given name or "أبو/بن" stays even when it is a common word
    ("سامي حداد", "أشرف أبو عريف")."""
    L = lexicon()
    small = stats is None or stats.docs < 20         # only the bundled lists then
    speech = {w for _, ws in L.ar_needs.values() for w in ws}
    spans = [(m.start(), m.group()) for m in _TOKEN.finditer(name)]
    words = [normalize(w) for _, w in spans]
    if len(words) < 2:
        return name
    clitic = ("pronoun", "'ب'", "verbal", "plural", "accusative")
    for k in range(1, len(words)):
        w, prev = words[k], words[k - 1]
        if w in L.given_ar or prev in _COMPOUND or w[2:] in L.given_ar:
            continue
        if w in L.common_ar or w in speech or w[:1] in "وف" and w[1:] in speech:
            why = "common"                            # "أردوغان دعوته"
        elif small:
            continue
        elif w.startswith("لل") and len(w) > 4:
            why = "addressee" if stats.bare("ال" + w[2:]) + stats.definite(w[2:]) >= 3 else ""
        else:
            why = "plural" if _plural(w) else stats.common(w)
        if not why:
            continue
        if kind != "person":
            cut = any(x in why for x in clitic)
        elif w.startswith("ال") or any(x in why for x in clitic + ("'ل'", "addressee", "common")):
            cut = True
        else:                                   # a bare word that takes the article
            cut = prev not in L.given_ar and k >= 2
        if cut:
            return name[:spans[k][0]].rstrip(" -–,،")
    return name


def given_first(name: str) -> bool:
    """Does the phrase start with a given name or a kunya ("حسن نصرالله", "أمل", "أبو مازن")?"""
    L = lexicon()
    words = [normalize(w) for w in _TOKEN.findall(name)]
    if not words:
        return False
    w = words[0]
    if len(words) > 1 and w in ("ابو", "ام"):
        return True                                  # a kunya: "أبو مازن", "أم ناصر"
    return w in L.given_ar or w[:1] in "وف" and w[1:] in L.given_ar


def arabic(name: str) -> bool:
    return bool(ARABIC_LETTER.search(name or ""))


_BLANK = ("speaker", "speaker_id", "speaker_text", "organisation", "country", "bloc",
          "relayed_by", "speakers_all", "speaker_source")


def verify_names(claims, documents=None, field: str = "_actors"):
    """Drop the untitled Arabic "speakers" the corpus shows to be no names, and every statement
    carried over from them (once per corpus, before actors are merged across documents).

    * every untitled candidate (`Description.check`) fails on a common word (`untitled_check`);
    * a "tentative" one (neither the whole subject, nor named again in its article, nor led by
      a given name) also needs the corpus to confirm it: the same name introduced by a title or
      role somewhere, credited as a speaker in another document, or each of its words written
      three times or more in the corpus.
    """
    import json

    import pandas as pd

    from .discover import Description
    c = claims
    if field not in c or not len(c):
        return c
    raw = c[field].fillna("").astype(str).to_numpy()
    parsed, parsed_alt = {}, {}
    for pos, r in enumerate(raw):
        if r:
            info = json.loads(r)
            parsed[pos] = (info["keys"], {k: Description.from_dict(v) for k, v in info["actors"].items()})
            if info.get("alt_row"):
                parsed_alt[pos] = info["alt_row"]
    if not parsed:
        return c
    texts = documents["text"].astype(str) if documents is not None and "text" in documents else []
    stats = WordStats(texts)
    docs = c["doc_id"].astype(str).to_numpy()
    titled, speaker_docs = set(), {}
    for pos, (keys, descs) in parsed.items():
        for d in descs.values():
            if d.kind == "person" and d.name_keys:
                if d.titled or d.role:
                    titled.add(tuple(d.name_keys))
                    titled.add(tuple(d.name_keys[-1:]))
                speaker_docs.setdefault(tuple(d.name_keys), set()).add(docs[pos])
    verdict: dict = {}

    def reject(d: Description) -> str:
        k = (d.name, d.check, tuple(d.name_keys))
        if k not in verdict:
            why = untitled_check(d.name, stats)
            if not why and d.check == "tentative" and tuple(d.name_keys) not in titled and \
                    len(speaker_docs.get(tuple(d.name_keys), ())) < 2 and \
                    min((stats.n[w] for w in _TOKEN.findall(normalize(d.name))), default=0) < 3:
                why = "named nowhere else in the corpus"
            verdict[k] = why
        return verdict[k]

    c = c.copy()
    attribution = c["attribution"].astype(str).to_numpy().copy()
    note = c["attribution_note"].astype(str).to_numpy().copy()
    blank = []
    trimmed: dict = {}
    for pos, (keys, descs) in parsed.items():
        changed = False
        for d in descs.values():
            if d.name and arabic(d.name):
                k = (d.name, d.kind)
                if k not in trimmed:
                    trimmed[k] = "" if clitic_head(d.name, stats) else trim_name(d.name, d.kind, stats)
                new = trimmed[k]
                if new != d.name:
                    n = len(_TOKEN.findall(new))
                    d.name, d.name_keys, changed = new, tuple(d.name_keys[:n]), True
                    if not new and not (d.role or d.office or d.org or d.country):
                        d.check = "tentative"            # nothing left: rejected below
        if changed:
            raw[pos] = json.dumps({**json.loads(raw[pos]), "keys": keys,
                                   "actors": {k: v.to_dict() for k, v in descs.items()}},
                                  ensure_ascii=False)
    speakers = c["speaker"].astype(str).to_numpy().copy() if "speaker" in c else None
    alt_rows = {}
    for pos, (keys, descs) in parsed.items():
        first = descs.get(keys[0])
        if speakers is not None and first is not None and (speakers[pos], first.kind) in trimmed:
            speakers[pos] = first.name or first.display()
        bad = {k for k, d in descs.items() if d.check and reject(d)}
        if first is not None and first.check == "tentative" and \
                str(c["attribution"].iloc[pos]) == "carry_over":
            bad.add(keys[0])                 # carried over only from a confirmed speaker
        if not bad:
            continue
        alt = parsed_alt.get(pos)
        if keys[0] in bad and alt is not None:
            alt_rows[pos] = alt
        elif keys[0] in bad:
            d = descs[keys[0]]
            blank.append(pos)
            attribution[pos] = "unattributed"
            note[pos] = f"'{d.name}' is no name here: {reject(d)}" if reject(d) else \
                f"carried over from '{d.name}', a speaker no title or repetition confirms"
        else:
            keys = [k for k in keys if k not in bad]
            descs = {k: v for k, v in descs.items() if k not in bad}
            raw[pos] = json.dumps({"keys": keys, "actors": {k: v.to_dict() for k, v in descs.items()}},
                                  ensure_ascii=False)
    raw[blank] = ""
    c[field] = raw
    c["attribution"], c["attribution_note"] = attribution, note
    if speakers is not None:
        c["speaker"] = speakers
    for col in _BLANK:
        if col in c:
            v = c[col].astype(str).to_numpy().copy()
            v[blank] = ""
            c[col] = v
    if alt_rows:
        from .attribute import ATTRIBUTION_COLUMNS
        cols = ATTRIBUTION_COLUMNS + [field]
        idx = list(alt_rows)
        for j, col in enumerate(cols):
            v = c[col].astype(str).to_numpy().copy()
            for pos in idx:
                v[pos] = alt_rows[pos][j]
            c[col] = v
    return c


def carry_across_boilerplate(claims, field: str = "_actors"):
    """A carry-over never crosses outlet boilerplate or navigation: a statement carried over
    from a speaker is dropped when a boilerplate statement stands between it and that
    speaker's last own statement in the document."""
    c = claims
    if not len(c) or "kind" not in c or "attribution" not in c:
        return c
    c = c.copy()
    order = c.sort_values(["doc_id", "start"], kind="stable").index
    att = c["attribution"].astype(str)
    kind = c["kind"].astype(str)
    sid = c["speaker_id"].astype(str)
    drop, doc, since, before = [], None, set(), set()
    for i in order:
        d = c.at[i, "doc_id"]
        if d != doc:
            doc, since, before = d, set(), set()
        if kind[i] == "boilerplate":
            before |= since
            since = set()
            continue
        if att[i] == "carry_over" and sid[i] in before and sid[i] not in since:
            drop.append(i)
            continue
        if sid[i]:
            since.add(sid[i])
    if drop:
        for col in _BLANK + (field,):
            if col in c:
                c.loc[drop, col] = ""
        c.loc[drop, "attribution"] = "unattributed"
        c.loc[drop, "attribution_note"] = "carry-over across outlet boilerplate: dropped"
    return c
