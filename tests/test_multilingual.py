"""The pipeline on English, French and Russian articles (written for the project, not seed text),
with the seeds' registry and topics: nothing in the code may assume Arabic."""
import shutil

import pytest

from stance.cli import main
from stance.io import read_csv

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ml_run(tmp_path_factory, seeds_dir):
    root = tmp_path_factory.mktemp("ml")
    corpus = root / "corpus"
    shutil.copytree(seeds_dir.parent / "tests" / "data" / "multilingual", corpus)
    out = root / "out"
    assert main(["run", str(corpus), "--out", str(out), "--no-progress", "--judge", "fast",
                 "--actors", str(seeds_dir / "actors.yaml"),
                 "--topics", str(seeds_dir / "topics.yaml")]) == 0
    c = read_csv(out / "claims.csv")
    return out, c.set_index(c.text.str[:30])


def row(c, start):
    hits = c[c.index.str.startswith(start[:30])]
    assert len(hits) == 1, start
    return hits.iloc[0]


def test_attribution_in_three_languages(ml_run):
    _, c = ml_run
    assert row(c, "White House press secretary Jen")["speaker"] == "Jen Psaki"
    r = row(c, "She added that Washington would")
    assert (r.speaker, r.attribution) == ("Jen Psaki", "carry_over")
    assert row(c, "Kremlin spokesman Dmitry Peskov")["speaker"] == "Dmitry Peskov"
    r = row(c, "Il a ajouté que la voie diplom")                 # pronoun before a French auxiliary
    assert (r.speaker, r.attribution) == ("Jean-Yves Le Drian", "carry_over")
    r = row(c, "Она добавила, что западные сан")
    assert (r.speaker, r.attribution) == ("Maria Zakharova", "carry_over")
    assert row(c, "По словам Пескова, переговоры")["speaker"] == "Dmitry Peskov"  # Russian case ending
    assert row(c, "Emmanuel Macron a appelé Vladi")["speaker"] == ""              # narration


def test_topics_and_stances_cross_languages(ml_run):
    out, c = ml_run
    for start in ("White House press secretary Jen", '"We continue to believe that Ru'):
        r = row(c, start)
        assert (r.topic_id, r.stance) == ("invasion_intent", "affirm"), start
    for start in ("Selon le Kremlin, la Russie n'a", "Официальный представитель МИД Р"):
        r = row(c, start)
        assert (r.topic_id, r.stance) == ("invasion_intent", "deny"), start
    r = row(c, "Le ministre français des Affair")
    assert (r.topic_id, r.stance) == ("western_troops", "deny")
    con = read_csv(out / "contrasts.csv")
    inv = con[con.topic_id == "invasion_intent"]
    assert len(inv) and set(inv.bloc_a) == {"West"} and set(inv.bloc_b) == {"Russia"}


def test_topics_missing_a_corpus_language_are_reported(tmp_path, seeds_dir, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir.parent / "tests" / "data" / "multilingual", corpus)
    (corpus / "topics.yaml").write_text(
        "topics:\n  - id: sanctions\n    proposition: سيتم فرض عقوبات اقتصادية قاسية على روسيا\n"
        "    also: [Tough sanctions will be imposed on Russia]\n", encoding="utf-8")
    assert main(["run", str(corpus), "--out", str(tmp_path / "out"), "--no-progress",
                 "--judge", "fast", "--actors", str(seeds_dir / "actors.yaml")]) == 0
    err = capsys.readouterr().err
    assert "topic 'sanctions' is written in none of fr, ru" in err and "en" not in err.split("none of")[1].split(",")[0]
    import json
    notices = json.loads((tmp_path / "out" / "run.json").read_text())["notices"]
    assert any("sanctions" in n for n in notices)
