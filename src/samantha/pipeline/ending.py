"""Has the person finished, by the words so far? A pause after "tell me about the" is not the
end of a question, whatever the silence says.

At a pause the words heard so far (the speculative start's transcript, so nothing is
transcribed twice) are read by the language: words that cannot end what someone says (an
article, a preposition, a conjunction, an auxiliary: ``Words.unfinished``; in Korean a particle
or a connective ending, read by Kiwi: ``Analyser.open_ended``) keep her listening up to
``[vad] max_hangover_s``; anything else ends the utterance at the usual hang-over, no sooner
(``[vad] wait_unfinished``; measured with ``samantha bench --endpoint``). Microseconds, no
model.
"""

from __future__ import annotations

import re

from samantha.lang import Pack

_TRAIL = re.compile(r"[\s\"'’”)\]]+$")


def unfinished(text: str, pack: Pack) -> bool:
    """Do the words so far end where nobody stops ("Can you tell me about the")? An empty
    transcript, or a language without the words, is not unfinished."""
    words = _TRAIL.sub("", text.strip())
    if not words or words.endswith("!"):
        return False
    if pack.analyser is not None:  # Korean: Kiwi reads the last morpheme
        return pack.analyser.open_ended(words.rstrip("?"))
    # a "?" is left on: whisper hears a rise as a question ("How long should I?"), and the
    # language's words say which questions are unfinished all the same
    return bool(pack.words.unfinished and pack.words.unfinished.search(words))
