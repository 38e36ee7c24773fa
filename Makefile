# Thin wrappers around the `textbook` CLI. Every target first makes sure the
# virtualenv exists and holds the generator (pyproject.toml) and what the
# chapters run (requirements.txt); it is re-installed only when one changes. Each command then makes sure of the system tools it
# needs (Poppler, EPUBCheck, Chromium) before it does any work: one
# apt-get install of the missing ones as root, else the one line to run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-pyproject
# Extra flags for `textbook build`, e.g. make book BUILD_FLAGS=--verbose
BUILD_FLAGS ?=
# `make exam`: which exam file, how many variants, which seed (the same seed gives the same files)
EXAM     ?= exams/midterm.yml
VARIANTS ?= 1
SEED     ?= 0
# `make grade`: what to grade (a module, an exam file or exercise ids) and the students' submissions
WHAT        ?=
SUBMISSIONS ?=

.PHONY: book html epub pdf handouts workbook key report moodle exam grade gradescope serve proof test setup benchmark benchmark-grading chapter-times clean

book: $(STAMP)          ## every edition: HTML, EPUB, PDF book, handouts, workbook, answer key
	$(BIN)/textbook build all $(BUILD_FLAGS)

html: $(STAMP)          ## the HTML edition only
	$(BIN)/textbook build html $(BUILD_FLAGS)

epub: $(STAMP)          ## the EPUB edition only (_build/epub/<book>.epub), checked by EPUBCheck
	$(BIN)/textbook build epub $(BUILD_FLAGS)

pdf: $(STAMP)           ## the PDF book only
	$(BIN)/textbook build pdf $(BUILD_FLAGS)

handouts: $(STAMP)      ## one PDF handout per module
	$(BIN)/textbook build handouts $(BUILD_FLAGS)

workbook: $(STAMP)      ## the student workbook (PDF)
	$(BIN)/textbook build workbook $(BUILD_FLAGS)

key: $(STAMP)           ## the answer keys for instructors (PDF): the whole key and one per module
	$(BIN)/textbook build key $(BUILD_FLAGS)

moodle: $(STAMP)        ## the exercise bank as Moodle XML, for instructors (_build/export/moodle.xml)
	$(BIN)/textbook export moodle
exam: $(STAMP)          ## exam variants and keys: make exam EXAM=exams/midterm.yml VARIANTS=3 SEED=1
	$(BIN)/textbook exam $(EXAM) --variants $(VARIANTS) --seed $(SEED)
grade: $(STAMP)         ## run students' code against the checks: make grade WHAT=04-serving-with-fastapi SUBMISSIONS=path
	$(BIN)/textbook grade $(WHAT) --submissions $(SUBMISSIONS)
gradescope: $(STAMP)    ## a Gradescope autograder that grades as make grade does: make gradescope WHAT=04-serving-with-fastapi
	$(BIN)/textbook export gradescope $(WHAT)
report: $(STAMP)        ## objective coverage (Markdown): each objective's exercises, kinds, points, minutes
	$(BIN)/textbook report

serve: $(STAMP)         ## live preview at http://127.0.0.1:8000
	$(BIN)/textbook serve

proof: $(STAMP)         ## every page of the PDF editions on contact sheets in _build/proof/ (after make book)
	$(BIN)/textbook proof

setup: $(STAMP)         ## install the system tools of every edition and the web gate (Poppler, EPUBCheck, Chromium) if missing
	$(BIN)/textbook setup

test: setup             ## unit tests plus one build of every edition, one process a core
	$(BIN)/python -m pytest -n auto

benchmark: $(STAMP)     ## build-speed benchmark against Jupyter Book 1.0 (see benchmarks/README.md)
	$(BIN)/python benchmarks/build_speed.py

benchmark-grading: $(STAMP) ## time make grade on 100 generated submissions of module 04, and the grader's own time per run
	$(BIN)/python benchmarks/grading.py


chapter-times: $(STAMP) ## execute each chapter alone and report its time (limit 30 s; module 12: 60 s); no system tools
	$(BIN)/python benchmarks/chapter_times.py --runs 3

clean:                  ## remove every build product (keeps .venv) and stop the build server
	@if [ -x $(BIN)/textbook ]; then $(BIN)/textbook server stop; fi
	rm -rf _build

$(STAMP): pyproject.toml requirements.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -r requirements.txt
	touch $@
