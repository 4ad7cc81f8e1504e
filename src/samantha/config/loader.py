"""Reading her configuration: TOML parsed once into the frozen dataclasses of
``config.schema``.

Layers, later ones winning: built-in defaults, the board profile (``data/boards/<board>.toml``
in the package), the user's file (``--config``, ``$SAMANTHA_CONFIG`` or
``/etc/samantha/samantha.toml``).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from samantha.config.schema import (
    AecConfig,
    AsrConfig,
    AudioConfig,
    Config,
    EngineConfig,
    LlmConfig,
    MemoryConfig,
    Persona,
    ServeConfig,
    SystemConfig,
    ToolsConfig,
    TtsConfig,
    VadConfig,
    WakeConfig,
    languages,
)
from samantha.errors import ConfigError


def _build(cls: type, table: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    args: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError("unknown-key", f"unknown setting {where}.{key}",
                              f"use one of: {', '.join(sorted(known))}")
        if isinstance(value, list):
            value = tuple(value)
        args[key] = value
    try:
        return cls(**args)
    except TypeError as exc:
        raise ConfigError("bad-value", f"bad value in [{where}] ({exc})", "check the types") \
            from None


def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two TOML tables, ``top`` winning."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("missing", f"no config file at {path}", "check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("syntax", f"{path} is not valid TOML ({exc})",
                          "fix the line it names") from None


def from_dict(data: dict[str, Any]) -> Config:
    sections = {"memory": MemoryConfig, "tools": ToolsConfig,
                "persona": Persona, "asr": AsrConfig, "llm": LlmConfig, "tts": TtsConfig,
                "vad": VadConfig, "audio": AudioConfig, "system": SystemConfig,
                "wake": WakeConfig, "engine": EngineConfig, "aec": AecConfig,
                "serve": ServeConfig}
    args: dict[str, Any] = {}
    for key, value in data.items():
        if key in sections:
            if not isinstance(value, dict):
                raise ConfigError("bad-value", f"[{key}] must be a table", f"write [{key}]")
            args[key] = _build(sections[key], value, key)
        elif key in ("state_dir", "board"):
            args[key] = str(value)
        else:
            raise ConfigError("unknown-key", f"unknown section or setting {key!r}",
                              f"use one of: {', '.join(sorted([*sections, 'state_dir']))}")
    return _for_language(Config(**args), data.get("asr", {}))


MULTILINGUAL_ASR = AsrConfig().multilingual_model
"""The ASR a Korean or bilingual persona gets by default (``[asr] multilingual_model``)."""


def _for_language(cfg: Config, asr_table: dict[str, Any]) -> Config:
    """The one switch: a ``[persona] language`` that needs the multilingual whisper
    (``data/languages.toml``: Korean, "auto") makes her hear with it (an English-only ``.en``
    model is replaced), fixed to that language or detecting each utterance's, unless
    ``[asr] language`` says otherwise."""
    code = cfg.persona.code
    if not languages().get(code, {}).get("multilingual", False):
        return cfg
    model, windows = cfg.asr.model, cfg.asr.windows
    if "model" not in asr_table or model.endswith(".en"):
        model = cfg.asr.multilingual_model
        windows = cfg.asr.multilingual_windows or windows
    language = asr_table.get("language", code)
    return dataclasses.replace(cfg, asr=dataclasses.replace(cfg.asr, model=model, windows=windows,
                                                             language=language))


def board_profile(board: str) -> Path:
    """The board's profile, shipped with the package (``samantha/data/boards/<board>.toml``)."""
    return Path(str(resources.files("samantha") / "data" / "boards" / f"{board}.toml"))


def user_config_path(explicit: str | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get("SAMANTHA_CONFIG"):
        return Path(os.environ["SAMANTHA_CONFIG"])
    etc = Path("/etc/samantha/samantha.toml")
    return etc if etc.is_file() else None


def load(path: str | None = None, board: str | None = None,
         overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the board profile, then the user's file, then command-line overrides.

    ``board`` None detects the board (samantha.boards); "" applies no profile."""
    data: dict[str, Any] = {}
    if board is None:
        from samantha.boards import detect

        board = detect()
    if board:
        profile = board_profile(board)
        if profile.is_file():
            data = merge(data, read_toml(profile))
        data["board"] = board
    user = user_config_path(path)
    if user is not None:
        data = merge(data, read_toml(user))
    if overrides:
        data = merge(data, overrides)
    return from_dict(data)
