#!/usr/bin/env bash
# The part of the image build that runs INSIDE the arm64 root filesystem (chroot, through
# qemu-user-static on an x86 host; natively on an arm64 host). build.sh has already copied the app,
# the config, the unit and the verified models in with systemd/install.sh (DESTDIR, SKIP_VENV=1),
# and the overlay (device/image/rootfs-overlay). This script:
#   1. installs the few Debian runtime packages the app needs, and purges the ones that phone home;
#   2. builds /opt/samantha/venv for aarch64 from a local wheelhouse (no index, no network);
#   3. turns off everything that would reach the network at boot, and SSH;
#   4. enables Samantha's units and the firewall.
# usage (in the chroot): customize.sh BUILD_DIR     BUILD_DIR holds wheelhouse/, requirements.txt
set -euo pipefail
build=${1:?usage: customize.sh BUILD_DIR}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
say() { echo "customize: $*"; }
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# ---------------------------------------------------------------- 1. packages
# libspeexdsp1: the echo canceller (on by default: without it she stops at start);
# espeak-ng: her Korean voice (`language = ko`).
runtime=(python3 python3-venv libportaudio2 libasound2 alsa-utils libsndfile1 libspeexdsp1
         espeak-ng nftables openssh-server ca-certificates)
missing=()
for p in "${runtime[@]}"; do have "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Packages that contact servers at boot or on a timer, on Debian and on Raspberry Pi OS.
phone_home=(cloud-init cloud-guest-utils unattended-upgrades apt-listchanges packagekit
            popularity-contest avahi-daemon rpi-connect rpi-connect-lite systemd-timesyncd chrony
            ntp ntpsec modemmanager dphys-swapfile)
