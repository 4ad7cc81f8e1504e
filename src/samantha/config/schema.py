"""Every setting, as frozen dataclasses with a docstring per field (the ``[section]`` tables of
her TOML file). ``config.loader`` reads the file into them."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
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
    region: str = ""
    """Where the home is (ISO 3166 code: "US", "KR", "GB", "IE", "CA", "AU", "NZ"): picks the
    crisis line she names to someone in crisis; empty means the language's country."""

    @property
    def code(self) -> str:
        """'en', 'ko' or 'auto' (any other language is passed on as written)."""
        return language_code(self.language)


@cache
def languages() -> dict[str, dict[str, Any]]:
    """The languages ``[persona] language`` may name (``data/languages.toml``): code → names
    and whether she then needs the multilingual whisper."""
    path = resources.files("samantha") / "data" / "languages.toml"
    with path.open("rb") as fh:
        table: dict[str, dict[str, Any]] = tomllib.load(fh)
    return table


def language_code(language: str) -> str:
    """A language's name or code → its code ('Korean' → 'ko', 'English' → 'en', 'auto');
    a language not listed is passed on as written, lower case."""
    key = language.strip().lower()
    return next((code for code, entry in languages().items()
                 if key == code or key in entry.get("names", ())), key)


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
    windows: tuple[int, ...] = (320, 640)
    """With ``sized_ctx``: the short audio contexts (whisper positions, 50 a second, each with a
    64-position margin), smallest first; each holds its own copy of the weights."""
    multilingual_model: str = "whisper-base"
    """The ears a Korean or bilingual persona gets when ``model`` is English-only or unset."""
    multilingual_windows: tuple[int, ...] = (640,)
    """``windows`` for those ears (empty: the same as ``windows``). Not the 320-position one:
    whisper-base loops into its padding there on 20 of 44 Korean clips of 2-5 s (1 of 44 at
    640), and a loop costs a second decode in a bigger window; each window dropped is also one
    copy fewer of the multilingual weights."""

    def __post_init__(self) -> None:
        for name in ("windows", "multilingual_windows"):
            sizes = getattr(self, name)
            if list(sizes) != sorted(set(sizes)) or any(not 64 < n < 1500 for n in sizes):
                raise ConfigError("bad-value", f"asr.{name} must be rising sizes between 65 "
                                  f"and 1499 (got {list(sizes)})", f"e.g. {name} = [320, 640]")


@dataclass(frozen=True, slots=True)
class LlmConfig:
    model: str = "qwen2.5-coder-0.5b-instruct-q4_k_m"
    """Manifest name of the GGUF instruct model."""
    threads: int = 2
    """CPU threads for llama.cpp."""
    omp_spin: int = 1000
    """How long llama.cpp's OpenMP threads spin before they sleep, in libgomp iterations (about
    100,000 per millisecond; 0: they sleep at once, as whisper.cpp's do). 1000 (~10 us) decodes
    about 30 % faster than 0 on a quiet box and costs ~7 % beside a busy process; 300000 (3 ms,
    libgomp's own) is no faster quiet and collapses when anything else wants the cores
    (docs/bench.md, "Threads"). ``inference.openmp``."""
    n_ctx: int = 2048
    """Context window in tokens (persona, history and reply together)."""
    mmap: bool = False
    """Map the model file instead of reading it in. Off: on x86 and the Pi 5 llama.cpp copies
    the weights into a faster layout as it loads, and a mapped file then stays resident beside
    that copy (+600 MB for the 1.5B model, measured in docs/bench.md, "Memory"); read in, the
    weights are held once. On, the kernel may drop the file's pages under pressure (and read
    them back from the card later)."""
    max_tokens: int = 96
    """Longest reply in tokens."""
    temperature: float = 0.6
    """Sampling temperature."""
    history_turns: int = 6
    """Past exchanges kept word for word in the prompt."""
    endpoint: str = ""
    """Opt-in: an OpenAI-compatible server on the home network that answers instead of the
    on-device model, ``"http://ADDR:PORT/v1"`` with a literal address (llama-server, Ollama,
    vLLM). Only the turn's text goes there; her own model answers when it does not."""
    endpoint_model: str = ""
    """The model to ask the endpoint for (Ollama and vLLM need it; empty: the server's own)."""
    endpoint_timeout_s: float = 4.0
    """No first word from the endpoint within this: her own model answers the turn."""


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
    wait_unfinished: bool = True
    """Without an end-of-turn model: at a pause, read the words so far (the speculative
    start's transcript) and wait up to ``max_hangover_s`` when they end unfinished ("tell me
    about the ..."); finished words end at ``hangover_s`` as before (``pipeline.ending``)."""


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
    keep_heard: bool = True
    """Keep what a speculative start heard up to a pause inside the utterance; at its end
    transcribe only the rest (``pipeline/kept.py``; needs ``speculative``)."""


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
    max_audio_s: float = 120.0
    """Longest audio a client may send for one transcription (kept at 16 kHz mono: 32 kB a
    second); past it the request gets a "too-long" error and the connection stays."""
    idle_timeout_s: float = 300.0
    """A connection silent this long is closed."""
    slots: int = 0
    """Rooms the language model answers at once, in llama.cpp's own ``llama-server`` (one slot
    and prompt cache per room, continuous batching). 0: one per configured satellite when there
    are two or more; 1: the in-process model, rooms taking turns."""
    llama_server: str = ""
    """The ``llama-server`` binary; empty: ``$SAMANTHA_LLAMA_SERVER``, the checkout's
    ``build/llama-server/bin/llama-server`` (``make llama-server``), or ``/opt/samantha/bin``."""

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
