"""Speakers without a registry: discovered actors, the bundled gazetteer, corpus-level merging,
outlet boilerplate and duplicates, authors of first-person documents, readouts, and the registry
winning over what is discovered. Fast: no model."""
import pandas as pd
import pytest

from stance.attribution import ActorRegistry, Attributor, finalize_attribution
from stance.attribution.discover import parse
from stance.attribution.gazetteer import gazetteer
from stance.config import Config
from stance.corpus.segment import Segmenter


def attribute(texts, registry=None, outlets=None, authors=None, finalize=True):
    """Statements of `texts` (doc_id -> text) attributed (and finalized) as the pipeline does."""
    docs = pd.DataFrame({"doc_id": list(texts), "text": list(texts.values()), "title": "",
                         "language": "", "date": "2024-01-01",
                         "outlet": [(outlets or {}).get(d, "") for d in texts],
                         "speaker": [(authors or {}).get(d, "") for d in texts]})
    reg = registry or ActorRegistry.empty()
    st = Segmenter(min_chars=5).transform(docs)
    claims = Attributor(reg).transform(st, docs)
    if not finalize:
        return claims, None
    return finalize_attribution(claims, docs, reg, Config())


def row(claims, start):
    m = claims[claims["text"].str.startswith(start)]
    assert len(m) == 1, (start, list(claims["text"]))
    return m.iloc[0]


# ------------------------------------------------------------------ phrases
@pytest.mark.parametrize("phrase,name,role,country", [
    ("المتحدث باسم الكرملين، دميتري بيسكوف", "دميتري بيسكوف", "spokesperson", "RUS"),
    ("Chief executive Lindiwe Mokoena", "Lindiwe Mokoena", "leader", ""),
    ("Argentine Foreign Minister Lucía Ferreyra", "Lucía Ferreyra", "foreign minister", "ARG"),
    ("Le ministre malien de l'Énergie et de l'Eau, Ousmane Traoré", "Ousmane Traoré", "minister",
     "MLI"),
    ("Министр по чрезвычайным ситуациям Сабина Ахметова", "Сабина Ахметова", "minister", ""),
])
def test_titles_and_roles_are_stripped(phrase, name, role, country):
    (d,) = parse(phrase)
    assert (d.name, d.kind, d.role, d.country) == (name, "person", role, country)


@pytest.mark.parametrize("phrase,display,country", [
    ("وزير الخارجية الأمريكي", "American foreign minister", "USA"),           # demonym
    ("the Russian foreign minister", "Russian foreign minister", "RUS"),
    ("le ministère français des Affaires étrangères", "French foreign ministry", "FRA"),
    ("البيت الأبيض", "White House", "USA"),                                  # seats
    ("الكرملين", "Kremlin", "RUS"),
    ("موسكو", "Russian government", "RUS"),                                  # a capital
    ("حلف الناتو", "NATO", "NATO"),                                          # organisation
    ("пресс-секретарь Кремля", "Kremlin spokesperson", "RUS"),
])
def test_gazetteer_entities(phrase, display, country):
    (d,) = parse(phrase)
    assert (d.display(), d.country, d.source) == (display, country, "gazetteer")


@pytest.mark.parametrize("phrase,names", [
    ("ألمانيا وفرنسا", ["German government", "French government"]),
    ("Germany and France", ["German government", "French government"]),
    ("Казахстан и Туркменистан", ["Kazakh government", "Turkmen government"]),
    ("Araújo and Ferreyra", ["Araújo", "Ferreyra"]),
    ("Ministry of Development, Industry and Trade", ["Ministry of Development, Industry and Trade"]),
    ("Transport and Dock Workers Union", ["Transport and Dock Workers Union"]),
])
def test_coordinated_speakers_split(phrase, names):
    assert [d.display() for d in parse(phrase)] == names


def test_nobody_named():
    for phrase in ("وسائل إعلام فرنسية", "التقرير", "Not everyone", "In a statement"):
        assert parse(phrase) == [], phrase


def test_gazetteer_loaded_once_and_blocs():
    g = gazetteer()
    assert gazetteer() is g
    assert (g.bloc("RUS"), g.bloc("FRA"), g.bloc("UKR"), g.bloc("NATO"), g.bloc("UNSC")) == \
        ("Russia", "West", "Ukraine", "West", "UN")


