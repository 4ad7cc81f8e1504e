#!/usr/bin/env bash
# Runs inside the booted image (boot-test.sh puts it on the boot partition and starts it with the
# kernel's systemd.run=), prints what a person would check to the serial console, then powers off.
#
# With TURN=1 it first gives samantha.service a runtime drop-in (in /run: gone at power-off, the
# card is never changed): the bundled question ("Hey Samantha, what is a good way to start the
# morning?") from a WAV microphone, her reply to a WAV file in her state directory, transcripts in
# the journal, the Pi 4 profile (qemu's virt board is no Pi), and the start-up allowance emulation
# needs. Everything else is the unit as shipped: the sandbox, WatchdogSec=30, her memory partition.
# A samantha-question.wav on the boot partition replaces the bundled question (BOOT_TEST_LANG=ko).
#
# usage (by boot-test.sh): bash samantha-boot-test.sh WAIT_S TURN
# Diagnostics that may fail (a mount missing, the write that must fail) end in `|| true`: the
# report goes on and says what it saw.
set -euo pipefail
wait_s=${1:-600}
turn=${2:-1}
exec >/dev/ttyAMA0 2>&1
echo SAMANTHA-BOOT-TEST-BEGIN
t0=$(cut -d. -f1 /proc/uptime)
since() { echo "[$(($(cut -d. -f1 /proc/uptime) - t0)) s]"; }

if [ "$turn" = 1 ]; then
  question=$(find /opt/samantha/venv -path '*/samantha/data/question.wav' | head -n 1)
  extra=""
  if [ -f /boot/firmware/samantha-question.wav ]; then
    # boot-test.sh's own question (the Korean recording: it does not say her name, so she
    # answers every utterance: her config as first boot wrote it, plus [wake] mode = "always")
    install -m 0644 /boot/firmware/samantha-question.wav /run/samantha-question.wav
    question=/run/samantha-question.wav
    systemctl start samantha-firstboot.service || true
    { cat /etc/samantha/samantha.toml; printf '\n[wake]\nmode = "always"\n'; } >/run/samantha-boot-test.toml
    chmod 0644 /run/samantha-boot-test.toml
    extra="Environment=SAMANTHA_CONFIG=/run/samantha-boot-test.toml"
  fi
  mkdir -p /run/systemd/system/samantha.service.d
  cat >/run/systemd/system/samantha.service.d/boot-test.conf <<EOF
[Service]
Environment=SAMANTHA_BOARD=rpi4 SAMANTHA_LOG=debug
Environment=SAMANTHA_TEST_MIC_WAV=$question
Environment=SAMANTHA_TEST_SPEAKER_WAV=/var/lib/samantha/boot-test-reply.wav
$extra
TimeoutStartSec=$wait_s
EOF
  systemctl daemon-reload
  echo "drop-in for the turn: microphone $question${extra:+; $extra}"
fi

systemctl start --no-block multi-user.target
i=0
while [ "$i" -lt "$wait_s" ]; do
  state=$(systemctl show -P ActiveState samantha.service)
  case $state in active | failed) break ;; esac
  sleep 5
  i=$((i + 5))
done
echo "$(since) samantha.service: $state"

for m in / /boot/firmware /var/lib/private; do
  findmnt -no TARGET,SOURCE,FSTYPE,OPTIONS --mountpoint "$m" || echo "$m: not mounted"
done
{ touch /probe 2>&1 || true; } | sed 's/^/root-write: /'
nft list chain inet samantha_guard output || true
cat /etc/samantha/samantha.toml /etc/samantha/volume || true
ls /boot/firmware
systemctl --no-pager --failed || true
systemctl --no-pager status samantha-firstboot.service samantha.service | head -n 30 || true
echo "SAMANTHA-STATE=$state"

if [ "$turn" = 1 ] && [ "$state" = active ]; then
  # her one journal line per turn ("turn end_of_speech=... first_audio=..."), at most wait_s
  i=0
  while [ "$i" -lt "$wait_s" ]; do
    if journalctl -b -u samantha.service -o cat | grep 'turn end_of_speech=' >/dev/null; then break; fi
    sleep 5
    i=$((i + 5))
  done
  echo "$(since) after $i s of listening:"
  journalctl -b -u samantha.service -o cat \
    | grep -E 'ready:|transcript:|turn end_of_speech=|fallback|rror' | tail -n 20 || true
  # her unit's memory: the peak since start (cgroup v2) and how often it met MemoryHigh/Max
  cg=/sys/fs/cgroup/system.slice/samantha.service
  echo "SAMANTHA-MEMORY-PEAK-MB=$(($(cat "$cg/memory.peak" 2>/dev/null || echo 0) / 1048576))" \
    "(MemoryHigh $(cat "$cg/memory.high"), MemoryMax $(cat "$cg/memory.max");" \
    "$(tr '\n' ' ' <"$cg/memory.events"))" || true
  # stopping her writes the WAV speaker's file
  systemctl stop samantha.service || true
  /opt/samantha/venv/bin/python - <<'EOF'
import wave
path = "/var/lib/private/samantha/boot-test-reply.wav"
try:
    with wave.open(path) as w:
        print(f"SAMANTHA-REPLY-SECONDS={w.getnframes() / w.getframerate():.2f}")
except OSError as exc:
    print(f"SAMANTHA-REPLY-SECONDS=0 ({exc})")
EOF
fi
journalctl --no-pager -b -u samantha.service | grep -v 'state .* -> ' | tail -n 30 || true
echo SAMANTHA-BOOT-TEST-END
