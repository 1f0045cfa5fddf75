"""Untitled Arabic names checked on the corpus (evidence.py), carry-overs that stop at
boilerplate or at an unconfirmed subject, addressees after a glued "ل", titled subjects after
the verb, hypothetical "كمن يقول". Arabic snippets, fast: no model."""
import pandas as pd

from stance.attribution.discover import parse
from stance.attribution.evidence import (WordStats, carry_across_boilerplate, given_first,
                                         untitled_check)

from test_actors import attribute, row

# A small corpus in which "محاولة", "خيانة", "سجن" are common words (with the article, with
# clitics, after particles) and "بيسكوف" is only ever a name.
FILLER = [
    "وفشلت المحاولة الأولى. وتكررت المحاولة بعد محاولة سابقة. واعتبر الخيانة جريمة والخيانة "
    "عار. ونقل إلى السجن ثم خرج من السجن. وقال بيسكوف إن الأمر انتهى. لم يتقدم أحد وقد يتقدم "
    "غيره."
    for _ in range(24)
]


def stats():
    return WordStats(FILLER)


def test_common_words_are_no_names():
    s = stats()
    assert untitled_check("خيانة", s)                       # takes the article
    assert untitled_check("بمحاولة", s)                     # ب + a common word
    assert untitled_check("سجنه", s)                        # a common word + pronoun
    assert untitled_check("يتقدم", s)                       # follows verbal particles
    assert untitled_check("بيسكوف", s) == ""                # a name
    assert untitled_check("حسبما", None)                    # bundled common-word list
    assert untitled_check("نقلت عنها", None)                # a reporting verb
    assert untitled_check("حسن نصرالله", s) == ""           # a given name first
    assert given_first("وقالت أمل") is False and given_first("أمل") is True


def test_a_small_corpus_skips_the_statistics():
    # fewer than 20 documents: only the bundled lists decide
    assert untitled_check("خيانة", WordStats(FILLER[:3])) == ""


def test_rejected_name_drops_its_statement_and_carry_over():
    texts = {f"f{i}": t for i, t in enumerate(FILLER)}
    texts["a"] = "وقال بمحاولة إن الوضع صعب جدا في المدينة. وأضاف أن الحل ما زال بعيدا."
    texts["b"] = "وقال بيسكوف إن الوضع صعب جدا في المدينة. وأضاف أن الحل ما زال قريبا."
    claims, _ = attribute(texts)
    a = claims[claims["doc_id"] == "a"]
    assert (a["speaker"] == "").all()
    assert "no name here" in a.iloc[0]["attribution_note"]
    b = claims[claims["doc_id"] == "b"].sort_values("start")
    assert list(b["speaker"]) == ["بيسكوف", "بيسكوف"]
    assert list(b["attribution"]) == ["reporting_verb", "carry_over"]


def test_carry_over_never_crosses_boilerplate():
    c = pd.DataFrame({
        "doc_id": ["d"] * 3, "start": [0, 10, 20],
        "kind": ["body", "boilerplate", "body"],
        "speaker_id": ["~p:x", "", "~p:x"], "speaker": ["X", "", "X"],
        "attribution": ["quote", "", "carry_over"], "attribution_note": ["", "", ""],
        "_actors": ["", "", ""]})
    out = carry_across_boilerplate(c)
    assert out.loc[2, "speaker"] == "" and out.loc[2, "attribution"] == "unattributed"
    assert out.loc[0, "speaker"] == "X"
    c.loc[1, "kind"] = "body"                                   # no boilerplate: kept
    assert carry_across_boilerplate(c).loc[2, "speaker"] == "X"


def test_medium_after_glued_lam_is_the_addressee():
    ds = parse("مصدر ميداني لتلفزيون الخبر")
    assert ds and all("الخبر" not in d.name and "تلفزيون" not in d.name for d in ds)
    ds = parse("وزير الخارجية الروسي سيرغي لافروف للقناة الأولى")
    assert [d.name for d in ds] == ["سيرغي لافروف"]


def test_titled_subject_after_the_verb_wins():
    claims, _ = attribute({"d": "والمملكة لا توافق على بقاء الأسد رئيسا لسوريا قال وزير الخارجية "
                                "السعودي عادل الجبير في مقابلة إن التقرير نفى أي مسؤولية."})
    r = row(claims, "والمملكة")
    assert r["speaker"] == "عادل الجبير" and r["country"] == "SAU"


def test_whoever_says_is_no_speaker():
    claims, _ = attribute({"d": "وقد تقمص دور الزعيم كمن يقول إننا أمة عظيمة مثل غيرنا."})
    assert row(claims, "وقد تقمص")["speaker"] == ""


def test_unconfirmed_subject_of_a_pro_drop_verb_falls_back_to_the_previous_speaker():
    # "وتوقعت تزايد الهجمات": the words after the verb are its object, not a name
    claims, _ = attribute({"d": "وقالت المتحدثة باسم البيت الأبيض جين بساكي إن الوضع خطير. "
                                "وتوقعت تزايد الهجمات السيبرانية في الأيام المقبلة."})
    assert row(claims, "وتوقعت")["speaker"] == "جين بساكي"


