#!/usr/bin/env bash
# Install Samantha as an appliance: the app and its own venv in /opt/samantha, the board's
# models verified and read-only, the config in /etc/samantha, the hardened unit enabled.
#   sudo make install            (runs this script from the repository root)
# DESTDIR=dir stages everything under dir (used by the tests; a venv is not relocatable, so
# SKIP_VENV=1 goes with it). BOARD= overrides the detected board. EXTRA_MODELS= adds models.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/samantha}
PYTHON=${PYTHON:-python3}
DEV_PY=${DEV_PY:-$REPO/.venv/bin/python}
LLAMA_VERSION=${LLAMA_VERSION:-0.3.36}
APP=$DESTDIR$PREFIX
ETC=$DESTDIR/etc
say() { echo "install: $*"; }
die() { echo "install error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || [ -n "$DESTDIR" ] || die "run as root: sudo make install"
[ -x "$DEV_PY" ] || die "$DEV_PY is missing. Fix: run make setup first"
BOARD=${BOARD:-$("$DEV_PY" -c 'from samantha.boards import detect; print(detect())')}
say "board $BOARD, into ${DESTDIR:-/}"

# 1. the app: the samantha wheel (code, board profiles, the manifest), the pins, the unit files
install -d -m 0755 "$APP" "$APP/models" "$APP/wheels"
rm -rf "$APP/src" "$APP/device" "$APP/systemd" "$APP/docs" "$APP"/wheels/samantha-*.whl
install -d -m 0755 "$APP/docs"
install -m 0644 "$REPO"/docs/*.md "$APP/docs/"   # the units' Documentation= pages
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp -r "$REPO/pyproject.toml" "$REPO/README.md" "$REPO/src" "$build/"
install -D -m 0644 "$REPO/models/manifest.toml" "$build/models/manifest.toml"
rm -rf "$build"/src/*.egg-info
"$DEV_PY" -m pip wheel -q --no-deps --no-build-isolation --no-index -w "$APP/wheels" "$build" \
  >/dev/null || die "building the samantha wheel failed. Fix: make setup, then install again"
WHEEL=$(ls "$APP"/wheels/samantha-*.whl)
install -m 0644 "$REPO/requirements.lock" "$APP/requirements.lock"
install -d -m 0755 "$APP/systemd"
install -m 0644 "$REPO/systemd/samantha.service" "$APP/systemd/samantha.service"
install -m 0644 "$REPO/models/manifest.toml" "$APP/models/manifest.toml"
install -d -m 0755 "$APP/device"
install -m 0644 "$REPO/device/asound.conf" "$APP/device/asound.conf"

# 2. her own venv, with the wheel installed in it (no source tree, no .pth)
if [ "${SKIP_VENV:-0}" != 1 ]; then
  "$PYTHON" -m venv "$APP/venv"
  "$APP/venv/bin/python" -m pip install -q --upgrade pip==24.3.1
  CMAKE_ARGS="${LLAMA_CMAKE_ARGS:-}" "$APP/venv/bin/python" -m pip install -q \
      "llama-cpp-python==$LLAMA_VERSION"
  "$APP/venv/bin/python" -m pip install -q -r "$APP/requirements.lock"
  "$APP/venv/bin/python" -m pip install -q --no-deps --no-index "$WHEEL"
  # byte-code compiled by pip at install: at run time /opt is read-only (ProtectSystem=strict)
  RUN_PY=$APP/venv/bin/python
  RUN_PATH=
else
  say "SKIP_VENV=1: no venv made; checking with $DEV_PY and the wheel"
  RUN_PY=$DEV_PY
  RUN_PATH=$build/site
  "$DEV_PY" -m pip install -q --no-deps --no-index --target "$RUN_PATH" "$WHEEL" >/dev/null
fi

# 3. the config: installed once, never overwritten
install -d -m 0755 "$ETC/samantha"
if [ ! -e "$ETC/samantha/samantha.toml" ]; then
  install -m 0644 "$REPO/systemd/samantha.toml" "$ETC/samantha/samantha.toml"
else
  say "keeping $ETC/samantha/samantha.toml"
fi

# 4. the models this board and config choose: copied, verified, then read-only
names=$(SAMANTHA_CONFIG="$ETC/samantha/samantha.toml" PYTHONPATH="$RUN_PATH" "$RUN_PY" -c '
import sys
from samantha import config
c = config.load(board=sys.argv[1])
print(c.asr.model, c.llm.model, c.tts.voice)' "$BOARD")
# EXTRA_MODELS: more to carry than this config uses (the SD image: the Korean ears, so that
# `language = ko` in samantha.txt works from the card)
names="$names ${EXTRA_MODELS:-}"
SRC_MODELS=${MODELS_FROM:-$REPO/models}
files=$(PYTHONPATH="$RUN_PATH" "$RUN_PY" -c '
import sys
from samantha.models import store as modelstore
for name in sys.argv[1:]:
    for f in modelstore.get(name).files:
        print(f.path)' $names)
for f in $files; do
  [ -f "$SRC_MODELS/$f" ] || die "model file $SRC_MODELS/$f is missing. Fix: make models (or samantha models fetch)"
  install -d -m 0755 "$APP/models/$(dirname "$f")"
  if ! cmp -s "$SRC_MODELS/$f" "$APP/models/$f"; then
    rm -f "$APP/models/$f"
    cp --reflink=auto "$SRC_MODELS/$f" "$APP/models/$f"
  fi
done
PYTHONPATH="$RUN_PATH" "$RUN_PY" -m samantha models --models-dir "$APP/models" verify $names \
  || die "a model failed verification. Fix: make models, then install again"
if [ "$(id -u)" = 0 ]; then chown -R root:root "$APP"; fi
find "$APP/models" -type d -exec chmod 0555 {} +
find "$APP/models" -type f -exec chmod 0444 {} +

# 5. ALSA sharing without a sound server, on the headless boards (never over a user's own file)
case "$BOARD" in
  rpi*|jetson*)
    if [ ! -e "$ETC/asound.conf" ]; then install -m 0644 "$REPO/device/asound.conf" "$ETC/asound.conf"
    else say "keeping $ETC/asound.conf (see $PREFIX/device/asound.conf)"; fi ;;
esac

# 6. the unit, the board's memory limits, enabled
install -d -m 0755 "$ETC/systemd/system"
install -m 0644 "$REPO/systemd/samantha.service" "$ETC/systemd/system/samantha.service"
rm -rf "$ETC/systemd/system/samantha.service.d"
if [ -f "$REPO/systemd/boards/$BOARD.conf" ]; then
  install -d -m 0755 "$ETC/systemd/system/samantha.service.d"
  install -m 0644 "$REPO/systemd/boards/$BOARD.conf" "$ETC/systemd/system/samantha.service.d/board.conf"
fi
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now samantha.service
  say "enabled and started: journalctl -u samantha -f"
else
  systemctl --root="${DESTDIR:-/}" enable samantha.service 2>/dev/null \
    || ln -sf /etc/systemd/system/samantha.service \
         "$(install -d "$ETC/systemd/system/multi-user.target.wants" && echo "$ETC/systemd/system/multi-user.target.wants")/samantha.service"
  say "enabled (systemd is not running here: it starts at the next boot)"
fi
say "done: models $names"
