#!/usr/bin/env bash
# Remove Samantha: the unit, /opt/samantha, /etc/samantha. Her memory (/var/lib/samantha) is
# kept unless PURGE=1. DESTDIR=dir works on a staged tree (tests).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/samantha}
ETC=$DESTDIR/etc
say() { echo "uninstall: $*"; }
[ "$(id -u)" = 0 ] || [ -n "$DESTDIR" ] || { echo "uninstall error: run as root: sudo make uninstall" >&2; exit 1; }

if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now samantha.service 2>/dev/null || true
else
  systemctl --root="${DESTDIR:-/}" disable samantha.service 2>/dev/null || true
fi
rm -f "$ETC/systemd/system/multi-user.target.wants/samantha.service"
rm -rf "$ETC/systemd/system/samantha.service" "$ETC/systemd/system/samantha.service.d"
# our asound.conf goes only if it is still exactly ours
if [ -f "$ETC/asound.conf" ] && cmp -s "$ETC/asound.conf" "$REPO/device/asound.conf"; then
  rm -f "$ETC/asound.conf"
fi
[ -d "$DESTDIR$PREFIX/models" ] && chmod -R u+w "$DESTDIR$PREFIX/models"
rm -rf "${DESTDIR:?}$PREFIX" "$ETC/samantha"
if [ "${PURGE:-0}" = 1 ]; then
  rm -rf "$DESTDIR/var/lib/samantha" "$DESTDIR/var/lib/private/samantha"
  say "removed, and her memory with it (PURGE=1)"
else
  say "removed; her memory is kept in /var/lib/samantha (make uninstall PURGE=1 removes it)"
fi
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