def test_plural_nouns_adjectives_and_verbs_are_no_names():
    for phrase in ("المشاركون", "عقاريون", "المجتمعون", "اللندنية", "ذكره محمود بزان"):
        assert untitled_check(phrase, None), phrase
    assert untitled_check("الحريري", None) == ""


def test_short_quoted_arabic_name_after_a_verb_or_an_institution():
    claims, _ = attribute({"d": 'وقال " محمد علوش " إن الاتفاق خيانة للثورة .'})
    assert row(claims, "وقال")["speaker"] == "محمد علوش"
    claims, _ = attribute({"d": 'من جهتها , تحدثت وكالة " الصحافة الفرنسية " عن " اشتباكات '
                                'تدور في مناطق عدة " .'})
    assert row(claims, "من جهتها")["speaker"] == "وكالة الصحافة الفرنسية"
    # a quoted plural subject is a group, not the previous speaker
    claims, _ = attribute({"d": 'وقال الرئيس العراقي فؤاد معصوم إن الحوار ضروري . وطالب '
                                '" المجتمعون " أن تكون المفاوضات بمشاركة جهات دولية .'})
    assert row(claims, "وطالب")["speaker"] == ""


def test_names_cut_at_an_object_or_addressee():
    from stance.attribution.evidence import trim_name
    s = WordStats(["وصل الصحفيين إلى الصحفيين مع الصحفيين وصحفيين. الهجوم والهجوم ثم هجوم "
                   "وهجوم وهجوم وهجوم وهجوم. قتل وبقتل القتل القتل القتل."] * 24)
    assert trim_name("بريت مكجورك للصحفيين", "person", s) == "بريت مكجورك"
    assert trim_name("أحمد أبو زيد الهجوم", "person", s) == "أحمد أبو زيد"
    assert trim_name("منظمة بدر بقتل مسجونين", "organisation", s) == "منظمة بدر"
    assert trim_name("المرصد السوري لحقوق الإنسان", "organisation", s) == \
        "المرصد السوري لحقوق الإنسان"
    assert trim_name("سامي حداد", "person", s) == "سامي حداد"


def test_carry_over_only_from_a_confirmed_speaker():
    # "بزانيوف" is untitled, not the whole subject, named once: tentative. Its own statement
    # may stand if the corpus confirms it, but nothing is carried over from it.
    texts = {f"f{i}": t for i, t in enumerate(FILLER)}
    texts.update({f"n{i}": "زار بزانيوف المدينة القديمة في الصباح الباكر." for i in range(3)})
    texts["a"] = ("وأكد بزانيوف في المؤتمر الصحفي الذي عقد أمس أن الوضع صعب جدا في المدينة. "
                  "وأضاف أن الحل ما زال بعيدا.")
    claims, _ = attribute(texts)
    a = claims[claims["doc_id"] == "a"].sort_values("start")
    assert a.iloc[0]["speaker"] == "بزانيوف"
    assert a.iloc[1]["speaker"] == "" and "carried over from" in a.iloc[1]["attribution_note"]


def test_action_verbs_need_their_speech_object():
    claims, _ = attribute({"d": "وجددت قوات النظام قصفها مناطق في بلدة دير فول بريف حمص."})
    assert row(claims, "وجددت")["speaker"] == ""
    claims, _ = attribute({"d": "وجدد الرئيس التركي رجب طيب أردوغان دعوته إلى وقف القتال فورا."})
    assert row(claims, "وجدد")["speaker"] == "رجب طيب أردوغان"
    claims, _ = attribute({"d": "وعلقت الأمم المتحدة عمليات توزيع المساعدات في الولاية بعد الهجوم."})
    assert row(claims, "وعلقت")["speaker"] == ""


def test_media_relay_the_one_they_quote():
    claims, _ = attribute({"d": "وكتبت القناة التلفزيونية على صفحتها نقلا عن وزير الخارجية "
                                "الإيراني محمد جواد ظريف إن إيران ستنسحب أيضا."})
    r = row(claims, "وكتبت")
    assert r["speaker"] == "محمد جواد ظريف" and r["country"] == "IRN"
    claims, _ = attribute({"d": "وذكرت الوكالة أن وزير الخارجية الروسي سيرغي لافروف قال إن "
                                "المعركة انتهت."})
    assert row(claims, "وذكرت")["speaker"] == "سيرغي لافروف"


def test_preposition_glued_to_a_common_word_is_no_name():
    from stance.attribution.evidence import clitic_head
    s = WordStats(["الشؤون وشؤون الشؤون شؤون الشؤون. الجيش وجيش الجيش الجيش."] * 24)
    assert clitic_head("بشؤون الجماعات", s) and clitic_head("لجيش", s)
    assert clitic_head("بوتين", s) == "" and clitic_head("لافروف", s) == ""


def test_name_in_brackets():
    claims, _ = attribute({"d": "بدورها , ذكرت وكالة ( سانا ) ان الجيش يعيد الأمن إلى قرى الطيبة ."})
    assert row(claims, "بدورها")["speaker"] == "وكالة سانا"
