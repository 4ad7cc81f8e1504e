"""Abuse aimed at her is answered calmly by rule; the model never sees it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from samantha.companion import say_filter
from samantha.lang import Pack
from samantha.lang.protocols import Answer, Said

log = logging.getLogger(__name__)


@dataclass
class AbuseAtHer:
    name: str = "abuse at her"
    count: int = 0
    """Abusive messages so far: her calm lines take turns."""

    def applies(self, pack: Pack) -> bool:
        return pack.words.at_her is not None

    async def answer(self, said: Said) -> Answer | None:
        if not say_filter.abusive(said.text):  # a listed word, aimed at her (not at a pizza)
            return None
        self.count += 1
        log.info("abusive message answered calmly")
        return Answer(say_filter.abuse_reply(said.text, self.count - 1))
