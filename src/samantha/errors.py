"""One error type per stage, each with a stable code, a message and a fix.

The CLI prints ``str(err)`` as one line and exits non-zero: the user never sees a traceback.
"""

from __future__ import annotations


class SamanthaError(Exception):
    """Base error: ``code`` is stable for scripts, ``fix`` tells the user what to do."""

    stage = "samantha"

    def __init__(self, code: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        text = f"{self.stage} error [{self.code}]: {self.message}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class AudioError(SamanthaError):
    stage = "audio"


class DeviceError(SamanthaError):
    stage = "device"


class ModelError(SamanthaError):
    stage = "model"


class AsrError(SamanthaError):
    stage = "asr"


class LlmError(SamanthaError):
    stage = "llm"


class TtsError(SamanthaError):
    stage = "tts"


class ConfigError(SamanthaError):
    stage = "config"


class ServeError(SamanthaError):
    stage = "serve"
