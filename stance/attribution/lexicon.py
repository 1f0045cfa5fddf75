"""The attributor's word lists, read once per process from `stance/resources/attribution/*.yaml`.

The lists are data, not code: `verbs.yaml` (reporting verbs per language), `cues.yaml`
("according to", readouts, addressees …), `words.yaml` (stops, fillers, role nouns,
pronouns …) and `names.yaml` (Arabic-script given names, Arabic common words). Everything here is folded with `stance.textnorm.normalize`, so that a word list
compares directly with `Token.norm`; role nouns and anaphors are also folded with `canon`
(no Arabic article, no Russian case ending) to compare with `Token.keys`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from ..textnorm import normalize
from .registry import canon, tokenize

RESOURCE = "resources/attribution"


def _load(name: str) -> dict:
    import yaml
    text = resources.files("stance").joinpath(f"{RESOURCE}/{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}


def _words(value) -> list[str]:
    """A YAML list or a whitespace-separated string, as a list of words."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


def _all_langs(section: dict | None, split_phrases: bool = False) -> list[str]:
    out: list[str] = []
    for v in (section or {}).values():
        out += [str(x) for x in v] if split_phrases and isinstance(v, list) else _words(v)
    return out


def is_filler(norm: str, fillers) -> bool:
    """A filler word, also with a conjunction glued to it ("ومن", "وفي")."""
    return norm in fillers or norm[:1] in "وف" and norm[1:] in fillers


def _norm_set(words) -> frozenset[str]:
    return frozenset(normalize(w) for w in words)


def _canon_set(words) -> frozenset[str]:
    return frozenset(canon(normalize(w)) for w in words)


def _phrases(section: dict | None) -> list[tuple[str, ...]]:
    """Multi-word markers as normalised token tuples (apostrophes and hyphens split)."""
    from .registry import tokenize
    out = []
    for v in (section or {}).values():
        for m in (v if isinstance(v, list) else [v]):
            toks = tuple(t.norm for t in tokenize(str(m)))
            if toks:
                out.append(toks)
    return out


def _conjugate_ar(pairs: list[str], out: dict) -> None:
    """Arabic past:present pairs -> every 3rd-person form: form -> (lemma, gender, tense)."""
    for pair in pairs:
        past, pres = pair.split(":")
        past, pres = normalize(past), normalize(pres)
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


