"""The brain's seams: the ``Brain`` the turn calls, and the rules and guards the brain runs.

``Rule`` (answers without the model: ``Answer`` or None) and ``Guard`` (judges each sentence the
model writes: ``Verdict``) are defined with the language packs (``lang.protocols``), which build
them too; they are re-exported here so the brain's two lists read from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from samantha.audio.chunk import AudioChunk
from samantha.clock import now_ns
from samantha.inference.protocols import LanguageModel
from samantha.lang.protocols import KEEP, Answer, Guard, Reply, Rule, Said, Verdict, drop

if TYPE_CHECKING:
    from concurrent.futures import Future

    from samantha.companion.exchange import Exchange

__all__ = ["KEEP", "Answer", "Brain", "Decision", "Guard", "Reply", "Rule", "Said", "Verdict",
           "drop"]


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision of the brain, for the turn's event log."""

    kind: Literal["rule", "guard"]
    name: str
    """The rule that answered, or the guard that judged."""
    action: str = "answered"
    """'answered' for a rule; a guard's 'rewrite', 'replace' or 'drop'."""
    why: str = ""
    t_ns: int = 0

    @classmethod
    def now(cls, kind: Literal["rule", "guard"], name: str, action: str = "answered",
            why: str = "") -> Decision:
        return cls(kind, name, action, why, now_ns())


class Brain(Protocol):
    """What the turn (``pipeline.turn``) asks of her mind, in this order per turn."""

    def hear(self, audio: AudioChunk) -> Future[dict[str, float] | None]:
        """The utterance, for how the person sounds (measured beside the ASR)."""

    async def prepare(self, user_text: str, llm: LanguageModel,
                      heard: Future[dict[str, float] | None] | None = None) -> Exchange:
        """The exchange: a prompt to stream from, or a reply a rule decided."""

    def confirm(self, ex: Exchange) -> None:
        """Apply the turn's writes once it is released, before its reply is voiced."""

    def notice(self, ex: Exchange) -> str:
        """A line saying her memory is not saving, once per fault ('' otherwise)."""

    def screen(self, sentence: str, ex: Exchange) -> str:
        """What may be said of one sentence ('' for nothing), after every guard."""

    def fallback(self, ex: Exchange) -> str:
        """Her line when nothing of the reply could be said."""

    def commit(self, ex: Exchange, spoken: str) -> None:
        """Remember what was actually spoken."""

    async def after_turn(self, ex: Exchange, spoken: str, llm: LanguageModel) -> None:
        """Facts and summaries, once she is silent."""

    def chime(self) -> AudioChunk: ...

    def due(self, now: datetime) -> list[str]: ...
