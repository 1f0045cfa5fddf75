"""Attribution stage: who made each statement (speaker -> organisation -> country -> bloc)."""
from .attribute import ATTRIBUTION_COLUMNS, Attributor, unknown_speakers
from .registry import ActorRegistry

__all__ = ["ATTRIBUTION_COLUMNS", "Attributor", "unknown_speakers", "ActorRegistry"]
