#!/usr/bin/env bash
# The SD card's partition layout, planned from the size of the root filesystem's contents.
#
#   1  bootfs    FAT32 (type c)   512 MiB   /boot/firmware, read-only: firmware, kernel, cmdline.txt,
#                                           and the owner's samantha.txt / ssh / userconf.txt
#   2  rootfs    ext4  (type 83)  sized     /, read-only
#   3  samstate  ext4  (type 83)  STATE_MIB /var/lib/private: her memory, the only writable place
#
# MBR (dos) label, as Raspberry Pi OS uses: every Pi 4 and Pi 5 bootloader reads it. The first
# partition starts at 4 MiB and every partition is 4 MiB aligned (SD cards' erase blocks).
# The root gets its contents plus 20 % and 256 MiB for ext4's own metadata and the journal; it is
# read-only, so it needs no more.
#
# usage: layout.sh ROOT_CONTENT_BYTES [DISK_ID]
#   prints the sfdisk script, then (as "# key=value" comment lines, which sfdisk ignores) the
#   offsets and sizes in bytes that build.sh uses to place each filesystem.
set -euo pipefail

MIB=$((1024 * 1024))
ALIGN_MIB=4
BOOT_MIB=${BOOT_MIB:-512}
STATE_MIB=${STATE_MIB:-512}

root_bytes=${1:?usage: layout.sh ROOT_CONTENT_BYTES [DISK_ID]}
disk_id=${2:-0x5a3a0001}
[[ $root_bytes =~ ^[0-9]+$ ]] || { echo "layout: ROOT_CONTENT_BYTES must be a number" >&2; exit 2; }
[[ $disk_id =~ ^0x[0-9a-f]{8}$ ]] || { echo "layout: DISK_ID must be 0x and 8 hex digits" >&2; exit 2; }

align_up() { echo $(( ($1 + ALIGN_MIB - 1) / ALIGN_MIB * ALIGN_MIB )); }

root_mib=$(align_up $(( (root_bytes * 12 / 10 + MIB - 1) / MIB + 256 )))
boot_mib=$(align_up "$BOOT_MIB")
state_mib=$(align_up "$STATE_MIB")
boot_start=$ALIGN_MIB
root_start=$((boot_start + boot_mib))
state_start=$((root_start + root_mib))
total_mib=$((state_start + state_mib))

cat <<EOF
label: dos
label-id: $disk_id
unit: sectors

start=$((boot_start * 2048)), size=$((boot_mib * 2048)), type=c
start=$((root_start * 2048)), size=$((root_mib * 2048)), type=83
start=$((state_start * 2048)), size=$((state_mib * 2048)), type=83
# boot_offset=$((boot_start * MIB)) boot_size=$((boot_mib * MIB))
# root_offset=$((root_start * MIB)) root_size=$((root_mib * MIB))
# state_offset=$((state_start * MIB)) state_size=$((state_mib * MIB))
# total_size=$((total_mib * MIB))
EOF
