"""A satellite's words so far, read at its pause, so the end of turn can wait for the rest.

At home the speculative start transcribes the audio so far at a pause, and the end of turn
reads those words (``pipeline.ending``). A satellite's audio does not pass through that loop,
so its pauses get the same here: after ``[vad] turn_check_s`` of silence the utterance so far
is transcribed (through the room's fair line to whisper). Words that cannot end what someone
says ("tell me about the") hold the end up to ``[vad] max_hangover_s``; anything else ends at
the usual hang-over, however late the transcript comes. The turn still transcribes the whole
utterance: the words read 0.2 s into the pause were tried as the turn's and made whisper
mishear her name in the real-satellite test ("I'm answer how many legs …" for "Samantha, how
many legs …"), where the whole utterance is heard right.
"""

from __future__ import annotations

import asyncio
import logging

from samantha import lang
from samantha.audio.chunk import AudioChunk
from samantha.audio.vad import Segmenter
from samantha.errors import SamanthaError
from samantha.inference.protocols import Transcriber
from samantha.pipeline import ending

log = logging.getLogger(__name__)


class EarlyWords:
    """The words being read at the current pause, if any."""

    def __init__(self, asr: Transcriber, home: lang.Pack) -> None:
        self.asr, self.home = asr, home
        self.task: asyncio.Task[None] | None = None

    def at_pause(self, audio: AudioChunk, pause_id: int, segmenter: Segmenter) -> None:
        """Transcribe the utterance so far and hold the end if its words are unfinished."""
        self.drop()
        self.task = asyncio.create_task(self._read(audio, pause_id, segmenter))

    async def _read(self, audio: AudioChunk, pause_id: int, segmenter: Segmenter) -> None:
        try:
            heard = await self.asr.transcribe_async(audio)
        except SamanthaError as err:  # the pause ends at the usual hang-over
            log.debug("words at a pause not read: %s", err)
            return
        if ending.unfinished(heard.text, lang.pack_for(heard.text, self.home)):
            log.debug("unfinished at a pause (%r): waiting for the rest", heard.text[-40:])
            segmenter.verdict(False, pause_id)  # hold-only: it never ends the utterance itself

    def drop(self) -> None:
        """The pause is over (the person went on, the utterance ended, the stream was reset)."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
