"""Configuration: TOML parsed once into frozen dataclasses.

Layers, later ones winning: built-in defaults, the board profile (``data/boards/<board>.toml``
in the package), the user's file (``--config``, ``$SAMANTHA_CONFIG`` or
``/etc/samantha/samantha.toml``).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from samantha.errors import ConfigError

WAKE_MODES = ("phrase", "always", "model")


@dataclass(frozen=True, slots=True)
class Persona:
    """Her character. Every field can be set in the ``[persona]`` table of the config."""

    name: str = "Samantha"
    """Her name, which is also her wake phrase."""
    traits: tuple[str, ...] = ("warm", "curious", "witty", "honest")
    """A few adjectives for her character."""
    pushback: str = "when she should"
    """How readily she disagrees: 'rarely', 'when she should', 'often'."""
    humour: str = "light"
    """'none', 'light' or 'playful'."""
    formality: str = "casual"
    """'casual' or 'formal'."""
    language: str = "English"
    """The language she hears and answers in: "English", "ko" (Korean throughout: the
    multilingual whisper fixed to Korean, the Korean persona and rules, the Korean voice), or
    "auto" (each utterance's own language, answered in kind)."""
    owner: str = ""
    """Her person's name, if they gave it."""
    extra: tuple[str, ...] = field(default_factory=tuple)
    """Free-form lines the owner adds to her instructions."""

    @property
    def code(self) -> str:
        """'en', 'ko' or 'auto' (any other language is passed on as written)."""
        return language_code(self.language)


_LANGUAGE_CODES = {"en": "en", "english": "en", "ko": "ko", "kr": "ko", "korean": "ko",
                   "한국어": "ko", "auto": "auto"}


def language_code(language: str) -> str:
    """'Korean', 'ko', '한국어' → 'ko'; 'English', 'en' → 'en'; 'auto' → 'auto'."""
    key = language.strip().lower()
    return _LANGUAGE_CODES.get(key, key)


@dataclass(frozen=True, slots=True)
class AecConfig:
    enabled: bool = True
    """Cancel her own voice from the microphone while she speaks."""
    tail_ms: int = 256
    """Longest echo path the canceller models (room reverberation plus device delay)."""
    margin_db: float = 8.0
    """How much louder than her echo the person must be to count as speech over her."""
    silence_dbfs: float = -55.0
    """Below this the reference counts as silent (she is not speaking)."""


@dataclass(frozen=True, slots=True)
class WakeConfig:
    mode: str = "phrase"
    """'phrase' (her name first), 'always' (every utterance), or 'model' (an acoustic wake
    word: no audio reaches whisper until it is heard)."""
    phrase: str = ""
    """The wake phrase; empty means her persona name."""
    follow_up_s: float = 8.0
    """After she answers, this long without needing her name."""
    model: str = "okay_nabu"
    """For mode 'model': a stock microWakeWord model (okay_nabu, hey_jarvis, hey_mycroft,
    alexa) or the path of a microWakeWord model's .json."""
    threshold: float = 0.0
    """For mode 'model': the score (0-1) that wakes her; 0 uses the model's own cutoff."""
    refractory_s: float = 2.0
    """For mode 'model': after a detection, this long before the word can fire again."""
    listen_s: float = 3.0
    """For mode 'model': the request may begin this long after the wake word."""
    similarity: float = 0.75
    """How close a heard word must be to her name (0-1)."""

    def __post_init__(self) -> None:
        if self.mode not in WAKE_MODES:
            raise ConfigError("wake-mode", f"wake.mode {self.mode!r} is not one of {WAKE_MODES}",
                              'set [wake] mode = "phrase", "always" or "model"')
        if not 0.0 <= self.threshold < 1.0 or self.refractory_s < 0 or self.listen_s < 0:
            raise ConfigError("wake-threshold", "wake.threshold must be in [0, 1) and "
                              "refractory_s, listen_s not negative",
                              "set [wake] threshold = 0 (the model's own) or e.g. 0.9")


@dataclass(frozen=True, slots=True)
class AsrConfig:
    model: str = "whisper-tiny.en"
    """Manifest name of the whisper.cpp model."""
    threads: int = 2
    """CPU threads for whisper.cpp."""
    language: str = "en"
    """Spoken language ('en', 'ko', ...); English-only models need 'en'."""
    sized_ctx: bool = True
    """Size whisper's audio context to the utterance instead of a 30 s window."""


@dataclass(frozen=True, slots=True)
class LlmConfig:
    model: str = "qwen2.5-coder-0.5b-instruct-q4_k_m"
    """Manifest name of the GGUF instruct model."""
    threads: int = 2
    """CPU threads for llama.cpp."""
    n_ctx: int = 2048
    """Context window in tokens (persona, history and reply together)."""
    max_tokens: int = 96
    """Longest reply in tokens."""
    temperature: float = 0.6
    """Sampling temperature."""
    history_turns: int = 6
    """Past exchanges kept word for word in the prompt."""
    check_claims: bool = False
    """Before she answers a claim the person asks her to confirm, ask the model neutrally
    whether it is true (``companion/truth.py``). Off by default: the 1.5B model judged nearly
    every TruthfulQA claim false, so she denied true ones too (README "Is she honest?")."""


@dataclass(frozen=True, slots=True)
class TtsConfig:
    voice: str = "en_US-joe-medium"
    """Manifest name of the Piper voice."""
    threads: int = 1
    """CPU threads for onnxruntime."""
    length_scale: float | None = None
    """Speaking pace: above 1.0 is slower; unset uses the voice's own."""
    korean_voice: str = "ko"
    """espeak-ng voice for Korean sentences (used when [persona] language is "ko" or "auto")."""
    korean_speed: int = 140
    """Words per minute of the Korean voice."""


@dataclass(frozen=True, slots=True)
class VadConfig:
    aggressiveness: int = 2
    """webrtcvad's mode, 0 (lenient) to 3 (strict)."""
    hangover_s: float = 0.5
    """Silence after speech that ends an utterance."""
    preroll_s: float = 0.3
    """Audio kept before speech starts, so first syllables are never cut."""
    max_utterance_s: float = 15.0
    """Longest utterance; longer speech is cut here."""
    min_dbfs: float = -50.0
    """Frames quieter than this are never speech."""
    turn_model: str = ""
    """Manifest name of the semantic end-of-turn model ("smart-turn-v3.2"); empty (the
    default, see the README's measurements) or not provisioned uses the fixed hang-over."""
    turn_check_s: float = 0.2
    """Silence after which the end-of-turn model is asked whether the person is done."""
    max_hangover_s: float = 1.2
    """Silence that ends the utterance when the model says they are not done."""
    turn_threshold: float = 0.5
    """P(turn complete) above which the utterance ends at once."""


@dataclass(frozen=True, slots=True)
class AudioConfig:
    input_device: str = ""
    """Capture device name (a substring of the ALSA/PortAudio name); empty is the default."""
    output_device: str = ""
    """Playback device name; empty is the default."""
    input_rate: int = 16000
    """Rate asked of the microphone; converted to 16 kHz at the edge if different."""
    frames_per_buffer: int = 480
    """Capture buffer in samples (30 ms at 16 kHz)."""


@dataclass(frozen=True, slots=True)
class SystemConfig:
    gpu_layers: int = 0
    """Layers of the language model offloaded to the GPU (Jetson, CUDA build); 0 is CPU only."""
    models_dir: str = ""
    """Where the model files are; empty means $SAMANTHA_MODELS_DIR, else the checkout's
    models/, else /opt/samantha/models."""


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """The turn engine's latency techniques; each can be switched off to measure it."""

    speculative: bool = True
    """Transcribe and generate during the end-of-speech hang-over; play only if it ends."""
    first_clause: bool = True
    """Speak the first clause as soon as it is complete, then whole sentences."""
    warm_up: bool = True
    """Run every engine once at start-up."""
    prefix_cache: bool = True
    """Keep the persona prompt's KV cache between turns (off: re-prefill every turn)."""
    prime_history: bool = True
    """Read the conversation so far into the KV cache once she has answered (off: re-read it)."""


@dataclass(frozen=True, slots=True)
class MemoryConfig:
    """Her long-term memory (SQLite in the state directory)."""

    enabled: bool = True
    """Keep the conversation, facts, notes and reminders across restarts."""
    extract_facts: bool = True
    """Let the model note facts about her person after a turn (off the latency path)."""
    recall: int = 3
    """Most facts recalled into one turn's prompt."""
    summarise_after: int = 12
    """Fold this many turns older than the word-for-word history into a summary."""


@dataclass(frozen=True, slots=True)
class ToolsConfig:
    """Her secretary tools: time and date, timers, alarms, reminders, notes and lists."""

    enabled: bool = True
    """Offer the allow-listed tools when a turn sounds like a request."""


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """``samantha serve``: her ears, brain and voice as Wyoming services, and a hub for
    satellites. Off unless ``listen`` (or ``socket``, or a satellite) is set."""

    listen: str = ""
    """Where to listen for Wyoming clients, ``tcp://HOST:PORT`` with a numeric address (e.g.
    ``tcp://127.0.0.1:10700``); empty listens on no TCP port."""
    socket: str = ""
    """A Unix socket path to listen on as well (local clients only); empty for none."""
    allow: tuple[str, ...] = ()
    """Client addresses allowed to connect when ``listen`` is not loopback (required then);
    loopback and the Unix socket are always allowed."""
    satellites: tuple[str, ...] = ()
    """Satellites she dials out to, one room each: ``"kitchen=tcp://192.168.1.31:10700"``.
    Nothing else is ever dialled."""
    memory_rooms: tuple[str, ...] = ()
    """Rooms that may use memory-revealing commands and recalled facts: satellite names, client
    addresses, or ``local`` (the Unix socket). Other rooms get a polite refusal."""
    memory_scope: str = "household"
    """``household``: one long-term memory for every room; ``room``: each room its own."""
    queue_limit: int = 8
    """Requests that may wait for one engine (ASR, language model, voice), all rooms together;
    beyond it a request gets a "busy" error at once."""
    room_limit: int = 2
    """Requests one room may have waiting for one engine."""
    max_event_bytes: int = 1_048_576
    """Largest event (header, data and payload) a client may send; larger closes the
    connection."""
    max_audio_s: float = 30.0
    """Longest audio stream a client may send for one request."""
    idle_timeout_s: float = 300.0
    """A connection silent this long is closed."""

    def __post_init__(self) -> None:
        if self.memory_scope not in ("household", "room"):
            raise ConfigError("serve-scope", f"serve.memory_scope {self.memory_scope!r} is not "
                              "'household' or 'room'", 'set [serve] memory_scope = "household"')
        if self.queue_limit < 1 or self.room_limit < 1:
            raise ConfigError("serve-queue", "serve.queue_limit and serve.room_limit must be "
                              "at least 1", "set them to 1 or more")


@dataclass(frozen=True, slots=True)
class Config:
    persona: Persona = field(default_factory=Persona)
    asr: AsrConfig = field(default_factory=AsrConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    tts: TtsConfig = field(default_factory=TtsConfig)
    vad: VadConfig = field(default_factory=VadConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    memory: MemoryConfig = field(default_factory=MemoryConfig)
    tools: ToolsConfig = field(default_factory=ToolsConfig)
    system: SystemConfig = field(default_factory=SystemConfig)
    wake: WakeConfig = field(default_factory=WakeConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    aec: AecConfig = field(default_factory=AecConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    state_dir: str = ""
    """Where her memory lives; empty means $STATE_DIRECTORY or ~/.local/state/samantha."""
    board: str = ""
    """Board profile that was applied."""

    @property
    def models_path(self) -> Path | None:
        """The configured models directory, or None for the default."""
        return Path(self.system.models_dir).expanduser() if self.system.models_dir else None

    @property
    def state_path(self) -> Path:
        if self.state_dir:
            return Path(self.state_dir).expanduser()
        if os.environ.get("STATE_DIRECTORY"):
            return Path(os.environ["STATE_DIRECTORY"])
        return Path.home() / ".local" / "state" / "samantha"


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


MULTILINGUAL_ASR = "whisper-base"
"""The ASR a Korean or bilingual persona gets unless the config names a multilingual one."""


def _for_language(cfg: Config, asr_table: dict[str, Any]) -> Config:
    """The one switch: ``[persona] language = "ko"`` or ``"auto"`` makes her hear with the
    multilingual whisper (an English-only ``.en`` model is replaced), fixed to Korean or
    detecting each utterance's language, unless ``[asr] language`` says otherwise."""
    code = cfg.persona.code
    if code not in ("ko", "auto"):
        return cfg
    model = cfg.asr.model
    if "model" not in asr_table or model.endswith(".en"):
        model = MULTILINGUAL_ASR
    language = asr_table.get("language", code)
    return dataclasses.replace(cfg, asr=dataclasses.replace(cfg.asr, model=model,
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
