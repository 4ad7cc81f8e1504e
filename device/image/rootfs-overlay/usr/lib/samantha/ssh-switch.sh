#!/usr/bin/env bash
# See samantha-ssh-switch.service. Runs only when /boot/firmware/ssh or ssh.txt exists.
set -euo pipefail
boot=/boot/firmware

mount -o remount,rw /
mount -o remount,rw "$boot"
trap 'sync; mount -o remount,ro "$boot" || true; mount -o remount,ro / || true' EXIT

if [[ -f $boot/userconf.txt ]]; then
  IFS=: read -r user hash <"$boot/userconf.txt"
  if [[ $user =~ ^[a-z_][a-z0-9_-]{0,31}$ && -n ${hash:-} ]]; then
    id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash -G sudo,audio "$user" 2>/dev/null \
      || useradd -m -s /bin/bash -G audio "$user"
    usermod -p "$hash" "$user"
    echo "user $user can log in"
  else
    echo "userconf.txt must be one line: user:crypted-password (openssl passwd -6)" >&2
  fi
  rm -f "$boot/userconf.txt"
fi

ssh-keygen -A                   # this box's own host keys, never the image's
install -D -m 0644 /usr/lib/samantha/nftables-lan/lan.nft /etc/nftables.d/lan.nft
if [[ -e /usr/lib/systemd/system/NetworkManager.service ]]; then
  lan=NetworkManager.service    # Raspberry Pi OS
else
  lan=systemd-networkd.service  # /etc/systemd/network/20-lan.network: DHCP on the wired port
fi
systemctl enable ssh.service "$lan"
rm -f "$boot/ssh" "$boot/ssh.txt"
sync

nft -f /etc/nftables.conf
systemctl start --no-block "$lan" ssh.service
echo "SSH is on (through $lan); remove /etc/systemd/system/multi-user.target.wants/ssh.service to turn it off"
