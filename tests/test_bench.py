"""samantha bench: its statistics on recorded events (pure), and one short real run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from samantha.audio.chunk import AudioChunk
from samantha.bench.corpus import speech_bounds
from samantha.bench.machine import board_name
from samantha.bench.stats import TurnFigures, markdown, speedup, stage_table, summary
from samantha.pipeline.events import (
    FirstAudio,
    FirstToken,
    PromptSent,
    ReplyDone,
    SpeechEnded,
    SynthesisDone,
    TranscriptReady,
    TurnLog,
)

S = 1_000_000_000


def recorded_turn(origin: int = 50 * S) -> TurnLog:
    """A turn whose events are known: speech truly ended at ``origin``."""
    tl = TurnLog()
    tl.emit(TranscriptReady(origin + S * 4 // 10, "why is the sky blue", 2.0, S * 3 // 10))
    tl.emit(SpeechEnded(origin + S // 2, origin, 2.5, "silence"))
    tl.emit(PromptSent(origin + S * 45 // 100))
    tl.emit(FirstToken(origin + S * 6 // 10))
    tl.emit(SynthesisDone(origin + S * 8 // 10, "Sunlight scatters.", 1.2, S * 12 // 100))
    tl.emit(FirstAudio(origin + S * 85 // 100))
    tl.emit(ReplyDone(origin + S * 16 // 10, "Sunlight scatters off air.", 21))
    return tl


def test_turn_figures_from_recorded_events() -> None:
    f = TurnFigures.from_log(recorded_turn(), 50 * S, model_bytes=491_400_064)
    assert f.endpoint_s == pytest.approx(0.5)
    assert f.asr_s == pytest.approx(0.3) and f.asr_rtf == pytest.approx(0.15)
    assert f.prefill_s == pytest.approx(0.15)
    assert f.decode_tok_s == pytest.approx(20.0)
    assert f.decode_gbs == pytest.approx(20.0 * 0.4914, rel=1e-3)
    assert f.tts_first_chunk_s == pytest.approx(0.12) and f.tts_rtf == pytest.approx(0.1)
    assert f.voice_to_voice_s == pytest.approx(0.85)


def test_summary_and_speedup() -> None:
    s = summary([0.9, 0.7, None, 0.8, 1.5])
    assert s == {"p50": 0.85, "p95": 1.41, "max": 1.5, "n": 4}
    assert summary([None]) == {"p50": None, "p95": None, "max": None, "n": 0}
    assert speedup({"p50": 0.8}, {"p50": 3.6}) == 4.5
    assert speedup({"p50": None}, {"p50": 3.6}) is None


def test_report_shape_and_markdown() -> None:
    figs = [TurnFigures.from_log(recorded_turn(), 50 * S, 100) for _ in range(3)]
    stages = stage_table(figs)
    v2v = stages.pop("voice_to_voice_s")
    report = {"machine": {"board": "Raspberry Pi 5 Model B Rev 1.0", "cpu": "Cortex-A76",
                          "cores": 4, "memory_gb": 7.9, "memory_bandwidth_gbs": 9.0},
              "models": {"asr": "a", "llm": "b", "tts": "c"}, "turns": 3,
              "voice_to_voice_s": v2v, "naive_voice_to_voice_s": {"p50": 3.4, "p95": 3.9,
                                                                  "max": 4.0},
              "speedup_vs_naive": speedup(v2v, {"p50": 3.4}),
              "stages": {**stages, "barge_in_s": summary([0.09])},
              "resources": {"peak_rss_mb": 900, "cpu_idle_pct": 4.0, "cpu_turn_pct": 80}}
    assert report["speedup_vs_naive"] == 4.0
    json.dumps(report)  # serialisable as it is
    table = markdown(report)
    assert "| **voice-to-voice (s)** | 0.85 | 0.85 | 0.85 |" in table
    assert "Raspberry Pi 5" in table and "4.0x" in table


def test_the_korean_turns_are_real_recordings_where_the_fixtures_are() -> None:
    """espeak-ng's Korean is misheard (every turn was "say it again", no answer timed): the
    Korean bench times the real recordings; without the fixtures it falls back to espeak-ng."""
    from samantha.bench import corpus

    fixtures = Path(__file__).parent / "fixtures"
    real = corpus.build("ko", fixtures)
    assert [u.name for u in real] == corpus.said("ko")["recordings"]
    assert all((fixtures / u.name).is_file() and 0 <= u.speech_start_s < u.speech_end_s
               <= u.audio.seconds for u in real)
    assert real[0].name == "korean/leopard_ko.wav"
    english = corpus.build("en", fixtures)
    assert english and english[0].name == corpus.questions("en")[0]  # espeak-ng's questions
    if corpus.espeak("테스트", "ko") is not None:
        assert corpus.build("ko", None)[0].name == corpus.questions("ko")[0]


def test_the_report_says_how_many_turns_the_model_answered() -> None:
    figs = [TurnFigures.from_log(recorded_turn(), 50 * S, 100) for _ in range(3)]
    stages = stage_table(figs)
    v2v = stages.pop("voice_to_voice_s")
    report = {"machine": {"board": "b", "cpu": "c", "cores": 2, "memory_gb": 1,
                          "memory_bandwidth_gbs": 1},
              "models": {"asr": "a", "llm": "b", "tts": "c"}, "turns": 3, "answered": 1,
              "voice_to_voice_s": v2v, "naive_voice_to_voice_s": v2v, "speedup_vs_naive": 1.0,
              "stages": {**stages, "barge_in_s": summary([])},
              "resources": {"peak_rss_mb": 900, "cpu_idle_pct": 4.0, "cpu_turn_pct": 80}}
    assert "3 turns, 1 answered by the model" in markdown(report)
    assert "answered by the model" not in markdown({**report, "answered": 3})


def test_speech_bounds_ignore_the_noise_floor() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 60, 16000 * 3)
    t = np.arange(16000) / 16000
    noise[8000:24000] += 8000 * np.sin(2 * np.pi * 220 * t)  # 'speech' from 0.5 s to 1.5 s
    start, end = speech_bounds(AudioChunk(noise.astype(np.int16)))
    assert start == pytest.approx(0.5, abs=0.02) and end == pytest.approx(1.5, abs=0.02)


def test_board_detection(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.write_bytes(b"Raspberry Pi 5 Model B Rev 1.0\0")
    assert board_name(model, tmp_path / "none") == "Raspberry Pi 5 Model B Rev 1.0"
    tegra = tmp_path / "nv_tegra_release"
    tegra.write_text("# R36 (release), REVISION: 4.3\n")
    assert board_name(tmp_path / "none", tegra).startswith("Jetson R36")
    assert board_name(tmp_path / "none", tmp_path / "none")  # falls back to the CPU model


@pytest.mark.slow
def test_a_short_real_run_is_consistent(tmp_path: Path, models_ready) -> None:  # type: ignore[no-untyped-def]
    out, md = tmp_path / "bench.json", tmp_path / "bench.md"
    proc = run_cli("bench", "--turns", "2", "--barge-ins", "1", "--json", str(out),
                   "--md", str(md), timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = json.loads(out.read_text())
    assert {"board", "cpu", "cores", "memory_gb"} <= set(r["machine"])
    assert r["models"]["llm"] and r["turns"] == 2 and r["answered"] == 2  # the model's answers
    v2v, naive, st = r["voice_to_voice_s"], r["naive_voice_to_voice_s"], r["stages"]
    for s in (v2v, naive, st["asr_s"], st["prefill_s"], st["tts_first_chunk_s"]):
        assert s["p50"] is not None and s["p50"] > 0
    assert v2v["p50"] >= st["asr_s"]["p50"]         # she cannot answer before she has heard
    assert v2v["p50"] >= st["endpoint_s"]["p50"]    # nor before the VAD let her
    assert v2v["max"] >= v2v["p95"] >= v2v["p50"]
    assert r["speedup_vs_naive"] == pytest.approx(naive["p50"] / v2v["p50"], rel=0.01)
    assert st["decode_tok_s"]["p50"] > 1 and st["decode_gbs"]["p50"] > 0
    assert st["barge_in_s"]["n"] == 1 and st["barge_in_s"]["p50"] > 0
    assert r["resources"]["peak_rss_mb"] > 100
    assert "voice-to-voice" in md.read_text()


def test_bench_sweeps_quantized_asr_and_voice_threads_in_one_run() -> None:
    """`--asr a,b --tts-threads 1,2` measures every pair in the same run, the first as given."""
    from samantha.cli.bench import _variants
    from samantha.cli.main import build_parser

    args = build_parser().parse_args(["bench", "--asr", "whisper-tiny.en,whisper-tiny.en-q8_0",
                                      "--tts-threads", "1,2", "--without", "first_clause"])
    variants = _variants(args)
    labels = [label for label, _ in variants]
    assert labels == ["whisper-tiny.en, voice 1 threads", "whisper-tiny.en, voice 2 threads",
                      "whisper-tiny.en-q8_0, voice 1 threads",
                      "whisper-tiny.en-q8_0, voice 2 threads",
                      "whisper-tiny.en, voice 1 threads without first_clause"]
    assert variants[3][1]["asr"] == {"model": "whisper-tiny.en-q8_0"}
    assert variants[3][1]["tts"] == {"threads": 2}
    assert variants[4][1]["engine"] == {"first_clause": False}


@pytest.mark.slow
def test_reading_the_history_in_between_turns_spares_the_next_prompt(
        models_ready) -> None:  # type: ignore[no-untyped-def]
    """On the real llama.cpp (the small smollm2 model), once the two-turn history window slides,
    a turn that was not primed evaluates the whole history again before her first word; a
    primed one only its new words (the prompt tokens are llama.cpp's own count)."""
    from samantha import config as cfgmod
    from samantha.bench import conversation as talk
    from samantha.inference.engines import build_llm

    cfg = cfgmod.load(board="", overrides={"llm": {"model": "smollm2-135m-instruct-q4_1",
                                                    "history_turns": 2, "max_tokens": 24},
                                            "memory": {"extract_facts": False}})
    llm = build_llm(cfg)
    try:
        report = talk.measure(llm, cfg, 6, lambda _m: None)
    finally:
        llm.close()
    primed = report["with"]["prompt_tokens_per_turn"]
    cold = report["without"]["prompt_tokens_per_turn"]
    assert len(primed) == len(cold) == 6
    # from the fourth turn the window has slid: the unprimed prompt re-reads the history
    assert all(c > 2 * p for p, c in zip(primed[3:], cold[3:], strict=True)), (primed, cold)
    assert max(primed[1:]) < 40, primed  # a short question and the chat template's tokens
    assert "| yes (`prime_history`) |" in talk.markdown(report)


def test_bench_turns_meet_a_person_whose_voice_she_knows() -> None:
    """At home her voice baseline knows the household from the fourth utterance on; a bench
    turn's fresh conversation would know nobody and never pay for the voice's mood note."""
    from samantha.bench import corpus
    from samantha.bench.runner import knowing
    from samantha.companion import mood

    items = corpus.build("ko", Path(__file__).parent / "fixtures")[:2]
    known = knowing(items)
    assert known.known and known.count >= mood.KNOWN_AFTER  # two voices, heard until known
    feats = mood.prosody(items[0].audio)
    assert feats is not None
    assert mood.from_voice(feats, mood.Baseline()) == ""  # a stranger's voice: unread
    assert mood.from_voice(feats, known) in ("neutral", "low", "tense")  # hers: read
    z = known.z(feats)
    assert known.mean != mood.Baseline().mean and all(abs(v) < 3 for v in z.values())
    assert knowing([]).count == 0  # no audio, nothing learned (and no endless loop)


@pytest.mark.slow
def test_after_her_reply_the_next_message_header_is_already_read_in(
        models_ready) -> None:  # type: ignore[no-untyped-def]
    """Primed after her reply, the cache holds the next message's header too (an empty user
    message renders it: "<|im_start|>user\\n"), so the person's question prefills only its
    words and what follows them (the real llama.cpp, smollm2; its own count of prompt tokens)."""
    import asyncio

    from samantha.companion.conversation import Conversation
    from samantha.config import MemoryConfig, load
    from samantha.inference.engines import build_llm

    cfg = load(board="", overrides={"llm": {"model": "smollm2-135m-instruct-q4_1",
                                            "max_tokens": 4},
                                    "memory": {"extract_facts": False}})
    brain = Conversation(cfg.persona, memory_cfg=MemoryConfig(extract_facts=False))
    brain.history.append(("Hi there.", "Hello! How are you today?"))
    question = brain.messages("What is a good way to start the morning?")
    llm = build_llm(cfg)

    def read(prime: Callable[[], object]) -> int:
        asyncio.run(llm.forget())
        prime()
        before = llm.prompt_tokens()
        llm.complete(question, 1)
        return llm.prompt_tokens() - before

    try:
        alone = read(lambda: llm.complete(brain.base_messages(), 1))  # the conversation only
        primed = read(lambda: asyncio.run(llm.prime(brain.base_messages())))
    finally:
        llm.close()
    assert 0 < primed < alone <= primed + 4, (alone, primed)
