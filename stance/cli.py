"""Command line: `stance run CORPUS --out DIR`, `stance report RUN_DIR`, `stance build-model`.

Every Config field is also a flag (`--distance-threshold 0.2`, `--report`, `--no-progress`).
Errors the user can fix print one message (file, line, hint) and exit with code 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from .config import Config
from .errors import StanceError


def _add_config_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("settings (override stance.toml; every on/off flag also has --no-NAME)")
    docs = Config.field_docs()
    for f in dataclasses.fields(Config):
        if f.name == "corpus":
            continue
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        doc = docs.get(f.name, "").replace("%", "%%")
        if isinstance(default, bool):
            g.add_argument(flag, dest=f.name, action="store_true", default=None,
                           help=f"{doc} (default: {'on' if default else 'off'})")
            g.add_argument("--no-" + f.name.replace("_", "-"), dest=f.name, action="store_false",
                           help=argparse.SUPPRESS)
        elif isinstance(default, list):
            g.add_argument(flag, dest=f.name, action="append", default=None, metavar="VALUE",
                           help=f"{doc} (repeatable)")
        else:
            g.add_argument(flag, dest=f.name, default=None, metavar=type(default).__name__.upper(),
                           help=f"{doc} (default: {default!r})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description="Claims and stances in news articles.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")

    r = sub.add_parser("run", help="analyse a corpus folder and write the output tables")
    r.add_argument("corpus", help="folder of articles (or one file)")
    r.add_argument("--out", help="output folder (default: reports/<corpus name>)")
    r.add_argument("--config", help="stance.toml with settings (default: ./stance.toml if present)")
    _add_config_flags(r)

    rep = sub.add_parser("report", help="(re)build stance_report.pdf/.html for a run folder")
    rep.add_argument("run_dir")

    ad = sub.add_parser("adapt-stance", help="adapt the stance tagger to the stance corrections "
                                             "in annotations.csv and save it as a new model file")
    ad.add_argument("run_dir", help="a folder written by `stance run`")
    ad.add_argument("--out", required=True, help="model file to write (e.g. my_tagger.json)")
    ad.add_argument("--annotations", help="annotations.csv (default: the corpus folder's)")
    ad.add_argument("--strength", type=float, default=1.0,
                    help="pull toward the bundled model (higher = smaller change; default 1.0)")
    ad.add_argument("--config", help="stance.toml with settings")

    b = sub.add_parser("build-model", help="prepare the bundled offline embedding model in the cache")
    b.add_argument("--cache-dir", default="")
    parser.set_defaults(_subparsers={"run": r, "report": rep, "adapt-stance": ad, "build-model": b})
    return parser


def _options(p: argparse.ArgumentParser) -> list[str]:
    return [o for a in p._actions for o in a.option_strings if o.startswith("--")]


def _did_you_mean(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """The error for a misspelled subcommand or flag, naming the closest valid one."""
    import difflib
    subs = parser.get_default("_subparsers") or {}
    words = [a for a in argv if not a.startswith("-")]
    if words and words[0] not in subs and argv and not argv[0].startswith("-"):
        close = difflib.get_close_matches(words[0], list(subs), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f" (choose from {', '.join(subs)})"
        return f"stance: error: unknown command '{words[0]}'{hint}"
    name = next((a for a in argv if a in subs), None)
    target = subs.get(name, parser)
    valid = _options(target)
    for arg in argv:
        if not arg.startswith("--") or arg == "--":
            continue
        flag = arg.split("=", 1)[0]
        if flag in valid or any(v.startswith(flag) for v in valid):
            continue
        close = difflib.get_close_matches(flag, valid, n=1, cutoff=0.6)
        prog = f"stance {name}" if name else "stance"
        if close:
            return (f"{prog}: error: unknown option {flag}; did you mean {close[0]}?\n"
                    f"(see `{prog} --help` for every option)")
        return f"{prog}: error: unknown option {flag} (see `{prog} --help` for every option)"
    return None


def config_from_args(args: argparse.Namespace) -> Config:
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(Config)
                 if getattr(args, f.name, None) is not None and f.name != "corpus"}
    overrides["corpus"] = args.corpus
    cfg_path = args.config or ("stance.toml" if Path("stance.toml").exists() else None)
    if cfg_path:
        return Config.from_toml(cfg_path, **overrides)
    return Config().update(overrides, source="command line")


def _format_warning(message, category, filename, lineno, line=None) -> str:
    # One plain line per warning (a damaged cache shard, an ambiguous alias …), not Python's
    # "file:line: Category: …" plus an echoed source line, which reads like a crash.
    return f"warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    import warnings
    previous = warnings.formatwarning
    warnings.formatwarning = _format_warning
    try:
        return _main(argv)
    finally:
        warnings.formatwarning = previous


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    problem = _did_you_mean(parser, argv)
    if problem:             # one line naming the fix, not a page of usage
        print(problem, file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__
        print(__version__)
        return 0
    if not args.command:
        parser.print_help()
        return 1
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "report":
            from .report import build_report
            t0 = time.perf_counter()
            pdf, html = build_report(args.run_dir)
            print(f"wrote {pdf} and {html} in {time.perf_counter() - t0:.1f}s")
            return 0
        if args.command == "adapt-stance":
            return _adapt(args)
        if args.command == "build-model":
            from .embed import load_embedder
            cfg = Config(cache_dir=args.cache_dir)
            emb = load_embedder(cfg)
            emb.encode(["warm-up"], kind="query")      # builds the offline model on first use
            print(f"ready: {emb.model_id} ({emb.dim} dims) in {cfg.cache_path()}")
            return 0
    except StanceError as e:
        print(f"stance: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stance: interrupted; earlier outputs were left as they were", file=sys.stderr)
        return 130
    return 1


def _run(args) -> int:
    from .engine.runio import had_report
    from .io import check_output_dir
    from .pipeline import StancePipeline
    cfg = config_from_args(args)
    out = Path(args.out) if args.out else Path("reports") / Path(cfg.corpus).resolve().name
    _check_writable(out)
    cfg_path = args.config or ("stance.toml" if Path("stance.toml").exists() else None)
    check_output_dir(out, [cfg.corpus, cfg.resolve("actors"), cfg.resolve("topics"),
                           cfg.resolve("annotations"), cfg_path])
    t0 = time.perf_counter()
    result = StancePipeline(cfg).fit_transform()
    for notice in result.notices:
        print(f"notice: {notice}", file=sys.stderr)
    # A folder that held a report gets a new one: a rerun never silently drops what was read.
    rebuild = not cfg.report and had_report(out)
    result.save(out)
    if rebuild:
        print(f"note: {out} held a report; it was rebuilt for this run", file=sys.stderr)
    ann = result.annotations
    cache = result.info.get("embedding_cache")
    if cache is not None and getattr(cache, "n_hit", 0):
        # A rerun, or a run resumed after an interruption, embeds only what is not cached.
        print(f"reused {cache.n_hit:,} of {cache.n_unique:,} embeddings from the cache")
    print(f"{result.summary()} -> {out} ({time.perf_counter() - t0:.1f}s)")
    skipped = result.load_report.summary_line(len(result.documents))
    if skipped:
        print(f"{skipped}: see {out / 'skipped.csv'}", file=sys.stderr)
    if ann is not None and len(ann) and (ann["status"] != "applied").any():
        bad = ann[ann["status"] != "applied"]
        print(f"warning: {len(bad)} annotation row(s) were not applied "
              f"({', '.join(sorted(set(bad['status'])))}); see "
              f"{out / 'annotations_report.csv'}", file=sys.stderr)
    unk = result.tables.get("unknown_speakers")
    if unk is not None and len(unk):
        print(f"{len(unk)} unknown speaker name(s) listed in {out / 'unknown_speakers.csv'}: add them "
              f"to actors.yaml", file=sys.stderr)
    return 0


def _adapt(args) -> int:
    import json
    from .judges.adapt import adapt_stance
    run_json = Path(args.run_dir) / "run.json"
    params = json.loads(run_json.read_text(encoding="utf-8")).get("parameters", {}) \
        if run_json.exists() else {}
    params = {k: v for k, v in params.items() if k in Config.field_names()}
    cfg = Config().update(params, source=str(run_json))
    if args.config:     # the analyst's settings file wins over what the run recorded
        cfg = cfg.update_from_toml(args.config)
    res = adapt_stance(args.run_dir, args.out, cfg, args.annotations, args.strength)
    print(f"adapted on {res['examples']} corrections {res['labels']}: the tagger agreed with "
          f"{res['agree_before']} before, {res['agree_after']} after -> {res['out']}\n"
          f"use it with: stance run {cfg.corpus} --judge fast --stance-model {res['out']}")
    return 0


def _check_writable(out: Path) -> None:
    """Fail before the expensive stages if the output folder cannot be created or written."""
    import os
    import tempfile
    from .errors import OutputError
    parent = out if out.exists() else next((p for p in out.parents if p.exists()), Path("."))
    if out.exists() and not out.is_dir():
        raise OutputError("output path exists and is not a folder", path=out)
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".stance-write-test-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise OutputError(f"cannot write to the output folder ({e.strerror})", path=out,
                          hint="choose another --out folder or fix its permissions") from None


if __name__ == "__main__":
    sys.exit(main())
