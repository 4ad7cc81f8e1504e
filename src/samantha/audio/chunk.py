"""The one audio type, and the edge where every sound is made 16 kHz mono int16.

Files go through libsndfile (``soundfile``) so every common WAV flavour is read by a library made
for it; rate changes go through libsoxr (``soxr``). Nothing inside the pipeline resamples again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
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


def _checked(p: Path) -> tuple[int, int]:
    """Open ``p`` far enough to know it is a whole, readable sound file: (rate, frames), or a
    clear AudioError. Reads the header only, so a file of hours costs nothing here."""
    if not p.is_file():
        raise AudioError("missing", f"no audio file at {p}", "check the path")
    if p.stat().st_size == 0:
        raise AudioError("empty", f"{p} is empty (0 bytes)", "record or export the audio again")
    try:
        with soundfile.SoundFile(str(p)) as f:
            rate, frames = f.samplerate, f.frames
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(
            "unreadable", f"{p} is not a readable sound file ({exc})",
            "export it as a PCM WAV file",
        ) from None
    promised = _declared_frames(p)
    if promised is not None and promised > frames:
        raise _truncated(p, promised, frames)
    if frames == 0:
        raise AudioError("no-audio", f"{p} holds no audio frames", "record the audio again")
    return rate, frames


def _truncated(p: Path, promised: int, held: int) -> AudioError:
    return AudioError("truncated", f"{p} is cut off: its header promises {promised} frames "
                      f"but it holds {held}", "copy or export the file again in full")


def read_wav(path: str | os.PathLike[str]) -> AudioChunk:
    """Read a sound file and return it as 16 kHz mono int16, or raise a clear AudioError.
    Whole: for short recordings (fixtures, questions); long input goes through ``WavStream``."""
    p = Path(path)
    _, declared = _checked(p)
    try:
        with soundfile.SoundFile(str(p)) as f:
            rate = f.samplerate
            data = f.read(dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(
            "unreadable", f"{p} is not a readable sound file ({exc})",
            "export it as a PCM WAV file",
        ) from None
    if len(data) < declared:
        raise _truncated(p, declared, len(data))
    return to_pipeline(data, rate)


class WavStream:
    """A sound file read a block at a time and made 16 kHz mono int16 on the way (a stateful
    resampler, so the blocks join seamlessly): an hour of audio costs one block of memory.
    Checked when made, with the same clear errors as ``read_wav``."""

    def __init__(self, path: str | os.PathLike[str], block_s: float = 1.0) -> None:
        self.path = Path(path)
        self.rate, self.frames = _checked(self.path)
        self.block = max(1, int(block_s * self.rate))

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def __len__(self) -> int:
        """Its length in 16 kHz samples (the resampler's output may differ by a sample)."""
        return round(self.frames * RATE / self.rate)

    def blocks(self) -> Iterator[np.ndarray]:
        """The file from its start, as int16 blocks of about ``block_s`` seconds."""
        to16k = soxr.ResampleStream(self.rate, RATE, 1, dtype="float32", quality="HQ") \
            if self.rate != RATE else None
        held = 0
        try:
            with soundfile.SoundFile(str(self.path)) as f:
                for data in f.blocks(self.block, dtype="float32", always_2d=True):
                    held += len(data)
                    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
                    yield _pcm(to16k.resample_chunk(mono) if to16k is not None else mono)
        except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
            raise AudioError("unreadable", f"{self.path} could not be read to its end ({exc})",
                             "export it as a PCM WAV file") from None
        if to16k is not None:
            yield _pcm(to16k.resample_chunk(np.zeros(0, np.float32), last=True))
        if held < self.frames:
            raise _truncated(self.path, self.frames, held)


def _pcm(data: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.clip(np.round(data * 32768.0), -32768, 32767).astype(np.int16)
    return out


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
