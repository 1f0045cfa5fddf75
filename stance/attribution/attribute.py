"""Who says what: attach a speaker to every statement of a partition of documents.

Added columns
-------------
speaker           registry English display name, or a discovered actor's name ("" if none)
speaker_id        registry id; for a discovered actor a provisional per-document key ("~…")
                  that `finalize_attribution` replaces with a corpus-wide id
speaker_text      the words in the text that named the speaker ("" if none)
organisation, country, bloc   from the registry (parent links followed), else the gazetteer
attribution       quote | reporting_verb | headline_prefix | according_to | carry_over |
                  readout | author | unattributed
relayed_by        display name of an actor who relays the speaker's position ("" if none)
attribution_note  short reason
speakers_all      every actor credited with the statement (coordinated speakers, the
                  participants of a readout), ';'-joined; the first is `speaker`
speaker_source    registry | discovered | gazetteer | "" (where the speaker comes from)

The extractors (`cues.py`, `extract.py`) read one statement and return plain records; the
carry-over machine (`carry.py`) resolves subjectless verbs, pronouns and anaphors; a subject
phrase that names no registry actor is parsed into discovered actors (`discover.py`) with the
bundled gazetteer. A document whose manifest names its author (`speaker`/`author` column)
credits the author with every body statement nobody else is credited with.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from ..corpus.segment import quote_spans
from ..textnorm import normalize
from .carry import CarryState
from .cues import Extractors, media_phrase
from .discover import Description, DocActors, fold, parse
from .docinfo import acronyms, authors_of, quoted_name
from .evidence import given_first, quoted_arabic_name, verify_names
from .extract import Found
from .gazetteer import gazetteer
from .registry import ActorRegistry, tokenize

ATTRIBUTION_COLUMNS = ["speaker", "speaker_id", "speaker_text", "organisation", "country", "bloc",
                       "attribution", "relayed_by", "attribution_note", "speakers_all",
                       "speaker_source"]
# Internal, dropped by finalize_attribution: the discovered actors of each row, as JSON.
ACTORS_FIELD = "_actors"


class _Doc:
    """Per-document context: discovered actors, carry-over state, the author, acronyms."""

    def __init__(self, text: str = ""):
        self.actors = DocActors()
        self.state = CarryState()
        self.author: str = ""            # actor key of the document's author
        self.author_keys: set = set()
        self.acronyms = acronyms(text)   # "CENA" -> "Commission électorale nationale autonome"
        self.text = text


class Attributor:
    """Attach speakers to statements (see module docstring for the columns)."""

    def __init__(self, registry: ActorRegistry | None = None, carry_over: bool = True,
                 post_window: int = 14, pre_window: int = 12, headline_prefix_tokens: int = 6,
                 discover: bool = True):
        self.registry = registry or ActorRegistry.empty()
        self.carry_over = carry_over
        self.discover = discover
        self.ex = Extractors(self.registry, post_window, pre_window, headline_prefix_tokens)

    # ------------------------------------------------------------ public
    def transform(self, statements: pd.DataFrame, documents: pd.DataFrame | None = None,
                  progress: bool = False) -> pd.DataFrame:
        from ..io import progress_bar
        out = statements.copy()
        authors = authors_of(documents)
        texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str))) \
            if documents is not None and "text" in documents and "doc_id" in documents else {}
        order = np.lexsort((out["start"].to_numpy(), out["doc_id"].astype(str).to_numpy())) \
            if len(out) else np.zeros(0, dtype=int)
        rows: list = [None] * len(out)
        doc, current = None, None
        for pos in progress_bar(order, len(order), "attributing", progress, "statement"):
            r = out.iloc[pos]
            if r["doc_id"] != current:
                current, doc = r["doc_id"], _Doc(texts.get(str(r["doc_id"]), ""))
                self._set_author(doc, authors.get(str(r["doc_id"]), ""))
            rows[pos] = self._attribute_one(r, doc)
            doc.state.tick()
        names = ATTRIBUTION_COLUMNS + [ACTORS_FIELD]
        cols = pd.DataFrame(rows, index=out.index, columns=names) if rows else \
            pd.DataFrame(columns=names)
        for c in names:
            out[c] = cols[c].astype(str) if len(cols) else pd.Series(dtype=str)
        # untitled Arabic names checked on this partition's documents (finalize_attribution
        # checks again on the whole corpus)
        return verify_names(out, documents, ACTORS_FIELD)

    # ------------------------------------------------------------ one statement
    def _attribute_one(self, r, doc: _Doc) -> list:
        text = str(r["text"])
        kind = str(r.get("kind", "body") or "body")
        toks = tokenize(text)
        quotes = []
        for a, b in quote_spans(text):
            if a >= 1 and b < len(text) and (quoted_name(text[a:b]) or
                                             quoted_arabic_name(text, toks, a, b)):
                # «Тенир Майнинг», "Radio J", وطالب " المجتمعون ", وكالة " رويترز ":
                # a name in quotation marks, not a quotation
                text = text[:a - 1] + " " + text[a:b] + " " + text[b + 1:]
            else:
                quotes.append((a, b))
        in_quote = [any(a <= t.start < b for a, b in quotes) for t in toks]
        reg, ex, state = self.registry, self.ex, doc.state
        mentions = reg.find(toks, titles=False) if len(reg) else []
        mentioned = state.mentioned

        found = None
        if kind in ("title", "heading"):
            state.reset()
            found = ex.headline_prefix(text, toks, mentioned, heading=True)
            if found is not None and not found.actor_id and not self._prefix_names(found.text, doc):
                found = None
        if found is None or not (found.actor_id or found.text or found.carry):
            rep = ex.reporting(text, toks, in_quote, mentioned)
            found = rep if rep is not None else found
        if found is None:
            found = ex.readout(text, toks, in_quote, mentioned)
        acc = ex.according_to(text, toks, in_quote, mentioned)
        if acc is not None and found is not None and not found.actor_id and found.text and \
                media_phrase(found.text) and (acc.actor_id or self._names(acc.text)) and \
                not (acc.text and media_phrase(acc.text)):
            # "وكتبت القناة … نقلا عن ظريف": the channel relays Zarif
            acc.note += f"; relayed by {found.text!r}"
            found = acc
        if acc is not None and (acc.actor_id or acc.carry or self._names(acc.text)):
            if found is acc:
                pass
            elif found is not None and (found.actor_id or found.text or found.carry):
                if acc.actor_id and found.actor_id and acc.actor_id != found.actor_id \
                        and not found.relayed_by:
                    found.relayed_by = acc.actor_id
                    found.note += f"; relayed according to {acc.text!r}"
            else:
                found = acc
        if found is None and kind == "body":
            found = ex.headline_prefix(text, toks, mentioned, heading=False)
            if found is not None and not found.actor_id and not self._prefix_names(found.text, doc):
                found = None
        for m in mentions:
            state.mention(m.actor_id)

        keys, note = self._resolve(found, doc, kind)
        if not keys and doc.author and kind == "body" and self._authored(text, toks, doc):
            self._mentions(text, toks, doc)
            return self._row(doc, [doc.author], "", "author", "the document's author "
                             "(manifest): no one else is credited", push=False)
        if not keys:
            note = note or (found.note if found is not None else "") or \
                "no reporting verb or source: narration"
            self._narration_reset(toks, mentions, state)
            self._mentions(text, toks, doc)
            return ["", "", "", "", "", "", "unattributed", "", note, "", "", ""]
        how = found.how
        if how == "reporting_verb" and bool(r.get("is_quote", False)):
            how = "quote"
        relayer = reg.resolve(found.relayed_by)["speaker"] if found.relayed_by in reg else ""
        if acc is not None and acc.actor_id:
            if not relayer and keys[0] != acc.actor_id and found is not acc:
                relayer = reg.resolve(acc.actor_id)["speaker"]
            state.source = acc.actor_id
        if how == "readout":
            state.readout = list(keys)
        surface = found.text if found.actor_id or not self._descs else \
            "; ".join(d.text for d in self._descs) or found.text
        alt = self._fallback_alternative(found, keys, doc)
        row = self._row(doc, keys, surface, how, (note or found.note).strip("; "),
                        relayer=relayer, gender=found.gender)
        if alt is not None:
            info = json.loads(row[-1]) if row[-1] else {"keys": keys, "actors": {}}
            info["alt_row"] = alt
            row[-1] = json.dumps(info, ensure_ascii=False)
        return row

    def _fallback_alternative(self, found: Found, keys: list, doc: "_Doc"):
        """"وتوقعت تزايد الهجمات": a verb whose subject phrase is only an unconfirmed name may
        have no subject at all. The row to use if the corpus rejects that name: the speaker of
        the statement right before, when the verb's gender agrees (else None)."""
        if not (found.carry.startswith("fallback:") and self.carry_over and keys and
                all(k.startswith("~") for k in keys)):
            return None
        descs = [doc.actors.actors[doc.actors.resolve(k[1:])] for k in keys]
        if not all(d.check == "tentative" for d in descs):
            return None
        g = found.carry.split(":", 1)[1]
        prev = doc.state.last(g)
        if not prev or doc.state.n - doc.state.history[-1][3] > 1 or prev in keys:
            return None
        return self._row(doc, [prev], "", "carry_over", "the subject names no confirmed actor: "
                         "the speaker of the statement before", gender=g, push=False)

    def _names(self, phrase: str) -> bool:
        return bool(phrase) and self.discover and bool(parse(phrase))

    @staticmethod
    def _media_named(d: Description, doc: "_Doc"):
        """For a media noun ("الصحيفة", "القناة"): the last actor of the document named with the
        same noun ("صحيفة الحياة"), "" when none; None for any other generic word."""
        from .lexicon import lexicon
        from .registry import canon
        L = lexicon()
        head = canon(normalize(d.name.split()[0])) if d.name else ""
        if head not in L.media:
            return None
        for k in reversed(doc.actors.order):
            o = doc.actors.actors[k]
            if o.kind == "organisation" and o.name and len(o.name.split()) > 1 and \
                    canon(normalize(o.name.split()[0])) == head:
                return "~" + k
        return ""

    @staticmethod
    def _untitled_arabic(d: Description) -> bool:
        # a title word elsewhere in the phrase ("على المستوى … دول إقليمية") does not vouch
        # for the name; only one right before it does (`titled`)
        return d.kind == "person" and bool(d.name) and not d.titled and \
            any("\u0600" <= ch <= "\u06ff" for ch in d.name)

    @staticmethod
    def _plausible(d: Description, phrase: str, doc: "_Doc", named: int) -> bool:
        """An untitled Arabic name must be the whole subject phrase ("وقال حمو :"), known in the
        document, or named again in it: Arabic has no capitals to tell "وجهة نظر محللين" from
        a name."""
        if d.kind != "person" or not d.name or d.titled or d.role or \
                not any("\u0600" <= ch <= "\u06ff" for ch in d.name) or doc.actors.knows(d):
            return True
        if named >= 0.8 * len(phrase.strip(" ,،.:\"“”")):
            return True
        return doc.text.count(d.name.split()[-1]) >= 2

    def _prefix_names(self, prefix: str, doc: "_Doc") -> bool:
        """"البيت الأبيض:", "Kremlin:", "بايدن:" name a speaker; "Pêche en Méditerranée :" or
        "Législatives au Bénin :" name a subject. The actor must be the whole prefix, and a
        one-word Latin name must be known in the document."""
        if not (prefix and self.discover):
            return False
        ds = parse(prefix)
        if len(ds) != 1:
            return False
        d = ds[0]
        head = re.split(r"\s(?:ل|لـ|to|à|для)(?:\s|$)", prefix.strip())[0]   # "بوتين لـ ماكرون"
        if len(d.text) < 0.7 * len(head.strip()):
            return False
        if d.kind == "person" and d.name and len(d.name_keys) < 2 and not doc.actors.knows(d):
            # one word: a name only when the article names it again ("بايدن:", not "ثالثا:")
            return doc.text.count(d.name.lstrip("و")) >= 2
        # an untitled Arabic name before ':' in running text ("ويعقب عبد العزيز قائلا :")
        return not (d.kind == "person" and d.name and not (d.titled or d.role)
                    and not doc.actors.knows(d) and any("\u0600" <= ch <= "\u06ff" for ch in prefix)
                    and doc.text.count(d.name) < 2)

    def _resolve(self, found: Found | None, doc: _Doc, kind: str) -> tuple[list[str], str]:
        """Actor keys credited by a Found record (registry ids or "~" discovered keys)."""
        self._descs = []
        if found is None:
            return [], ""
        state = doc.state
        if found.actor_id:
            return [found.actor_id] + [o for o in found.others if o and o != found.actor_id], ""
        if found.text and self.discover and not found.carry.startswith("pronoun:"):
            # "ذكرت وكالة ( سانا )", "قال ( دميتري بيليك ) النائب": a name in brackets
            phrase = re.sub(r"\s*[()]\s*", " ", found.text).strip() \
                if re.search(r"[\u0600-\u06ff]", found.text) else found.text
            descs = parse(phrase)
            for d in descs:
                long = doc.acronyms.get(d.name) if d.kind == "organisation" else None
                if long:
                    d.name, d.name_keys = long, tuple(fold(t.norm) for t in tokenize(long))
            fallback = found.carry.startswith("fallback:")
            if fallback:
                # No clean end to an Arabic subject phrase: what is surely a name counts; an
                # untitled name only if the corpus confirms it (tentative, evidence.py)
                descs = [d for d in descs if d.kind != "person" or d.titled or d.role
                         or doc.actors.knows(d) or self._untitled_arabic(d) and not d.weak]
            descs = [d for d in descs if not d.weak or doc.actors.knows(d)]
            named = sum(len(d.name or d.text) for d in descs)
            for d in descs:
                if self._untitled_arabic(d):
                    # verified once per corpus (evidence.py, finalize_attribution)
                    d.check = "untitled" if not fallback and (
                        self._plausible(d, found.text, doc, named) or given_first(d.name)) \
                        or doc.actors.knows(d) else "tentative"
            if len(descs) == 1 and descs[0].generic:
                # "وأضافت الوكالة", "the agency said": the organisation that spoke before;
                # "وقالت الصحيفة": the newspaper, channel or site named before in the article
                media = self._media_named(descs[0], doc)
                if media is not None:
                    return ([media], "") if media else ([], "")
                prev = state.last("o")
                return ([prev], "") if prev else ([], "")
            if descs:
                self._descs = descs
                keys = []
                for d in descs:
                    if not d.gender and found.gender and len(descs) == 1 and d.kind == "person":
                        d.gender = found.gender
                    keys.append("~" + doc.actors.register(d))
                return list(dict.fromkeys(keys)), ""
        req = found.carry
        if not req or not self.carry_over:
            return [], ""
        if req.startswith("fallback:"):
            # the verb has a subject that names no one we can tell: not the previous speaker
            return [], "the subject of the verb names no actor"
        if req == "anaphor":
            prev = state.source or state.last("")
            return ([prev], "") if prev else ([], "")
        if req == "author":
            return [], found.note
        if req.startswith("pronoun:"):
            g = req.split(":", 1)[1]
            prev = state.last(g) or self._referent(found.text, doc, g) or state.mentioned_last(g)
            return ([prev], "") if prev else ([], "")
        if req.startswith("participants:"):
            n = int(req.split(":", 1)[1])
            ps = state.participants(n or None) or ([state.source or state.last("")]
                                                     if (state.source or state.last("")) else [])
            return [p for p in ps if p], ""
        prev = state.last("" if req == "-" else req)
        return ([prev], "") if prev else ([], "")

    def _referent(self, before: str, doc: _Doc, gender: str) -> str:
        """"When I asked the chief engineer, Priya Natarajan, …, she told me": a person named
        earlier in the same sentence (used when no earlier speaker has the pronoun's gender)."""
        if not before or gender == "o" or not self.discover:
            return ""
        ds = [d for d in parse(before) if d.kind == "person" and len(d.name_keys) >= 2]
        if not ds:
            return ""
        ds[-1].gender = ds[-1].gender or gender
        return "~" + doc.actors.register(ds[-1])

    def _mentions(self, text: str, toks, doc: _Doc) -> None:
        """Remember persons named in narration ("…, Doreen Walsh, wrote to me"): a later "she"
        with no earlier speaker of that gender refers to them."""
        if not self.discover or not any(t.surface[:1].isupper() for t in toks[1:]) or \
                any("\u0600" <= ch <= "\u06ff" for ch in text[:50]):
            return
        for d in parse(text):
            if d.kind == "person" and len(d.name_keys) >= 2:
                doc.state.mentions.append("~" + doc.actors.register(d))

    def _row(self, doc: _Doc, keys: list[str], surface: str, how: str, note: str,
             relayer: str = "", gender: str = "", push: bool = True) -> list:
        reg = self.registry
        first = keys[0]
        names = []
        for k in keys:
            names.append(reg.resolve(k)["speaker"] if k in reg else
                         doc.actors.actors[doc.actors.resolve(k[1:])].display())
        if first in reg:
            info, source, person = reg.resolve(first), "registry", reg.get(first).is_person
            g = gender if reg.get(first).gender == "" else reg.get(first).gender
        else:
            d = doc.actors.actors[doc.actors.resolve(first[1:])]
            info = describe(d)
            source, person, g = d.source, d.kind == "person", d.gender or gender
        if push:
            doc.state.push(first, g, person)
        found = {k: doc.actors.actors[doc.actors.resolve(k[1:])].to_dict() for k in keys
                 if k not in reg}
        return [info["speaker"], first, surface, info["organisation"], info["country"],
                info["bloc"], how, relayer, note, ";".join(dict.fromkeys(names)), source,
                json.dumps({"keys": keys, "actors": found}, ensure_ascii=False) if found else ""]

    def _set_author(self, doc: _Doc, author: str) -> None:
        if not author:
            return
        hits = self.registry.match_text(author) if len(self.registry) else []
        if hits and len(hits[0][1]) >= 0.6 * len(author.strip()):
            doc.author = hits[0][0]
        else:
            descs = parse(author) if self.discover else []
            d = descs[0] if descs else Description(name=author.strip(), kind="person",
                                                   name_keys=(normalize(author.strip()),))
            d.text = author.strip()
            doc.author = "~" + doc.actors.register(d)
        doc.author_keys = {t.norm for t in tokenize(author)}

    def _authored(self, text: str, toks, doc: _Doc) -> bool:
        """A body statement the author makes: a sentence (not a dateline or a contact line)
        that does not speak of the author in the third person."""
        words = [t for t in toks if not t.norm.isdigit()]
        dateline = toks and toks[0].surface.isupper() and len(toks[0].surface) > 2 and \
            any(t.norm.isdigit() for t in toks[:6])
        if len(words) < 2 or dateline or ":" in text[:40] and len(words) < 8:
            return False
        names = doc.author_keys
        return not (names and sum(t.norm in names for t in toks[:6]) >= min(2, len(names)))

    def _narration_reset(self, toks, mentions, state: CarryState):
        """Narration whose subject (near the start) is a named actor ends the carry-over chain."""
        for m in mentions:
            if m.i <= 4 and m.actor_id != state.last(""):
                state.reset()
                return


