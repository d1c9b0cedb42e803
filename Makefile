VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench accurate

# one-time set-up: a virtualenv with narrascope, the test tools and PySpark (re-done when pyproject.toml changes),
# installed with the pip that `python3 -m venv` brings (not upgraded), as a user would
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -e ".[dev,spark]"
	touch $@

# the `accurate` extra (torch, the fine-tuned technique encoder): torch's CPU build first, else pip takes a
# CUDA build of several GB (elsewhere: pip install torch --index-url https://download.pytorch.org/whl/cpu)
accurate: $(VENV)/.installed
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev,spark,accurate]"

# the main job on the bundled example articles: terminal summary, report.html, results.jsonl
demo: $(VENV)/.installed
	HF_HUB_OFFLINE=1 $(VENV)/bin/narrascope analyze examples/ --html report.html --json results.jsonl

test: $(VENV)/.installed
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

# quality and speed benchmarks (need ../shared/data); print tables, write benchmarks/results/*.json
bench: $(VENV)/.installed
	$(PY) -m benchmarks.narratives_cv
	$(PY) -m benchmarks.roles_cv
	$(PY) -m benchmarks.techniques_cv
	$(PY) -m benchmarks.explanations_cv --dominant
	$(PY) -m benchmarks.speed
	$(PY) -m benchmarks.api_load
	$(PY) -m benchmarks.store_ingest
	$(PY) -m benchmarks.batch
	$(PY) -m benchmarks.dedup_quality
	$(PY) -m benchmarks.techniques_unseen
