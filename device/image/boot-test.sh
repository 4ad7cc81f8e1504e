#!/usr/bin/env bash
# Boot the image in qemu-system-aarch64 (-M virt, TCG: no KVM here) with the kernel and initrd on
# its own boot partition: the Debian stand-in's kernel, which qemu's virt board can run. A
# Raspberry Pi OS image carries Pi kernels that qemu's virt board cannot boot; test those on a Pi.
#
# The disk is a throwaway copy with a samantha.txt and boot-test-inside.sh on its boot partition.
# After boot, that script (started by the kernel's systemd.run=) prints what a person would check:
# the mounts (root read-only, her memory read-write), the firewall, the first-boot settings
# applied, samantha.service's state and, with BOOT_TEST_TURN=1 (the default), one spoken turn the
# service answers from a WAV microphone; then it powers off. Everything lands in the serial log.
# Her reply is then read off the copy's state partition and transcribed here (whisper, the
# repository's venv), so the report says what she said.
#
# usage: boot-test.sh IMAGE(.img or .img.xz) [LOG]     needs qemu-system-arm (Debian), mtools
#   BOOT_TEST_WAIT_S  how long to wait for each of: the service ready, her turn (default 1800:
#                     emulation runs the models tens of times slower than a Pi)
#   BOOT_TEST_LANG    en (default) or ko: samantha.txt says `language = ko` and the question is
#                     tests/fixtures/living_room_light_ko.wav (no name in it: every utterance wakes her)
#   BOOT_TEST_TURN=0  no turn: boot, report, power off
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=${1:?usage: boot-test.sh IMAGE [LOG]}
log=${2:-boot-test.log}
wait_s=${BOOT_TEST_WAIT_S:-1800}
turn=${BOOT_TEST_TURN:-1}
lang=${BOOT_TEST_LANG:-en}
[[ $lang == en || $lang == ko ]] || { echo "boot-test: BOOT_TEST_LANG is en or ko, not $lang" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samantha-boot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
disk=$tmp/disk.img
if [[ $image == *.xz ]]; then xz -dc "$image" >"$disk"; else cp --sparse=always "$image" "$disk"; fi

boot_start=$(sfdisk -J "$disk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["partitiontable"]["partitions"][0]["start"])')
fat="$disk@@$((boot_start * 512))"
kernel=$(mdir -b -i "$fat" ::/ | sed 's#^::/##' | grep -m1 '^vmlinuz-') || {
  echo "boot-test: no vmlinuz-* on the boot partition (a Raspberry Pi OS image: test it on a Pi)" >&2
  exit 2
}
initrd=$(mdir -b -i "$fat" ::/ | sed 's#^::/##' | grep -m1 '^initrd.img-')
mcopy -i "$fat" "::/$kernel" "$tmp/vmlinuz"
mcopy -i "$fat" "::/$initrd" "$tmp/initrd"
cmdline=$(mtype -i "$fat" ::/cmdline.txt | tr -d '\r\n')

if [[ $lang == ko ]]; then
  # Korean: the owner's one switch, and a real Korean recording as the question
  printf 'name = Ava\nowner = 민지\nvolume = 55\nlanguage = ko\n' >"$tmp/samantha.txt"
  mcopy -o -i "$fat" "$repo/tests/fixtures/living_room_light_ko.wav" ::/samantha-question.wav
else
  # The wake phrase is set because the bundled question says "Hey Samantha" to a box named Ava.
  printf 'name = Ava\nowner = Tester\nvolume = 55\nwake_phrase = hey samantha\n' >"$tmp/samantha.txt"
fi
mcopy -o -i "$fat" "$tmp/samantha.txt" ::/samantha.txt
# What runs inside: boot-test-inside.sh, from the boot partition of this throwaway copy.
mcopy -o -i "$fat" "$here/boot-test-inside.sh" ::/samantha-boot-test.sh

# systemd.run= boots into its own unit instead of the default target; the script starts that.
# The kernel keeps double quotes together; systemd then splits the rest like a shell.
# snd_hda_intel.id=Device: qemu's HDA card takes the name /etc/asound.conf looks for (USB cards'
# usual "Device"), so samantha.service finds "her" sound card; capture is silence (audiodev none).
# The serial getty is masked for the test: it would take the console from the report.
append="${cmdline/console=serial0,115200/} console=ttyAMA0 systemd.mask=serial-getty@ttyAMA0.service snd_hda_intel.id=Device systemd.run=\"/bin/bash /boot/firmware/samantha-boot-test.sh $wait_s $turn\" systemd.run_success_action=poweroff systemd.run_failure_action=poweroff"

echo "booting $image in qemu-system-aarch64 (TCG); serial log: $log"
timeout $((3 * wait_s + 600)) qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 4096 \
  -kernel "$tmp/vmlinuz" -initrd "$tmp/initrd" -append "$append" \
  -drive "if=virtio,format=raw,file=$disk" \
  -device intel-hda -device hda-duplex,audiodev=snd0 -audiodev none,id=snd0 \
  -nic none -nographic -no-reboot >"$log" 2>&1 || true

sed -n '/SAMANTHA-BOOT-TEST-BEGIN/,/SAMANTHA-BOOT-TEST-END/p' "$log" | tr -d '\r'
grep -q 'SAMANTHA-BOOT-TEST-END' "$log" || { echo "boot-test: no report (see $log)" >&2; exit 1; }
grep -q 'SAMANTHA-STATE=active' "$log" || { echo "boot-test: samantha.service never became active" >&2; exit 1; }
[[ $turn == 1 ]] || exit 0

# Her reply, from the state partition (her StateDirectory, /var/lib/private/samantha).
state_start=$(sfdisk -J "$disk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["partitiontable"]["partitions"][2]["start"])')
dd if="$disk" of="$tmp/state.img" bs=512 skip="$state_start" status=none
debugfs -R "dump /samantha/boot-test-reply.wav $tmp/reply.wav" "$tmp/state.img" >/dev/null 2>&1 || true
[[ -s $tmp/reply.wav ]] || { echo "boot-test: no reply on the state partition" >&2; exit 1; }
cp "$tmp/reply.wav" "${log%.log}-reply.wav"
echo "her reply: ${log%.log}-reply.wav"
py=${PYTHON:-$repo/.venv/bin/python}
if [[ -x $py ]]; then
  SAMANTHA_MODELS_DIR=${SAMANTHA_MODELS_DIR:-$repo/models} "$py" - "$tmp/reply.wav" "$lang" <<'EOF'
import sys
from samantha.audio.chunk import read_wav
from samantha.inference.asr import WhisperTranscriber
from samantha.models import store

model, language = ("whisper-base", "ko") if sys.argv[2] == "ko" else ("whisper-tiny.en", "en")
reply = read_wav(sys.argv[1])
asr = WhisperTranscriber(store.path_for(model), threads=2, language=language)
print(f"she said ({reply.seconds:.1f} s, heard back by {model}): {asr.transcribe(reply).text}")
asr.close()
EOF
fi