# ------------------------------------------------------------------ documents, no registry
def test_arabic_discovered_actor_and_carry_over():
    claims, actors = attribute({"a": (
        "وقال المتحدث باسم الكرملين، دميتري بيسكوف، إن موسكو لا تريد الحرب. "
        "وأضاف أن الغرب يتجاهل المخاوف الروسية. "
        "وأكد بيسكوف أن الحوار ممكن.")})
    speakers = set(claims["speaker"])
    assert speakers == {"دميتري بيسكوف"}
    r = row(claims, "وقال المتحدث")
    assert (r["organisation"], r["country"], r["bloc"], r["speaker_source"]) == \
        ("Kremlin", "RUS", "Russia", "discovered")
    assert row(claims, "وأضاف")["attribution"] == "carry_over"
    (a,) = actors.itertuples()
    assert (a.role, a.source, a.n_statements, a.kind) == ("spokesperson", "discovered", 3, "person")


def test_english_discovered_actor_and_surname():
    claims, _ = attribute({"e": (
        "Chief executive Lindiwe Mokoena rejected the union's claim, saying talks went on. "
        "Mokoena repeated that the offer was final. "
        "The Fruit Exporters' Council said fruit was rotting.")})
    assert row(claims, "Chief executive")["speaker"] == "Lindiwe Mokoena"
    assert row(claims, "Mokoena repeated")["speaker"] == "Lindiwe Mokoena"
    r = row(claims, "The Fruit")
    assert (r["speaker"], r["speaker_text"]) == ("Fruit Exporters' Council", "Fruit Exporters' Council")


def test_cross_document_merge():
    claims, actors = attribute({
        "d1": "Kremlin spokesman Dmitry Peskov said talks would go on.",
        "d2": "Reporters asked Dmitry Peskov about the talks. Peskov said the West ignored Russia.",
        "d3": "وقال الرئيس الروسي فلاديمير بوتين إن روسيا مستعدة. وأكد بوتين أن الحوار ممكن.",
        "d4": "التقى فلاديمير بوتين نظيره أمس. وأكد بوتين أن العقوبات لن تنجح.",
        "d5": "Keane led the delegation. Keane said the companies would invest."})
    ids = claims[claims["speaker"] != ""].groupby("doc_id")["speaker_id"].first()
    assert ids["d1"] == ids["d2"] and ids["d3"] == ids["d4"] and ids["d1"] != ids["d3"]
    # a surname joins another article's full name only where that article names it too
    assert ids["d5"] not in set(ids[["d1", "d3"]])
    assert row(claims, "Peskov said")["speaker"] == "Dmitry Peskov"
    a = actors.set_index("name")
    assert a.loc["Dmitry Peskov", "n_statements"] == 2 and a.loc["فلاديمير بوتين", "country"] == "RUS"
    assert set(a["source"]) == {"discovered"}


def test_coordinated_statement_credits_both():
    claims, actors = attribute({"n": "Norway and Iceland said the proposal was unfair."})
    r = claims.iloc[0]
    assert r["speaker"] == "Norwegian government"
    assert r["speakers_all"] == "Norwegian government;Icelandic government"
    assert set(actors["name"]) == {"Norwegian government", "Icelandic government"}
    assert set(actors["source"]) == {"gazetteer"} and set(actors["bloc"]) == {"West"}


# ------------------------------------------------------------------ boilerplate, duplicates
def test_outlet_boilerplate_and_duplicates():
    para = "حلف الناتو يحاول التمدد شرقا، وروسيا الاتحادية ترفض ذلك وتطالب بضمانات أمنية."
    quote = 'وقال الكرملين إن "الحوار هو الطريق الوحيد للحل".'
    claims, actors = attribute(
        {"a1": "وقال بوتين إن روسيا لا تهدد أحدا. " + para + " " + quote,
         "a2": "وقال بيسكوف إن الحوار ممكن. " + para + " " + quote,
         "b1": "وقال لافروف إن الغرب يتصعد. " + para},
        outlets={"a1": "Outlet A", "a2": "Outlet A", "b1": "Outlet B"})
    bp = claims[claims["text"] == para].set_index("doc_id")
    assert list(bp.loc[["a1", "a2"], "kind"]) == ["boilerplate", "boilerplate"]
    assert (bp.loc[["a1", "a2"], "speaker"] == "").all() and (bp.loc[["a1", "a2"], "attribution"] == "").all()
    assert bp.loc["b1", "kind"] != "boilerplate"           # another outlet: not its boilerplate
    assert bp.loc["b1", "duplicate_of"] == bp.loc["a1", "claim_id"]   # but counted once
    q = claims[claims["text"] == quote].set_index("doc_id")   # a repeated quotation stays
    assert (q["speaker"] == "Kremlin").all() and q.loc["a2", "duplicate_of"] == q.loc["a1", "claim_id"]
    assert actors.set_index("name").loc["Kremlin", "n_statements"] == 1


