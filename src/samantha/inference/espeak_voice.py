"""Her Korean voice: espeak-ng's Korean, behind the same ``Voice`` interface as Piper.

No registry package carries a neural Korean voice that runs here, so Korean sentences are
spoken by espeak-ng (Debian's ``espeak-ng``, a formant synthesiser): clear enough for whisper
to hear most of it back, but robotic and flat, with no Korean prosody (see the README). Each
call runs one ``espeak-ng --stdout`` process on the voice's own worker thread, reading the text
from standard input, and returns 16-bit mono PCM at espeak-ng's 22,050 Hz.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable

import numpy as np

from samantha.errors import TtsError
from samantha.inference.speech_text import has_words, speakable
from samantha.inference.worker import Worker
from samantha.inference.worker_voice import WorkerVoice

log = logging.getLogger(__name__)

RATE = 22_050
"""espeak-ng's output rate."""
MAX_CHARS = 600
TIMEOUT_S = 30.0
_INSTALL = "install it: apt-get install espeak-ng (`make setup` does)"


def _pcm_from_wav(data: bytes) -> np.ndarray:
    """The samples of espeak-ng's streamed WAV (its header's sizes are placeholders)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise TtsError("synth", "espeak-ng wrote no WAV audio", "report the text that caused it")
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if cid == b"data":
            body = data[pos + 8:]
            return np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2").astype(np.int16)
        pos += 8 + size + size % 2
    return np.zeros(0, dtype=np.int16)


class EspeakVoice(WorkerVoice):
    """espeak-ng speaking one language (Korean by default) on its own worker thread."""

    def __init__(self, voice: str = "ko", speed: int = 140, pitch: int = 50, gap: int = 5,
                 normalize: Callable[[str], str] = speakable, greeting: str = "Hello.") -> None:
        self.voice = voice
        self.normalize = normalize
        """Text as the voice should read it (its language pack's numbers: ``Pack.say_numbers``)."""
        self.greeting = greeting
        """Said once at start-up, to warm it."""
        self.speed = speed
        """Words per minute at pace 1.0 (140: slower than espeak-ng's 175, heard better)."""
        self.pitch = pitch
        self.gap = gap
        """Pause between words, in 10 ms units (a little helps Korean syllables stand apart)."""
        self.rate = RATE
        self.binary = shutil.which("espeak-ng") or ""
        self.worker = Worker(f"tts-{voice}")
        self.worker.call(self._check)

    def _check(self) -> None:
        if not self.binary:
            raise TtsError("load", "espeak-ng is not installed (her Korean voice)", _INSTALL)
        try:
            out = subprocess.run([self.binary, f"--voices={self.voice}"], capture_output=True,
                                 text=True, timeout=TIMEOUT_S, check=False).stdout
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TtsError("load", f"espeak-ng did not run ({exc})", _INSTALL) from None
        voices = {line.split()[1] for line in out.splitlines()[1:] if len(line.split()) > 1}
        if self.voice not in voices:
            raise TtsError("load", f"espeak-ng has no {self.voice!r} voice",
                           "install Debian's espeak-ng-data (espeak-ng's full language set)")

    def _synth_sync(self, text: str, pace: float = 1.0) -> np.ndarray:
        clean = self.normalize(text)[:MAX_CHARS]
        if not has_words(clean):
            return np.zeros(0, dtype=np.int16)
        speed = max(80, min(450, round(self.speed / max(pace, 0.1))))
        cmd = [self.binary, "-v", self.voice, "-s", str(speed), "-p", str(self.pitch),
               "-g", str(self.gap), "--stdout", "--stdin"]
        try:
            done = subprocess.run(cmd, input=clean.encode("utf-8"), capture_output=True,
                                  timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise TtsError("synth", f"espeak-ng took over {TIMEOUT_S:.0f} s on {clean[:40]!r}",
                           "report the text that caused it") from None
        except OSError as exc:
            raise TtsError("synth", f"espeak-ng did not run ({exc})", _INSTALL) from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise TtsError("synth", f"espeak-ng failed on {clean[:40]!r} "
                           f"({why[-1] if why else f'exit {done.returncode}'})",
                           "report the text that caused it")
        return _pcm_from_wav(done.stdout)

    def warm_up(self) -> None:
        self.synthesize(self.greeting)

    def close(self) -> None:
        self.worker.close()
