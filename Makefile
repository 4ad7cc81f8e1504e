# Samantha: `make demo` speaks one real turn, `make test` runs the tests. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
ARCH := $(shell uname -m)
APT_PACKAGES := portaudio19-dev espeak-ng sox
LLAMA_VERSION := 0.3.36

# llama.cpp build flags. x86: no -march=native (a native build crashes in ggml's AMX kernel,
# ggml_backend_amx_mul_mat, on VMs that report AMX), explicit AVX2/FMA/F16C instead.
ifeq ($(ARCH),x86_64)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF
else
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=ON -DLLAMA_CURL=OFF
endif

.PHONY: setup system-deps models demo test lint bench clean
setup: system-deps $(VENV)/.installed

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages: run  sudo apt-get install -y $$missing  then make setup again"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip==24.3.1
	@echo "building llama-cpp-python $(LLAMA_VERSION) from source if it is not cached (about 11 minutes on 2 cores)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(PIP) install -q llama-cpp-python==$(LLAMA_VERSION)
	$(PIP) install -q -r requirements.lock
	$(PIP) install -q --no-deps -e .
	@touch $@

models: setup
	$(VENV)/bin/samantha models provision --defaults

demo: models
	$(VENV)/bin/samantha demo

test: models
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/pytest -q

bench: models
	$(VENV)/bin/samantha bench

clean:
	rm -rf $(VENV) out .pytest_cache
