"""A satellite's words so far, read at its pause: once for the end of turn, once for the turn.

At home the speculative start transcribes the audio so far at a pause, and the end of turn
reads those words (``pipeline.ending``). A satellite's audio does not pass through that loop,
so its pauses get the same here: after ``[vad] turn_check_s`` of silence the utterance so far
is transcribed (through the room's fair line to whisper). Words that cannot end what someone
says ("tell me about the") hold the end up to ``[vad] max_hangover_s``; anything else ends at
the usual hang-over, however late the transcript comes. When that pause does end the
utterance, its transcript is the turn's: nothing is transcribed twice, and the request was
read while the hang-over ran out. Speech that resumes drops it.
"""

from __future__ import annotations

import asyncio
import logging

from samantha import lang
from samantha.audio.chunk import AudioChunk
from samantha.audio.vad import Segmenter
from samantha.errors import SamanthaError
from samantha.inference.protocols import Transcriber, Transcript
from samantha.pipeline import ending

log = logging.getLogger(__name__)


class EarlyWords:
    """The transcript begun at the current pause, if any."""

    def __init__(self, asr: Transcriber, home: lang.Pack) -> None:
        self.asr, self.home = asr, home
        self.task: asyncio.Task[Transcript | None] | None = None
        self.pause_id = -1

    def at_pause(self, audio: AudioChunk, pause_id: int, segmenter: Segmenter) -> None:
        """Transcribe the utterance so far and hold the end if its words are unfinished."""
        self.drop()
        self.pause_id = pause_id
        self.task = asyncio.create_task(self._read(audio, pause_id, segmenter))

    async def _read(self, audio: AudioChunk, pause_id: int,
                    segmenter: Segmenter) -> Transcript | None:
        try:
            heard = await self.asr.transcribe_async(audio)
        except SamanthaError as err:  # the turn transcribes it again, and says so if it fails
            log.debug("words at a pause not read: %s", err)
            return None
        if ending.unfinished(heard.text, lang.pack_for(heard.text, self.home)):
            log.debug("unfinished at a pause (%r): waiting for the rest", heard.text[-40:])
            segmenter.verdict(False, pause_id)  # hold-only: it never ends the utterance itself
        return heard

    def take(self, pause_id: int) -> asyncio.Task[Transcript | None] | None:
        """The transcript for the utterance that ended at pause ``pause_id``, if it was begun
        there (an utterance cut while the person spoke has none)."""
        task, self.task = self.task, None
        if task is not None and self.pause_id == pause_id:
            return task
        if task is not None:
            task.cancel()
        return None

    def drop(self) -> None:
        """The person went on (or the stream was reset): what was begun is not the turn's."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
