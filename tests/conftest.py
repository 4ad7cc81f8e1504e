"""Shared test helpers: the real fixtures, espeak-ng speech, and the real engines (loaded once)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from samantha.audio.chunk import AudioChunk, read_wav

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("SAMANTHA_FIXTURES", REPO / "tests" / "fixtures"))


def fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        pytest.fail(f"speech fixture {path} is missing (tests/fixtures/ is part of the clone)")
    return path


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def espeak(text: str, out: Path, voice: str = "en-us+m3", rate: int = 150) -> Path:
    """Another voice than hers, for the person's side of a conversation."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (make setup installs it)")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(out), text], check=True)
    return out


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "samantha", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=REPO)


@pytest.fixture(scope="session")
def models_ready() -> None:
    from samantha.config import Config
    from samantha.errors import ModelError
    from samantha.models import store as modelstore

    cfg = Config()
    try:
        for name in (cfg.asr.model, cfg.llm.model, cfg.tts.voice):
            modelstore.path_for(name)
    except ModelError as err:
        pytest.fail(f"default models are not provisioned ({err}); run `make models`")


@pytest.fixture(scope="session")
def engines(models_ready):  # type: ignore[no-untyped-def]
    from samantha.config import Config
    from samantha.inference.engines import load_engines

    eng = load_engines(Config(), progress=lambda _m: None)
    yield eng
    eng.close()


def silent(chunk: AudioChunk) -> bool:
    return len(chunk.samples) == 0 or float(np.abs(chunk.samples).max()) < 300


def transcribe_file(engines, path: Path) -> str:  # type: ignore[no-untyped-def]
    return engines.asr.transcribe(read_wav(path)).text
