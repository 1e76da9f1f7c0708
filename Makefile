# The two commands of the README: `make test` and `make demo`. Both build the venv from scratch when
# it is missing or when settings.ini/setup.py changed, and never touch your home directory.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CACHE := $(CURDIR)/.cache
# Keep every tool's config and cache inside the checkout (nothing in $HOME or site-packages).
export YOLO_CONFIG_DIR := $(CACHE)/ultralytics
export YOLO_OFFLINE := 1
export MPLCONFIGDIR := $(CACHE)/matplotlib
export HF_HOME := $(CACHE)/huggingface
export HF_HUB_OFFLINE ?= 1
export TORCH_HOME := $(CACHE)/torch
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: install test test-fast check-clean demo docs clean

install: $(VENV)/.installed

# torch/torchvision are named first with the exact versions this machine has on disk (any newer
# release satisfies settings.ini too, so users elsewhere may install a current one).
$(VENV)/.installed: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1" || $(BIN)/python -m pip install -q torch torchvision
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

check-clean: install
	$(BIN)/python tools/check_clean.py

test: install check-clean
	$(BIN)/python tools/test_notebooks.py --flags slow

test-fast: install
	$(BIN)/python tools/test_notebooks.py

demo: install
	$(BIN)/yolo-sam demo --out demo_run

docs: install
	$(BIN)/python tools/build_docs.py

clean:
	rm -rf $(VENV) $(CACHE) _docs _proc demo_run
