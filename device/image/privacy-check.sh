#!/usr/bin/env bash
# Image-wide privacy check: list every service, socket, timer and path unit that the root
# filesystem ROOTFS would start at boot, and fail on any that is not allow-listed with a reason.
#
# Default-deny: a unit nobody has reviewed fails the check, so a package that sneaks in an update
# checker, a time-sync client, mDNS, a DHCP client or cloud-init is caught even if nobody thought
# of it. The allow-list (privacy-allow.txt beside this script) names each unit that may start
# and why it opens no network connection.
#
# It also fails when
#   - cloud-init is installed at all (it contacts metadata servers at boot);
#   - a unit known to reach the network is enabled, even if someone allow-listed it;
#   - nftables.service is not enabled, or /etc/nftables.conf does not drop output by default;
#   - a SysV init script would be started (systemd runs /etc/rc?.d/S* through a generator).
#
# usage: privacy-check.sh ROOTFS [ALLOW_LIST]
# Reads the tree only (symlinks are read, never followed out of ROOTFS); no chroot, no qemu.
set -euo pipefail

root=${1:?usage: privacy-check.sh ROOTFS [ALLOW_LIST]}
allow=${2:-"$(dirname "$0")/privacy-allow.txt"}
[[ -d $root ]] || { echo "privacy-check: $root is not a directory" >&2; exit 2; }
[[ -f $allow ]] || { echo "privacy-check: no allow-list at $allow" >&2; exit 2; }

# Units that open network connections when started, whatever an allow-list says.
never=(
  apt-daily.timer apt-daily.service apt-daily-upgrade.timer apt-daily-upgrade.service
  unattended-upgrades.service packagekit.service
  systemd-timesyncd.service chrony.service chronyd.service ntp.service ntpsec.service
  systemd-networkd-wait-online.service NetworkManager-wait-online.service
  avahi-daemon.service avahi-daemon.socket
  cloud-init.service cloud-init-local.service cloud-config.service cloud-final.service
  cloud-init.target
  rpi-connect.service rpi-connect-wayvnc.service
  popularity-contest.service popularity-contest.timer
  ModemManager.service wpa_supplicant.service bluetooth.service
  dhcpcd.service networking.service
  ssh.service ssh.socket sshd.service
  motd-news.timer motd-news.service ubuntu-advantage.service snapd.service
)

fail=0
bad() { echo "FAIL  $*"; fail=1; }

declare -A reason=()
while IFS= read -r line; do
  line=${line%%#*}
  [[ $line =~ ^[[:space:]]*$ ]] && continue
  read -r unit why <<<"$line"
  [[ -n ${why:-} ]] || { echo "privacy-check: $allow: '$unit' has no reason" >&2; exit 2; }
  reason[$unit]=$why
done <"$allow"

allowed_reason() {
  local unit=$1 pattern
  [[ -n ${reason[$unit]:-} ]] && { echo "${reason[$unit]}"; return 0; }
  unit=${unit/@*./@.}            # getty@tty1.service -> getty@.service
  [[ -n ${reason[$unit]:-} ]] && { echo "${reason[$unit]}"; return 0; }
  for pattern in "${!reason[@]}"; do
    # shellcheck disable=SC2053  # the allow-list may hold globs
    [[ $1 == $pattern ]] && { echo "${reason[$pattern]}"; return 0; }
  done
  return 1
}

# A unit is masked when /etc/systemd/system/UNIT links to /dev/null.
masked() {
  local link="$root/etc/systemd/system/$1"
  [[ -L $link && $(readlink "$link") == /dev/null ]]
}

# Every unit pulled in at boot: links in *.wants / *.requires under /etc (what `systemctl enable`
# writes) and under /usr/lib and /lib (what packages enable statically).
mapfile -t enabled < <(
  for dir in etc/systemd/system usr/lib/systemd/system lib/systemd/system; do
    [[ -d $root/$dir ]] || continue
    [[ $dir == lib/* && -L $root/lib ]] && continue     # merged /usr: lib -> usr/lib
    find "$root/$dir" -mindepth 2 -maxdepth 2 \( -path '*.wants/*' -o -path '*.requires/*' \) \
      \( -type l -o -type f \) -printf '%f\n'
  done | sort -u
)

echo "units started at boot in $root:"
count=0
for unit in "${enabled[@]}"; do
  case $unit in
    *.service | *.socket | *.timer | *.path) ;;
    *) continue ;;            # targets, mounts, slices: structure, not programs
  esac
  count=$((count + 1))
  if masked "$unit"; then
    echo "ok    $unit  (masked)"
    continue
  fi
  for n in "${never[@]}"; do
    if [[ $unit == "$n" ]]; then
      bad "$unit  opens network connections at boot; disable or mask it"
      continue 2
    fi
  done
  if why=$(allowed_reason "$unit"); then
    echo "ok    $unit  ($why)"
  else
    bad "$unit  is not in the allow-list; review it and add it to $(basename "$allow") with a reason, or disable it"
  fi
done
echo "$count units reviewed"

# SysV scripts still run through systemd-sysv-generator.
for script in "$root"/etc/rc[2-5].d/S*; do
  [[ -e $script || -L $script ]] || continue
  name=$(basename "$script"); name=${name#S[0-9][0-9]}
  [[ -e $root/lib/systemd/system/$name.service || -e $root/usr/lib/systemd/system/$name.service \
     || -e $root/etc/systemd/system/$name.service ]] && continue   # a native unit overrides it
  bad "SysV init script /etc/${script#"$root"/etc/} would start at boot"
done

# cloud-init: present at all is a failure, even disabled (one file in /etc re-enables it).
for p in usr/bin/cloud-init etc/cloud/cloud.cfg; do
  [[ -e $root/$p ]] && bad "cloud-init is installed (/$p); purge the cloud-init package"
done

# The firewall must be there and start at boot, with output dropped by default.
if ! [[ -L $root/etc/systemd/system/sysinit.target.wants/nftables.service \
   || -L $root/etc/systemd/system/multi-user.target.wants/nftables.service ]] \
   || masked nftables.service; then
  bad "nftables.service is not enabled: egress would not be blocked"
fi
if [[ ! -f $root/etc/nftables.conf ]]; then
  bad "/etc/nftables.conf is missing"
elif ! grep -Eq 'hook output priority [a-z0-9-]+; policy drop;' "$root/etc/nftables.conf"; then
  bad "/etc/nftables.conf does not drop output by default"
fi

if ((fail)); then
  echo "privacy check FAILED"
  exit 1
fi
echo "privacy check passed"
