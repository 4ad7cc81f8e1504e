#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server` from the SAME llama.cpp source that the pinned
# llama-cpp-python vendors (its sdist carries vendor/llama.cpp with tools/server), so the rooms'
# batching brain and the in-process model run the same kernels on the same GGUF files.
#
#   scripts/build-llama-server.sh [OUT]     (default OUT: build/llama-server/bin/llama-server)
#
# Only the llama-server target is built, niced, without the web UI (no npm, no download) and
# without OpenSSL. The binary is cached: an existing OUT is kept unless FORCE=1.
# Environment: LLAMA_VERSION (0.3.36), LLAMA_CMAKE_ARGS (the Makefile's), PYTHON (for pip
# download), JOBS (nproc).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
version="${LLAMA_VERSION:-0.3.36}"
out="${1:-$here/build/llama-server/bin/llama-server}"
cache="$here/.cache/llama-server"
python="${PYTHON:-python3}"
jobs="${JOBS:-$(nproc)}"

if [[ -x "$out" && "${FORCE:-0}" != 1 ]]; then
  echo "llama-server: $out is already built (FORCE=1 rebuilds)"
  exit 0
fi
if [[ -z "${LLAMA_CMAKE_ARGS:-}" ]]; then
  if [[ "$(uname -m)" == x86_64 ]]; then
    LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF"
  else
    LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAMA_CURL=OFF"
  fi
fi
command -v cmake >/dev/null || { echo "llama-server: cmake is missing (make system-deps installs it)"; exit 1; }
mkdir -p "$cache"
sdist="$cache/llama_cpp_python-$version.tar.gz"
if [[ ! -f "$sdist" ]]; then
  echo "llama-server: fetching the llama-cpp-python $version sdist (the vendored llama.cpp source)"
  "$python" -m pip download -q --no-binary :all: --no-deps --dest "$cache" \
    "llama-cpp-python==$version"
fi
src="$cache/llama_cpp_python-$version/vendor/llama.cpp"
if [[ ! -f "$src/tools/server/server.cpp" ]]; then
  tar xzf "$sdist" -C "$cache" "llama_cpp_python-$version/vendor/llama.cpp"
fi
build="$cache/build-$version"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# shellcheck disable=SC2086  # LLAMA_CMAKE_ARGS is a list of flags
nice -n 19 cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF $LLAMA_CMAKE_ARGS >/dev/null
echo "llama-server: building (niced, $jobs jobs; about 10 minutes on 2 cores)"
nice -n 19 cmake --build "$build" --target llama-server -j "$jobs" >/dev/null
mkdir -p "$(dirname "$out")"
cp "$build/bin/llama-server" "$out.tmp"
mv "$out.tmp" "$out"
"$out" --version 2>&1 | head -2 || true
echo "llama-server: $out"
