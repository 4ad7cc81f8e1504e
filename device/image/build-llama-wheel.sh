#!/usr/bin/env bash
# Cross-build the llama-cpp-python wheel for aarch64 (Pi 4 and Pi 5) on an x86-64 host, once, and
# cache it. Compiling llama.cpp under qemu-user emulation takes hours; cross-compiling takes about
# as long as the native x86 build. llama-cpp-python's native parts (libllama, libggml*) are plain
# shared libraries that Python opens with ctypes, not a CPython extension, so the wheel is
# "py3-none-<platform>": we build it with the cross toolchain and then retag it linux_aarch64.
#
# usage: build-llama-wheel.sh VERSION WHEEL_DIR
#   prints the path of the wheel; does nothing when WHEEL_DIR already holds it.
# needs: gcc-aarch64-linux-gnu g++-aarch64-linux-gnu cmake ninja-build (Debian), python3-venv.
set -euo pipefail
# --no-cache-dir below: pip caches built wheels by sdist, not by CMAKE_ARGS, so without it pip
# hands back the host (x86) wheel that `make setup` built.

version=${1:?usage: build-llama-wheel.sh VERSION WHEEL_DIR}
wheel_dir=${2:?usage: build-llama-wheel.sh VERSION WHEEL_DIR}
here=$(cd "$(dirname "$0")" && pwd)
wheel="$wheel_dir/llama_cpp_python-$version-py3-none-linux_aarch64.whl"

if [[ -f $wheel ]]; then
  echo "$wheel"
  exit 0
fi
for tool in aarch64-linux-gnu-gcc aarch64-linux-gnu-g++ cmake ninja; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool: apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu cmake ninja-build" >&2
    exit 1
  }
done

mkdir -p "$wheel_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pip==24.3.1 wheel==0.45.1
# Pin the build backend too (pip's isolated build env honours PIP_CONSTRAINT).
echo "scikit-build-core==0.11.6" >"$work/constraints.txt"

# armv8-a: the one baseline both boards run (Pi 4 is a Cortex-A72 without dotprod). OpenMP off:
# ggml's own thread pool, and no libgomp to ship. No llava/mtmd: Samantha does not use images.
cmake_args=(
  "-DCMAKE_TOOLCHAIN_FILE=$here/aarch64-toolchain.cmake"
  -DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH=armv8-a -DGGML_OPENMP=OFF
  -DLLAMA_CURL=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DGGML_BUILD_TESTS=OFF -DGGML_BUILD_EXAMPLES=OFF
)
PIP_CONSTRAINT="$work/constraints.txt" CMAKE_GENERATOR=Ninja \
CMAKE_ARGS="${cmake_args[*]}" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
  "$work/venv/bin/pip" wheel -q --no-cache-dir --no-deps --no-binary llama-cpp-python \
  "llama-cpp-python==$version" -w "$work/dist"

built=$(ls "$work"/dist/llama_cpp_python-"$version"-py3-none-*.whl)
# Refuse a wheel whose libraries are not aarch64 (a toolchain that silently fell back to the host).
mkdir "$work/check"
(cd "$work/check" && python3 -m zipfile -e "$built" .)
find "$work/check" -name '*.so*' -type f -print0 | while IFS= read -r -d '' so; do
  file -b "$so" | grep -q 'ARM aarch64' || { echo "not aarch64: $so" >&2; exit 1; }
done
"$work/venv/bin/wheel" tags --remove --platform-tag linux_aarch64 "$built" >/dev/null
mv "$work"/dist/llama_cpp_python-"$version"-py3-none-linux_aarch64.whl "$wheel"
echo "$wheel"
