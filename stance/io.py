"""Atomic file output and hashing.

Outputs are written next to their destination under a temporary name and renamed into place, so
an interrupted run never leaves a half-written file where a previous good one was.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import OutputError, StanceError


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, mode: str = "w") -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as e:
        raise OutputError(f"cannot write here ({e.strerror})", path=path.parent,
                          hint="choose another --out folder or fix its permissions") from e
    tmp = Path(tmp)
    try:
        yield tmp
        # mkstemp creates 0600 files; outputs are ordinary files, so apply the usual umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def write_csv(path, df: pd.DataFrame) -> None:
    # UTF-8 with BOM so that Excel shows Arabic correctly when an analyst double-clicks the file.
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig")


def read_csv(path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, **kw)


RUN_MARKER = "run.json"


def check_output_dir(final: str | os.PathLike, inputs=()) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a run.

    A run replaces its output folder as a whole, so the folder must be new, empty, or a previous
    run (it has run.json), and must not contain any input of the run (corpus, actors.yaml,
    topics.yaml, annotations.csv, stance.toml).
    """
    final = Path(final)
    resolved = final.resolve()
    for p in inputs:
        if not p:
            continue
        rp = Path(p).resolve()
        if rp == resolved or resolved in rp.parents:
            raise OutputError(f"the output folder is or contains {p}, an input of this run; a run "
                              "replaces its output folder as a whole", path=final,
                              hint="choose another --out folder (keep analyst files outside it)")
    if final.is_dir() and not (final / RUN_MARKER).exists():
        try:
            entries = [e for e in os.listdir(final) if not e.startswith(".stance-write-test-")]
        except OSError as e:
            raise OutputError(f"cannot read the output folder ({e.strerror})", path=final) from None
        if entries:
            raise OutputError("the output folder is not empty and holds no previous run "
                              f"({RUN_MARKER}); a run replaces its output folder as a whole",
                              path=final, hint="choose a new or empty --out folder")


@contextlib.contextmanager
def staged_dir(final: str | os.PathLike) -> Iterator[Path]:
    """Build a whole output folder in a sibling temp dir, then swap it into place.

    The previous contents of `final` survive until the new folder is complete; on failure the
    staging folder is removed and `final` is untouched.
    """
    final = Path(final)
    check_output_dir(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=final.parent))
    except OSError as e:
        raise OutputError(f"cannot create the output folder ({e.strerror})", path=final,
                          hint="choose another --out folder or fix its permissions") from e
    try:
        yield stage
        backup = None
        if final.exists():
            backup = final.parent / f".{final.name}.previous"
            if backup.exists():
                shutil.rmtree(backup)
            os.replace(final, backup)
        os.replace(stage, final)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def progress_bar(iterable, total: int, desc: str, enabled: bool, unit: str = "it", min_total: int = 2000):
    """tqdm over `iterable` when enabled and the work is long enough to be worth watching."""
    if not enabled or total < min_total:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=False)


def read_text_file(path: str | os.PathLike, error: type[StanceError], what: str,
                   hint_missing: str | None = None) -> str:
    """Read an analyst's text file (UTF-8, BOM allowed) or raise `error` naming the file."""
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise error(f"{what} not found", path=path, hint=hint_missing) from None
    except IsADirectoryError:
        raise error(f"{what} path is a folder, not a file", path=path) from None
    except UnicodeDecodeError:
        raise error(f"{what} is not UTF-8 text", path=path, hint="re-save it as UTF-8") from None
    except OSError as e:
        raise error(f"cannot read {what} ({e.strerror})", path=path) from None


def load_yaml(path: str | os.PathLike, error: type[StanceError], what: str):
    """(data, root node) of a YAML file; malformed YAML raises `error` with the line number.

    The node tree carries line numbers, so callers can point at the entry that is wrong.
    """
    import yaml
    text = read_text_file(path, error, what)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise error(f"malformed YAML: {e.problem or e}", path=path,
                    line=mark.line + 1 if mark else None,
                    hint="check indentation, colons and quotes on that line") from None
    except yaml.YAMLError as e:
        raise error(f"malformed YAML: {e}", path=path) from None
    return data, node


def list_item_lines(node, key: str) -> list[int]:
    """1-based line of each item of the list under `key` in a YAML mapping node."""
    import yaml
    if not isinstance(node, yaml.MappingNode):
        return []
    for k, v in node.value:
        if getattr(k, "value", None) == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []
