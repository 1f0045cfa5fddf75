"""Attribution stage: who made each statement (speaker -> organisation -> country -> bloc)."""
from .actors import actors_table, finalize_attribution
from .attribute import ATTRIBUTION_COLUMNS, Attributor, unknown_speakers
from .registry import ActorRegistry

__all__ = ["actors_table", "finalize_attribution", "ATTRIBUTION_COLUMNS", "Attributor", "unknown_speakers", "ActorRegistry"]
