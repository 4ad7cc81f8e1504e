#!/usr/bin/env bash
# Apply /boot/firmware/samantha.txt to /etc/samantha (root is read-only: remount it read-write
# for the few milliseconds it takes, then back). The file is renamed afterwards so it is applied
# once: samantha.txt.applied, or samantha.txt.not-applied with samantha-error.txt beside it.
set -euo pipefail
boot=/boot/firmware
settings=$boot/samantha.txt
[[ -f $settings ]] || exit 0

mount -o remount,rw /
mount -o remount,rw "$boot"
trap 'sync; mount -o remount,ro "$boot" || true; mount -o remount,ro / || true' EXIT

rm -f "$boot/samantha-error.txt"
if SAMANTHA_MODELS_DIR=/opt/samantha/models /opt/samantha/venv/bin/python -m samantha.appliance.firstboot \
     "$settings" --etc-dir /etc/samantha --models-dir /opt/samantha/models \
     --error-file "$boot/samantha-error.txt"; then
  mv -f "$settings" "$settings.applied"
else
  mv -f "$settings" "$settings.not-applied"
  echo "samantha.txt was not applied; the reason is in $boot/samantha-error.txt" >&2
fi
