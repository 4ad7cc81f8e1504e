"""One exchange as the brain sees it: what the person said, what she may say back, and what
the turn will write. ``Conversation.prepare`` makes one; the turn hands it back to ``screen``,
``commit`` and ``after_turn``. Long-lived objects keep no per-turn fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from samantha import lang
from samantha.companion.mood import Mood
from samantha.companion.protocols import Decision
from samantha.inference.protocols import Message
from samantha.lang import Pack

MAX_REPLY_CHARS = 420
"""Her longest spoken reply: about three sentences, fifteen seconds."""


def _english() -> Pack:
    return lang.get("en")


@dataclass
class Exchange:
    text: str = ""
    """What the person said, whitespace folded ('' for an announcement)."""
    pack: Pack = field(default_factory=_english)
    """The language of this turn, chosen once from what was said (``lang.pack_for``)."""
    messages: list[Message] = field(default_factory=list)
    """The prompt to stream a reply from (empty when ``direct`` is set)."""
    direct: str = ""
    """A reply decided without streaming (a rule, a tool, a memory command)."""
    by_rule: str = ""
    """The name of the rule that answered ('' when the model does): no facts are extracted."""
    keep: bool = True
    """Whether the exchange enters the history (not "forget everything")."""
    mood: Mood = field(default_factory=Mood)
    """How the person seemed (voice and words)."""
    recalled: list[str] = field(default_factory=list)
    """Facts recalled from memory for this reply."""
    notes: list[str] = field(default_factory=list)
    """The notes the model was given for this reply (never to be read out)."""
    leading: str = ""
    """'claim' or 'plan' when the person pushed her to agree (``Pack.plainly``)."""
    budget: int = MAX_REPLY_CHARS
    """Characters she may still speak in this reply."""
    blocked_once: bool = False
    """A sentence was already replaced by a stand-in line."""
    own_line: bool = False
    """The words are not the model's: her fallback line (nothing of its reply could be said),
    her fixed lines ("Yes?", "say that again?"), reminders, text another program asked her to
    speak. The guards on the model's words do not judge them, so none can leave her silent."""
    confirm: Callable[[], bool] | None = None
    """The turn's own writes (a tool's, a memory command's), applied by ``Conversation.confirm``
    once the turn is released and before ``direct`` is voiced: False when they could not be
    saved, and then she says ``failed`` instead of confirming."""
    failed: str = ""
    """Said, with the reason, instead of ``direct`` when ``confirm`` fails ('' is the pack's
    phrase)."""
    pending: list[Callable[[], object]] = field(default_factory=list)
    """What this turn will write, done in ``commit``: a dropped speculative turn writes
    nothing (no double reminder, no forgetting on half a sentence)."""
    decisions: list[Decision] = field(default_factory=list)
    """The brain's decisions not yet logged: which rule answered, which guard changed what
    (the turn moves them into its event log, ``pipeline.events``)."""

    @property
    def pace(self) -> float:
        """Suggested Piper ``length_scale`` for this reply (slower when they seem low)."""
        return self.mood.pace

    @property
    def first(self) -> bool:
        """Nothing of the reply has been spoken yet."""
        return self.budget == MAX_REPLY_CHARS
