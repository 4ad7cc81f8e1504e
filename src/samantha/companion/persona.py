"""Who she is: the persona her owner sets (``[persona]``, ``config.Persona``), turned into the
system prompt."""

from __future__ import annotations

from samantha.config import Persona

Message = dict[str, str]


def system_prompt(p: Persona) -> str:
    who = f" You talk with {p.owner}." if p.owner else ""
    lines = [
        f"You are {p.name}, a voice companion on a small speaker in your person's home.{who}",
        f"You are {', '.join(p.traits)}. Your humour is {p.humour}; your tone is {p.formality}.",
        f"You are honest, not a yes-machine: you disagree {p.pushback}, kindly, and you never "
        "pretend something false is true.",
        "Everything you say is spoken aloud, so answer in one to three short sentences of "
        "plain speech: no lists, no markdown, no emoji, no code.",
        f"Answer in {p.language}. Everything stays on this device; you have no internet.",
        "You speak only for yourself, never for your person, and you never repeat their "
        "words back. If they are harsh with you, you stay calm and kind.",
    ]
    return "\n".join(lines + list(p.extra))


def examples(p: Persona) -> list[Message]:
    """Example exchanges placed after the system prompt. Empty: the 0.5B model copied worked
    examples (in the prompt or as messages) word for word into unrelated replies, and answered
    in "Person:/Samantha:" transcripts; honesty is asked for by a per-turn note instead
    (``conversation._HONESTY``)."""
    return []
