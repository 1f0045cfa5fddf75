import re, sys, yaml, collections; L = ("en", "ar", "fr", "ru"); path = sys.argv[1] if len(sys.argv) > 1 else "scripts/judge_data/pairs_a.yaml"
BAD = {"en": r"\b(russia\w*|ukrain\w*|nato|syria\w*|isis|islamic state|dams?|biden|putin|zelensk\w*)\b", "fr": r"\b(russie|russes?|ukrain\w*|otan|syrie\w*|syrien\w*|daech|état islamique|barrages?|biden|poutine|zelensk\w*)\b",
       "ru": r"\b(росси\w*|русск\w*|украин\w*|нато|сири[яиюей]\w*|игил|плотин\w*|байден\w*|путин\w*|зеленск\w*)\b", "ar": r"روسي|أوكران|الناتو|سوري|داعش|الدولة الإسلامية|بايدن|بوتين|زيلينسك|(^|\s)[وبلف]?(ال)?سدّ?(ود)?($|\s|[،.])"}
props = yaml.safe_load(open(path, encoding="utf-8"))["propositions"]; assert len(props) == 40, len(props); assert len({p["id"] for p in props}) == 40
for p in props:
    counts = collections.Counter(s["label"] for s in p["statements"]); assert counts == {"affirm": 3, "deny": 3, "neutral": 2, "unrelated": 2}, (p["id"], counts)
    for item in [p] + p["statements"]:
        for lang in L: t = item.get(lang); assert isinstance(t, str) and t.strip(), (p["id"], lang, item); assert not re.search(BAD[lang], t, re.I), (p["id"], lang, t)
print("ok:", len(props), "propositions,", sum(len(p["statements"]) for p in props), "statements x 4 languages")
