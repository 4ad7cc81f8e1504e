"""The one audio type, and the edge where every sound is made 16 kHz mono int16.

Files go through libsndfile (``soundfile``) so every common WAV flavour is read by a library made
for it; rate changes go through libsoxr (``soxr``). Nothing inside the pipeline resamples again.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
import soxr

from samantha.errors import AudioError

RATE = 16_000
"""The pipeline's only sample rate."""


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A chunk of 16-bit PCM. Inside the pipeline it is always 16 kHz mono."""

    samples: np.ndarray
    """int16 samples, shape (n,) for mono or (n, channels)."""
    rate: int = RATE
    channels: int = 1
    timestamp_ns: int = 0
    """``time.perf_counter_ns()`` when the chunk was captured or made."""

    @property
    def seconds(self) -> float:
        return len(self.samples) / float(self.rate)


def to_pipeline(samples: np.ndarray, rate: int, timestamp_ns: int = 0) -> AudioChunk:
    """Convert any float or int PCM of any rate and channel count to 16 kHz mono int16."""
    data = np.asarray(samples)
    if data.ndim == 2:
        if data.shape[1] == 0:
            raise AudioError("no-channels", "the audio has no channels", "use mono or stereo audio")
        data = data.astype(np.float32).mean(axis=1)
    if data.dtype.kind in "iu":
        info = np.iinfo(data.dtype)
        scale = float(max(abs(info.min), info.max))
        offset = (info.max + info.min + 1) / 2.0 if data.dtype.kind == "u" else 0.0
        data = (data.astype(np.float32) - offset) / scale
    else:
        data = data.astype(np.float32)
    if rate != RATE:
        data = soxr.resample(data, rate, RATE, quality="HQ")
    pcm = np.clip(np.round(data * 32768.0), -32768, 32767).astype(np.int16)
    return AudioChunk(pcm, RATE, 1, timestamp_ns or time.perf_counter_ns())


STREAMING_SIZES = (0x7FFFF000, 0xFFFFFFFF)
"""Data sizes a writer puts in the header when it streams and cannot seek back to fill it in
(``espeak-ng --stdout`` writes 0x7FFFF000, others 0xFFFFFFFF): "until the end of the file", not
a promise of 2 GB."""


def _declared_frames(path: Path) -> int | None:
    """Frames the RIFF header promises, so a cut-off file can be told from a short one (None:
    no promise, as in a streamed header)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = 0
            while True:
                hdr = fh.read(8)
                if len(hdr) < 8:
                    return None
                cid, size = hdr[:4], int.from_bytes(hdr[4:], "little")
                if cid == b"fmt ":
                    fmt = fh.read(size)
                    block_align = int.from_bytes(fmt[12:14], "little")
                    fh.seek(size % 2, os.SEEK_CUR)
                elif cid == b"data":
                    if size in STREAMING_SIZES:
                        return None
                    return size // block_align if block_align else None
                else:
                    fh.seek(size + size % 2, os.SEEK_CUR)
    except OSError:
        return None


def read_wav(path: str | os.PathLike[str]) -> AudioChunk:
    """Read a sound file and return it as 16 kHz mono int16, or raise a clear AudioError."""
    p = Path(path)
    if not p.is_file():
        raise AudioError("missing", f"no audio file at {p}", "check the path")
    if p.stat().st_size == 0:
        raise AudioError("empty", f"{p} is empty (0 bytes)", "record or export the audio again")
    try:
        with soundfile.SoundFile(str(p)) as f:
            rate, declared = f.samplerate, f.frames
            data = f.read(dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(
            "unreadable", f"{p} is not a readable sound file ({exc})",
            "export it as a PCM WAV file",
        ) from None
    promised = _declared_frames(p)
    if promised is not None and promised > len(data) or len(data) < declared:
        raise AudioError(
            "truncated",
            f"{p} is cut off: its header promises {max(promised or 0, declared)} frames "
            f"but it holds {len(data)}",
            "copy or export the file again in full",
        )
    if len(data) == 0:
        raise AudioError("no-audio", f"{p} holds no audio frames", "record the audio again")
    return to_pipeline(data, rate)


def write_wav(path: str | os.PathLike[str], chunk: AudioChunk) -> None:
    """Write PCM to a WAV file atomically: the file is complete or absent, never half-written."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    soundfile.write(str(tmp), chunk.samples, chunk.rate, subtype="PCM_16", format="WAV")
    os.replace(tmp, p)


def concat(chunks: list[AudioChunk], rate: int = RATE) -> AudioChunk:
    """Join chunks of one rate into one chunk (an empty list gives an empty chunk)."""
    if not chunks:
        return AudioChunk(np.zeros(0, dtype=np.int16), rate)
    return AudioChunk(np.concatenate([c.samples for c in chunks]), chunks[0].rate, 1,
                      chunks[0].timestamp_ns)


def rms_dbfs(samples: np.ndarray) -> float:
    """Loudness of int16 samples in dBFS (-inf for silence)."""
    if len(samples) == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean((samples.astype(np.float64) / 32768.0) ** 2)))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")
