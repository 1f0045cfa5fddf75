"""Print README's settings table from `Config` (the docstrings under each field), so the README
cannot drift from the code: `python scripts/readme_settings.py` and paste over the table
(tests/test_config.py checks every setting is listed)."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stance.config import Config  # noqa: E402


def table() -> str:
    docs = Config.field_docs()
    lines = ["| setting | default | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(Config):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        lines.append(f"| `{f.name}` | `{default!r}` | {docs.get(f.name, '')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
