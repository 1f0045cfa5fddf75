# Two commands do all set-up on a fresh machine:
#   make report   install into .venv, analyse seeds/ and write reports/seeds/stance_report.pdf
#   make test     install into .venv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup report test notebooks lab clean

setup: $(VENV)/.installed

# torch is installed first and pinned: pip then keeps this CPU build instead of pulling a CUDA one.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[all]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

report: setup
	$(BIN)/stance run seeds --out reports/seeds --report

test: setup
	$(BIN)/python -m pytest -q -ra --durations=12

lab: setup
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) reports/*/
