"""The grammar guard on each sentence the model writes: parroting (both languages), and in
Korean words that do not exist and the owner's speech level (``lang/ko/grammar``).

Called from ``Conversation.screen``; the brain's guard list takes it over as three guards.
"""

from __future__ import annotations

from samantha.companion.guards import parrot
from samantha.lang.ko import grammar


def check(sentence: str, heard: str, banmal: bool, names: tuple[str, ...] = ("사만다",)
          ) -> tuple[str, str]:
    """Why ``sentence`` is dropped ('' if it is not), and the sentence at the owner's speech
    level (해요체, or 반말 when ``banmal``). ``heard`` is what the person said this turn; its
    words and ``names`` (hers) are never taken for non-words."""
    lang = "ko" if grammar.has_hangul(sentence) else "en"
    if parrot.parrots(sentence, heard, lang):
        return "her person's sentence, said as her own", sentence
    if lang == "ko":
        if grammar.unreadable(sentence, (heard, *names)):
            return "a word that does not exist", sentence
        sentence = grammar.to_level(sentence, "banmal" if banmal else "haeyo")
    return "", sentence
