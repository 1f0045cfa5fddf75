"""What flows between the stages of a run: the sub-models and the run's state."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import Config
from ..corpus import LoadReport
from .executors import LocalExecutor


class Timer:
    def __init__(self):
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - t0, 3)


@dataclass
class Embeddings:
    """Vectors of one run: reported contents, clauses of multi-clause contents, topic anchors."""
    content: np.ndarray
    clauses: np.ndarray
    clause_owner: np.ndarray
    clause_bounds: list          # statement-relative (start, end) of each clause
    anchors: np.ndarray          # every TopicDef.anchors, in topic order
    model_id: str = ""
    stats: object = None


@dataclass
class Models:
    """The run's sub-models (each swappable)."""
    embedder: object
    judge: object
    registry: object
    topic_model: object


@dataclass
class RunState:
    config: Config
    models: Models
    executor: object = field(default_factory=LocalExecutor)
    fit: bool = True
    """True: fit the topic model on this corpus; False: place statements with a fitted one."""
    timer: Timer = field(default_factory=Timer)
    documents: pd.DataFrame | None = None
    load_report: LoadReport = field(default_factory=LoadReport)
    claims: pd.DataFrame | None = None
    corrections: pd.DataFrame | None = None
    emb: Embeddings | None = None
    actors: pd.DataFrame | None = None
    judged: pd.DataFrame | None = None
    topics: pd.DataFrame | None = None
    tables: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)
    info: dict = field(default_factory=dict)
