"""The conversation as the language model sees it: persona prompt, recent history, new turn.

The system prompt comes first and never changes within a session, and history is append-only, so
llama.cpp reuses the KV cache of everything before the new turn. History holds only what she
actually said aloud.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samantha.llm import Message
from samantha.persona import Persona


@dataclass
class Conversation:
    persona: Persona
    history_turns: int = 6
    """Past exchanges kept word for word."""
    history: list[tuple[str, str]] = field(default_factory=list)

    def system(self) -> Message:
        return {"role": "system", "content": self.persona.system_prompt()}

    def messages(self, user_text: str) -> list[Message]:
        msgs = [self.system()]
        for user, reply in self.history[-self.history_turns:]:
            msgs.append({"role": "user", "content": user})
            msgs.append({"role": "assistant", "content": reply})
        msgs.append({"role": "user", "content": user_text})
        return msgs

    def commit(self, user_text: str, spoken: str) -> None:
        """Remember the exchange; ``spoken`` is what she actually played, not what she planned."""
        if user_text.strip():
            self.history.append((user_text.strip(), spoken.strip() or "…"))
