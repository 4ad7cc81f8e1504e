#!/usr/bin/env bash
# Check a built SD image from the outside, without booting or mounting it (debugfs and mtools read
# the filesystems straight from the partition bytes): the partition table, read-only mounts in
# fstab and cmdline.txt, the unit and the config, the aarch64 venv, every model's sha256 against
# the manifest, and the image-wide privacy check.
#
# usage: check-image.sh IMAGE(.img or .img.xz)
# shellcheck disable=SC2015  # `test && ok || bad`: ok() always succeeds
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=${1:?usage: check-image.sh IMAGE}
py=${PYTHON:-$repo/.venv/bin/python}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/samantha-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; fail=1; }

if [[ $image == *.xz ]]; then
  xz -dc "$image" >"$tmp/disk.img"
  image=$tmp/disk.img
fi

# ---------------------------------------------------------------- partitions
table=$(sfdisk -J "$image")
read -r label disk_id n < <(python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
print(t["label"], t.get("id", "?"), len(t["partitions"]))' <<<"$table")
[[ $label == dos && $n == 3 ]] && ok "MBR with 3 partitions, disk id $disk_id" \
  || bad "expected an MBR (dos) label with 3 partitions, got $label with $n"
disk_hex=$(printf '%08x' "$((disk_id))")
i=0
while read -r start size type; do
  i=$((i + 1))
  ((start % 8192 == 0)) || bad "partition $i starts at sector $start, not 4 MiB aligned"
  dd if="$image" of="$tmp/p$i.img" bs=512 skip="$start" count="$size" status=none
  echo "      partition $i: type $type, $((size / 2048)) MiB"
done < <(python3 -c '
import json, sys
for p in json.load(sys.stdin)["partitiontable"]["partitions"]:
    print(p["start"], p["size"], p["type"])' <<<"$table")

# ---------------------------------------------------------------- boot partition
cmdline=$(mtype -i "$tmp/p1.img" ::/cmdline.txt 2>/dev/null || true)
[[ -n $cmdline ]] || bad "boot partition has no cmdline.txt"
[[ " $cmdline " == *" root=PARTUUID=$disk_hex-02 "* ]] && ok "cmdline.txt: root=PARTUUID=$disk_hex-02" \
  || bad "cmdline.txt does not boot partition 2: $cmdline"
[[ " $cmdline " == *" ro "* && " $cmdline " != *" rw "* ]] && ok "cmdline.txt mounts the root read-only" \
  || bad "cmdline.txt does not mount the root read-only"
[[ " $cmdline " != *" init="* ]] || bad "cmdline.txt still runs a first-boot init (it would resize the root)"
echo "      boot files: $(mdir -b -i "$tmp/p1.img" ::/ | sed 's#^::/##' | tr '\n' ' ')"

# ---------------------------------------------------------------- root partition
root=$tmp/p2.img
rcat() { debugfs -R "cat $1" "$root" 2>/dev/null; }
rexists() { debugfs -R "stat $1" "$root" 2>&1 | grep -q '^Inode:'; }
label=$(e2label "$root" 2>/dev/null || true)
[[ $label == rootfs ]] && ok "partition 2 is ext4 'rootfs'" || bad "partition 2 label is '$label'"
[[ $(e2label "$tmp/p3.img" 2>/dev/null || true) == samstate ]] && ok "partition 3 is ext4 'samstate'" \
  || bad "partition 3 is not the ext4 state partition"
state_mode=$(debugfs -R "stat /" "$tmp/p3.img" 2>/dev/null | sed -n 's/.*Mode: *\([0-7]*\).*/\1/p')
[[ $state_mode == 0700 ]] && ok "state partition's root is 0700" || bad "state partition's root is mode $state_mode"

fstab=$(rcat /etc/fstab)
fs_field() { awk -v m="$1" '$1 !~ /^#/ && $2 == m {print $'"$2"'}' <<<"$fstab"; }
[[ $(fs_field / 1) == "PARTUUID=$disk_hex-02" && ,$(fs_field / 4), == *,ro,* ]] \
  && ok "fstab: / is partition 2, read-only" || bad "fstab: / is not partition 2 read-only"
[[ $(fs_field /boot/firmware 1) == "PARTUUID=$disk_hex-01" && ,$(fs_field /boot/firmware 4), == *,ro,* ]] \
  && ok "fstab: /boot/firmware is partition 1, read-only" || bad "fstab: /boot/firmware is not read-only"
state_mnt=$(awk -v p="PARTUUID=$disk_hex-03" '$1 == p {print $2}' <<<"$fstab")
unit=$(rcat /etc/systemd/system/samantha.service)
if grep -q '^DynamicUser=yes' <<<"$unit"; then want=/var/lib/private; else want=/var/lib/samantha; fi
[[ $state_mnt == "$want" && ,$(fs_field "$state_mnt" 4), == *,rw,* ]] \
  && ok "fstab: her memory ($want) is partition 3, read-write" \
  || bad "fstab: partition 3 is mounted at '$state_mnt', not $want read-write"
[[ -n $unit ]] && cmp -s <(printf '%s\n' "$unit") "$repo/systemd/samantha.service" \
  && ok "samantha.service is the repository's unit" || bad "samantha.service differs from systemd/samantha.service"
for link in multi-user.target.wants/samantha.service multi-user.target.wants/samantha-firstboot.service \
            sysinit.target.wants/nftables.service; do
  rexists "/etc/systemd/system/$link" && ok "enabled: $link" || bad "not enabled: $link"
done
for f in /etc/samantha/samantha.toml /etc/asound.conf /etc/nftables.conf /usr/lib/samantha/firstboot.sh \
         /opt/samantha/venv/lib/python3.11/site-packages/samantha/appliance/firstboot.py \
         /opt/samantha/venv/bin/samantha; do
  rexists "$f" && ok "present: $f" || bad "missing: $f"
done
rcat /etc/samantha/samantha.toml >"$tmp/samantha.toml"
PYTHONPATH=$repo/src "$py" -c '
import sys
from samantha import config
config.from_dict(config.read_toml(__import__("pathlib").Path(sys.argv[1])))' "$tmp/samantha.toml" \
  && ok "/etc/samantha/samantha.toml loads as her config" || bad "/etc/samantha/samantha.toml does not load"
! rexists /etc/ssh/ssh_host_ed25519_key && ok "no SSH host keys baked into the image" \
  || bad "the image carries SSH host keys (every card would share them)"
rexists /etc/machine-id && [[ $(rcat /etc/machine-id | wc -c) == 0 ]] && ok "empty machine-id (each box gets its own)" \
  || bad "/etc/machine-id is baked in"

# The venv is aarch64 and complete.
debugfs -R "rdump /opt/samantha/venv $tmp" "$root" >/dev/null 2>&1
so=$(find "$tmp/venv" -name 'libllama.so*' -type f 2>/dev/null | head -1 || true)
[[ -n $so && $(file -b "$so") == *"ARM aarch64"* ]] && ok "libllama is aarch64 ($(basename "$so"))" \
  || bad "no aarch64 libllama in the venv"
for pkg in llama_cpp pywhispercpp piper onnxruntime numpy soundfile soxr webrtcvad pyaudio; do
  compgen -G "$tmp/venv/lib/python3.*/site-packages/${pkg}*" >/dev/null \
    && ok "venv has $pkg" || bad "venv lacks $pkg"
done

# Every model on the card, against the manifest's sha256 (the manifest the image carries).
debugfs -R "rdump /opt/samantha/models $tmp" "$root" >/dev/null 2>&1
names=$([[ -f $tmp/models/manifest.toml ]] && PYTHONPATH=$repo/src "$py" -c '
import sys
from pathlib import Path
from samantha.models import store as modelstore
d = Path(sys.argv[1])
for e in modelstore.entries(d / "manifest.toml"):
    if all((d / f.path).is_file() for f in e.files):
        print(e.name)' "$tmp/models" || true)
[[ -n $names ]] || bad "no models on the card"
read -r -a name_list <<<"$(tr '\n' ' ' <<<"$names")"
SAMANTHA_MANIFEST=$tmp/models/manifest.toml PYTHONPATH=$repo/src "$py" -m samantha models \
  --models-dir "$tmp/models" verify "${name_list[@]}" && ok "models verified by sha256: ${name_list[*]}" \
  || bad "a model on the card fails its sha256"
cfg_models=$(PYTHONPATH=$repo/src "$py" -c '
import sys
from samantha import config
c = config.load(path=sys.argv[1], board="rpi5")
print(c.asr.model, c.llm.model, c.tts.voice)' "$tmp/samantha.toml")
for m in $cfg_models; do
  grep -qx "$m" <<<"$names" && ok "the configured model $m is on the card" || bad "configured model $m is missing"
done

# ---------------------------------------------------------------- privacy
mkdir -p "$tmp/tree/usr/lib/systemd" "$tmp/tree/usr/bin"   # rdump makes tree/etc itself
debugfs -R "rdump /etc $tmp/tree" "$root" >/dev/null 2>&1
debugfs -R "rdump /usr/lib/systemd/system $tmp/tree/usr/lib/systemd" "$root" >/dev/null 2>&1
rexists /usr/bin/cloud-init && touch "$tmp/tree/usr/bin/cloud-init"
"$here/privacy-check.sh" "$tmp/tree" || fail=1

if ((fail)); then
  echo "image check FAILED"
  exit 1
fi
echo "image check passed"
