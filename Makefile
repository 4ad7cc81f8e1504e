# Samantha: `make demo` speaks one real turn, `make test` runs the tests. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
ARCH := $(shell uname -m)
APT_PACKAGES := portaudio19-dev espeak-ng sox libspeexdsp1 systemd util-linux nftables fdisk strace cmake
LLAMA_VERSION := 0.3.36

# llama.cpp build flags. x86: no -march=native (a native build crashes in ggml's AMX kernel,
# ggml_backend_amx_mul_mat, on VMs that report AMX), explicit AVX2/FMA/F16C instead.
ifeq ($(ARCH),x86_64)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF
else
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=ON -DLLAMA_CURL=OFF
endif

.PHONY: setup system-deps models demo test check eval bench clean install uninstall llama-server
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

# llama.cpp's own server, from the same vendored source as llama-cpp-python: many rooms at once
# (docs/rooms.md). Built niced, only if missing; cached in the git-ignored build/ and .cache/.
LLAMA_SERVER := build/llama-server/bin/llama-server
llama-server: $(LLAMA_SERVER)
$(LLAMA_SERVER):
	LLAMA_VERSION=$(LLAMA_VERSION) LLAMA_CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" PYTHON=$(PY) \
	  scripts/build-llama-server.sh $@

test: models $(LLAMA_SERVER)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	PYTHON=$(PYTHON) tests/satellite_env.sh
	$(VENV)/bin/pytest -q

# While working: lint, types and the fast tests (no real models), in under a minute.
check: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -m "not slow"

# The companion scorecard on the real model (docs/companion.md).
eval: models
	$(VENV)/bin/samantha eval

bench: models
	$(VENV)/bin/samantha bench

# The appliance (as root): /opt/samantha with its own venv, verified read-only models,
# /etc/samantha/samantha.toml, the hardened unit enabled. BOARD=... overrides detection.
install: models
	LLAMA_CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" systemd/install.sh

# Removes all of it but her memory (/var/lib/samantha); PURGE=1 removes that too.
uninstall:
	PURGE=$(PURGE) systemd/uninstall.sh

# The SD image for Raspberry Pi 5 and 4 (as root; not part of `make test`). docs/sd-image.md.
#   make image BASE=raspios-lite-arm64.img.xz   (or an arm64 rootfs directory; the default is a
#   Debian bookworm arm64 rootfs made here with debootstrap, standing in for Raspberry Pi OS Lite)
#   XZ=0 stops at the raw disk, build/image/work/samantha.img (for image-boot-test: no xz wait)
IMAGE_APT := debootstrap qemu-user-static binfmt-support fdisk dosfstools mtools e2fsprogs \
  xz-utils file gcc-aarch64-linux-gnu g++-aarch64-linux-gnu cmake ninja-build nftables
IMAGE_BASE_DIR := build/image/base-rootfs
BASE ?= $(IMAGE_BASE_DIR)
IMAGE ?= out/samantha-rpi-arm64.img.xz
IMAGE_BOARD ?= rpi4
NICE := nice -n 19 ionice -c3
.PHONY: image-deps image-base image image-check image-boot-test
image-deps:
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(IMAGE_APT)"
image-base: image-deps
	$(NICE) device/image/make-base-rootfs.sh $(IMAGE_BASE_DIR)
image: models image-deps
	@if [ "$(BASE)" = "$(IMAGE_BASE_DIR)" ]; then $(MAKE) --no-print-directory image-base; fi
	$(NICE) device/image/build.sh --base $(BASE) --out $(IMAGE) --board $(IMAGE_BOARD) \
	  $(if $(filter 0,$(XZ)),--no-xz)
image-check:
	$(NICE) device/image/check-image.sh $(IMAGE)
# Boots the Debian stand-in image in qemu-system-aarch64 -M virt (TCG, slow), has samantha.service
# answer one spoken turn from a WAV microphone, and prints a report (IMAGE= an .img.xz or .img).
image-boot-test:
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="qemu-system-arm mtools fdisk e2fsprogs"
	$(NICE) device/image/boot-test.sh $(IMAGE) out/boot-test.log

clean:
	rm -rf $(VENV) out .pytest_cache
