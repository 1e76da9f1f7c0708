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
export IPYTHONDIR := $(CACHE)/ipython
export JUPYTER_CONFIG_DIR := $(CACHE)/jupyter/config
export JUPYTER_DATA_DIR := $(CACHE)/jupyter/data

.PHONY: install test test-fast check-clean demo docs browser clean label-studio label-studio-for-tests

install: $(VENV)/.installed

# torch/torchvision are named first with the exact versions this machine has on disk (any newer
# release satisfies settings.ini too, so users elsewhere may install a current one).
# pip keeps no wheel cache (it would sit in $HOME, and on a full disk the cached copy of torch's CUDA build, about 3 GB,
# is what runs out) and unpacks in the checkout's .cache/tmp rather than /tmp (which may be a small tmpfs).
PIP := TMPDIR=$(CACHE)/tmp PIP_NO_CACHE_DIR=1 $(BIN)/python -m pip

$(VENV)/.installed: settings.ini setup.py
	@mkdir -p $(CACHE)/tmp
	@echo "install: $$(df -Ph . | awk 'NR==2 {print $$4}') free here; torch's CUDA build, when it is not already on disk, needs about 9 GB"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel
	$(PIP) install -q "torch==2.14.1" "torchvision==0.29.1" || $(PIP) install -q torch torchvision
	$(PIP) install -q -e ".[dev]"
	rm -rf $(CACHE)/tmp
	touch $@

check-clean: install
	$(BIN)/python tools/check_clean.py

# Chromium (docs test) writes crash-report and dconf folders under the XDG dirs: keep them in the checkout too.
TEST_ENV := XDG_CONFIG_HOME=$(CACHE)/xdg/config XDG_CACHE_HOME=$(CACHE)/xdg/cache

test: install browser check-clean label-studio-for-tests
	$(TEST_ENV) $(BIN)/python tools/test_notebooks.py --flags slow

test-fast: install
	$(TEST_ENV) $(BIN)/python tools/test_notebooks.py

demo: install
	$(BIN)/yolo-sam demo --out demo_run

# The docs site, built offline (no Quarto): open _docs/index.html. nbs/07_docs_site.ipynb checks it in Chromium.
docs: install
	$(BIN)/python tools/build_docs.py

# Headless Chromium for nbs/07_docs_site.ipynb: Debian's packages, installed only as root with apt-get
# (the notebook skips its browser checks, saying why, when /usr/bin/chromium is missing).
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then echo "browser: $$(/usr/bin/chromium --version 2>/dev/null | head -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "browser: apt-get could not install chromium chromium-driver; the docs notebook will skip its browser checks"; \
	else echo "browser: skipped installing chromium and chromium-driver (needs root and apt-get); the docs notebook will skip its browser checks"; fi

# Label Studio, for nbs/91_label_studio_server.ipynb (a real server in the tests), in a venv of its own: it pins its
# own numpy and Django. About 4.5 minutes, once; the marker names the version, so a new version reinstalls.
LS_VENV ?= .venv-ls
LS_VERSION := 1.23.2
label-studio: $(LS_VENV)/.installed-$(LS_VERSION)

$(LS_VENV)/.installed-$(LS_VERSION):
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	@mkdir -p $(CACHE)/tmp
	TMPDIR=$(CACHE)/tmp PIP_NO_CACHE_DIR=1 $(LS_VENV)/bin/python -m pip install -q "label-studio==$(LS_VERSION)"
	rm -rf $(CACHE)/tmp
	rm -f $(LS_VENV)/.installed-* && touch $@

# make test goes on when the install fails: the notebook then counts its checks as skipped (and fails under CI)
label-studio-for-tests:
	@$(MAKE) --no-print-directory label-studio || echo "label-studio: could not install label-studio==$(LS_VERSION) into $(LS_VENV); nbs/91_label_studio_server.ipynb will skip its checks (CI: fail them)"

clean:
	rm -rf $(VENV) $(LS_VENV) $(CACHE) _docs _proc demo_run
