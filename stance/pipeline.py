"""`StancePipeline`: the front door the CLI, the notebooks and the Dask engine all use.

    from stance import StancePipeline
    sp = StancePipeline(config)                      # or StancePipeline.from_toml("stance.toml")
    result = sp.fit_transform("seeds/")             # RunResult: .documents .claims .topics …
    new = sp.transform(more_articles)               # placed with the fitted topics, no refit
    result.save("reports/seeds", report=True)

Sub-models are injectable, BERTopic-style: `embedder=` (anything with `encode(texts, kind)`,
`model_id`, `dim`), `clusterer=` (scikit-learn style `fit_predict`), `labeller=`
(`keywords(docs_by_topic)`), `judge=` (`judge(statements, propositions, ...)`), `registry=` (an
`ActorRegistry`), `topics=` (a list of `TopicDef`). Anything not given is built from the config
on first use; nothing is loaded in the constructor.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import Config
from .engine import LocalExecutor, Models, RunResult, RunState, run_stages

SUBMODELS = ("embedder", "clusterer", "labeller", "judge", "registry", "topics")


def make_judge(config: Config):
    """The judge a config names: the bundled cross-encoder, the fast tagger, or weights on disk."""
    from .judges import CrossEncoderJudge
    if config.judge == "fast":
        from .judges.fast import FastJudge
        return FastJudge(config.stance_model, neutral_margin=config.neutral_margin,
                         strong_deny=config.strong_deny)
    weights = "default" if config.judge == "cross" else config.judge
    return CrossEncoderJudge(weights, cache_dir=str(config.cache_path()), device=config.device,
                             batch_size=config.batch_size)


def load_registry(config: Config):
    from .attribution import ActorRegistry
    path = config.resolve("actors")
    return ActorRegistry.load(path) if path else ActorRegistry.empty()


class StancePipeline:
    """Who says what, against whom: corpus -> statements -> speakers -> topics -> stances."""

    def __init__(self, config: Config | None = None, *, embedder=None, clusterer=None,
                 labeller=None, judge=None, registry=None, topics=None):
        self.config = config if config is not None else Config()
        self.embedder = embedder
        self.clusterer = clusterer
        self.labeller = labeller
        self.judge = judge
        self.registry = registry
        self.topics = topics

    @classmethod
    def from_toml(cls, path: str | Path, **overrides) -> "StancePipeline":
        return cls(Config.from_toml(path, **overrides))

    # -- scikit-learn style parameters ---------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        out = {"config": self.config, **{k: getattr(self, k) for k in SUBMODELS}}
        if deep:
            out.update({f"config__{k}": v for k, v in self.config.to_dict().items()})
        return out

    def set_params(self, **params) -> "StancePipeline":
        """Set sub-models, the config, or single settings as `config__<name>` (or bare names)."""
        settings = {}
        for k, v in params.items():
            if k == "config":
                self.config = v
            elif k in SUBMODELS:
                setattr(self, k, v)
            elif k.startswith("config__") or k in Config.field_names():
                settings[k.removeprefix("config__")] = v
            else:
                raise ValueError(f"unknown parameter {k!r} for StancePipeline")
        if settings:
            self.config = self.config.update(settings, source="set_params")
        return self

    # -- running ------------------------------------------------------------------------------
    def _models(self, config: Config) -> Models:
        from .embed import load_embedder
        from .topics import TopicModel, load_topics
        defs = self.topics if self.topics is not None else load_topics(config.resolve("topics"))
        # Default models are built once per pipeline and settings, so a rerun with another topic
        # parameter (a notebook slider) never reloads a model; analyst files are re-read.
        built = self.__dict__.setdefault("_defaults", {})
        ekey = ("embedder", config.model, config.device, str(config.cache_path()))
        jkey = ("judge", config.judge, config.stance_model, config.neutral_margin,
                config.strong_deny, config.device, config.batch_size, str(config.cache_path()))
        if self.embedder is None and ekey not in built:
            built[ekey] = load_embedder(config)
        if self.judge is None and jkey not in built:
            built[jkey] = make_judge(config)
        return Models(
            embedder=self.embedder if self.embedder is not None else built[ekey],
            judge=self.judge if self.judge is not None else built[jkey],
            registry=self.registry if self.registry is not None else load_registry(config),
            topic_model=TopicModel.from_config(config, defs, clusterer=self.clusterer,
                                               labeller=self.labeller))

    def _executor(self, config: Config):
        if config.engine == "dask":
            from .engine.dask import DaskExecutor
            return DaskExecutor(config)
        return LocalExecutor()

    def _run(self, state: RunState) -> RunResult:
        try:
            run_stages(state)
            engine = state.executor.info()   # before close: a closed Dask client has no workers
        finally:
            state.executor.close()
        models = state.models
        claims = state.claims
        n_claims = claims.groupby("doc_id").size()
        docs = state.documents.assign(
            n_claims=[int(n_claims.get(d, 0)) for d in state.documents["doc_id"]])
        info = {"model": state.emb.model_id if state.emb is not None else "",
                "embedding_cache": state.emb.stats if state.emb is not None else None,
                "judge": judge_info(models.judge),
                "engine": engine,
                "registry": str(state.config.resolve("actors") or ""),
                "topics_file": str(state.config.resolve("topics") or ""),
                "annotations_file": str(state.config.resolve("annotations") or ""), **state.info}
        return RunResult(config=state.config, documents=docs, claims=claims, topics=state.topics,
                         embeddings=state.emb.content, tables=state.tables,
                         load_report=state.load_report, annotations=state.corrections,
                         timings=state.timer.timings, info=info,
                         notices=[*state.load_report.notices, *state.notices])

    def _config_for(self, corpus) -> Config:
        if corpus is None or isinstance(corpus, pd.DataFrame):
            return self.config
        return self.config.update({"corpus": str(corpus)}, source="fit_transform")

    def _documents(self, corpus, config: Config):
        if isinstance(corpus, pd.DataFrame):
            from .corpus import documents_from_frame
            return documents_from_frame(corpus, config.dedupe, strict=config.strict)
        return None, None

    def fit_transform(self, corpus: str | Path | pd.DataFrame | None = None, executor=None) -> RunResult:
        """Analyse a corpus (a folder, a file, or a DataFrame of articles) and fit the topics.

        `corpus` None uses `config.corpus`. `executor`: a `LocalExecutor` (default) or a
        `stance.engine.dask.DaskExecutor` (default when `config.engine == "dask"`).
        """
        config = self._config_for(corpus)
        models = self._models(config)
        docs, report = self._documents(corpus, config)
        state = RunState(config=config, models=models,
                         executor=executor if executor is not None else self._executor(config),
                         fit=True, documents=docs)
        if report is not None:
            state.load_report = report
        result = self._run(state)
        self.models_, self.config_, self.result_ = models, config, result
        return result

    def run_stages(self, corpus: str | Path | pd.DataFrame | None = None, until: str = "compare",
                   executor=None) -> RunState:
        """Run the stages up to and including `until` and return the run's state (documents,
        claims, embeddings …) to look at in a notebook: e.g. `until="statements"` reads,
        segments and attributes without loading any model."""
        from .engine import STAGES
        names = [n for n, _ in STAGES]
        if until not in names:
            raise ValueError(f"until must be one of {', '.join(names)}, got {until!r}")
        config = self._config_for(corpus)
        docs, report = self._documents(corpus, config)
        state = RunState(config=config, models=self._models(config),
                         executor=executor if executor is not None else self._executor(config),
                         fit=True, documents=docs)
        if report is not None:
            state.load_report = report
        try:
            for name, fn in STAGES[:names.index(until) + 1]:
                with state.timer.stage(name):
                    fn(state)
        finally:
            state.executor.close()
        return state

    def fit(self, corpus=None, executor=None) -> "StancePipeline":
        self.fit_transform(corpus, executor)
        return self

    def transform(self, corpus: str | Path | pd.DataFrame, executor=None) -> RunResult:
        """Analyse more articles with the fitted pipeline: their statements are placed in the
        fitted topics (defined ones through the judge, discovered ones by nearest centroid)
        without refitting; the result holds only the new articles."""
        if not hasattr(self, "models_"):
            from .errors import StanceError
            raise StanceError("the pipeline is not fitted: call fit_transform(corpus) first")
        config = self._config_for(corpus)
        if not isinstance(corpus, pd.DataFrame):
            config = config.update({"annotations": self.config_.annotations or "",
                                    "actors": self.config_.actors, "topics": self.config_.topics},
                                   source="transform")
        docs, report = self._documents(corpus, config)
        state = RunState(config=config, models=self.models_,
                         executor=executor if executor is not None else self._executor(config),
                         fit=False, documents=docs)
        if report is not None:
            state.load_report = report
        return self._run(state)

    # -- figures ------------------------------------------------------------------------------
    def _result(self, result):
        result = result if result is not None else getattr(self, "result_", None)
        if result is None:
            from .errors import StanceError
            raise StanceError("nothing to show: call fit_transform(corpus) first")
        return result

    def visualize_actor_topic(self, result: RunResult | None = None, ax=None):
        from . import viz
        r = self._result(result)
        return viz.actor_topic_heatmap(r.actor_topic, r.topics, ax=ax)

    def visualize_topics(self, result: RunResult | None = None, ax=None):
        from . import viz
        r = self._result(result)
        return viz.topic_map(r.embeddings, r.claims, r.topics, ax=ax,
                             random_state=r.config.random_state)

    def visualize_network(self, result: RunResult | None = None, ax=None):
        from . import viz
        return viz.network(self._result(result).networks, ax=ax)

    def visualize_timeline(self, result: RunResult | None = None, topic_id: str | None = None, ax=None):
        from . import viz
        r = self._result(result)
        return viz.timeline(r.timeline, r.topics, topic_id=topic_id, ax=ax)

    def __repr__(self) -> str:
        given = [k for k in SUBMODELS if getattr(self, k) is not None]
        return f"StancePipeline(corpus={self.config.corpus!r}, judge={self.config.judge!r}" + \
            (f", {', '.join(given)} given" if given else "") + ")"


def judge_info(judge) -> dict:
    """What run.json and the report say about the judge (its card's measured scores, if any)."""
    import json
    info = {"class": type(judge).__name__, "model_id": getattr(judge, "model_id", "")}
    path = getattr(judge, "weights_path", None)
    if path is None and hasattr(judge, "model"):
        from .judges.fast import DEFAULT_MODEL_PATH
        path = DEFAULT_MODEL_PATH if judge.model == "default" else Path(judge.model)
    if path is not None:
        card = Path(path).with_suffix(".card.json")
        if card.exists():
            try:
                info["card"] = json.loads(card.read_text(encoding="utf-8"))
            except ValueError:
                pass
    return info