@dataclass(frozen=True)
class Lexicon:
    ar_verbs: dict            # form -> (lemma, gender, tense)
    ar_impersonal: frozenset
    ar_needs: dict            # lemma -> (window, words): reports only with one of these after
    ar_participles: frozenset
    latin_verbs: dict         # form -> gender ("" unmarked)
    latin_present: frozenset  # forms that are present tense (no carry-over)
    fr_compound: frozenset    # participles that need an auxiliary
    participles: frozenset    # "saying", "estimant", "заявив" (Latin/Cyrillic)
    needs_next: dict          # form -> words one of which must follow
    quote_only: frozenset     # forms that report only in a statement with a quotation
    relative: frozenset
    relatives_ar: frozenset
    first_person: frozenset
    org_anaphor: frozenset
    according_pronoun: tuple  # (token tuple, gender)
    impersonal_in: frozenset
    pronouns: dict            # pronoun -> gender
    according: tuple          # token tuples
    according_first: frozenset
    initial_source: frozenset
    readout_ar: dict          # Arabic readout verb forms -> (lemma, gender, tense)
    readout_latin: tuple      # token tuples
    joint: frozenset
    addressee: frozenset
    post_stop: frozenset
    subject_end: frozenset
    clean_stop: frozenset
    pre_stop: frozenset
    negation: frozenset
    nt_aux: frozenset
    filler: frozenset
    anaphor: frozenset
    two_participants: frozenset
    role_f: frozenset
    role_m: frozenset
    role_category: dict       # kind -> canon set
    role_registry_words: dict
    latin_function: frozenset
    clause_openers: frozenset
    adverbs: frozenset
    auxiliaries: frozenset
    honorifics: frozenset
    not_names: frozenset
    connectors: frozenset     # words inside an organisation's name ("of", "de", "по")
    titles: frozenset         # canon forms
    institutions: frozenset   # canon forms
    given_ar: frozenset       # Arabic-script given names (names.yaml)
    common_ar: frozenset      # Arabic common words that are never a name (names.yaml)
    media: frozenset          # media nouns, canon form (names.yaml)


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The word lists, loaded and folded once per process."""
    v, c, w, nm = _load("verbs"), _load("cues"), _load("words"), _load("names")
    ar_verbs: dict = {}
    _conjugate_ar(_words(v["ar"]["regular"]), ar_verbs)
    for form, g in (v["ar"].get("irregular") or {}).items():
        form = normalize(str(form))
        tense = "present" if form[0] in "يت" else "past"
        ar_verbs.setdefault(form, (form, str(g or ""), tense))
    latin: dict = {}
    for lang in ("en", "fr"):
        for key in ("verbs", "stance", "compound"):
            latin.update({normalize(x): "" for x in _words(v[lang].get(key))})
    for g, key in (("m", "m"), ("f", "f"), ("", "plural"), ("", "present")):
        latin.update({normalize(x): g for x in _words(v["ru"].get(key))})
    present = _norm_set(_words(v["ru"].get("present")) + _words(v["fr"].get("verbs")))
    participles = _norm_set(_words(v["en"].get("participles")) + _words(v["fr"].get("participles"))
                            + _words(v["ru"].get("participles")))
    needs_next = {normalize(k): _norm_set(x) for k, x in (v["en"].get("needs_next") or {}).items()}
    latin.update({k: "" for k in needs_next})
    latin.update({normalize(k): "" for k in _words(v["en"].get("quote_only"))})
    pronouns = {}
    for lang_map in (w.get("pronouns") or {}).values():
        pronouns.update({normalize(k): str(g or "") for k, g in lang_map.items()})
    according = _phrases(c.get("according_to"))
    readout_ar: dict = {}
    _conjugate_ar(_words(c["readout"].get("ar")), readout_ar)
    readout_latin = tuple(p for lang, ps in (c.get("readout") or {}).items() if lang != "ar"
                          for p in _phrases({lang: ps}))
    return Lexicon(
        ar_verbs=ar_verbs, ar_impersonal=_norm_set(_words(v["ar"].get("impersonal"))),
        ar_needs={normalize(k): (int(x.get("window", 4)), _norm_set(_words(x.get("words"))))
                  for k, x in (v["ar"].get("needs_next") or {}).items()},
        ar_participles=_norm_set(_words(v["ar"].get("participles"))),
        latin_verbs=latin, latin_present=present,
        fr_compound=_norm_set(_words(v["fr"].get("compound"))), participles=participles,
        needs_next=needs_next, pronouns=pronouns,
        quote_only=_norm_set(_words(v["en"].get("quote_only"))),
        relative=_norm_set(_all_langs(w.get("relative"))),
        relatives_ar=_norm_set(_words(w.get("relatives_ar"))),
        first_person=_norm_set(_all_langs(w.get("first_person"))),
        org_anaphor=_norm_set(_all_langs(w.get("org_anaphor"))),
        according_pronoun=tuple((tuple(t.norm for t in tokenize(k)), str(g or ""))
                                for lang in (c.get("according_pronoun") or {}).values()
                                for k, g in lang.items()),
        impersonal_in=_norm_set(_all_langs(c.get("impersonal_in"))),
        according=tuple(according), according_first=frozenset(m[0] for m in according),
        initial_source=_norm_set(_all_langs(c.get("initial_source"))),
        readout_ar=readout_ar, readout_latin=readout_latin,
        joint=_norm_set(_all_langs(c.get("joint"))),
        addressee=_norm_set(_all_langs(c.get("addressee"))),
        post_stop=_norm_set(_all_langs(w.get("post_stop"))),
        subject_end=_norm_set(_all_langs(w.get("subject_end"))),
        clean_stop=_norm_set(_all_langs(w.get("clean_stop"))),
        pre_stop=_norm_set(_all_langs(w.get("pre_stop"))),
        negation=_norm_set(_all_langs(w.get("negation"))),
        nt_aux=_norm_set(_words(w.get("nt_aux"))),
        filler=_norm_set(_all_langs(w.get("filler"))),
        anaphor=_canon_set(_all_langs(w.get("anaphor"))),
        two_participants=_canon_set(_all_langs(w.get("two_participants"))),
        role_f=_canon_set(_all_langs(w.get("role_f"))),
        role_m=_canon_set(_all_langs(w.get("role_m"))),
        role_category={k: _canon_set(_words(x)) for k, x in (w.get("role_category") or {}).items()},
        role_registry_words={k: tuple(x) for k, x in (w.get("role_registry_words") or {}).items()},
        latin_function=_norm_set(_words(w.get("latin_function"))),
        clause_openers=_norm_set(_all_langs(w.get("clause_openers"))),
        adverbs=_norm_set(_all_langs(w.get("adverbs"))),
        auxiliaries=_norm_set(_all_langs(w.get("auxiliaries"))),
        honorifics=_norm_set(_words(w.get("honorifics"))),
        not_names=_canon_set(_all_langs(w.get("not_names"))),
        connectors=_norm_set(_words(w.get("connectors"))),
        titles=_canon_set(_all_langs(w.get("titles"))),
        institutions=_canon_set(_all_langs(w.get("institutions"))),
        given_ar=_norm_set(_words(nm.get("given_ar"))),
        common_ar=_norm_set(_words(nm.get("common_ar"))),
        media=_canon_set(_words(nm.get("media_ar"))),
    )
