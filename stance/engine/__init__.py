"""Running the stages: the stage list, the local and Dask executors, and run folders on disk."""
from .executors import LocalExecutor, partition_bounds
from .result import RunResult
from .runio import load_run, write_run
from .stages import STAGES, run_stages
from .state import Embeddings, Models, RunState, Timer

__all__ = ["LocalExecutor", "partition_bounds", "RunResult", "load_run", "write_run", "STAGES", "Timer",
           "Embeddings", "Models", "RunState", "run_stages"]
