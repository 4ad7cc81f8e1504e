"""Her reply, cut as it streams: the first clause as soon as it is complete, then whole
sentences, so the voice can start before the model has finished."""

from __future__ import annotations

import re
from collections.abc import Callable

from samantha.inference.speech_text import has_words

_SENTENCE_END = re.compile(r"([.!?]+[\"')\]]*\s+|[。！？]+)")
_CLAUSE_END = re.compile(r"([,;:—–])(\s+)")
_CONJUNCTION = re.compile(r"\s(?:and|but|or|so|because|which|when|while|if|although|since|"
                          r"until)\s", re.IGNORECASE)


class Chunker:
    """Cuts a token stream into speakable pieces: the first clause early, then sentences."""

    def __init__(self, first_clause_words: int = 2, max_chars: int = 220,
                 clauses: Callable[[str, int], int | None] | None = None) -> None:
        self.first_clause_words = first_clause_words
        self.max_chars = max_chars
        self.clauses = clauses
        """The reply language's own clause ends (``lang.protocols.Analyser.clause_end``: Korean
        joins clauses with endings, not with words or commas). It reads the whole first sentence
        so far (Kiwi: a few ms), so it is asked only when a space has come: a clause end needs
        the word after it whole."""
        self._spaces_asked = 0
        self._buf = ""
        self._emitted = 0

    def push(self, piece: str) -> list[str]:
        self._buf += piece
        out: list[str] = []
        while True:
            cut = self._next_cut()
            if cut is None:
                break
            head, self._buf = self._buf[:cut], self._buf[cut:]
            if has_words(head):
                out.append(head.strip())
                self._emitted += 1
        return out

    def _next_cut(self) -> int | None:
        for m in _SENTENCE_END.finditer(self._buf):
            if not self._is_abbreviation(m.start()):
                return m.end()
        if self._emitted == 0:
            for c in _CLAUSE_END.finditer(self._buf):
                if len(self._buf[:c.start()].split()) >= self.first_clause_words:
                    return c.end()
            # no comma yet: a long first clause may break before a conjunction
            for c in _CONJUNCTION.finditer(self._buf):
                if len(self._buf[:c.start()].split()) >= self.first_clause_words + 2:
                    return c.start() + 1
            spaces = self._buf.count(" ")
            if self.clauses is not None and spaces > self._spaces_asked:
                self._spaces_asked = spaces
                found = self.clauses(self._buf, self.first_clause_words)
                if found is not None:
                    return found
        if len(self._buf) > self.max_chars:  # a run-on: cut at the last space
            space = self._buf.rfind(" ", 0, self.max_chars)
            return space + 1 if space > 0 else self.max_chars
        return None

    def _is_abbreviation(self, dot: int) -> bool:
        word = self._buf[:dot].rsplit(None, 1)[-1] if self._buf[:dot].strip() else ""
        return word.lower() in {"mr", "mrs", "ms", "dr", "st", "e.g", "i.e", "vs"} or (
            len(word) == 1 and word.isupper())

    def flush(self) -> list[str]:
        rest, self._buf = self._buf.strip(), ""
        return [rest] if has_words(rest) else []
