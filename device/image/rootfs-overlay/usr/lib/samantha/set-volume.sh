#!/usr/bin/env bash
# Set every sound card's main playback control to the percentage in /etc/samantha/volume.
# USB cards name it differently (PCM, Speaker, Master, Headphone): the first one a card has wins.
set -euo pipefail
volume=$(tr -dc '0-9' </etc/samantha/volume)
[[ -n $volume && $volume -le 100 ]] || { echo "bad volume in /etc/samantha/volume" >&2; exit 1; }
shopt -s nullglob
for card in /proc/asound/card[0-9]*; do
  n=${card##*card}
  for control in PCM Speaker Master Headphone; do
    if amixer -q -c "$n" sset "$control" "$volume%" unmute 2>/dev/null; then
      echo "card $n: $control at $volume%"
      break
    fi
  done
done
