#!/usr/bin/env bash
# Build Samantha's SD card image for Raspberry Pi 5 and 4 (arm64) by customising a base system in
# a chroot, the way raspOVOS customises Raspberry Pi OS Lite. See docs/sd-image.md.
#
# usage: sudo build.sh --base BASE --out OUT.img.xz [--board rpi4|rpi5] [--work DIR] [--models DIR]
#   BASE   Raspberry Pi OS Lite (arm64) as .img.xz or .img, or an arm64 root filesystem directory
#          (here: Debian bookworm from debootstrap, make-base-rootfs.sh, standing in for it)
#   --board  which board's memory limits the unit gets (default rpi4: the smaller, safe on both)
#   --no-xz  stop at the raw disk (work/samantha.img), e.g. for boot-test.sh: xz takes most of
#          the build's time on two cores
#   --reassemble  reuse the customised work/rootfs and work/boot of the last build: redo only
#          fstab, cmdline.txt, the filesystems and the disk (for work on the layout)
#
# Steps: base -> work/rootfs; systemd/install.sh into it (app, config, unit, verified models);
# the overlay (rootfs-overlay/); customize.sh in the chroot (aarch64 venv from a local wheelhouse,
# privacy, read-only root); fstab and cmdline.txt; the three filesystems made from directories
# (mkfs.ext4 -d, mkfs.vfat + mcopy: no loop devices or mounts needed for this part); xz.
# shellcheck disable=SC2154  # boot_offset, root_size, ... come from the layout plan (eval)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
base="" out="" board=rpi4 reassemble=0 compress=1 work="$repo/build/image/work" models="$repo/models"
llama_version=0.3.36
cache=${SAMANTHA_IMAGE_CACHE:-$repo/build/image}

while (($#)); do
  case $1 in
    --base) base=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --board) board=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --reassemble) reassemble=1; shift ;;
    --no-xz) compress=0; shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $out && ( -n $base || $reassemble == 1 ) ]] || {
  echo "usage: build.sh --base BASE --out OUT.img.xz" >&2; exit 2; }
[[ $reassemble == 1 || -e $base ]] || { echo "build: no base at $base (see docs/sd-image.md)" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "build: run as root (chroot, mounts, file ownership)" >&2; exit 2; }
for tool in sfdisk mkfs.vfat mcopy mkfs.ext4 debugfs xz chroot python3; do
  command -v "$tool" >/dev/null || {
    echo "build: $tool is missing: apt-get install fdisk dosfstools mtools e2fsprogs xz-utils" >&2
    exit 2
  }
done

t0=$SECONDS
step() { echo "== [$((SECONDS - t0))s] $*"; }
out=$(realpath -m "$out")
rootfs=$work/rootfs bootdir=$work/boot mnt=$work/mnt
mkdir -p "$work" "$(dirname "$out")"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  if [[ -n ${loopdev:-} ]]; then losetup -d "$loopdev" 2>/dev/null || true; fi
}
trap cleanup EXIT
mnt_bind() { mkdir -p "$2"; mount --bind "$1" "$2"; mounted+=("$2"); }

stamp=$work/.customized   # written when step 4 has finished
if ((reassemble)); then
  [[ -f $stamp ]] || { echo "build: --reassemble needs a customised $rootfs (run a full build)" >&2; exit 2; }
  step "reassembling from $rootfs"
else
# ---------------------------------------------------------------- 1. the base
step "base: $base"
rm -rf "$rootfs" "$bootdir" "$stamp"
mkdir -p "$rootfs" "$bootdir"
if [[ -d $base ]]; then
  cp -a --reflink=auto "$base/." "$rootfs/"
  if [[ -n $(ls -A "$rootfs/boot/firmware" 2>/dev/null) ]]; then
    cp -a "$rootfs/boot/firmware/." "$bootdir/"        # a Raspberry Pi OS tree
    rm -rf "${rootfs:?}/boot/firmware/"*
  fi
else
  img=$work/base.img
  case $base in
    *.xz) xz -dc "$base" >"$img" ;;
    *.img) cp --reflink=auto "$base" "$img" ;;
    *) echo "build: --base must be a directory, .img or .img.xz" >&2; exit 2 ;;
  esac
  loopdev=$(losetup -P -r --show -f "$img")
  mkdir -p "$mnt/boot" "$mnt/root"
  mount -o ro "${loopdev}p1" "$mnt/boot"; mounted+=("$mnt/boot")
  mount -o ro "${loopdev}p2" "$mnt/root"; mounted+=("$mnt/root")
  cp -a "$mnt/root/." "$rootfs/"
  cp -r "$mnt/boot/." "$bootdir/"
  umount "$mnt/boot" "$mnt/root"; mounted=()
  losetup -d "$loopdev"; loopdev=""
  rm -f "$img"
fi
[[ -x $rootfs/usr/bin/python3 || -x $rootfs/bin/sh ]] || { echo "build: $base has no root filesystem" >&2; exit 2; }
case $(file -bL "$rootfs/bin/sh") in
  *aarch64*) ;;
  *) echo "build: the base is not arm64 ($(file -bL "$rootfs/bin/sh"))" >&2; exit 2 ;;