purge=()
for p in "${phone_home[@]}"; do have "$p" && purge+=("$p"); done
if ((${#purge[@]})); then
  say "purging ${purge[*]}"
  apt-get purge -y -qq "${purge[@]}" >/dev/null
fi
rm -rf /etc/cloud /var/lib/cloud

# ---------------------------------------------------------------- 2. the venv (aarch64)
py=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
[[ $py == 3.11 ]] || { echo "customize: the wheelhouse is for Python 3.11, the base has $py" >&2; exit 1; }
wheels=$build/wheelhouse
pyaudio_spec=$(grep -i '^pyaudio==' "$build/requirements.txt")
if ! ls "$wheels"/[Pp][Yy][Aa]udio-*linux_aarch64.whl >/dev/null 2>&1; then
  # PyAudio has no aarch64 wheel on PyPI: build it here once (a small C extension), then cache it.
  say "building $pyaudio_spec against portaudio19-dev (cached in the wheelhouse afterwards)"
  build_deps=(gcc libc6-dev python3-dev portaudio19-dev)
  added=()
  for p in "${build_deps[@]}"; do have "$p" || added+=("$p"); done
  if ((${#added[@]})); then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${added[@]}" >/dev/null
  fi
  python3 -m venv /tmp/pyaudio-build
  /tmp/pyaudio-build/bin/pip install -q --no-index --find-links "$wheels" "setuptools" "wheel"
  /tmp/pyaudio-build/bin/pip wheel -q --no-index --no-build-isolation --no-deps \
    --find-links "$wheels" "$pyaudio_spec" -w "$wheels"
  rm -rf /tmp/pyaudio-build
  if ((${#added[@]})); then
    apt-get purge -y -qq --autoremove "${added[@]}" >/dev/null
  fi
fi

say "building /opt/samantha/venv from the wheelhouse (no index)"
rm -rf /opt/samantha/venv
python3 -m venv /opt/samantha/venv
/opt/samantha/venv/bin/pip install -q --no-index --find-links "$wheels" \
  -r "$build/requirements.txt"
# The package itself, as systemd/install.sh does it: the wheel install.sh left in
# /opt/samantha/wheels (pure Python), installed into the venv; pip byte-compiles it, since the
# root is read-only at run time.
/opt/samantha/venv/bin/pip install -q --no-deps --no-index /opt/samantha/wheels/samantha-*.whl
say "the venv imports every engine:"
# One process per module, so a failure names its module. A crash (signal) is retried once: under
# qemu-user emulation imports have died with SIGSEGV (see build.sh on /sys); a Python error is not.
for module in numpy soundfile soxr webrtcvad pywhispercpp.model llama_cpp piper onnxruntime \
              pyaudio samantha.cli.main samantha.appliance.firstboot; do
  for attempt in 1 2; do
    rc=0
    /opt/samantha/venv/bin/python -c "import $module" 2>/dev/null || rc=$?
    ((rc < 128)) && break
    say "  import $module: signal $((rc - 128)) (attempt $attempt)"
  done
  if ((rc != 0)); then
    /opt/samantha/venv/bin/python -c "import $module" || true
    echo "customize: the venv cannot import $module" >&2
    exit 1
  fi
  say "  import $module ok"
done
# What the daemon opens at start besides the imports: the echo canceller's C library (it stopped
# her at start on an image without libspeexdsp1), and espeak-ng for the Korean voice.
/opt/samantha/venv/bin/python -c 'from samantha.audio.aec import EchoCanceller; EchoCanceller()' \
  || { echo "customize: the echo canceller does not load" >&2; exit 1; }
say "  echo canceller ok"
espeak-ng --voices=ko | grep -q ' ko ' || { echo "customize: espeak-ng has no Korean voice" >&2; exit 1; }
say "  espeak-ng Korean voice ok"

# ---------------------------------------------------------------- 3. quiet and private
mask=(apt-daily.timer apt-daily.service apt-daily-upgrade.timer apt-daily-upgrade.service
      systemd-timesyncd.service man-db.timer man-db.service dpkg-db-backup.timer
      dpkg-db-backup.service systemd-networkd-wait-online.service
      NetworkManager-wait-online.service ModemManager.service avahi-daemon.service
      avahi-daemon.socket wpa_supplicant.service bluetooth.service hciuart.service
      dphys-swapfile.service sshswitch.service regenerate_ssh_host_keys.service
      userconfig.service systemd-random-seed.service systemd-firstboot.service
      e2scrub_all.timer e2scrub_reap.service)
for unit in "${mask[@]}"; do ln -sfn /dev/null "/etc/systemd/system/$unit"; done
# Off until the owner asks (samantha-ssh-switch enables them again).
for unit in ssh.service ssh.socket NetworkManager.service systemd-networkd.service \
            systemd-networkd.socket systemd-resolved.service dhcpcd.service networking.service; do
  find /etc/systemd/system -path "*.wants/$unit" -delete
done
rm -f /etc/systemd/system/sshd.service
rm -f /etc/ssh/ssh_host_*       # every box makes its own at the owner's first `ssh` boot
rm -f /etc/rc[2-5].d/S*         # no SysV scripts (systemd would run them)

# A read-only root: empty machine-id (systemd keeps a transient one in RAM), volatile journal.
# Every boot then counts as a first boot, so systemd-firstboot (which would prompt for a locale on
# the console) is masked above; samantha-firstboot does the owner's settings instead.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
ln -s /etc/machine-id /var/lib/dbus/machine-id 2>/dev/null || true
install -d -m 0755 /boot/firmware /var/lib
# systemd makes a unit's StateDirectory= at start, which a read-only root refuses: logind
# (systemd/linger) failed at every boot of the stand-in. Every such directory is made now
# (not for DynamicUser= units: theirs live in /var/lib/private, like hers below).
for unit in /lib/systemd/system/*.service /etc/systemd/system/*.service; do
  [[ -f $unit ]] || continue
  grep -q '^DynamicUser=yes' "$unit" && continue
  for dir in $(sed -n 's/^StateDirectory=//p' "$unit"); do
    install -d -m 0755 "/var/lib/${dir%%:*}"
  done
done
# Her memory: DynamicUser=yes keeps StateDirectory= under /var/lib/private, which is the state
# partition's mount point; the link systemd would make at start is made now (root is read-only).
# (A unit with a fixed user keeps it in /var/lib/samantha, which is then the mount point.)
if grep -q '^DynamicUser=yes' /etc/systemd/system/samantha.service; then
  install -d -m 0700 /var/lib/private
  ln -sfn private/samantha /var/lib/samantha
else
  install -d -m 0700 /var/lib/samantha
fi

# ---------------------------------------------------------------- 4. enable
systemctl enable nftables.service samantha.service samantha-firstboot.service \
  samantha-volume.service samantha-ssh-switch.service >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /tmp/* /root/.cache
say "done"
