from stance.corpus.clean import BoilerplateCleaner
from stance.corpus.content import clause_spans, content_span
from stance.corpus.segment import Segmenter, quote_spans


def test_seed_offsets_exact(seed_docs, seed_statements):
    texts = dict(zip(seed_docs.doc_id, seed_docs.text))
    assert len(seed_statements) > 80
    for r in seed_statements.itertuples():
        assert texts[r.doc_id][r.start:r.end] == r.text
    assert seed_statements.claim_id.is_unique


def test_seed_boilerplate_removed(seed_statements):
    joined = "\n".join(seed_statements.text)
    for junk in ("An error occurred", "اخترنا لك", "أفكارك وتعليقاتك", "0:00", "•", "(تستمر)",
                 "المصدر:", "اقرأ أيضاً"):
        assert junk not in joined, junk
    # The headline printed twice in 002 appears once.
    dup = "مسؤول أميركي: سنقدم مساعدة عسكرية لحلفائنا إذا أقدمت روسيا على غزو أوكرانيا"
    assert sum(t == dup for t in seed_statements.text) == 1


def test_quotes_kept_whole(seed_statements):
    # A two-sentence quotation stays in one statement.
    st = seed_statements[seed_statements.text.str.contains("تم الحصول على رسالتي طلب")]
    assert len(st) == 1
    t = st.text.iloc[0]
    assert "يعرب رئيسا الجمهوريتين" in t and st.is_quote.iloc[0]
    assert t.count("“") == t.count("”")


def test_titles_and_headings(seed_statements):
    kinds = dict(zip(seed_statements.text, seed_statements.kind))
    assert kinds["بايدن: الدبلوماسية لا تزال خياراً قائماً"] == "heading"
    assert kinds["وبايدن: لن نرسل قوات للقتال في أوكرانيا"] == "title"


def test_latin_abbreviations_and_numbers():
    text = ("Mr. Smith said the U.S. economy grew 3.5 percent. Dr. Jones disagreed! "
            'He said "this is wrong. Completely wrong." Then he left.')
    st = Segmenter(min_chars=5).segment_text(text)
    got = [s["text"] for s in st]
    assert got == ["Mr. Smith said the U.S. economy grew 3.5 percent.", "Dr. Jones disagreed!",
                   'He said "this is wrong. Completely wrong."', "Then he left."]
    assert st[2]["is_quote"]


def test_arabic_punctuation_and_guillemets():
    text = "قال الوزير «لن نتراجع. أبداً» أمس؛ وأضاف أن الحوار مستمر؟ نعم بالتأكيد.\nسطر جديد هنا للاختبار"
    st = Segmenter(min_chars=5).segment_text(text)
    got = [s["text"] for s in st]
    assert got[0] == "قال الوزير «لن نتراجع. أبداً» أمس؛"
    assert got[-1] == "سطر جديد هنا للاختبار"
    for s in st:
        assert text[s["start"]:s["end"]] == s["text"]


def test_custom_boilerplate_pattern():
    text = "Subscribe to our newsletter now\nThe minister said talks continue."
    seg = Segmenter(BoilerplateCleaner([r"^Subscribe.*$"]), min_chars=5)
    assert [s["text"] for s in seg.segment_text(text)] == ["The minister said talks continue."]


def test_quote_spans_and_content():
    t = 'وقال بيسكوف إن "روسيا لن تهاجم أوكرانيا أبدا" اليوم'
    (a, b), = quote_spans(t)
    assert t[a:b] == "روسيا لن تهاجم أوكرانيا أبدا"
    s, e = content_span(t)
    assert t[s:e] == "روسيا لن تهاجم أوكرانيا أبدا"
    t2 = "وأكدت المتحدثة أن الرئيس ليس لديه أي نية لإرسال قوات، لكنه يدرس كل الخيارات المتاحة أمامه"
    s, e = content_span(t2)
    assert t2[s:e].startswith("الرئيس ليس")
    clauses = [t2[a:b] for a, b in clause_spans(t2)]
    assert len(clauses) == 2 and clauses[1].startswith("لكنه")


def test_content_after_participial_reporting():
    t = "Kremlin spokesman Dmitry Peskov denied the claims, saying Russia has no plans to attack anyone."
    s, e = content_span(t)
    assert t[s:e] == "Russia has no plans to attack anyone."
    t2 = "Le ministre a déclaré que la France n'enverrait pas de troupes en Ukraine."
    s, e = content_span(t2)
    assert t2[s:e].startswith("la France")


def test_windows_line_endings_segment_like_unix(seed_docs):
    seg = Segmenter()
    for text in seed_docs.text:
        crlf = text.replace("\n", "\r\n")
        a, b = seg.segment_text(text), seg.segment_text(crlf)
        assert [(s["text"], s["kind"]) for s in a] == [(s["text"], s["kind"]) for s in b]
        assert all(crlf[s["start"]:s["end"]] == s["text"] for s in b)
