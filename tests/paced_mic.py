"""A microphone for wyoming-satellite's ``--mic-command``: raw 16 kHz mono 16-bit PCM on stdout,
at real-time pace, silence between the clips and after them until it is stopped.

    python3 tests/paced_mic.py 6:question1.raw 31:question2.raw

Each ``AT:FILE`` starts FILE (raw PCM, 16 kHz mono s16le) AT seconds after the start. Standard
library only: it runs under any Python (the satellite's own venv or the system's).
"""

from __future__ import annotations

import sys
import time

RATE = 16000
CHUNK = 1024  # samples per write, as wyoming-satellite reads them
SILENCE = bytes(2 * CHUNK)


def main(args: list[str]) -> None:
    clips = []
    for arg in args:
        at, _, path = arg.partition(":")
        with open(path, "rb") as fh:
            clips.append((int(float(at) * RATE), fh.read()))
    clips.sort()
    out = sys.stdout.buffer
    start = time.monotonic()
    sent = 0  # samples
    while True:
        chunk = SILENCE
        for at, pcm in clips:
            if at <= sent < at + len(pcm) // 2:
                piece = pcm[2 * (sent - at):2 * (sent - at + CHUNK)]
                chunk = piece + SILENCE[len(piece):]
                break
        try:
            out.write(chunk)
            out.flush()
        except (BrokenPipeError, OSError):
            return
        sent += CHUNK
        ahead = start + sent / RATE - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main(sys.argv[1:])
