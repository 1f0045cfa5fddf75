"""Running the stages: the stage list, the local and Dask executors, and run folders on disk."""
from .executors import LocalExecutor, partition_bounds
from .result import RunResult
from .runio import load_run, write_run
from .stages import STAGES, Embeddings, Models, RunState, run_stages

__all__ = ["LocalExecutor", "partition_bounds", "RunResult", "load_run", "write_run", "STAGES",
           "Embeddings", "Models", "RunState", "run_stages"]
