"""The conversation engine: listen, take a turn, listen again, for as long as she runs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from samantha.config import Config
from samantha.conversation import Conversation
from samantha.events import TurnReport
from samantha.listen import Source, make_segmenter, utterances
from samantha.turn import Engines, Sink, run_turn

log = logging.getLogger(__name__)


async def serve(mic: Source, speaker: Sink, engines: Engines, conversation: Conversation,
                cfg: Config, heartbeat: Callable[[], None] = lambda: None) -> None:
    """Turn after turn until cancelled. ``heartbeat`` is called from this loop for every chunk
    of audio heard, so a watchdog fed by it proves the loop itself is alive."""
    segmenter = make_segmenter(cfg.vad)
    async for heard in utterances(mic, segmenter, heartbeat):
        result = await run_turn(heard.utterance.audio, heard.speech_end_ns, engines,
                                conversation, speaker, heard.utterance.reason)
        log.info("%s", TurnReport.from_log(result.log).log_line())
        segmenter.reset()  # what the mic heard while she spoke was her own voice
        flush = getattr(mic, "flush", None)
        if flush is not None:
            flush()
