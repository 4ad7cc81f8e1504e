#!/usr/bin/env bash
# Boot the image in qemu-system-aarch64 (-M virt, TCG: no KVM here) with the kernel and initrd on
# its own boot partition: the Debian stand-in's kernel, which qemu's virt board can run. A
# Raspberry Pi OS image carries Pi kernels that qemu's virt board cannot boot; test those on a Pi.
#
# The disk is a throwaway copy with a samantha.txt on its boot partition. After boot, a one-shot
# command given on the kernel command line (systemd.run=) prints what a person would check: the
# mounts (root read-only, her memory read-write), the firewall, the first-boot settings applied,
# and samantha.service's state, then powers off. Everything lands in the serial log.
#
# usage: boot-test.sh IMAGE(.img or .img.xz) [LOG]     needs qemu-system-arm (Debian), mtools
set -euo pipefail
image=${1:?usage: boot-test.sh IMAGE [LOG]}
log=${2:-boot-test.log}
wait_s=${BOOT_TEST_WAIT_S:-600}

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
printf 'name = Ava\nowner = Tester\nvolume = 55\n' >"$tmp/samantha.txt"
mcopy -i "$fat" "$tmp/samantha.txt" ::/samantha.txt

# systemd.run= boots into its own unit instead of the default target: start that first, then wait
# for samantha.service to settle (active or failed), at most wait_s.
report="exec >/dev/ttyAMA0 2>&1; echo SAMANTHA-BOOT-TEST-BEGIN; systemctl start --no-block multi-user.target;"
report+=" for i in \$(seq 1 $((wait_s / 5))); do s=\$(systemctl show -P ActiveState samantha.service); case \$s in active|failed) break;; esac; sleep 5; done;"
report+=" echo after \$((i * 5)) s:; for m in / /boot/firmware /var/lib/private; do findmnt -no TARGET,SOURCE,FSTYPE,OPTIONS --mountpoint \$m; done;"
report+=" touch /probe 2>&1 | sed s/^/root-write:/;"
report+=" nft list chain inet samantha_guard output;"
report+=" cat /etc/samantha/samantha.toml /etc/samantha/volume; ls /boot/firmware;"
report+=" systemctl --no-pager --failed;"
report+=" systemctl --no-pager status samantha-firstboot.service samantha.service;"
report+=" journalctl --no-pager -b -u samantha.service | tail -n 30;"
report+=" echo SAMANTHA-STATE=\$(systemctl show -P ActiveState samantha.service);"
# One spoken turn from the bundled WAV, through the same venv and models (slow under TCG);
# BOOT_TEST_TURN=0 leaves it out.
[[ ${BOOT_TEST_TURN:-1} == 1 ]] && report+=" mkdir -p /tmp/sd; HOME=/tmp STATE_DIRECTORY=/tmp/sd SAMANTHA_MODELS_DIR=/opt/samantha/models timeout $wait_s /opt/samantha/venv/bin/samantha demo --fast --json --out /tmp/reply.wav;"
[[ ${BOOT_TEST_TURN:-1} == 1 ]] && report+=" echo SAMANTHA-DEMO-RC=\$?;"
report+=" echo SAMANTHA-BOOT-TEST-END"
# The kernel keeps double quotes together; systemd then splits the rest like a shell.
# snd_hda_intel.id=Device: qemu's HDA card takes the name /etc/asound.conf looks for (USB cards'
# usual "Device"), so samantha.service finds "her" sound card; capture is silence (audiodev none).
# The serial getty is masked for the test: it would take the console from the report.
append="${cmdline/console=serial0,115200/} console=ttyAMA0 systemd.mask=serial-getty@ttyAMA0.service snd_hda_intel.id=Device systemd.run=\"/bin/sh -c '$report'\" systemd.run_success_action=poweroff systemd.run_failure_action=poweroff"

echo "booting $image in qemu-system-aarch64 (TCG); serial log: $log"
timeout $((3 * wait_s + 600)) qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 4096 \
  -kernel "$tmp/vmlinuz" -initrd "$tmp/initrd" -append "$append" \
  -drive "if=virtio,format=raw,file=$disk" \
  -device intel-hda -device hda-duplex,audiodev=snd0 -audiodev none,id=snd0 \
  -nic none -nographic -no-reboot >"$log" 2>&1 || true

sed -n '/SAMANTHA-BOOT-TEST-BEGIN/,/SAMANTHA-BOOT-TEST-END/p' "$log" | tr -d '\r'
grep -q 'SAMANTHA-BOOT-TEST-END' "$log" || { echo "boot-test: no report (see $log)" >&2; exit 1; }
