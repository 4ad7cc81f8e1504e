"""``samantha run``: the daemon on the real microphone and speaker, turn after turn.

Under systemd (Type=notify) she says READY=1 only once every model is verified, loaded and
warmed, and feeds the watchdog from the turn loop itself, for every chunk of audio it takes from
the microphone (it keeps listening while she speaks, for barge-in), at most every WatchdogSec/3.
SIGTERM gives an ordered shutdown, each stage with a bounded wait that fits inside
TimeoutStopSec: stop input, drain processing, finish output.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from typing import Any

from samantha import config
from samantha.appliance import netguard
from samantha.appliance.notify import Watchdog, notify
from samantha.audio.aec import EchoCanceller
from samantha.audio.protocols import Microphone, Speaker
from samantha.clock import now_ns
from samantha.companion.conversation import from_config
from samantha.inference.engines import load_engines
from samantha.pipeline.loop import serve

log = logging.getLogger(__name__)
STOP_INPUT_S = 3.0
"""Longest wait for the turn loop to stop once input is closed."""
DRAIN_S = 5.0
"""Longest wait for each engine's running C call (three engines)."""
FINISH_OUTPUT_S = 5.0
"""Longest wait for the chunk being played. All of it stays under TimeoutStopSec=30."""


def open_devices(cfg: config.Config) -> tuple[Microphone, Speaker]:
    """The microphone and speaker; WAV-file fakes when $SAMANTHA_TEST_MIC_WAV is set (tests)."""
    wav = os.environ.get("SAMANTHA_TEST_MIC_WAV")
    if wav:
        from samantha.testing.wavdevices import LoopingWavMicrophone, WavSpeaker

        log.warning("test devices in use: microphone %s, no sound card", wav)
        return LoopingWavMicrophone(wav), WavSpeaker(os.environ.get("SAMANTHA_TEST_SPEAKER_WAV"))
    from samantha.audio.devices import Microphone, Speaker

    # Devices first: with no sound card there is no point loading half a gigabyte of models.
    mic = Microphone(cfg.audio.input_device, cfg.audio.input_rate, cfg.audio.frames_per_buffer)
    return mic, Speaker(cfg.audio.output_device)


async def _keep_alive(watchdog: Watchdog) -> None:
    """Until she is ready: the watchdog hears from this (event-loop) task every second."""
    while True:
        watchdog()
        await asyncio.sleep(1.0)


def _startup_progress(watchdog: Watchdog) -> Any:
    def progress(message: str) -> None:
        log.info("%s", message)
        notify(f"STATUS={message}")
        watchdog()
    return progress


async def _stop_input(mic: Microphone, listener: asyncio.Task[Any]) -> None:
    start = now_ns()
    mic.close()
    listener.cancel()
    done, _ = await asyncio.wait({listener}, timeout=STOP_INPUT_S)
    log.info("stopping: input closed%s in %.2f s",
             "" if done else " (turn loop still unwinding)", (now_ns() - start) / 1e9)


async def run(args: argparse.Namespace) -> int:
    netguard.install()  # always on: nothing she hears or says may leave this process
    cfg = config.load(args.config, overrides=args.overrides)
    netguard.allow_config(cfg)  # only the turn's text, only to the [llm] endpoint if one is set
    mic, speaker = open_devices(cfg)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchdog = Watchdog()
    log.info("board %s; state in %s", cfg.board or "none", cfg.state_path)
    # Loading and warming run in threads, so this loop stays awake: it answers SIGTERM and
    # keeps systemd's watchdog fed until READY (seen in an emulated boot: a 30 s WatchdogSec
    # killed her mid-load five times). After READY only the turn loop feeds it.
    starting = asyncio.create_task(_keep_alive(watchdog))
    try:
        engines = await asyncio.to_thread(load_engines, cfg, _startup_progress(watchdog))
    except BaseException:
        starting.cancel()
        mic.close()
        speaker.close()
        raise
    listener: asyncio.Task[Any] | None = None
    conversation = None
    aec = None
    try:
        conversation = from_config(cfg)
        aec = EchoCanceller(cfg.aec) if cfg.aec.enabled else None
        await asyncio.to_thread(engines.warm_up, conversation.base_messages())
        # the tool and fact prompts, prefilled once
        await asyncio.to_thread(conversation.warm_up, engines.llm)
        speaker.set_rate(engines.tts.rate)
        if stop.is_set():  # SIGTERM while the models were loading: never say READY
            log.info("stopping: signal received before she was ready")
            return 0
        starting.cancel()
        notify("READY=1", "STATUS=listening")
        log.info("ready: models verified, loaded and warmed; listening")
        listener = asyncio.create_task(serve(mic, speaker, engines, conversation, cfg, aec,
                                             heartbeat=watchdog))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({listener, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        notify("STOPPING=1", "STATUS=stopping")
        if listener in done:
            listener.result()  # a DeviceError here ends her with a non-zero exit
            log.warning("stopping: the microphone ended")
        else:
            log.info("stopping: signal received, ordered shutdown")
    finally:
        starting.cancel()
        if listener is not None and not listener.done():
            await _stop_input(mic, listener)
        else:
            mic.close()
        start = now_ns()
        engines.close()
        log.info("stopping: processing drained in %.2f s", (now_ns() - start) / 1e9)
        start = now_ns()
        speaker.close(FINISH_OUTPUT_S)
        log.info("stopping: output finished in %.2f s", (now_ns() - start) / 1e9)
        if aec is not None:
            aec.close()
        if conversation is not None:  # her memory's database, closed cleanly
            conversation.close()
        log.info("stopped")
    return 0
