"""Reporting patterns in English, French and Russian (no registry, no model): each wording is
attributed to the actor the sentence names."""
import pandas as pd
import pytest

from stance.attribution import ActorRegistry, Attributor
from stance.corpus.segment import Segmenter

CASES = [
    # English
    ("Chief executive Lindiwe Mokoena rejected the claim, saying talks had gone on.", "Lindiwe Mokoena"),
    ("Defence Secretary Ramon Villareal repeated that 30 helicopters had been deployed.", "Ramon Villareal"),
    ("Finance Minister Efua Mensah reiterated that prices were stable.", "Efua Mensah"),
    ("In a statement, Health Canada said patients should keep taking the medicine.", "Health Canada"),
    ("The Brazilian Steel Institute, which represents the mills, welcomed the decision.",
     "Brazilian Steel Institute"),
    ("“Clean water is urgent,” UNICEF's representative in Manila, Sofia Lindqvist, said.", "Sofia Lindqvist"),
    ("According to the Ghana Statistical Service, inflation slowed.", "Ghana Statistical Service"),
    # French
    ("Le ministre des Mines, Hery Rakotomalala, a déclaré que la société avait tort.", "Hery Rakotomalala"),
    ("La ministre guinéenne de l'Hydraulique, Fatoumata Camara, a estimé que les craintes étaient vaines.",
     "Fatoumata Camara"),
    ("Le président de la commission, Raoul Hounkpatin, a affirmé mardi que les résultats viendraient.",
     "Raoul Hounkpatin"),
    ("Le ministre espagnol de la Pêche, Javier Ortega, a indiqué que Madrid répondrait.", "Javier Ortega"),
    ("Selon l'Office national pour l'environnement, les prélèvements sont mauvais.",
     "Office national pour l'environnement"),
    ("« Nos enfants se baignent ici », a rappelé sa porte-parole, Voahangy Randria.", "Voahangy Randria"),
    # Russian
    ("Аким области Ерлан Жумабеков заявил, что дамба выдерживает напор.", "Ерлан Жумабеков"),
    ("Директор агентства Нодира Юсупова подчеркнула, что отравлений не было.", "Нодира Юсупова"),
    ("Министр финансов Армен Галстян отметил, что решение верное.", "Армен Галстян"),
    ("Как сообщила пресс-служба Агентства по развитию фармацевтической отрасли, проверка завершена.",
     "Агентства по развитию фармацевтической отрасли"),
    ("По словам генерального директора компании Алексея Ли, предприятие вложило миллионы.", "Алексея Ли"),
    ("Эвакуированы 9 тысяч человек, сообщили в Министерстве по чрезвычайным ситуациям.",
     "Министерстве по чрезвычайным ситуациям"),
]


def speakers(text):
    docs = pd.DataFrame({"doc_id": ["x"], "text": [text], "title": [""], "language": [""]})
    out = Attributor(ActorRegistry.empty()).transform(Segmenter(min_chars=5).transform(docs), docs)
    return list(out["speaker"])


@pytest.mark.parametrize("text,speaker", CASES)
def test_reporting_patterns(text, speaker):
    assert speakers(text)[0] == speaker


@pytest.mark.parametrize("text,speaker", [
    ("Haugland said the quota was unfair. She added that Norway would wait.", "Haugland"),
    ("Le ministre Hery Rakotomalala a déclaré que rien ne bougeait. Il a ajouté que la mine fermerait.",
     "Hery Rakotomalala"),
    ("Министр Сабина Ахметова заявила, что техника готова. Она добавила, что спасатели прибыли.",
     "Сабина Ахметова"),
    ("Leyla Gasanova said the quota was safe. По её словам, квота рассчитана верно.", "Leyla Gasanova"),
    ("«Мы не будем рисковать», — сказал Ерлан Жумабеков. «Эвакуируем ещё три посёлка», — сказал он.",
     "Ерлан Жумабеков"),
])
def test_carry_over_patterns(text, speaker):
    assert speakers(text) == [speaker, speaker]


def test_narration_stays_unattributed():
    assert speakers("Floodwaters continued to rise. Coastal states have failed to agree.") == ["", ""]
