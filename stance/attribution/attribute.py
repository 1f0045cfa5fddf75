"""Who says what: attach a registry speaker to every statement.

Added columns
-------------
speaker           registry English display name ("" when unattributed)
speaker_id        registry id ("" when none)
speaker_text      the surface string in the text that named the speaker ("" if none)
organisation, country, bloc   from the registry (parent links followed)
attribution       quote | reporting_verb | headline_prefix | according_to | carry_over |
                  unattributed | unknown
relayed_by        display name of an actor who relays the speaker's position ("" if none)
attribution_note  short reason

Rules are general (no sentence-specific tuning): a reporting-verb lexicon (Arabic in all persons /
genders / numbers, English, French, Russian) finds the verb; the subject is looked for after the
verb (Arabic VSO) and before it (SVO, English); persons win over their organisation inside the
subject phrase; subjectless verbs carry the previous speaker over, matching grammatical gender;
headings and titles reset the carry-over.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .registry import ActorRegistry, Match, canon, tokenize
from ..corpus.segment import quote_spans
from ..textnorm import ARABIC_LETTER, is_arabic, normalize

ATTRIBUTION_COLUMNS = ["speaker", "speaker_id", "speaker_text", "organisation", "country", "bloc",
                       "attribution", "relayed_by", "attribution_note"]

# ---------------------------------------------------------------- lexicons
# (past 3rd masc. sing., present 3rd masc. sing.) — normalised spelling (no hamza on alef).
_AR_REGULAR = """
قال:يقول اكد:يوكد اعلن:يعلن اشار:يشير اوضح:يوضح صرح:يصرح اضاف:يضيف تابع:يتابع نقل:ينقل
ذكر:يذكر كشف:يكشف اتهم:يتهم شدد:يشدد لفت:يلفت افاد:يفيد اعتبر:يعتبر حذر:يحذر طالب:يطالب
كتب:يكتب اعرب:يعرب توقع:يتوقع اردف:يردف استطرد:يستطرد جدد:يجدد ابلغ:يبلغ زعم:يزعم رجح:يرجح
تحدث:يتحدث علق:يعلق غرد:يغرد انتقد:ينتقد ندد:يندد اعترف:يعترف اكدت:- نوه:ينوه اقر:يقر
تساءل:يتساءل اشاد:يشيد هدد:يهدد دان:يدين
"""
# Weak-final verbs, written out: form -> gender (m, f or "" for dual/plural).
_AR_IRREGULAR = {
    "دعا": "m", "دعت": "f", "دعوا": "", "دعتا": "f", "يدعو": "m", "تدعو": "f", "يدعون": "",
    "يدعوان": "", "تدعوان": "f",
    "راي": "m", "رات": "f", "رايا": "", "راوا": "", "يري": "m", "تري": "f", "يرون": "",
    "يريان": "",
    "نفي": "m", "نفت": "f", "نفيا": "", "نفوا": "", "ينفي": "m", "تنفي": "f", "ينفون": "",
    "ينفيان": "",
    "ادعي": "m", "ادعت": "f", "ادعوا": "", "يدعي": "m", "تدعي": "f",
    "ابدي": "m", "ابدت": "f", "ابدوا": "", "يبدي": "m", "تبدي": "f",
}
# Passive / impersonal formulas of the journalist ("it is mentioned that").
_AR_IMPERSONAL = {"يذكر", "يشار", "تجدر", "يعتقد", "يبدو", "يقال", "اعلن عن"}


def _build_ar_verbs() -> dict[str, tuple[str, str, str]]:
    """form -> (lemma, gender m/f/'', tense past/present)."""
    out: dict[str, tuple[str, str, str]] = {}
    for pair in _AR_REGULAR.split():
        past, pres = pair.split(":")
        past, pres = normalize(past), normalize(pres)
        if past == "اكدت":
            continue
        out.setdefault(past, (past, "m", "past"))
        out.setdefault(past + "ت", (past, "f", "past"))
        out.setdefault(past + "ا", (past, "", "past"))
        out.setdefault(past + "تا", (past, "f", "past"))
        out.setdefault(past + "وا", (past, "", "past"))
        if pres != "-":
            stem = pres[1:]
            out.setdefault(pres, (past, "m", "present"))
            out.setdefault("ت" + stem, (past, "f", "present"))
            out.setdefault(pres + "ان", (past, "", "present"))
            out.setdefault("ت" + stem + "ان", (past, "f", "present"))
            out.setdefault(pres + "ون", (past, "", "present"))
    for form, g in _AR_IRREGULAR.items():
        tense = "present" if form[0] in "يت" and form not in ("تابع",) else "past"
        out.setdefault(form, (form, g, tense))
    return out


AR_VERBS = _build_ar_verbs()
# Latin / Cyrillic reporting verbs -> gender ("" = unmarked).
LATIN_VERBS = {w: "" for w in """
said says say told tells stated states added adds warned warns denied denies insisted insists
noted notes argued argues claimed claims announced announces wrote writes declared declares
explained explains stressed stresses urged urges accused accuses tweeted confirmed confirms
acknowledged acknowledges replied continued asserted asserts countered emphasised emphasized
reiterated
déclaré dit affirmé ajouté estimé souligné déclare affirme estime ajoute souligne indiqué
""".split()}
LATIN_VERBS.update({w: "m" for w in "заявил сказал отметил добавил подчеркнул сообщил написал".split()})
LATIN_VERBS.update({w: "f" for w in
                    "заявила сказала отметила добавила подчеркнула сообщила написала".split()})
LATIN_VERBS.update({w: "" for w in "заявили сказали отметили сообщили".split()})
PRONOUNS = {"he": "m", "she": "f", "they": "", "il": "m", "elle": "f", "он": "m", "она": "f",
            "они": "", "we": ""}

# "according to" markers (normalised token sequences).
ACCORDING = [tuple(normalize(w) for w in m.split()) for m in (
    "وفقا ل", "وفقا", "وفق", "بحسب", "حسب", "نقلا عن", "جاء في", "according to", "citing", "selon",
    "по словам", "по данным", "d après")]   # the tokenizer splits "d'après" at the apostrophe

_ACCORDING_FIRST = {m[0] for m in ACCORDING}

# Tokens that end the subject phrase after an Arabic verb (or before it, walking back).
_POST_STOP = {normalize(w) for w in """
ان إن أن انه إنه أنه انها إنها أنها بان بأن بانه بأنه فان فإن عن الى إلى على مع خلال بالقول قائلا
قائلة لنظيره لنظيرته نظيره نظيرته حيث بعد قبل عبر لدى امام أمام وهو وهي ما التي الذي الذين
لكن ولكن بينما فيما that to on in at during after when about with from before while as whether
if because
""".split()}
# Stops after which the phrase between verb and stop is a complete subject ("قال X إن", "X said that").
_CLEAN_STOP = {normalize(w) for w in """
ان إن أن انه إنه أنه انها إنها أنها بان بأن بانه بأنه فان فإن بالقول قائلا قائلة that
""".split()}
_LIGHT = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u0640]")


def _is_stop(tok, stops) -> bool:
    """Stop-word test that keeps آ apart from أ/إ ("آن نيوبرغر" is a name, "أن" a particle)."""
    if tok.norm not in stops:
        return False
    return not _LIGHT.sub("", tok.surface).lstrip("وف").startswith("آ")
_PRE_STOP = {normalize(w) for w in """
ان إن أن انه إنه أنه بان بأن فان فإن لكن لكنه ولكن بينما حيث التي الذي الذين اللذين عندما فيما
اذ إذ بعد ضد that which who when while but and because after than
""".split()}
_NEGATION = {normalize(w) for w in "لم لن لا ما ليس not never не".split()}
# "didn't" reaches the attributor as the tokens "didn", "t".
_NT_AUX = {"didn", "doesn", "don", "won", "wouldn", "isn", "wasn", "hasn", "haven", "hadn"}
# Adverbials that may sit between verb and subject or around the subject.
_FILLER = {normalize(w) for w in """
اليوم امس أمس ايضا أيضا مجددا مجدداً كذلك بدوره بدورها من جهته جهتها جانبه جانبها الجمعة السبت
الاحد الأحد الاثنين الثلاثاء الاربعاء الأربعاء الخميس صباح مساء الرسمي الرسمية في
""".split()}
# Anaphoric subjects that point back at the current source ("the statement", "the two sides").
_ANAPHOR = {canon(normalize(w)) for w in """
البيان بيان الطرفان الطرفين الجانبان الجانبين الأطراف القادة الزعيمان الزعيمين البلدان
statement sides leaders parties
""".split()}
# Role nouns with grammatical gender.
_ROLE_F = {canon(normalize(w)) for w in """
المتحدثة الناطقة مستشارة المستشارة وزيرة الوزيرة رئيسة السفيرة المندوبة النائبة المسؤولة
spokeswoman
""".split()}
_ROLE_M = {canon(normalize(w)) for w in """
المتحدث الناطق مستشار المستشار وزير الوزير رئيس السفير المندوب النائب المسؤول spokesman
spokesperson
""".split()}
_ROLE_CATEGORY = {
    "spokes": {canon(normalize(w)) for w in
               "المتحدث المتحدثة الناطق الناطقة spokesman spokeswoman spokesperson".split()},
    "advis": {canon(normalize(w)) for w in "مستشار مستشارة المستشار المستشارة adviser advisor".split()},
    "minist": {canon(normalize(w)) for w in "وزير وزيرة الوزير الوزيرة minister secretary".split()},
    "head": {canon(normalize(w)) for w in "رئيس رئيسة president".split()},
}
_ROLE_REGISTRY_WORDS = {"spokes": ("spokes", "press secretary"), "advis": ("advis",),
                        "minist": ("minister", "secretary"), "head": ("head", "president")}
_LATIN_FUNCTION = set("the a an in on at as but and for of to this that it".split())
_CLAUSE_OPENERS = {normalize(w) for w in "كما ثم هذا وقد قد وكان وكانت كان كانت بينما".split()}
_QUOTE_CHARS = set("\"“”«»„‟")


@dataclass
class _Found:
    actor_id: str = ""
    text: str = ""
    how: str = ""           # quote | reporting_verb | carry_over | unknown | according_to | ...
    note: str = ""
    relayed_by: str = ""    # actor id
    gender: str = ""


def _french_inversion(toks, i: int) -> bool:
    """« … », a-t-il déclaré: auxiliary, euphonic t and subject pronoun before the participle."""
    return i >= 3 and toks[i - 1].norm in ("il", "elle", "ils", "elles") and \
        toks[i - 2].norm == "t" and toks[i - 3].norm in ("a", "ont")


class Attributor:
    """Attach registry speakers to statements (see module docstring for the columns)."""

    def __init__(self, registry: ActorRegistry | None = None, carry_over: bool = True,
                 post_window: int = 14, pre_window: int = 12, headline_prefix_tokens: int = 6):
        self.registry = registry or ActorRegistry.empty()
        self.carry_over = carry_over
        self.post_window = post_window
        self.pre_window = pre_window
        self.headline_prefix_tokens = headline_prefix_tokens

    # ------------------------------------------------------------ public
    def transform(self, statements: pd.DataFrame, documents: pd.DataFrame | None = None,
                  progress: bool = False) -> pd.DataFrame:
        from ..io import progress_bar
        out = statements.copy()
        # By position, so a concatenated table with a repeated index works too.
        order = np.lexsort((out["start"].to_numpy(), out["doc_id"].astype(str).to_numpy())) \
            if len(out) else np.zeros(0, dtype=int)
        rows: list = [None] * len(out)
        state = None
        current_doc = None
        for pos in progress_bar(order, len(order), "attributing", progress, "statement"):
            r = out.iloc[pos]
            if r["doc_id"] != current_doc:
                current_doc = r["doc_id"]
                state = _State()
            rows[pos] = self._attribute_one(r, state)
        cols = pd.DataFrame(rows, index=out.index, columns=ATTRIBUTION_COLUMNS) if rows else \
            pd.DataFrame(columns=ATTRIBUTION_COLUMNS)
        for c in ATTRIBUTION_COLUMNS:
            out[c] = cols[c].astype(str) if len(cols) else pd.Series(dtype=str)
        return out

    # ------------------------------------------------------------ one statement
    def _attribute_one(self, r, state: "_State") -> list:
        text = str(r["text"])
        kind = str(r.get("kind", "body") or "body")
        toks = tokenize(text)
        quotes = quote_spans(text)
        in_quote = [any(a <= t.start < b for a, b in quotes) for t in toks]
        arabic = is_arabic(text)
        reg = self.registry
        # All mentions in this statement (names only) — used for title resolution afterwards.
        mentions = reg.find(toks, titles=False) if len(reg) else []

        found = None
        if kind in ("title", "heading"):
            state.reset()
            found = self._headline_prefix(text, toks, state, heading=True)
        if found is None:
            found = self._reporting(text, toks, in_quote, arabic, state)
        acc = self._according_to(text, toks, in_quote, state)
        if acc is not None and acc.actor_id:
            if found is not None and found.actor_id and found.how != "unknown":
                if found.actor_id != acc.actor_id and not found.relayed_by:
                    found.relayed_by = acc.actor_id
                    found.note += f"; relayed according to {acc.text!r}"
            else:
                found = acc
        elif acc is not None and found is not None and acc.text:
            found.note += f"; according to {acc.text!r} (not in registry)"
        elif acc is not None and found is None and acc.text:
            found = _Found(text=acc.text, how="unknown",
                           note="source after 'according to' not in registry")
        if found is None and kind == "body":
            found = self._headline_prefix(text, toks, state, heading=False)

        for m in mentions:
            state.mentioned[m.actor_id] = state.counter
            state.counter += 1

        if found is None or (not found.actor_id and found.how != "unknown"):
            note = found.note if found is not None else "no reporting verb or source: narration"
            self._narration_reset(toks, mentions, state)
            return ["", "", "", "", "", "", "unattributed", "", note]
        if found.how == "unknown":
            state.push(None, "")
            return ["", "", found.text, "", "", "", "unknown", "", found.note]
        info = reg.resolve(found.actor_id)
        how = found.how
        if how == "reporting_verb" and bool(r.get("is_quote", False)):
            how = "quote"
        relayer = reg.resolve(found.relayed_by)["speaker"] if found.relayed_by else ""
        state.push(found.actor_id, found.gender or reg.get(found.actor_id).gender)
        if acc is not None and acc.actor_id:
            state.source = acc.actor_id
        return [info["speaker"], found.actor_id, found.text, info["organisation"], info["country"],
                info["bloc"], how, relayer, found.note.strip("; ")]

    # ------------------------------------------------------------ headline prefix
    def _headline_prefix(self, text, toks, state, heading: bool):
        m = re.match(r"^\s*([^:：\"“”«»]{1,80}?)\s*[:：]\s*\S", text)
        if not m:
            return None
        end = m.end(1)
        ptoks = [i for i, t in enumerate(toks) if t.end <= end]
        if not ptoks or len(ptoks) > self.headline_prefix_tokens:
            return None
        # A prefix with a reporting verb is handled as a reporting clause.
        if any(self._verb_info(toks[i].norm, arabic=True) for i in ptoks):
            return None
        matches = self.registry.find(toks, 0, len(ptoks),
                                     titles=set(state.mentioned)) if len(self.registry) else []
        for mt in matches:
            prev = toks[mt.i - 1].norm if mt.i > 0 else ""
            if prev in ("ل", "to", "for", "для"):
                continue                          # "بوتين لـ ماكرون:" — Macron is addressee
            return _Found(mt.actor_id, text[mt.start:mt.end], "headline_prefix",
                          "name before ':' in a headline")
        if heading:
            return _Found(text=text[toks[0].start:toks[ptoks[-1]].end], how="unknown",
                          note="headline prefix names no registry actor")
        return None

    # ------------------------------------------------------------ reporting verbs
    def _verb_info(self, norm: str, arabic: bool):
        """(lemma, gender, tense) when `norm` is a reporting verb form, else None."""
        if norm in LATIN_VERBS:
            return (norm, LATIN_VERBS[norm], "past")
        for form in (norm, norm[1:] if norm[:1] in "وف" else None,
                     norm[2:] if norm[:2] in ("وف", "فو") else None):
            if form and form in AR_VERBS:
                return AR_VERBS[form]
        return None

    def _reporting(self, text, toks, in_quote, arabic, state):
        verbs = []
        for i, t in enumerate(toks):
            if in_quote[i]:
                continue
            vi = self._verb_info(t.norm, arabic)
            if vi is None:
                continue
            # French compound past needs its auxiliary: "a déclaré".
            if t.norm in ("dit", "déclaré", "affirmé", "ajouté", "estimé", "souligné", "indiqué") \
                    and not (i > 0 and toks[i - 1].norm in ("a", "ont")) \
                    and not _french_inversion(toks, i):
                continue
            if i > 0 and (toks[i - 1].norm in _NEGATION or toks[i - 1].norm[1:] in _NEGATION
                          and toks[i - 1].norm[:1] in "وف"
                          or toks[i - 1].norm == "t" and i > 1 and toks[i - 2].norm in _NT_AUX):
                continue
            # "said" inside "according to": handled elsewhere; "says" after "it" is impersonal.
            verbs.append((i, vi))
        if not verbs:
            return None
        first = None
        for n, (i, vi) in enumerate(verbs):
            res = self._subject(text, toks, in_quote, i, vi, arabic, state)
            if res is not None:
                first = (i, vi, res)
                break
            if n == 0 and self._is_impersonal(toks, i):
                return _Found(note="impersonal formula (يذكر أن …): narration")
        if first is None:
            return None
        i, vi, res = first
        if res.actor_id and res.how in ("reporting_verb", "carry_over"):
            inner = self._relayed(text, toks, in_quote, i, verbs, res, arabic, state)
            if inner is not None:
                return inner
        return res

    def _is_impersonal(self, toks, i) -> bool:
        norm = toks[i].norm
        core = norm[1:] if norm[:1] in "وف" and norm[1:] in AR_VERBS else norm
        return core in _AR_IMPERSONAL or AR_VERBS.get(core, ("", "", ""))[2] == "present"

    def _clause_initial(self, toks, i) -> bool:
        """Only openers (كما، ثم …), fillers or nothing between the clause start and the verb."""
        j = i - 1
        while j >= 0:
            if self._hard_gap(toks, j, j + 1, comma=True):
                return True
            if toks[j].norm not in _CLAUSE_OPENERS and toks[j].norm not in _FILLER:
                return False
            j -= 1
        return True

    def _hard_gap(self, toks, a, b, comma=False) -> bool:
        gap = self._text[toks[a].end:toks[b].start]
        if any(c in _QUOTE_CHARS for c in gap) or any(c in ".:!?؟;؛" for c in gap):
            return True
        return comma and any(c in ",،" for c in gap)

    def _subject(self, text, toks, in_quote, i, vi, arabic, state):
        # Word order follows the verb's own language: an English sentence quoting one Arabic
        # word is still subject-verb-object.
        arabic = bool(ARABIC_LETTER.match(toks[i].norm))
        self._text = text
        reg = self.registry
        lemma, vgender, tense = vi
        n = len(toks)
        titles = set(state.mentioned)
        # ----- window after the verb
        j = i + 1
        post_end = i + 1
        clean_stop = False
        while j < n and j - i <= self.post_window:
            if self._hard_gap(toks, j - 1, j):
                clean_stop = True
                break
            if in_quote[j] or _is_stop(toks[j], _POST_STOP):
                clean_stop = in_quote[j] or _is_stop(toks[j], _CLEAN_STOP)
                break
            j += 1
        post_end = j
        # ----- window before the verb
        k = i
        while k > 0 and i - k < self.pre_window:
            if self._hard_gap(toks, k - 1, k) or in_quote[k - 1]:
                break
            if _is_stop(toks[k - 1], _PRE_STOP) or self._verb_info(toks[k - 1].norm, arabic):
                break
            k -= 1
        pre_start = k
        post = reg.find(toks, i + 1, post_end, titles=titles) if len(reg) else []
        pre = reg.find(toks, pre_start, i, titles=titles) if len(reg) else []
        # The subject pronoun sits before the verb, or before a French auxiliary ("il a ajouté").
        p_at = i - 2 if i > 1 and toks[i - 1].norm in ("a", "ont") else i - 1
        pronoun = toks[p_at].norm if p_at >= 0 and toks[p_at].norm in PRONOUNS else None

        order = ("post", "pre") if arabic else ("pre", "post")
        if not arabic and pronoun is None and pre_start == i:
            order = ("post", "pre")
        for side in order:
            ms = post if side == "post" else pre
            if side == "pre" and pronoun is not None and not arabic:
                break
            if not ms:
                continue
            pick = self._pick(ms, toks, side, i)
            if pick is None:
                continue
            actor_id, how_note = self._person_for_role(pick, toks, i, pre_start, state)
            surface = self._surface(text, toks, ms, pick)
            return _Found(actor_id, surface, "reporting_verb",
                          f"subject of '{toks[i].surface}' ({side}-verb){how_note}",
                          gender=self._phrase_gender(toks, pick, vgender))
        # ----- anaphoric subject ("البيان", "the two sides")
        window = range(i + 1, post_end) if arabic else range(pre_start, i)
        content = [t for t in (toks[x] for x in window) if t.norm not in _FILLER]
        if content and any(canon(k) in _ANAPHOR for k in content[0].keys):
            prev = state.source or state.last("")
            if prev:
                return _Found(prev, "", "carry_over",
                              f"anaphoric subject '{content[0].surface}' → current source",
                              gender=reg.get(prev).gender)
            return None
        # ----- pronoun subject (English/French/Russian)
        if pronoun is not None:
            g = PRONOUNS[pronoun]
            prev = state.last(g)
            if prev and self.carry_over:
                return _Found(prev, "", "carry_over", f"pronoun '{toks[p_at].surface}' → "
                              f"previous {'fe' if g == 'f' else ''}{'male' if g else ''} speaker")
            return None
        # ----- unknown named subject
        unk = self._unknown_subject(text, toks, i, pre_start, post_end, clean_stop, arabic)
        content = [t for t in (toks[x] for x in window) if t.norm not in _FILLER]
        if unk is not None:
            return unk
        # ----- carry-over: subjectless clause-initial verb (Arabic past tense, Russian)
        if self.carry_over and (tense == "past") and (not arabic or self._clause_initial(toks, i)):
            if arabic and content and clean_stop:
                return None
            if not arabic and pre_start < i:
                return None
            prev = state.last(vgender)
            if prev:
                g = {"f": "feminine", "m": "masculine"}.get(vgender, "any")
                return _Found(prev, "", "carry_over",
                              f"'{toks[i].surface}' has no subject: previous {g} speaker")
        return None

    def _pick(self, ms: list[Match], toks, side, i):
        """Person first (earliest after the verb, nearest before it), else organisation."""
        reg = self.registry
        persons = [m for m in ms if reg.get(m.actor_id).is_person]
        orgs = [m for m in ms if not reg.get(m.actor_id).is_person]
        # Drop names preceded by a preposition/addressee marker ("لنظيره", "لـ").
        def ok(m):
            prev = toks[m.i - 1].norm if m.i > 0 else ""
            return prev not in ("ل", "مع", "to", "with")
        persons = [m for m in persons if ok(m)]
        orgs = [m for m in orgs if ok(m)]
        if side == "post":
            if persons:
                return persons[0]
            return orgs[0] if orgs else None
        if persons:
            return persons[-1]
        return orgs[-1] if orgs else None

    def _phrase_gender(self, toks, pick, vgender):
        a = self.registry.get(pick.actor_id)
        return a.gender or vgender

    def _surface(self, text, toks, ms, pick):
        """Span of the picked mention, widened over adjacent mentions of the same actor
        ("الرئيس الروسي فلاديمير بوتين", "المتحدث باسم الكرملين، دميتري بيسكوف")."""
        a, b = pick.start, pick.end
        for m in ms:
            if m.actor_id != pick.actor_id or m is pick:
                continue
            gap = text[min(b, m.end):max(a, m.start)] if m.start >= b or m.end <= a else ""
            if len(gap) <= 3 and not any(c in _QUOTE_CHARS or c in ".:" for c in gap):
                a, b = min(a, m.start), max(b, m.end)
        return text[a:b]

    def _person_for_role(self, pick: Match, toks, i, pre_start, state):
        """"المتحدثة باسم البيت الأبيض" without a name → that organisation's person of the same
        role and gender named earlier in the document (most recent), else the organisation."""
        reg = self.registry
        a = reg.get(pick.actor_id)
        if a.is_person:
            return pick.actor_id, ""
        lo, hi = (i + 1, pick.i) if pick.i > i else (pre_start, pick.i)
        role_g, cat = "", ""
        for t in toks[lo:hi]:
            ks = {canon(k) for k in t.keys}
            if ks & _ROLE_F:
                role_g = "f"
            elif ks & _ROLE_M:
                role_g = role_g or "m"
            for c, words in _ROLE_CATEGORY.items():
                if ks & words and not cat:
                    cat = c
        if not role_g:
            return pick.actor_id, ""
        need = _ROLE_REGISTRY_WORDS.get(cat, ())
        cands = [aid for aid in state.mentioned
                 if reg.get(aid).is_person and reg.get(aid).parent == pick.actor_id
                 and reg.get(aid).gender in ("", role_g)
                 and (not need or any(w in reg.get(aid).role.lower() for w in need))]
        if not cands:
            return pick.actor_id, ""
        best = max(cands, key=lambda aid: state.mentioned[aid])
        return best, f"; role noun resolved to {reg.get(best).name}, named earlier"

    def _unknown_subject(self, text, toks, i, pre_start, post_end, clean_stop, arabic):
        if arabic:
            initial = self._clause_initial(toks, i)
            cont = [x for x in range(i + 1, post_end) if toks[x].norm not in _FILLER]
            if initial and cont and clean_stop and len(cont) <= 5 and post_end < len(toks):
                a, b = cont[0], cont[-1]
                if not toks[a].norm.isdigit():
                    return _Found(text=text[toks[a].start:toks[b].end], how="unknown",
                                  note=f"subject of '{toks[i].surface}' not in registry")
            if not initial:
                pre = [x for x in range(pre_start, i) if toks[x].norm not in _CLAUSE_OPENERS
                       and toks[x].norm not in _FILLER]
                if pre and len(pre) <= 4:
                    return _Found(text=text[toks[pre[0]].start:toks[pre[-1]].end], how="unknown",
                                  note=f"subject of '{toks[i].surface}' not in registry")
            return None
        # Latin script: capitalised words right before the verb, or right after it.
        seq = []
        x = i - 1
        while x >= pre_start and toks[x].surface[:1].isupper():
            seq.insert(0, x)
            x -= 1
        if not seq:
            x = i + 1
            while x < post_end and toks[x].surface[:1].isupper():
                seq.append(x)
                x += 1
        if not seq:                      # "Ivan Petrov, a spokesman for …, said"
            runs, cur = [], []
            for x in range(pre_start, i):
                if toks[x].surface[:1].isupper() and toks[x].norm not in _LATIN_FUNCTION:
                    cur.append(x)
                else:
                    if cur:
                        runs.append(cur)
                    cur = []
            if cur:
                runs.append(cur)
            runs = [r for r in runs if len(r) >= 2]
            seq = runs[0] if runs else []
        seq = [s for s in seq if toks[s].norm not in PRONOUNS]
        if seq and len(seq) <= 5:
            return _Found(text=text[toks[seq[0]].start:toks[seq[-1]].end], how="unknown",
                          note=f"subject of '{toks[i].surface}' not in registry")
        return None

    def _relayed(self, text, toks, in_quote, i, verbs, res, arabic, state):
        """"ذكر بيسكوف أن بوشيلين وباسيتشنيك يشددان": inner speaker, relayed by the outer one."""
        comp = None
        for x in range(i + 1, min(len(toks), i + 1 + self.post_window + 2)):
            if toks[x].norm in _POST_STOP and toks[x].norm in {normalize(w) for w in
                                                               ("أن", "إن", "بأن", "فإن", "that")}:
                comp = x
                break
        if comp is None:
            return None
        for (v, vi) in verbs:
            if v <= comp or v - comp > 6:
                continue
            ms = self.registry.find(toks, comp + 1, v, titles=False) if len(self.registry) else []
            ms = [m for m in ms if m.actor_id != res.actor_id]
            if ms:
                m = ms[0]
                return _Found(m.actor_id, text[m.start:m.end], "reporting_verb",
                              f"subject of inner verb '{toks[v].surface}', relayed",
                              relayed_by=res.actor_id)
        return None

    # ------------------------------------------------------------ according to
    def _according_to(self, text, toks, in_quote, state):
        self._text = text
        n = len(toks)
        # A token's candidate forms (with a و/ف prefix dropped), computed once per token.
        forms = [{t.norm, t.norm[1:]} if t.norm[:1] in "وف" else {t.norm} for t in toks]
        for i in range(n):
            if in_quote[i] or not forms[i] & _ACCORDING_FIRST:
                continue
            for marker in ACCORDING:
                L = len(marker)
                if i + L > n:
                    continue
                ok = True
                for k, w in enumerate(marker):
                    if w not in forms[i + k]:
                        ok = False
                        break
                if not ok:
                    continue
                s = i + L
                e = s
                while e < n and e - s < 6:
                    gap = text[toks[e - 1].end:toks[e].start] if e > s else ""
                    if e > s and any(c in ",،.:;؛" for c in gap):
                        break
                    e += 1
                if e == s:
                    continue
                ms = self.registry.find(toks, s, e, titles=set(state.mentioned)) \
                    if len(self.registry) else []
                surface = text[toks[s].start:toks[e - 1].end].strip("\"“”«» ")
                if ms:
                    pick = self._pick(ms, toks, "post", s - 1) or ms[0]
                    return _Found(pick.actor_id, text[pick.start:pick.end], "according_to",
                                  f"'{' '.join(marker)}' source")
                if any(canon(k) in _ANAPHOR for k in toks[s].keys):
                    prev = state.source or state.last("")
                    if prev:
                        return _Found(prev, toks[s].surface, "according_to",
                                      "source is 'the statement' of the current source")
                return _Found(text=surface, how="according_to", note="source not in registry")
        return None

    def _narration_reset(self, toks, mentions, state):
        """Narration whose subject (near the start) is a named actor ends the carry-over chain."""
        for m in mentions:
            if m.i <= 4 and m.actor_id != state.last(""):
                state.reset()
                return


class _State:
    """Carry-over state within one document section."""

    def __init__(self):
        self.history: list[tuple[str, str]] = []
        self.source: str = ""
        self.mentioned: dict[str, int] = {}
        self.counter = 0

    def reset(self):
        self.history = []
        self.source = ""

    def push(self, actor_id, gender):
        if actor_id is None:
            self.reset()
        else:
            self.history.append((actor_id, gender or ""))

    def last(self, gender: str) -> str:
        for aid, g in reversed(self.history):
            if not gender or not g or g == gender:
                return aid
        return ""


def unknown_speakers(attributed: pd.DataFrame) -> pd.DataFrame:
    """Names that look like speakers but match no registry actor: speaker_text, n, example_claim_id."""
    cols = ["speaker_text", "n", "example_claim_id"]
    if attributed is None or not len(attributed) or "attribution" not in attributed:
        return pd.DataFrame(columns=cols)
    u = attributed[(attributed["attribution"] == "unknown") & (attributed["speaker_text"] != "")]
    if not len(u):
        return pd.DataFrame(columns=cols)
    key = u["speaker_text"].map(normalize)
    rows = []
    for _, grp in u.groupby(key, sort=False):
        rows.append({"speaker_text": grp["speaker_text"].iloc[0], "n": int(len(grp)),
                     "example_claim_id": str(grp["claim_id"].iloc[0])})
    return pd.DataFrame(rows, columns=cols).sort_values(["n", "speaker_text"],
                                                        ascending=[False, True]).reset_index(drop=True)