def test_compare_counts_duplicates_once():
    from stance.compare import actor_topic
    c = pd.DataFrame({"claim_id": ["a:0", "b:0"], "doc_id": ["a", "b"], "text": ["x", "x"],
                      "speaker": ["S", "S"], "country": "", "bloc": "", "topic_id": "T1",
                      "topic_label": "t", "stance": "affirm", "stance_score": 1.0,
                      "date": "2024-01-01", "outlet": "", "duplicate_of": ["", "a:0"]})
    assert actor_topic(c)["n_claims"].tolist() == [1]


# ------------------------------------------------------------------ authors
def test_author_is_the_speaker_of_first_person_statements():
    text = ("Testimony of Inspector General Margaret Ellison\n\n"
            "I want to be direct about what we found. The agency does not know how many stations "
            "exist. As the Comptroller General, Dana Whitfield, told this committee, “the data is "
            "incomplete.” I agree with that assessment. Margaret Ellison is the inspector general.")
    docs = {"t": text}
    claims, actors = attribute(docs, authors={"t": "Margaret Ellison"})
    assert row(claims, "I want")["speaker"] == "Margaret Ellison"
    assert row(claims, "I want")["attribution"] == "author"
    assert row(claims, "The agency")["speaker"] == "Margaret Ellison"
    assert row(claims, "As the Comptroller")["speaker"] == "Dana Whitfield"   # someone else
    assert row(claims, "I agree")["speaker"] == "Margaret Ellison"
    assert row(claims, "Testimony of")["speaker"] == ""                       # the title
    assert row(claims, "Margaret Ellison is")["speaker"] == ""                 # about the author
    without, _ = attribute(docs)
    assert row(without, "I want")["speaker"] == ""


# ------------------------------------------------------------------ readouts
@pytest.mark.parametrize("text,start,speakers", [
    ("“We will not cut our catch,” Norwegian minister Ingrid Haugland said. “Nor will we,” said "
     "Icelandic minister Gunnar Einarsson. In a call on Monday, the two ministers discussed the "
     "plan and agreed to meet.", "In a call", "Ingrid Haugland;Gunnar Einarsson"),
    ("Marchal et Ortega se sont entretenus mardi et ont convenu de défendre une position "
     "commune.", "Marchal", "Marchal;Ortega"),
    ("Вечером Исмаилов и Гасанова провели встречу, обсудили мониторинг и договорились "
     "вернуться к переговорам.", "Вечером", "Исмаилов;Гасанова"),
    ("كذلك اتفق بوتين وماكرون على أهمية الحوار.", "كذلك", "بوتين;ماكرون"),
])
def test_readouts(text, start, speakers):
    claims, _ = attribute({"r": text})
    r = row(claims, start)
    assert (r["attribution"], r["speakers_all"]) == ("readout", speakers)


def test_single_actor_without_partner_is_no_readout():
    claims, _ = attribute({"n": "Not everyone agreed. The committee discussed the budget."})
    assert set(claims["attribution"]) == {"unattributed"}


# ------------------------------------------------------------------ the registry wins
def test_registry_wins_and_enriches():
    reg = ActorRegistry.from_records([
        {"id": "ru", "name": "Russian government", "kind": "organisation",
         "aliases": ["Moscow", "الحكومة الروسية"], "country": "RUS", "bloc": "Russia"},
        {"id": "nato", "name": "NATO", "kind": "organisation", "aliases": ["NATO"],
         "country": "NATO", "bloc": "Atlantic"}],
        blocs={"Atlantic": {"description": "NATO and the US", "countries": ["USA", "POL"]}})
    claims, actors = attribute({"x": "Russia said it wanted talks. NATO said it was ready. "
                                     "Poland said it would help. The US State Department said "
                                     "nothing changed."}, registry=reg)
    r = row(claims, "Russia said")                  # gazetteer "Russian government" = registry
    assert (r["speaker_id"], r["speaker_source"], r["bloc"]) == ("ru", "registry", "Russia")
    assert row(claims, "NATO said")["speaker_id"] == "nato"
    assert row(claims, "Poland said")["bloc"] == "Atlantic"     # the analyst's `blocs:` list
    a = actors.set_index("actor_id")
    assert a.loc["ru", "source"] == "registry" and a.loc["nato", "bloc"] == "Atlantic"


def test_seat_office_and_government_are_one_actor():
    claims, actors = attribute({
        "s1": "وقال الكرملين إن الحوار ممكن. وأعلنت الرئاسة الروسية أن القمة قائمة.",
        "s2": "وأكدت الحكومة الروسية أنها لا تريد الحرب. وأعربت موسكو عن قلقها."})
    ids = dict(zip(claims["text"].str[:12], claims["speaker_id"]))
    assert ids["وقال الكرملي"] == ids["وأعلنت الرئا"]             # seat = the office it stands for
    assert ids["وأكدت الحكوم"] == ids["وأعربت موسكو"]             # a capital = its government
    assert set(actors["name"]) == {"Kremlin", "Russian government"}
