"""Configuration: TOML parsed once into frozen dataclasses (``schema``: every setting, with its
docstring) by ``loader`` (defaults, then the board profile, then the user's file)."""

from samantha.config.loader import (
    MULTILINGUAL_ASR,
    board_profile,
    from_dict,
    load,
    merge,
    read_toml,
    user_config_path,
)
from samantha.config.schema import (
    WAKE_MODES,
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
    language_code,
    languages,
)

__all__ = ["MULTILINGUAL_ASR", "WAKE_MODES", "AecConfig", "AsrConfig", "AudioConfig", "Config",
           "EngineConfig", "LlmConfig", "MemoryConfig", "Persona", "ServeConfig",
           "SystemConfig", "ToolsConfig", "TtsConfig", "VadConfig", "WakeConfig",
           "board_profile", "from_dict", "language_code", "languages", "load", "merge",
           "read_toml", "user_config_path"]