esac
if [[ -z $(ls -A "$bootdir") ]]; then
  # The Debian stand-in has no Pi firmware: carry its kernel and initrd, for the qemu boot test.
  step "no boot partition in the base: using its /boot kernel (Debian stand-in, not Pi firmware)"
  cp -L "$rootfs"/boot/vmlinuz-* "$bootdir/" 2>/dev/null || true
  cp -L "$rootfs"/boot/initrd.img-* "$bootdir/" 2>/dev/null || true
fi

# ---------------------------------------------------------------- 2. the app (install.sh)
step "app, config, unit and verified models via systemd/install.sh (board $board)"
# the multilingual whispers besides the board's models: what `language = ko` (Korean) in
# samantha.txt needs (whisper-base; whisper-base-q8_0 on a Pi 4, data/boards/rpi4.toml)
DESTDIR=$rootfs SKIP_VENV=1 BOARD=$board MODELS_FROM=$models \
  EXTRA_MODELS="whisper-base whisper-base-q8_0" \
  "$repo/systemd/install.sh"
cp -a "$here/rootfs-overlay/." "$rootfs/"
chown -R root:root "$rootfs/usr/lib/samantha" "$rootfs/etc/systemd/system"

# ---------------------------------------------------------------- 3. the aarch64 wheelhouse
step "wheelhouse: aarch64 wheels from PyPI, llama-cpp-python cross-built, cached in $cache"
wheelhouse=$cache/wheelhouse
mkdir -p "$wheelhouse"
llama_wheel=$("$here/build-llama-wheel.sh" "$llama_version" "$cache/wheels" | tail -1)
cp "$llama_wheel" "$wheelhouse/"
req=$cache/requirements-aarch64.txt
{
  grep -viE '^(pytest|ruff|iniconfig|pluggy|pygments)==' "$repo/requirements.lock"
  echo "llama-cpp-python==$llama_version"
} >"$req"
# Binary wheels for the Pi's CPython 3.11 (Debian bookworm / Raspberry Pi OS bookworm), one pin
# at a time; a pin PyPI has only as an sdist is built into a wheel here, and must come out pure
# Python (py3-none-any), or the build stops and names it.
# With their dependencies: requirements.lock is not always complete (python-dateutil needs tzdata).
pip_dl=("$repo/.venv/bin/pip" download -q -d "$wheelhouse")
# glibc 2.36 (bookworm) runs manylinux_2_36 and older; pymicro-wakeword ships only 2_35.
aarch64=(--only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --abi abi3
         --abi none --platform manylinux_2_36_aarch64 --platform manylinux_2_35_aarch64
         --platform manylinux_2_34_aarch64 --platform manylinux_2_28_aarch64
         --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64)
