"""The conversation as the language model sees it: persona prompt, recent history, new turn.

This is the brain's seam with the turn engine. ``turn.py`` calls, in order:
``hear(audio)`` (the utterance, for how the person sounds), ``prepare(text, llm)`` (the messages
to stream a reply from, or a reply decided without streaming), ``screen(sentence)`` on every
sentence before it is spoken, ``commit(text, spoken)`` with what was actually played, and
``after_turn(text, spoken, llm)`` once playback is over, off the latency path.

The system prompt comes first and never changes within a session, and history is append-only, so
llama.cpp reuses the KV cache of everything before the new turn. History holds only what she
actually said aloud.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from samantha.audio import AudioChunk
from samantha.config import Config
from samantha.history import load_history, save_history
from samantha.llm import LanguageModel, Message
from samantha.persona import Persona


@dataclass(frozen=True, slots=True)
class Prepared:
    """What to say next: stream a reply from ``messages``, or speak ``direct`` as it is."""

    messages: list[Message] = field(default_factory=list)
    direct: str = ""


@dataclass
class Conversation:
    persona: Persona
    history_turns: int = 6
    """Past exchanges kept word for word."""
    history: list[tuple[str, str]] = field(default_factory=list)
    state_dir: Path | None = None
    """Where the conversation persists (her state directory); None keeps it in memory."""

    def __post_init__(self) -> None:
        if self.state_dir is not None and not self.history:
            self.history = load_history(self.state_dir)

    def system(self) -> Message:
        return {"role": "system", "content": self.persona.system_prompt()}

    def messages(self, user_text: str) -> list[Message]:
        msgs = [self.system()]
        for user, reply in self.history[-self.history_turns:]:
            msgs.append({"role": "user", "content": user})
            msgs.append({"role": "assistant", "content": reply})
        msgs.append({"role": "user", "content": user_text})
        return msgs

    def hear(self, audio: AudioChunk) -> None:
        """The person's utterance, before it is transcribed."""

    async def prepare(self, user_text: str, llm: LanguageModel) -> Prepared:
        return Prepared(messages=self.messages(user_text))

    def screen(self, sentence: str) -> str:
        """The last word on what she may say aloud; returns what to speak instead, or ''."""
        return sentence

    def commit(self, user_text: str, spoken: str) -> None:
        """Remember the exchange; ``spoken`` is what she actually played, not what she planned."""
        if user_text.strip():
            self.history.append((user_text.strip(), spoken.strip() or "…"))
            if self.state_dir is not None:
                save_history(self.state_dir, self.history)

    async def after_turn(self, user_text: str, spoken: str, llm: LanguageModel) -> None:
        """Work that may wait until she has finished speaking."""


def from_config(cfg: Config, persist: bool = True) -> Conversation:
    """The brain as configured; ``persist`` keeps it in her state directory."""
    return Conversation(cfg.persona, cfg.llm.history_turns,
                        state_dir=cfg.state_path if persist else None)
