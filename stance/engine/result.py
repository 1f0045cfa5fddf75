"""`RunResult`: everything one run produced, as DataFrames with the columns of `stance.schema`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config
from ..corpus import LoadReport


@dataclass
class RunResult:
    config: Config
    documents: pd.DataFrame
    claims: pd.DataFrame
    topics: pd.DataFrame
    embeddings: np.ndarray
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    load_report: LoadReport = field(default_factory=LoadReport)
    annotations: pd.DataFrame | None = None
    """The analyst's corrections with their status (applied, unmatched …)."""
    timings: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    # The comparison tables, by name (see stance.schema and README's output contract).
    @property
    def actor_topic(self) -> pd.DataFrame:
        return self.tables["actor_topic"]

    @property
    def contrasts(self) -> pd.DataFrame:
        return self.tables["contrasts"]

    @property
    def networks(self) -> pd.DataFrame:
        """Actor-pair congruence/conflict edges (actor_network_edges.csv)."""
        return self.tables["actor_network_edges"]

    @property
    def timeline(self) -> pd.DataFrame:
        return self.tables["timeline"]

    @property
    def events(self) -> pd.DataFrame:
        return self.tables["events"]

    @property
    def actors(self) -> pd.DataFrame:
        return self.tables["actors"]

    @property
    def unknown_speakers(self) -> pd.DataFrame:
        return self.tables["unknown_speakers"]

    def save(self, out_dir: str | Path, report: bool | None = None) -> Path:
        """Write the output contract into `out_dir` atomically (see `stance.engine.runio`)."""
        from .runio import write_run
        return write_run(self, out_dir, report=report)

    def summary(self) -> str:
        c = self.claims
        return (f"{len(self.documents)} documents, {len(c)} statements, "
                f"{int((c['speaker'] != '').sum())} attributed, "
                f"{int((c['topic_id'] != '').sum())} with a topic, {len(self.topics)} topics")

    def __repr__(self) -> str:
        return f"RunResult({self.summary()})"
