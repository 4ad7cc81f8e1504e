"""``describe`` → ``info``: what Home Assistant's Wyoming integration reads to offer her services.

Each program and model is credited to whoever made it (whisper.cpp and OpenAI's Whisper, Piper
and its voice, espeak-ng, the language model's authors): Samantha is credited only for what is
hers, the ``handle`` program (persona, memory, tools and output filter). The languages and voices
listed are the ones she really speaks (``lang.spoken``): her home language's, or with
``[persona] language = "auto"`` every pack's; a language with its own espeak-ng voice (Korean)
lists it beside the Piper voice she keeps for English sentences.
"""

from __future__ import annotations

from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    HandleModel,
    HandleProgram,
    Info,
    TtsProgram,
    TtsVoice,
)

from samantha import __version__, lang
from samantha.config import Config
from samantha.lang.voices import espeak_name
from samantha.serve.wake import program

SAMANTHA = Attribution(name="Samantha", url="https://github.com/samantha-voice/samantha")
WHISPER_CPP = Attribution(name="whisper.cpp (Georgi Gerganov)",
                          url="https://github.com/ggerganov/whisper.cpp")
WHISPER = Attribution(name="OpenAI", url="https://github.com/openai/whisper")
PIPER = Attribution(name="Piper (rhasspy)", url="https://github.com/rhasspy/piper")
PIPER_VOICES = Attribution(name="rhasspy", url="https://huggingface.co/rhasspy/piper-voices")
ESPEAK = Attribution(name="eSpeak NG", url="https://github.com/espeak-ng/espeak-ng")
LLAMA_CPP = Attribution(name="llama.cpp (Georgi Gerganov)",
                        url="https://github.com/ggerganov/llama.cpp")
_LLM_MAKERS = {"qwen": Attribution(name="Qwen (Alibaba Cloud)", url="https://huggingface.co/Qwen"),
               "smollm": Attribution(name="Hugging Face (SmolLM)",
                                     url="https://huggingface.co/HuggingFaceTB"),
               "llama": Attribution(name="Meta (Llama)", url="https://www.llama.com"),
               "gemma": Attribution(name="Google (Gemma)", url="https://ai.google.dev/gemma"),
               "phi": Attribution(name="Microsoft (Phi)", url="https://huggingface.co/microsoft")}


def llm_maker(model: str) -> Attribution:
    """The language model's authors, by its name; llama.cpp (which runs it) when unknown."""
    key = model.lower()
    return next((who for prefix, who in _LLM_MAKERS.items() if key.startswith(prefix)),
                LLAMA_CPP)


def spoken_languages(cfg: Config) -> list[str]:
    """The languages she hears and answers in (``lang.spoken``)."""
    return [pack.code for pack in lang.spoken(cfg.persona)]


def voices(cfg: Config) -> list[TtsVoice]:
    """Piper's voice, and each spoken language's own espeak-ng voice (``Pack.voice``: Korean)."""
    piper_lang = cfg.tts.voice.split("-", 1)[0]
    out = [TtsVoice(name=cfg.tts.voice, description=f"Piper voice {cfg.tts.voice}",
                    attribution=PIPER_VOICES, installed=True, version=None,
                    languages=[piper_lang])]
    for pack in lang.spoken(cfg.persona):
        if pack.voice:
            name = espeak_name(cfg, pack)
            out.append(TtsVoice(name=f"espeak-ng-{name}",
                                description=f"eSpeak NG voice {name!r} ({pack.locale})",
                                attribution=ESPEAK, installed=True, version=None,
                                languages=[pack.locale]))
    return out


def describe(cfg: Config) -> Info:
    """One installed program per service, each credited to its makers."""
    langs = spoken_languages(cfg)
    return Info(
        asr=[AsrProgram(
            name="samantha-asr", description="whisper.cpp speech recognition, on this device",
            attribution=WHISPER_CPP, installed=True, version=__version__,
            models=[AsrModel(name=cfg.asr.model, description=f"Whisper {cfg.asr.model}",
                             attribution=WHISPER, installed=True, version=None,
                             languages=langs)],
            supports_transcript_streaming=False)],
        tts=[TtsProgram(
            name="samantha-tts", description="Piper speech synthesis, on this device",
            attribution=PIPER, installed=True, version=__version__, voices=voices(cfg),
            supports_synthesize_streaming=True)],
        handle=[HandleProgram(
            name="samantha", description=f"{cfg.persona.name}: persona, memory, tools and "
            "output filter (llama.cpp, on this device)",
            attribution=SAMANTHA, installed=True, version=__version__,
            models=[HandleModel(name=cfg.llm.model, description=cfg.llm.model,
                                attribution=llm_maker(cfg.llm.model), installed=True,
                                version=None, languages=langs)],
            supports_handled_streaming=False)],
        wake=program(),
    )