grep -viE '^(pyaudio|llama-cpp-python)==' "$req" | while read -r pin; do
  [[ -n $pin ]] || continue
  "${pip_dl[@]}" "${aarch64[@]}" "$pin" 2>/dev/null && continue
  echo "   $pin: no aarch64 wheel on PyPI; building it here (must be pure Python)"
  rm -rf "$work/purewheel"
  "$repo/.venv/bin/pip" wheel -q --no-deps --no-binary=:all: "$pin" -w "$work/purewheel" 2>/dev/null
  built=$(ls "$work"/purewheel/*.whl)
  [[ $built == *-none-any.whl ]] || { echo "build: $pin needs an aarch64 build: $built" >&2; exit 1; }
  cp "$built" "$wheelhouse/"
done
# PyAudio (built in the chroot, once) and what building it takes.
"$repo/.venv/bin/pip" download -q --no-deps --no-binary=:all: \
  "$(grep -i '^pyaudio==' "$req")" -d "$wheelhouse"
"$repo/.venv/bin/pip" download -q --no-deps setuptools==75.6.0 wheel==0.45.1 -d "$wheelhouse"

# ---------------------------------------------------------------- 4. customise in the chroot
step "customize.sh in the arm64 chroot"
if [[ $(uname -m) != aarch64 ]]; then
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    echo "build: no qemu-aarch64 binfmt handler: apt-get install qemu-user-static binfmt-support" \
         "(and mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)" >&2
    exit 2
  fi
fi
inside=$rootfs/mnt/samantha-build
mkdir -p "$inside"
cp "$here/customize.sh" "$req" "$work/"
mnt_bind "$wheelhouse" "$inside/wheelhouse"
cp "$req" "$inside/requirements.txt"
cp "$here/customize.sh" "$inside/customize.sh"
mnt_bind /proc "$rootfs/proc"
# No /sys: an aarch64 process under qemu-user that sees the x86 host's /sys CPU topology AND its
# /proc/cpuinfo crashes in onnxruntime's cpuinfo probe (`import piper`: SIGSEGV, every time);
# with either alone it does not. apt and pip need neither. On a Pi both are ARM's own.
mnt_bind /dev "$rootfs/dev"
mnt_bind /dev/pts "$rootfs/dev/pts"
resolv_backup=""
if [[ -e $rootfs/etc/resolv.conf || -L $rootfs/etc/resolv.conf ]]; then
  resolv_backup=$work/resolv.conf.base
  cp -a "$rootfs/etc/resolv.conf" "$resolv_backup"
fi
rm -f "$rootfs/etc/resolv.conf"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"     # apt in the chroot, at build time only
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"    # start no daemons while building
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  bash /mnt/samantha-build/customize.sh /mnt/samantha-build
rm -f "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/resolv.conf"
[[ -n $resolv_backup ]] && cp -a "$resolv_backup" "$rootfs/etc/resolv.conf"
cleanup; mounted=()
rm -rf "$inside"
touch "$stamp"
fi  # reassemble

# ---------------------------------------------------------------- 5. fstab and cmdline.txt
disk_id=$(printf '0x%08x' $(( $(od -An -N4 -tu4 /dev/urandom) | 1 )))
part() { echo "PARTUUID=${disk_id#0x}-0$1"; }
unit=$rootfs/etc/systemd/system/samantha.service
if grep -q '^DynamicUser=yes' "$unit"; then state_mnt=/var/lib/private; else state_mnt=/var/lib/samantha; fi
step "fstab (read-only root; her memory on $state_mnt) and cmdline.txt, disk id $disk_id"
cat >"$rootfs/etc/fstab" <<EOF
# Samantha's SD card. The root and the boot partition are read-only, so a power cut cannot
# corrupt them; her memory is on its own ext4 partition with a journal of data and metadata.
$(part 2)  /               ext4   ro,noatime                                   0 1
$(part 1)  /boot/firmware  vfat   ro,noatime,fmask=0022,dmask=0022             0 2
$(part 3)  $state_mnt  ext4   rw,noatime,nosuid,nodev,noexec,data=journal,commit=5  0 2
tmpfs           /tmp            tmpfs  mode=1777,nosuid,nodev,size=128M              0 0
tmpfs           /var/tmp        tmpfs  mode=1777,nosuid,nodev,size=32M               0 0
tmpfs           /var/log        tmpfs  mode=0755,nosuid,nodev,size=32M               0 0
EOF
cmdline=$bootdir/cmdline.txt
if [[ -f $cmdline ]]; then
  # Raspberry Pi OS: point root at our partition, read-only; drop its first-boot resize (init=...),
  # which would grow the root over the state partition.
  read -r -a args <"$cmdline"
  kept=()
  for a in "${args[@]}"; do
    case $a in root=* | rw | ro | init=* | fsck.repair=* | rootwait | quiet) ;; *) kept+=("$a") ;; esac
  done
  echo "${kept[*]} root=$(part 2) ro fsck.repair=yes rootwait quiet" >"$cmdline"
else
  echo "console=serial0,115200 console=tty1 root=$(part 2) rootfstype=ext4 ro fsck.repair=yes rootwait quiet" >"$cmdline"
fi

# ---------------------------------------------------------------- 6. filesystems and the disk
root_bytes=$(du -sxB1 "$rootfs" | cut -f1)
plan=$("$here/layout.sh" "$root_bytes" "$disk_id")
eval "$(sed -n 's/^# //p' <<<"$plan")"
step "layout: root contents $((root_bytes / 1048576)) MiB; disk $((total_size / 1048576)) MiB"
fs=$work/fs
mkdir -p "$fs"
rm -f "$fs"/*.img
mkfs.vfat -F 32 -n BOOTFS -i "${disk_id#0x}" -C "$fs/boot.img" $((boot_size / 1024)) >/dev/null
mcopy -s -p -i "$fs/boot.img" "$bootdir"/* ::/
mkfs.ext4 -q -L rootfs -d "$rootfs" -E root_owner=0:0 "$fs/root.img" $((root_size / 1024))k >/dev/null
mkdir -p "$work/empty"
mkfs.ext4 -q -L samstate -d "$work/empty" -E root_owner=0:0 "$fs/state.img" $((state_size / 1024))k >/dev/null
debugfs -w -R "sif / mode 040700" "$fs/state.img" >/dev/null 2>&1
disk=$work/samantha.img
rm -f "$disk"
truncate -s "$total_size" "$disk"
sfdisk -q "$disk" <<<"$plan"
dd if="$fs/boot.img" of="$disk" bs=4M seek=$((boot_offset / 4194304)) conv=notrunc,sparse status=none
dd if="$fs/root.img" of="$disk" bs=4M seek=$((root_offset / 4194304)) conv=notrunc,sparse status=none
dd if="$fs/state.img" of="$disk" bs=4M seek=$((state_offset / 4194304)) conv=notrunc,sparse status=none
rm -f "$fs"/*.img

if ((!compress)); then
  step "done: the raw image is $disk (--no-xz: no $out)"
  exit 0
fi
step "compressing to $out"
xz -T0 -6 -c "$disk" >"$out.partial"
mv "$out.partial" "$out"
sha256sum "$out" | sed "s#  .*#  $(basename "$out")#" >"$out.sha256"
step "done: $out ($(du -h "$out" | cut -f1)); the raw image is kept at $disk for make image-check"
