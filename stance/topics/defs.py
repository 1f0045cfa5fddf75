"""Analyst-defined topics (`topics.yaml`): an id, a label, a proposition, translations, examples."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RegistryError

@dataclass
class TopicDef:
    id: str
    label: str
    proposition: str
    also: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def anchors(self) -> list[str]:
        """Texts a claim is compared with: the proposition in every language, plus examples."""
        return [self.proposition, *self.also, *self.examples]


def load_topics(path: str | Path | None) -> list[TopicDef]:
    if path is None:
        return []
    from ..io import list_item_lines, load_yaml
    path = Path(path)
    data, node = load_yaml(path, RegistryError, "topics file")
    if data is None:
        return []
    items = data.get("topics") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise RegistryError("expected a list of topics under `topics:`", path=path,
                            hint="see seeds/topics.yaml for the format")
    lines = list_item_lines(node, "topics") if isinstance(data, dict) else \
        [n.start_mark.line + 1 for n in getattr(node, "value", [])]
    out, seen = [], set()
    allowed = {"id", "label", "proposition", "also", "examples"}
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else None
        if not isinstance(item, dict):
            raise RegistryError(f"topic #{i + 1} is not a mapping", path=path, line=line)
        extra = set(item) - allowed
        if extra:
            raise RegistryError(f"topic #{i + 1} has unknown keys {sorted(extra)}", path=path, line=line,
                                hint="allowed keys: " + ", ".join(sorted(allowed)))
        tid = str(item.get("id") or "").strip()
        prop = str(item.get("proposition") or "").strip()
        if not tid or not prop:
            raise RegistryError(f"topic #{i + 1} needs both `id` and `proposition`", path=path, line=line)
        if tid in seen:
            raise RegistryError(f"duplicate topic id {tid!r}", path=path, line=line)
        if tid.startswith("d") and tid[1:].isdigit():
            raise RegistryError(f"topic id {tid!r} is reserved for discovered topics", path=path, line=line)
        seen.add(tid)
        also, examples = item.get("also") or [], item.get("examples") or []
        if isinstance(also, str):
            also = [also]
        if isinstance(examples, str):
            examples = [examples]
        out.append(TopicDef(id=tid, label=str(item.get("label") or tid), proposition=prop,
                            also=[str(a) for a in also], examples=[str(e) for e in examples]))
    return out
