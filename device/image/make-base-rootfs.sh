#!/usr/bin/env bash
# Make the stand-in for Raspberry Pi OS Lite: a Debian bookworm arm64 root filesystem from
# debootstrap, run through qemu-user-static's binfmt handler on an x86-64 host. Raspberry Pi OS is
# Debian bookworm arm64 plus Raspberry Pi's kernel, firmware and tools, so the customisation that
# works on this works on it; what differs (firmware, kernel, NetworkManager, the rpi-* units) is
# handled by name in customize.sh and listed in docs/sd-image.md.
#
# usage: sudo make-base-rootfs.sh DIR [MIRROR]
#   MIRROR defaults to the first Debian mirror in this machine's apt sources.
# needs: debootstrap qemu-user-static binfmt-support (Debian), and binfmt_misc mounted.
set -euo pipefail
dir=${1:?usage: make-base-rootfs.sh DIR [MIRROR]}
# (grep exits 2 when /etc/apt/sources.list is absent, as on deb822-only systems: not an error here)
mirror=${2:-$({ grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } \
  | head -1 | tr -d ' ')}
mirror=${mirror:-http://deb.debian.org/debian}
[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 2; }
if [[ $(uname -m) != aarch64 ]]; then
  [[ -e /proc/sys/fs/binfmt_misc/register ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || {
    echo "no qemu-aarch64 binfmt handler: apt-get install qemu-user-static binfmt-support" >&2
    exit 2
  }
fi
if [[ -x $dir/usr/bin/python3 ]]; then
  echo "$dir already holds a root filesystem; delete it to make a new one"
  exit 0
fi
# What Raspberry Pi OS Lite has that the app needs, plus a kernel (for the qemu boot test).
include=systemd-sysv,udev,dbus,kmod,iproute2,python3,python3-venv,libportaudio2,libasound2
include=$include,alsa-utils,libsndfile1,libgomp1,nftables,openssh-server
include=$include,e2fsprogs,dosfstools,ca-certificates,initramfs-tools
debootstrap --arch=arm64 --variant=minbase --include="$include" bookworm "$dir" "$mirror"
# The kernel last, with a small initramfs: MODULES=most runs modprobe over every module under
# emulation and took over 10 minutes here before it was cut short. These are what qemu's virt
# board needs for the boot test; a Raspberry Pi OS base brings its own kernel.
mkdir -p "$dir/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$dir/etc/initramfs-tools/conf.d/samantha.conf"
printf '%s\n' virtio_pci virtio_mmio virtio_blk virtio_scsi ext4 vfat nls_cp437 nls_ascii \
  >>"$dir/etc/initramfs-tools/modules"
for m in proc sys dev; do mount --bind "/$m" "$dir/$m"; done
trap 'for m in dev sys proc; do umount "$dir/$m" 2>/dev/null || true; done' EXIT
cp /etc/resolv.conf "$dir/etc/resolv.conf"
chroot "$dir" apt-get install -y -qq --no-install-recommends linux-image-arm64 >/dev/null
chroot "$dir" apt-get clean
for m in dev sys proc; do umount "$dir/$m"; done   # before du: it would walk the host's /proc
trap - EXIT
echo "samantha" >"$dir/etc/hostname"
echo "made $dir: Debian bookworm arm64 ($(du -sh "$dir" | cut -f1))"
