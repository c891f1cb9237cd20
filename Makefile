# exportdesk — `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-osd tesseract-ocr-script-latn poppler-utils ghostscript \
	unpaper chromium fonts-dejavu-core fonts-liberation
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_THREAD_LIMIT := 1
DEMO_DIR ?= var/demo

.PHONY: help setup system-deps demo test test-fast check lint bench samples catalogues clean workers app-scaled fuzz screenshots

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

system-deps: ## Install Debian packages (Tesseract, poppler, chromium) if missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo ">> installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	@echo ">> installing Python dependencies into $(VENV) (torch pinned to the CPU build)"
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

setup: system-deps $(STAMP) ## Install everything that is missing (Debian packages, venv)

demo: setup ## Process the bundled samples and serve the review screen on :8501
	$(VENV)/bin/exportdesk demo --data-dir $(DEMO_DIR)

test: setup ## Run the whole test suite (slow, OCR, browser and PostgreSQL tests included)
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: setup ## Unit tests only (no OCR, models, browser or PostgreSQL)
	$(PY) -m pytest -m "not ocr and not slow and not browser and not postgres"

screenshots: setup ## Refresh docs/screenshots/ from the browser test (make test writes to a temp folder)
	EXPORTDESK_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/ui/test_browser.py -q

lint: setup ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy extract classify risk review ui models samples

check: lint test ## Lint, type-check and test

bench: setup ## Benchmarks: reading beside raw tesseract and OCRmyPDF, then classification
	$(PY) -m exportdesk.models.extraction.bench --generate 8 --seed 4242
	$(PY) -m exportdesk.models.classification.bench

WORKERS ?= 2
SCALE_DB ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SCALE_BROKER ?= redis://127.0.0.1:6379/0
SCALE_QUEUE ?= exportdesk
SCALE_DIR ?= var/scaled
SCALE_ENV = EXPORTDESK_JOB_BACKEND=celery EXPORTDESK_DATABASE_URL=$(SCALE_DB) \
	EXPORTDESK_BROKER_URL=$(SCALE_BROKER) EXPORTDESK_CELERY_QUEUE=$(SCALE_QUEUE) \
	EXPORTDESK_DATA_DIR=$(SCALE_DIR) OPENBLAS_NUM_THREADS=1

workers: setup ## Start WORKERS=N Celery workers on the local PostgreSQL and Redis (foreground)
	$(SCALE_ENV) $(PY) -m celery -A exportdesk.review.celery_app worker -Q $(SCALE_QUEUE) \
		--concurrency $(WORKERS) --pool prefork -n exportdesk@%h -l INFO

app-scaled: setup ## Serve the review app on the same PostgreSQL and Redis (run `make workers` too)
	$(SCALE_ENV) EXPORTDESK_START_WORKER=false $(PY) -m exportdesk.ui.serve \
		--server.headless true --browser.gatherUsageStats false

FUZZ_SECONDS ?= 1800
FUZZ_DIR ?= var/fuzz
fuzz: setup ## Fuzz the reader for FUZZ_SECONDS (default 30 min); findings in var/fuzz/findings
	mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/findings
	$(PY) tests/fuzz/seeds.py $(FUZZ_DIR)/corpus
	set -o pipefail; nice $(PY) tests/fuzz/fuzz_reader.py $(FUZZ_DIR)/corpus -dict=tests/fuzz/pdf.dict \
		-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=120 \
		-artifact_prefix=$(FUZZ_DIR)/findings/ -print_final_stats=1 2>&1 | tee $(FUZZ_DIR)/fuzz.log | grep -v "^#"
	@echo "findings: $$(ls $(FUZZ_DIR)/findings | wc -l) (inputs in $(FUZZ_DIR)/findings)"

clean: ## Remove generated run data (keeps the venv)
	rm -rf var .pytest_cache
