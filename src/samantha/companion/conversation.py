"""The brain, under the name the commands know it by (``companion/brain.py`` holds it)."""

from samantha.companion.brain import Conversation, Heard, from_config, guards_for, rules_for

__all__ = ["Conversation", "Heard", "from_config", "guards_for", "rules_for"]