def describe(d: Description) -> dict:
    """speaker, organisation, country, bloc of a discovered actor (gazetteer default bloc)."""
    g = gazetteer()
    org = d.org or (d.display() if d.kind in ("organisation", "state") else "")
    return {"speaker": d.display(), "organisation": org, "country": d.country,
            "bloc": g.bloc(d.country)}


def unknown_speakers(attributed: pd.DataFrame) -> pd.DataFrame:
    """Speakers found in the text that no registry actor matched (discovered or gazetteer
    actors, and names nobody could be made of): speaker_text, n, example_claim_id."""
    cols = ["speaker_text", "n", "example_claim_id"]
    if attributed is None or not len(attributed) or "attribution" not in attributed:
        return pd.DataFrame(columns=cols)
    src = attributed["speaker_source"] if "speaker_source" in attributed else \
        pd.Series("", index=attributed.index)
    u = attributed[(attributed["speaker_text"].astype(str) != "") &
                   (src.isin(["discovered", "gazetteer"]) | (attributed["attribution"] == "unknown"))]
    if not len(u):
        return pd.DataFrame(columns=cols)
    key = u["speaker_text"].map(normalize)
    rows = []
    for _, grp in u.groupby(key, sort=False):
        rows.append({"speaker_text": grp["speaker_text"].iloc[0], "n": int(len(grp)),
                     "example_claim_id": str(grp["claim_id"].iloc[0])})
    return pd.DataFrame(rows, columns=cols).sort_values(["n", "speaker_text"],
                                                        ascending=[False, True]).reset_index(drop=True)
