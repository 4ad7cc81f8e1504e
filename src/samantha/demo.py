"""``samantha demo``: one real spoken turn from a WAV file, with its stage timings."""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

from samantha import config
from samantha.audio import RecordingSpeaker, WavMicrophone, read_wav, write_wav
from samantha.conversation import from_config
from samantha.errors import AudioError
from samantha.events import TurnReport
from samantha.listen import make_segmenter, utterances
from samantha.startup import load_engines, say_progress
from samantha.turn import run_turn

QUESTION = "question.wav"


def bundled_question() -> Path:
    return Path(str(resources.files("samantha") / "data" / QUESTION))


async def demo(args: argparse.Namespace) -> int:
    cfg = config.load(args.config, overrides=args.overrides)
    wav = Path(args.input) if args.input else bundled_question()
    audio = read_wav(wav)  # checked before any model is loaded
    progress = say_progress if not args.json else (lambda _m: None)
    engines = load_engines(cfg, progress)
    try:
        conversation = from_config(cfg, persist=False)
        progress("warming up")
        engines.warm_up(conversation)
        progress(f"listening to {wav.name} ({'fast' if args.fast else 'real time'})")
        mic = WavMicrophone(audio, realtime=not args.fast)
        speaker = RecordingSpeaker()
        heard_any = None
        stream = utterances(mic, make_segmenter(cfg.vad))
        try:
            async for heard in stream:
                heard_any = await run_turn(heard.utterance.audio, heard.speech_end_ns, engines,
                                           conversation, speaker, heard.utterance.reason)
                break
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
    finally:
        engines.close()
    if heard_any is None:
        raise AudioError("no-speech", f"no speech was heard in {wav}",
                         "use a recording with a spoken question, louder than -50 dBFS")
    out = Path(args.out)
    write_wav(out, speaker.recording())
    report = TurnReport.from_log(heard_any.log)
    if args.json:
        print(json.dumps({"transcript": heard_any.transcript, "reply": " ".join(heard_any.spoken),
                          "reply_wav": str(out), "timings": report.as_dict()}))
    else:
        print(f"you said:  {heard_any.transcript}")
        print(f"she said:  {' '.join(heard_any.spoken)}")
        print(f"reply wav: {out} ({speaker.recording().seconds:.1f} s)")
        print("timings, seconds from the end of your speech:")
        for key, value in report.as_dict().items():
            if value is not None:
                print(f"  {key:<17}{value}")
    return 0
