"""stance: who says what, against whom, in news articles in any language.

    from stance import StancePipeline, Config
    sp = StancePipeline(Config(corpus="seeds"))
    result = sp.fit_transform()
    result.save("reports/seeds", report=True)

    stance.judge(["Moscow denied it plans an attack"], "Russia intends to attack Ukraine")
"""
__version__ = "0.2.0"

from .config import Config  # noqa: E402
from .engine import RunResult, load_run  # noqa: E402
from .errors import StanceError  # noqa: E402
from .pipeline import StancePipeline  # noqa: E402

_JUDGES: dict = {}


def judge(statements, propositions, model: str = "cross", cache_dir: str = "", device: str = "auto",
          batch_size: int = 32):
    """Judge statements against propositions, in any languages: is each statement about its
    proposition (`related`, a probability), and does it affirm, deny or take no side (`stance`,
    with `p_affirm`, `p_deny`, `p_neutral` given that it is about it, and `stance_score` =
    p_affirm - p_deny)?

    statements, propositions: lists of strings of equal length (pairs), or one proposition string
    for all statements, or two lists of different lengths (every statement x every proposition).
    model: "cross" (the bundled judge) or a path to judge weights from scripts/train_judge.py.
    Returns a DataFrame with the columns statement, proposition, related, stance, p_affirm,
    p_deny, p_neutral, p_unrelated, stance_score.
    """
    import pandas as pd

    from .judges import CrossEncoderJudge
    if isinstance(statements, str):
        statements = [statements]
    if isinstance(propositions, str):
        propositions = [propositions] * len(statements)
    statements, propositions = list(statements), list(propositions)
    if len(statements) != len(propositions):
        statements, propositions = ([s for s in statements for _ in propositions],
                                    [p for _ in statements for p in propositions])
    key = (model, cache_dir, device, batch_size)
    if key not in _JUDGES:
        _JUDGES[key] = CrossEncoderJudge("default" if model == "cross" else model,
                                         cache_dir=cache_dir, device=device, batch_size=batch_size)
    table = _JUDGES[key].judge(statements, propositions)
    return pd.concat([pd.DataFrame({"statement": statements, "proposition": propositions}), table],
                     axis=1)


__all__ = ["Config", "StanceError", "StancePipeline", "RunResult", "load_run", "judge",
           "__version__"]
