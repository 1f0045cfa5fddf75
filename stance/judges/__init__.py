"""Judge stage: is a statement about a proposition, and does it affirm, deny or take no side?

* `CrossEncoderJudge` (default): a cross-encoder fine-tuned from the offline e5-small base.
* `FastTagger` (`--judge fast`): a logistic model over sentence-vector pair features and cue
  words; far cheaper, far less accurate, for very large CPU runs.
"""
from .cross import LABELS, CrossEncoderJudge, judgement_table

__all__ = ["LABELS", "CrossEncoderJudge", "judgement_table"]
