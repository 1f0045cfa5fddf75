"""Topics stage: analyst-defined propositions and discovered clusters of what is claimed."""
from .defs import TopicDef, load_topics
from .labeller import ClassTfidfLabeller
from .model import TOPIC_COLUMNS, TopicModel, make_clusterer

__all__ = ["TopicDef", "load_topics", "ClassTfidfLabeller", "TOPIC_COLUMNS", "TopicModel",
           "make_clusterer"]
