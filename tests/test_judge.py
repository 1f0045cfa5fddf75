"""The claim judge: its table, its inputs, and (slow) the bundled model on pairs nobody trained it on."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stance.judges.cross import judgement_table, length_batches, pad_batch

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_judgement_table_reads_probabilities_as_documented():
    p = np.array([[0.9, 0.05, 0.03, 0.02],      # unrelated
                  [0.1, 0.72, 0.09, 0.09],      # affirm
                  [0.2, 0.08, 0.64, 0.08],      # deny
                  [0.4, 0.06, 0.06, 0.48]])     # neutral
    t = judgement_table(p)
    assert list(t.columns) == ["related", "stance", "p_affirm", "p_deny", "p_neutral",
                               "p_unrelated", "stance_score"]
    assert list(t["stance"]) == ["affirm", "affirm", "deny", "neutral"]
    assert t["related"].tolist() == pytest.approx([0.1, 0.9, 0.8, 0.6])
    # stance probabilities are given "about it": they sum to one
    assert (t[["p_affirm", "p_deny", "p_neutral"]].sum(axis=1) - 1).abs().max() < 1e-3
    assert t["stance_score"].iat[1] == pytest.approx(0.7, abs=1e-3)     # (0.72 - 0.09) / 0.9


def test_batches_group_similar_lengths_under_a_token_budget():
    lengths = [5, 100, 7, 98, 6, 101, 50]
    batches = length_batches(lengths, batch_size=3, max_tokens=250)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= 3 and max(lengths[i] for i in b) * len(b) <= 250 or len(b) == 1
    ids, att = pad_batch([np.array([0, 5, 2]), np.array([0, 2])], pad_id=1)
    assert ids.tolist() == [[0, 5, 2], [0, 2, 1]] and att.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_pair_tokenizer_keeps_the_proposition_and_cuts_the_statement():
    from tokenizers import Tokenizer, models, pre_tokenizers
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for w in "query: passage: a b c d e f g".split():
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    from stance.judges.cross import PairTokenizer
    pt = PairTokenizer(tok, max_length=10, max_proposition=3)
    (seq,) = pt.encode(["a b c d e f g"], ["g f e d"])
    assert len(seq) == 10 and seq[0] == 0 and seq[-1] == 2
    q, p = vocab["query:"], vocab["passage:"]
    assert seq[1:4].tolist() == [q, vocab["g"], vocab["f"]]         # proposition cut to 3
    assert seq[4:6].tolist() == [2, 2] and seq[6] == p               # </s></s> passage: …


def test_stance_judge_pairs_lists(monkeypatch):
    import stance
    from stance.judges import CrossEncoderJudge

    def fake(self, statements, propositions, progress=False):
        return np.tile([0.1, 0.6, 0.2, 0.1], (len(statements), 1)).astype(np.float32)
    monkeypatch.setattr(CrossEncoderJudge, "predict_proba", fake)
    a = stance.judge(["x", "y"], "p")
    assert list(a["proposition"]) == ["p", "p"] and set(a["stance"]) == {"affirm"}
    b = stance.judge(["x", "y", "z"], ["p", "q"])                    # every statement x proposition
    assert len(b) == 6 and list(b["proposition"][:2]) == ["p", "q"]
    c = stance.judge(["x", "y"], ["p", "q"])                         # pairwise
    assert list(c["proposition"]) == ["p", "q"]


def test_missing_weights_are_a_clear_error(tmp_path):
    from stance.errors import ModelError
    from stance.judges import CrossEncoderJudge
    with pytest.raises(ModelError, match="judge weights not found"):
        CrossEncoderJudge(str(tmp_path / "nope.safetensors")).model_id


# --------------------------------------------------------------------------- the bundled model
@pytest.mark.slow
def test_bundled_judge_on_the_negation_probe():
    """24 pairs in ar/en/fr/ru written for this project, never trained on."""
    import stance
    probe = pd.read_csv(ROOT / "tests" / "data" / "negation_probe.csv")
    t = stance.judge(probe["claim"].tolist(), probe["proposition"].tolist())
    right = (t["stance"].to_numpy() == probe["label"].to_numpy()) & (t["related"] >= 0.5)
    assert right.sum() >= 18, probe.assign(pred=t["stance"], rel=t["related"])[~right]


@pytest.mark.slow
def test_bundled_judge_on_an_english_corpus_it_never_saw():
    """The dam dispute (tests/data/en_corpus): every sentence a reader put on the proposition."""
    import stance
    gold = pd.read_csv(ROOT / "tests" / "data" / "en_corpus.gold.csv", dtype=str).fillna("")
    on = gold[gold["topic_id"] == "dam_harm"]
    t = stance.judge(on["sentence"].tolist(), "The new dam will harm farmers downstream")
    assert (t["related"] >= 0.5).mean() >= 0.7
    sided = on["stance"].isin(["affirm", "deny"]).to_numpy()
    acc = (t["stance"].to_numpy()[sided] == on["stance"].to_numpy()[sided]).mean()
    # The shipped judge: related 0.83, stance 15 of 22 (0.68); the previous one read 0.10 of
    # these sentences as related and 0.36 of the stances right, which this floor catches.
    assert acc >= 0.6, list(zip(on["sentence"][sided], t["stance"][sided]))
