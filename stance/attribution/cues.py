"""The extractors of one statement: reporting verbs, "according to", headline prefixes, readouts.

Each method reads a statement's tokens and returns a plain `Found` record (or None); none of
them changes any state. What the carry-over machine must resolve (a subjectless verb, a
pronoun, "the statement", "the two ministers") is returned as a request in `Found.carry`.
"""
from __future__ import annotations

import re

from ..textnorm import ARABIC_LETTER
from . import extract as x
from .extract import Found
from .lexicon import lexicon
from .registry import canon


def media_phrase(phrase: str) -> bool:
    """"صحيفة الحياة", "الوكالة", "قناة سكاي نيوز عربية": a phrase headed by a media noun."""
    from .registry import tokenize
    L = lexicon()
    toks = [t for t in tokenize(phrase) if not x.is_filler(t.norm, L.filler)]
    return bool(toks) and canon(toks[0].norm) in L.media


class Extractors:
    def __init__(self, registry, post_window: int = 14, pre_window: int = 12,
                 headline_prefix_tokens: int = 6):
        self.registry = registry
        self.post_window = post_window
        self.pre_window = pre_window
        self.headline_prefix_tokens = headline_prefix_tokens

    def _find(self, toks, a, b, mentioned):
        reg = self.registry
        return reg.find(toks, a, b, titles=set(mentioned)) if len(reg) else []

    # ------------------------------------------------------------ reporting verbs
    def reporting(self, text, toks, in_quote, mentioned) -> Found | None:
        from .discover import parse
        L = lexicon()
        quoted = any(in_quote)
        verbs = [(i, vi) for i, t in enumerate(toks) if not in_quote[i]
                 for vi in [x.verb_info(toks, i)] if vi is not None and not x.negated(toks, i)
                 and (quoted or t.norm not in L.quote_only) and not x.in_relative(toks, i)]
        for n, (i, vi) in enumerate(verbs):
            if n == 0 and ARABIC_LETTER.match(toks[i].norm) and x.is_impersonal(toks, i) \
                    and x.clause_initial(text, toks, i):
                return Found(note="impersonal formula (يذكر أن …): narration")
            res = self.subject(text, toks, in_quote, i, vi, mentioned)
            if res is not None and res.text and not res.actor_id and not res.carry \
                    and not parse(res.text):
                continue                         # no one named: try the next cue
            if res is not None:
                if res.actor_id and res.how == "reporting_verb":
                    inner = self.relayed(text, toks, i, verbs, res, mentioned)
                    if inner is not None:
                        return inner
                if not res.actor_id and res.text and media_phrase(res.text):
                    inner = self._relayed_by_media(text, toks, in_quote, i, verbs[n + 1:], res,
                                                   mentioned)
                    if inner is not None:
                        return inner
                return res
        # "…, saying …" / "…, estimant que …" / "…, заявив, что …": the sentence's subject.
        for i, t in enumerate(toks):
            if t.norm in L.participles and not in_quote[i] and i > 1 and \
                    any(c in ",،" for c in text[toks[i - 1].end:t.start]):
                end = x.sentence_subject_end(toks, i)
                if end:
                    return Found(text=text[toks[0].start:toks[end - 1].end], how="reporting_verb",
                                 note=f"subject of the clause before '{t.surface}'")
        return None

    def subject(self, text, toks, in_quote, i, vi, mentioned) -> Found | None:
        L, reg = lexicon(), self.registry
        # Word order follows the verb's own language.
        arabic = bool(ARABIC_LETTER.match(toks[i].norm))
        _, vgender, tense = vi
        pre_start, post_end, clean = x.windows(text, toks, in_quote, i, self.post_window,
                                               self.pre_window)
        relay = self._relayed_from(text, toks, in_quote, i, vi, post_end, mentioned)
        if relay is not None:
            return relay
        post = self._find(toks, i + 1, post_end, mentioned)
        pre = self._find(toks, pre_start, i, mentioned)
        pron = x.pronoun_at(toks, i)
        order = ("post", "pre") if arabic else ("pre", "post")
        if not arabic and pron is None and pre_start == i:
            order = ("post", "pre")
        for side in order:
            ms = post if side == "post" else pre
            if side == "pre" and pron is not None and not arabic:
                break
            chosen = x.pick(reg, ms, toks, side) if ms else None
            if chosen is None:
                continue
            lo, hi = (i + 1, chosen.i) if chosen.i > i else (pre_start, chosen.i)
            actor_id, how_note = x.person_for_role(reg, chosen, toks, lo, hi, mentioned)
            a = reg.get(actor_id)
            return Found(actor_id, x.surface(text, ms, chosen), "reporting_verb",
                         f"subject of '{toks[i].surface}' ({side}-verb){how_note}",
                         gender=a.gender or x.role_gender(toks, lo, hi) or vgender)
        window = range(i + 1, post_end) if arabic else range(pre_start, i)
        content = [t for t in (toks[k] for k in window) if t.norm not in L.filler]
        if x.first_person(toks, pre_start, i):
            return Found(how="author", carry="author", note="first person: the document's author")
        if not arabic and x.org_anaphor(toks, pre_start, i):
            return Found(how="carry_over", carry="pronoun:o",
                         note=f"'{' '.join(t.surface for t in toks[pre_start:i])}' → the "
                              "organisation speaking before")
        if not arabic and vgender == "" and toks[i].norm.endswith("ли"):
            org = x.impersonal_in(text, toks, in_quote, i)
            if org:
                return Found(text=org, how="reporting_verb",
                             note=f"'{toks[i].surface}' without a subject: the organisation "
                                  "after 'в'")
        if content and any(canon(k) in L.anaphor for k in content[0].keys):
            return Found(how="carry_over", carry="anaphor",
                         note=f"anaphoric subject '{content[0].surface}' → current source")
        if pron is not None:
            g = pron[1]
            before = text[:toks[pron[0]].start] if pron[0] > 1 else ""
            return Found(how="carry_over", carry=f"pronoun:{g}", text=before,
                         note=f"pronoun '{toks[pron[0]].surface}' → previous "
                              f"{ {'f': 'female ', 'm': 'male ', 'o': 'organisation '}.get(g, '')}"
                              f"speaker")
        unk = x.unknown_subject(text, toks, i, pre_start, post_end, clean, arabic)
        initial = not arabic or x.clause_initial(text, toks, i)
        if unk is not None:
            phrase, clean_unk = unk
            fallback = "" if clean_unk or not initial or x.names_nobody(phrase) \
                else f"fallback:{vgender}"
            return Found(text=phrase, how="reporting_verb", gender=vgender,
                         note=f"subject of '{toks[i].surface}' not in registry",
                         carry=fallback)
        if initial:
            if arabic and content and clean:
                return None
            if not arabic and pre_start < i:
                return None
            if arabic and not content and toks[i].norm[:1] == "و" and i > 2:
                # "التقى أبو مازن …, وقال في …": the subject of this sentence, if it names one
                own = self._sentence_subject(text, toks, i, mentioned)
                if own is not None:
                    return own
            g = {"f": "feminine", "m": "masculine"}.get(vgender, "any")
            return Found(how="carry_over", carry=vgender or "-",
                         note=f"'{toks[i].surface}' has no subject: previous {g} speaker")
        if arabic and not content and toks[i].norm[:1] == "و" and i > 2:
            return self._sentence_subject(text, toks, i, mentioned)
        return None

    def _sentence_subject(self, text, toks, i, mentioned) -> Found | None:
        """"هاجم الرئيس التركي نظيره السوري …, وقال إن …": a verb joined by "و" in the middle of
        a sentence, with no subject of its own, shares the subject of the sentence's first verb
        (the words right after it, verb-subject order) when that subject is named by a title, a
        role, an office, a country, the registry, or is a name that starts with a given name or
        a kunya ("التقى أبو مازن …, وقال في …")."""
        from .discover import parse
        L = lexicon()
        k = 0
        while k < i and (toks[k].norm in L.clause_openers or toks[k].norm.isdigit()
                         or x.is_filler(toks[k].norm, L.filler)):
            k += 1
        if k >= i - 1 or x.hard_gap(text, toks, k, k + 1):
            return None
        idx, _ = x.arabic_subject(text, toks, k + 1, min(i, k + 1 + self.post_window))
        if not idx:
            return None
        note = f"subject of the sentence, shared by '{toks[i].surface}'"
        ms = self._find(toks, idx[0], idx[-1] + 1, mentioned)
        if ms and ms[0].i == idx[0]:
            return Found(ms[0].actor_id, text[ms[0].start:ms[0].end], "reporting_verb", note)
        phrase = text[toks[idx[0]].start:toks[idx[-1]].end]
        ds = parse(phrase)
        from .evidence import given_first
        if ds and ds[0].start == 0 and (ds[0].titled or ds[0].role or
                                        ds[0].kind in ("state", "organisation") and not ds[0].generic
                                        or ds[0].kind == "person" and given_first(ds[0].name)):
            return Found(text=phrase[:ds[0].end], how="reporting_verb", note=note)
        return None

    def _relayed_from(self, text, toks, in_quote, i, vi, post_end, mentioned) -> Found | None:
        """"ونقلت وكالة رويترز عن مصدر …": the one quoted after "عن" speaks; the agency relays."""
        n = len(toks)
        if vi[0] != "نقل" or post_end >= n or toks[post_end].norm != "عن":
            return None
        e = post_end + 1
        while e < n and e - post_end <= 10 and not in_quote[e] and \
                not any(c in ",،.:;؛\"“”«»" for c in text[toks[e - 1].end:toks[e].start]):
            e += 1
        if e == post_end + 1:
            return None
        ms = self._find(toks, post_end + 1, e, mentioned)
        agency = self._find(toks, i + 1, post_end, mentioned)
        if ms:
            return Found(ms[0].actor_id, text[ms[0].start:ms[0].end], "reporting_verb",
                         "quoted after 'نقل … عن'", relayed_by=agency[0].actor_id if agency else "")
        return Found(text=text[toks[post_end + 1].start:toks[e - 1].end], how="reporting_verb",
                     note="quoted after 'نقل … عن' (relayed)")

    def _relayed_by_media(self, text, toks, in_quote, i, later, res, mentioned) -> Found | None:
        """"وذكرت الوكالة أن غيراسيموف قال …": a newspaper, agency or channel that reports what
        someone said relays them; the one who said it speaks."""
        from .discover import parse
        L = lexicon()
        comp = next((k for k in range(i + 1, min(len(toks), i + 2 + self.post_window))
                     if toks[k].norm in L.clean_stop), None)
        if comp is None:
            return None
        for v, vi in later:
            if v <= comp or v - comp > 8:
                continue
            inner = self.subject(text, toks, in_quote, v, vi, mentioned)
            if inner is None or inner.carry or not (inner.actor_id or inner.text):
                continue
            if inner.text and (media_phrase(inner.text) or not parse(inner.text)):
                continue
            inner.note = f"subject of inner verb '{toks[v].surface}', relayed by {res.text!r}"
            return inner
        return None

    def relayed(self, text, toks, i, verbs, res, mentioned) -> Found | None:
        """"ذكر بيسكوف أن بوشيلين وباسيتشنيك يشددان": inner speaker, relayed by the outer one."""
        L = lexicon()
        comp = None
        for k in range(i + 1, min(len(toks), i + 1 + self.post_window + 2)):
            if toks[k].norm in L.clean_stop and toks[k].norm not in L.participles:
                comp = k
                break
        if comp is None:
            return None
        for (v, _) in verbs:
            if v <= comp or v - comp > 6:
                continue
            ms = [m for m in self._find(toks, comp + 1, v, {}) if m.actor_id != res.actor_id]
            if ms:
                m = ms[0]
                return Found(m.actor_id, text[m.start:m.end], "reporting_verb",
                             f"subject of inner verb '{toks[v].surface}', relayed",
                             relayed_by=res.actor_id)
        return None

    # ------------------------------------------------------------ according to
    def according_to(self, text, toks, in_quote, mentioned) -> Found | None:
        L = lexicon()
        n = len(toks)
        forms = [{t.norm, t.norm[1:]} if t.norm[:1] in "وف" else {t.norm} for t in toks]
        for i in range(n):
            if in_quote[i]:
                continue
            for m, g in L.according_pronoun:
                if i + len(m) <= n and all(toks[i + k].norm == w for k, w in enumerate(m)):
                    return Found(how="according_to", carry=f"pronoun:{g}",
                                 note=f"'{' '.join(m)}' → previous speaker")
            marker = None
            if forms[i] & L.according_first:
                for m in L.according:
                    if i + len(m) <= n and all(w in forms[i + k] for k, w in enumerate(m)):
                        marker = m
                        break
            elif i == 0 and toks[0].norm in L.initial_source:
                marker = (toks[0].norm,)
            if marker is None:
                continue
            s = e = i + len(marker)
            while e < n and e - s < 8:
                gap = text[toks[e - 1].end:toks[e].start] if e > s else ""
                if e > s and any(c in ",،.:;؛" for c in gap):
                    # "d'après le chef de la mission, Abdoulaye Keïta, …": a title, then the name
                    if any(c in ",،" for c in gap) and x._role_only(text, toks, list(range(s, e))):
                        e += 1
                        continue
                    break
                e += 1
            if e == s or marker == (toks[0].norm,) and not (e < n and "," in text[toks[e - 1].end:toks[e].start]):
                continue
            cue = " ".join(marker)
            ms = self._find(toks, s, e, mentioned)
            if ms:
                chosen = x.pick(self.registry, ms, toks, "post") or ms[0]
                return Found(chosen.actor_id, text[chosen.start:chosen.end], "according_to",
                             f"'{cue}' source")
            if any(canon(k) in L.anaphor for k in toks[s].keys):
                return Found(how="according_to", carry="anaphor",
                             note="source is 'the statement' of the current source")
            if toks[s].norm in L.pronouns or toks[s].norm in ("lui", "elle", "него", "неё", "нее", "ее", "её", "его", "её"):
                g = {"lui": "m", "него": "m", "его": "m"}.get(toks[s].norm, L.pronouns.get(toks[s].norm, "f"))
                return Found(how="according_to", carry=f"pronoun:{g}",
                             note=f"'{cue}' + pronoun '{toks[s].surface}' → previous speaker")
            surface = text[toks[s].start:toks[e - 1].end].strip("\"“”«» ")
            return Found(text=surface, how="according_to", note=f"'{cue}' source")
        return None

    # ------------------------------------------------------------ headline prefix
    def headline_prefix(self, text, toks, mentioned, heading: bool) -> Found | None:
        m = re.match(r"^\s*([^:：\"“”«»]{1,80}?)\s*[:：]\s*\S", text)
        if not m:
            return None
        end = m.end(1)
        ptoks = [i for i, t in enumerate(toks) if t.end <= end]
        if not ptoks or len(ptoks) > self.headline_prefix_tokens:
            return None
        if any(x.verb_info(toks, i) for i in ptoks):
            return None
        for mt in self._find(toks, 0, len(ptoks), mentioned):
            prev = toks[mt.i - 1].norm if mt.i > 0 else ""
            if prev in ("ل", "to", "for", "для"):
                continue                          # "بوتين لـ ماكرون:" — Macron is addressee
            return Found(mt.actor_id, text[mt.start:mt.end], "headline_prefix",
                         "name before ':' in a headline")
        return Found(text=text[toks[0].start:toks[ptoks[-1]].end], how="headline_prefix",
                     note="name before ':'" + (" in a headline" if heading else ""))

    # ------------------------------------------------------------ readouts
    def readout(self, text, toks, in_quote, mentioned) -> Found | None:
        """"the two ministers discussed … and agreed …", "وبحث بايدن مع …", "وتعهدوا" — the
        participants; the subject phrase, or a request for the readout's participants."""
        L = lexicon()
        n = len(toks)
        for i, t in enumerate(toks):
            if in_quote[i] or x.negated(toks, i):
                continue
            L_ar = None
            for form in (t.norm, t.norm[1:] if t.norm[:1] in "وف" else None):
                if form and form in L.readout_ar:
                    L_ar = L.readout_ar[form]
                    break
            hit = L_ar is not None or any(i + len(m) <= n and all(toks[i + k].norm == w for k, w
                                                                   in enumerate(m))
                                          for m in L.readout_latin)
            if not hit:
                continue
            arabic = L_ar is not None
            pre_start, post_end, _ = x.windows(text, toks, in_quote, i, self.post_window,
                                               self.pre_window)
            if arabic:
                lo, hi = i + 1, post_end
            else:
                lo, hi = pre_start, i
                while hi > lo and (toks[hi - 1].norm in L.auxiliaries or toks[hi - 1].norm in
                                   L.adverbs or toks[hi - 1].norm in ("se", "sont")):
                    hi -= 1
            words = [toks[k] for k in range(lo, hi) if toks[k].norm not in L.filler]
            near = words[:2] if arabic else words[-3:]
            if words and any(canon(k) in L.two_participants or canon(k) in L.anaphor
                             for w in near for k in w.keys):
                two = any(canon(k) in L.two_participants for w in near for k in w.keys)
                return Found(how="readout", carry=f"participants:{2 if two else 0}",
                             note=f"readout '{t.surface}': the participants")
            if not arabic and len(words) == 1 and words[0].norm in L.pronouns:
                lo, hi = 0, x.sentence_subject_end(toks, i)
                words = toks[lo:hi]
            if hi > lo and words:
                from .discover import parse
                ms = self._find(toks, lo, hi, mentioned)
                phrase = text[toks[lo].start:toks[hi - 1].end]
                with_ = any(toks[k].norm in L.addressee for k in range(hi, min(n, hi + 6)))
                if len(ms) + (0 if ms else len(parse(phrase))) < 2 and not with_:
                    continue                     # one actor, no partner: not a readout
                return Found(ms[0].actor_id if ms else "", phrase, "readout",
                             f"readout '{t.surface}'",
                             others=[m.actor_id for m in ms[1:]])
            gender = L_ar[1] if L_ar else ""
            if not words and (gender == "" or not arabic):
                return Found(how="readout", carry="participants:0",
                             note=f"subjectless readout '{t.surface}': the participants")
        return None
