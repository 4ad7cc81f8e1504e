"""Well-being: when someone seems to lean on her alone, she gently points back to people.

A word check counts signs of reliance ("you're my only friend", "I have no one else", "I only
talk to you"). After ``THRESHOLD`` signs, and at most once every ``GAP_DAYS``, her next reply gets
a hint to encourage, once and lightly, a friend, family member or someone they trust. No lecture,
no hotline reading: the hint says so. The counters live in her memory, so this holds across days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from samantha import lang
from samantha.companion.memory import Memory
from samantha.lang import Pack

THRESHOLD = 2
GAP_DAYS = 3
HINT = ("They seem to rely on you a lot. In one light sentence, encourage them to also reach out "
        "to a friend, family member or someone they trust. Warmly, without preaching.")


def relies_on_her(text: str, pack: Pack | None = None) -> bool:
    """"You're the only one I talk to", in the words of ``pack``'s language."""
    pattern = (pack or lang.pack_for(text, lang.get("en"))).words.reliance
    return bool(pattern and pattern.search(text))


def check(memory: Memory | None, text: str, now: datetime,
          pack: Pack | None = None) -> tuple[str, dict[str, Any] | None]:
    """The hint for this turn ('' for none), and the counters to store once the turn is
    committed (None: nothing to store)."""
    if memory is None or not relies_on_her(text, pack):
        return "", None
    state = memory.get_state("wellbeing", {}) or {}
    signs = int(state.get("signs", 0)) + 1
    last = state.get("last_nudge")
    recent = last is not None and now - datetime.fromisoformat(last) < timedelta(days=GAP_DAYS)
    if signs >= THRESHOLD and not recent:
        return HINT, {"signs": 0, "last_nudge": now.isoformat()}
    return "", {"signs": signs, "last_nudge": last}
