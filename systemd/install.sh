#!/usr/bin/env bash
# Install Samantha as an appliance: the app and its own venv in /opt/samantha, the board's
# models verified and read-only, the config in /etc/samantha, the hardened unit enabled.
#   sudo make install            (runs this script from the repository root)
# DESTDIR=dir stages everything under dir (used by the tests; a venv is not relocatable, so
# SKIP_VENV=1 goes with it). BOARD= overrides the detected board.
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

# 1. the app: code, board profiles, unit files, manifest (no caches, no weights yet)
install -d -m 0755 "$APP" "$APP/models"
rm -rf "$APP/src" "$APP/device" "$APP/systemd"
tar -C "$REPO" --exclude=__pycache__ --exclude='*.egg-info' --exclude=device/image -cf - \
    src device systemd pyproject.toml requirements.lock README.md | tar -C "$APP" -xf -
install -m 0644 "$REPO/models/manifest.toml" "$APP/models/manifest.toml"

# 2. her own venv (the samantha package is found through a .pth file pointing at $PREFIX/src)
if [ "${SKIP_VENV:-0}" != 1 ]; then
  "$PYTHON" -m venv "$APP/venv"
  "$APP/venv/bin/python" -m pip install -q --upgrade pip==24.3.1
  CMAKE_ARGS="${LLAMA_CMAKE_ARGS:-}" "$APP/venv/bin/python" -m pip install -q \
      "llama-cpp-python==$LLAMA_VERSION"
  "$APP/venv/bin/python" -m pip install -q -r "$APP/requirements.lock"
  site=$("$APP/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$PREFIX/src" > "$site/samantha.pth"
  printf '#!%s\nimport sys\nfrom samantha.cli import main\nsys.exit(main())\n' \
      "$PREFIX/venv/bin/python" > "$APP/venv/bin/samantha"
  chmod 0755 "$APP/venv/bin/samantha"
  # byte-code compiled now: at run time /opt is read-only to her (ProtectSystem=strict)
  "$APP/venv/bin/python" -m compileall -q "$APP/src"
  RUN_PY=$APP/venv/bin/python
else
  say "SKIP_VENV=1: no venv made; checking with $DEV_PY"
  RUN_PY=$DEV_PY
fi

# 3. the config: installed once, never overwritten
install -d -m 0755 "$ETC/samantha"
if [ ! -e "$ETC/samantha/samantha.toml" ]; then
  install -m 0644 "$REPO/systemd/samantha.toml" "$ETC/samantha/samantha.toml"
else
  say "keeping $ETC/samantha/samantha.toml"
fi

# 4. the models this board and config choose: copied, verified, then read-only
names=$(SAMANTHA_CONFIG="$ETC/samantha/samantha.toml" PYTHONPATH="$APP/src" "$RUN_PY" -c '
import sys
from samantha import config
c = config.load(board=sys.argv[1])
print(c.asr.model, c.llm.model, c.tts.voice)' "$BOARD")
SRC_MODELS=${MODELS_FROM:-$REPO/models}
files=$(PYTHONPATH="$APP/src" "$RUN_PY" -c '
import sys
from samantha import modelstore
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
PYTHONPATH="$APP/src" "$RUN_PY" -m samantha models --models-dir "$APP/models" verify $names \
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
