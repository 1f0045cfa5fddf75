"""Script-aware text normalisation shared by the actor matcher, topic labeller and stance tagger.

Arabic news spells the same word many ways (أ/إ/آ/ا, ة/ه, ى/ي, optional diacritics and
tatweel), and glues clitics (و، ف، ب، ل، ك، ال) to the front of words. Matching and keyword
statistics must see through that, so everything that compares words goes through here.
"""
from __future__ import annotations

import re
import unicodedata

# Harakat, Quranic marks, superscript alef; tatweel separately.
_AR_DIACRITICS = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"
_AR_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ة": "ه",
    "ى": "ي", "ی": "ي", "ې": "ي",  # Persian/Urdu ya seen in scraped Arabic
    "ک": "ك",
    "ؤ": "و", "ئ": "ي",
    # Arabic-Indic and Persian digits to ASCII
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4",
    "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4",
    "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
})
# Bidi controls and zero-width characters that scraped text carries invisibly.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
ARABIC_LETTER = re.compile("[\u0620-\u064A\u0671-\u06D3]")

# Proclitics that attach to the following word. Longest first so "وال" wins over "و".
_PROCLITICS = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def normalize_arabic(text: str) -> str:
    """Fold Arabic orthographic variation; leaves other scripts untouched except case."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _AR_DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_AR_MAP)


def normalize(text: str) -> str:
    """Full comparison form: Arabic folding plus case folding for cased scripts."""
    return normalize_arabic(text).casefold()


def is_arabic(text: str) -> bool:
    """Does the text contain Arabic letters (for language-specific rules)?"""
    return bool(ARABIC_LETTER.search(text))


# Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo … and their presentation forms):
# the one test of writing direction used by tables, figures and the report.
RTL_SCRIPT = re.compile("[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


def is_rtl(text) -> bool:
    """Should the text be shown right-to-left (does it contain a right-to-left script)?"""
    return isinstance(text, str) and bool(RTL_SCRIPT.search(text))


def tokens(text: str) -> list[str]:
    """Normalised word tokens (no stemming)."""
    return TOKEN_RE.findall(normalize(text))


def strip_proclitics(token: str, vocab: "set[str] | frozenset[str] | None" = None) -> str:
    """Remove Arabic proclitics while keeping a stem of at least 3 letters.

    Article forms (ال، وال، بال، لل …) are always removed. A bare one-letter clitic (و، ف، ب، ل، ك)
    is only removed when the remainder is a word seen elsewhere (`vocab`), because many stems
    start with those letters (وزير، بيسكوف، لافروف).
    """
    if not ARABIC_LETTER.match(token):
        return token
    for p in _PROCLITICS:
        if len(p) == 1:
            break
        if token.startswith(p) and len(token) - len(p) >= 3:
            return token[len(p):]
    if vocab and len(token) >= 4 and token[0] in "وفبلك" and token[1:] in vocab:
        return token[1:]
    return token


def token_variants(token: str) -> set[str]:
    """All clitic-stripped forms of a normalised token, used for tolerant matching."""
    out = {token}
    if ARABIC_LETTER.match(token):
        for p in _PROCLITICS:
            if token.startswith(p) and len(token) - len(p) >= 2:
                out.add(token[len(p):])
    return out


STOPWORDS_AR = frozenset(normalize(w) for w in """
في من على الى إلى عن مع ان إن أن كان كانت يكون تكون هذا هذه ذلك تلك هو هي هم هن نحن انا أنا
انت أنت التي الذي الذين اللذين اللتين او أو ثم قد لقد ما لا لم لن ليس غير كل بعض اي أي حتى
اذا إذا لو الا إلا اما أما بين عند عندما حيث كما كذلك ايضا أيضا منذ خلال بعد قبل حول ضد دون
وقد وفي ومن وعلى وان وأن وإن وهو وهي وكان وكانت فيه فيها منه منها عليه عليها اليه إليه لها له
لهم بها به بأن بان فإن فان كيف لماذا متى هل يا اليوم امس أمس غدا الان الآن وقال قال قالت وقالت
اكد أكد وأكد اكدت أكدت واضاف وأضاف اضاف أضاف واضافت وأضافت وتابع وتابعت تابع تابعت اعلن أعلن
اعلنت أعلنت وأعلن ذكر وذكر ذكرت اشار أشار وأشار اشارت أشارت وفق وفقا بحسب حسب نقلا الى،
عبر لدى لدي تم يتم وهذا وهذه الذي ولكن لكن بل اذ إذ مثل سوى فقط جدا مرة مرات احد أحد
السبت الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة
""".split())

STOPWORDS_EN = frozenset("""
a an the and or but if then of to in on at by for with from about as into over after before
is are was were be been being has have had do does did not no nor this that these those it its
he she they we you i his her their our your them us him me said says say told tell according
will would could should may might can must also more most than very just only so such there here
what which who whom whose when where why how all any both each few other some own same too
didn doesn don won isn wasn aren weren hasn haven hadn couldn wouldn shouldn
""".split())

STOPWORDS_FR = frozenset("""
le la les un une des du de et ou mais en au aux dans sur par pour avec sans est sont été être
a ont ce cette ces il elle ils elles nous vous je on qui que quoi dont où ne pas plus se sa son ses
leur leurs a dit selon qu aujourd hui
""".split())

STOPWORDS_RU = frozenset("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до
вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя
их чем была сам чтобы без будто чего раз тоже себе под будет ж тогда кто этот того потому этого
какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда
заявил заявила сказал сказала по словам
""".split())

STOPWORDS = STOPWORDS_AR | STOPWORDS_EN | STOPWORDS_FR | STOPWORDS_RU


def content_tokens(text: str, vocab: "set[str] | frozenset[str] | None" = None) -> list[str]:
    """Tokens for keyword statistics: normalised, clitics stripped, stop words and digits removed."""
    out = []
    for t in tokens(text):
        if t in STOPWORDS or t.isdigit() or len(t) < 2:
            continue
        s = strip_proclitics(t, vocab)
        if s in STOPWORDS or len(s) < 2:
            continue
        out.append(s)
    return out
