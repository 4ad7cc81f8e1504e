"""``samantha demo``: one real spoken turn from a WAV file, with its stage timings.

The WAV plays into the real engine through the simulated room (her own voice echoes back into
the microphone, as on a speaker, and the echo canceller removes it), at real-time pace unless
``--fast``. Timings are measured from the true end of the user's speech; with ``--fast`` there
is no real-time end, so they are measured from the VAD's decision instead.
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

import numpy as np

from samantha import config
from samantha.appliance import netguard
from samantha.audio.aec import EchoCanceller
from samantha.audio.chunk import RATE, AudioChunk, WavStream, concat, write_wav
from samantha.audio.listening import make_segmenter, sounds_like_speech
from samantha.audio.playback import Playback
from samantha.cli.progress import say_progress
from samantha.companion.conversation import from_config
from samantha.errors import AudioError
from samantha.inference.engines import load_engines
from samantha.pipeline.events import TurnReport
from samantha.pipeline.loop import TurnLoop
from samantha.pipeline.states import State
from samantha.testing.room import Room

QUESTION = "question.wav"
LEAD_S = 0.3


def why_no_speech(wav: Path, audio: WavStream, vad: config.VadConfig) -> AudioError:
    """The error for a file in which no turn was heard, with the cause that fits: too quiet,
    no voice the VAD accepts, a steady sound (tone, hum, hiss), or speech without words.
    One pass over the file, a block at a time (a recording of hours is never held whole)."""
    loudest, heard, speech = float("-inf"), False, False
    segmenter = make_segmenter(vad)
    carry = np.zeros(0, np.int16)
    for block in audio.blocks():
        data = np.concatenate([carry, block])
        whole = len(data) // 480 * 480
        frames, carry = data[:whole].reshape(-1, 480).astype(np.float64), data[whole:]
        if len(frames):
            power = float(np.max(np.mean((frames / 32768.0) ** 2, axis=1)))
            loudest = max(loudest, 10.0 * np.log10(power) if power > 0 else float("-inf"))
        for event in segmenter.feed(AudioChunk(block, RATE)):
            if event.utterance is not None:
                heard, speech = True, speech or sounds_like_speech(event.utterance.audio)
    for event in segmenter.finish():
        if event.utterance is not None:
            heard, speech = True, speech or sounds_like_speech(event.utterance.audio)
    if loudest < vad.min_dbfs:
        level = "silent" if loudest == float("-inf") else f"at most {loudest:.0f} dBFS"
        return AudioError("no-speech", f"no speech was heard in {wav}: it is {level}",
                          f"use a recording louder than {vad.min_dbfs:.0f} dBFS")
    if not heard:
        return AudioError("no-speech", f"no speech was heard in {wav}: it is loud enough "
                          f"({loudest:.0f} dBFS) but the voice detector found no voice in it",
                          "use a recording of a person asking a question")
    if not speech:
        return AudioError("no-speech", f"no speech was heard in {wav}: it holds a steady "
                          "sound (a tone, hum or hiss), not speech",
                          "use a recording of a person asking a question")
    return AudioError("no-speech", f"no words were heard in {wav}: the voice in it was not "
                      "understood", "use a clearer recording, spoken close to the microphone")


def bundled_question() -> Path:
    return Path(str(resources.files("samantha") / "data" / QUESTION))


async def demo(args: argparse.Namespace) -> int:
    overrides = dict(args.overrides)
    overrides.setdefault("wake", {})["mode"] = "always"  # the demo's question is for her
    cfg = config.load(args.config, overrides=overrides)
    netguard.allow_config(cfg)  # the [llm] endpoint, if one is set: only the turn's text
    wav = Path(args.input) if args.input else bundled_question()
    audio = WavStream(wav)  # checked before any model is loaded, then read as it plays
    progress = say_progress if not args.json else (lambda _m: None)
    engines = load_engines(cfg, progress)
    try:
        conversation = from_config(cfg, persist=False)
        if cfg.engine.warm_up:
            progress("warming up")
            engines.warm_up(conversation.base_messages())
        progress(f"listening to {wav.name} ({'fast' if args.fast else 'real time'})")
        playback = Playback(engines.tts.rate)
        room = Room(playback, realtime=not args.fast, fast_speech_only=True,
                    duration_s=LEAD_S + audio.seconds + 60.0)
        room.say(audio, LEAD_S)
        room.keep_echo = False  # an hour's recording must not cost an hour of echo
        aec = EchoCanceller(cfg.aec) if cfg.aec.enabled else None
        engine = TurnLoop(engines, conversation, cfg, playback, aec)
        # Done once she has answered, or once the person's audio is over (with the VAD's
        # hang-over and a second to spare) and nothing is in flight: no turn will come.
        quiet_from = int((room.end_s() + cfg.vad.hangover_s + 1.0) * RATE)
        room.stop_when = lambda: engine.state is State.IDLE and (
            bool(engine.turns) or (engine.current is None and room.position >= quiet_from))
        try:
            await engine.serve(room)
        finally:
            if aec is not None:
                aec.close()
            conversation.close()
    finally:
        engines.close()
    turn = next((t for t in engine.turns if t.transcript), None)
    if turn is None:
        raise why_no_speech(wav, audio, cfg.vad)
    out = Path(args.out)
    voice = concat(turn.audio, engines.tts.rate) if turn.audio else None
    if voice is not None:
        write_wav(out, voice)
    report = TurnReport.from_log(turn.log)
    spoken = " ".join(turn.spoken)
    if args.json:
        print(json.dumps({"transcript": turn.transcript, "reply": spoken,
                          "reply_wav": str(out) if voice is not None else None,
                          "timings": report.as_dict()}, ensure_ascii=False))
    else:
        print(f"you said:  {turn.transcript}")
        print(f"she said:  {spoken}")
        if voice is not None:
            print(f"reply wav: {out} ({voice.seconds:.1f} s)")
        basis = "the VAD's decision (--fast)" if args.fast else "the end of your speech"
        print(f"timings, seconds from {basis}:")
        for key, value in report.as_dict().items():
            if value is not None:
                print(f"  {key:<17}{value}")
    return 0
