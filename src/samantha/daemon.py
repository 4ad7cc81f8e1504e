"""``samantha run``: the daemon on the real microphone and speaker, turn after turn."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from samantha import config
from samantha.conversation import from_config
from samantha.devices import Microphone, Speaker
from samantha.engine import serve
from samantha.startup import load_engines

log = logging.getLogger(__name__)


async def run(args: argparse.Namespace) -> int:
    cfg = config.load(args.config, overrides=args.overrides)
    # Devices first: with no sound card there is no point loading half a gigabyte of models.
    mic = Microphone(cfg.audio.input_device, cfg.audio.input_rate, cfg.audio.frames_per_buffer)
    speaker = Speaker(cfg.audio.output_device)
    engines = load_engines(cfg)
    conversation = from_config(cfg)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        engines.warm_up(conversation)
        speaker.rate = engines.tts.rate
        log.info("listening")
        listener = asyncio.create_task(serve(mic, speaker, engines, conversation, cfg))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({listener, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in (listener, stopper):
            task.cancel()
        await asyncio.gather(listener, stopper, return_exceptions=True)
        if listener in done and listener.exception():
            raise listener.exception()  # type: ignore[misc]
    finally:
        mic.close()       # stop input
        engines.close()   # drain processing (bounded waits)
        speaker.close()   # finish output
    return 0
