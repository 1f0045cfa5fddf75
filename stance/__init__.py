"""stance: who says what, against whom, in news articles in any language."""
__version__ = "0.1.0"

from .config import Config  # noqa: E402
from .errors import StanceError  # noqa: E402

__all__ = ["Config", "StanceError", "__version__"]
