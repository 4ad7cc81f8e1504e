"""Pure statistics and the JSON/Markdown shapes of a bench run, computed from recorded events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

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

STAGES = ("endpoint_s", "asr_s", "asr_rtf", "prefill_s", "decode_tok_s", "decode_gbs",
          "tts_first_chunk_s", "tts_rtf", "voice_to_voice_s")


def summary(values: Iterable[float | None]) -> dict[str, float | None]:
    """p50 / p95 / max (and n) of the values that exist; None when there are none."""
    vals = np.array([v for v in values if v is not None], dtype=float)
    if vals.size == 0:
        return {"p50": None, "p95": None, "max": None, "n": 0}
    return {"p50": round(float(np.percentile(vals, 50)), 3),
            "p95": round(float(np.percentile(vals, 95)), 3),
            "max": round(float(vals.max()), 3), "n": int(vals.size)}


@dataclass(frozen=True, slots=True)
class TurnFigures:
    """One turn's figures in seconds (rates as noted), from its events and its true end."""

    endpoint_s: float | None
    asr_s: float | None
    asr_rtf: float | None
    prefill_s: float | None
    decode_tok_s: float | None
    decode_gbs: float | None
    tts_first_chunk_s: float | None
    tts_rtf: float | None
    voice_to_voice_s: float | None

    @classmethod
    def from_log(cls, tl: TurnLog, true_end_ns: int, model_bytes: int) -> TurnFigures:
        def t(kind: type) -> int | None:
            ev = tl.first(kind)
            return ev.t_ns if ev is not None else None

        ended, tr = tl.first(SpeechEnded), tl.first(TranscriptReady)
        sent, first, done, audio = t(PromptSent), t(FirstToken), tl.first(ReplyDone), \
            t(FirstAudio)
        synth = [e for e in tl.events if isinstance(e, SynthesisDone)]
        tok_s = None
        if isinstance(done, ReplyDone) and first is not None and done.tokens > 1 \
                and done.t_ns > first:
            tok_s = (done.tokens - 1) / ((done.t_ns - first) / 1e9)
        synth_audio = sum(e.audio_s for e in synth)
        return cls(
            endpoint_s=(ended.t_ns - true_end_ns) / 1e9 if ended is not None else None,
            asr_s=tr.asr_ns / 1e9 if isinstance(tr, TranscriptReady) else None,
            asr_rtf=tr.asr_ns / 1e9 / tr.audio_s if isinstance(tr, TranscriptReady)
            and tr.audio_s else None,
            prefill_s=(first - sent) / 1e9 if first and sent else None,
            decode_tok_s=tok_s,
            decode_gbs=tok_s * model_bytes / 1e9 if tok_s else None,
            tts_first_chunk_s=synth[0].synth_ns / 1e9 if synth else None,
            tts_rtf=sum(e.synth_ns for e in synth) / 1e9 / synth_audio if synth_audio else None,
            voice_to_voice_s=(audio - true_end_ns) / 1e9 if audio is not None else None,
        )


def stage_table(turns: list[TurnFigures]) -> dict[str, dict[str, float | None]]:
    return {name: summary(getattr(t, name) for t in turns) for name in STAGES}


def speedup(stream: dict[str, float | None], naive: dict[str, float | None]) -> float | None:
    fast, slow = stream.get("p50"), naive.get("p50")
    return round(slow / fast, 2) if fast and slow else None


def markdown(report: dict[str, Any]) -> str:
    m, models = report["machine"], report["models"]
    lines = [f"**{m['board']}** ({m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "
             f"~{m['memory_bandwidth_gbs']} GB/s copy bandwidth). Models: {models['asr']}, "
             f"{models['llm']}, {models['tts']}. {report['turns']} turns"
             + (f", {report['answered']} answered by the model (the rest by a rule, or asked "
                "again)" if report.get("answered", report["turns"]) != report["turns"] else "")
             + ".", "",
             "| figure | p50 | p95 | max |", "|---|---|---|---|"]

    def row(label: str, s: dict[str, Any]) -> None:
        cells = ["–" if s.get(k) is None else f"{s[k]:g}" for k in ("p50", "p95", "max")]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("**voice-to-voice (s)**", report["voice_to_voice_s"])
    row("naive cascade voice-to-voice (s)", report["naive_voice_to_voice_s"])
    labels = {"endpoint_s": "endpoint delay (s)", "asr_s": "ASR time (s)",
              "asr_rtf": "ASR real-time factor", "prefill_s": "LLM prefill / first token (s)",
              "decode_tok_s": "LLM decode (tokens/s)", "decode_gbs": "decode bandwidth (GB/s)",
              "tts_first_chunk_s": "TTS first chunk (s)", "tts_rtf": "TTS real-time factor"}
    for key, label in labels.items():
        row(label, report["stages"][key])
    row("barge-in: onset → playback stopped (s)", report["stages"]["barge_in_s"])
    res = report["resources"]
    lines += ["", f"Speed-up over the naive cascade (p50): **{report['speedup_vs_naive']}x**. "
              f"Peak RSS {res['peak_rss_mb']} MB; CPU {res['cpu_idle_pct']}% of one core while "
              f"idle listening, {res['cpu_turn_pct']}% during turns."]
    if res.get("thermal"):
        lines.append(f"Thermal: {res['thermal']}")
    if heard := report.get("heard_error"):
        unit = "character" if heard["unit"] == "characters" else "word"
        lines.append(f"Her transcripts of the {heard['turns']} recorded turns: {unit} error "
                     f"rate mean {heard['mean']}, median {heard['median']} (dev "
                     f"{heard.get('dev', '–')}, held-out {heard.get('held-out', '–')}).")
    if eot := report.get("end_of_turn"):
        held = eot.get("paused_heldout", 0)
        lines += ["", f"End of turn on {eot['paused']} sentences with a pause inside (and "
                  f"{held} held out), {eot['items'] - eot['paused'] - held - eot.get('real', 0)}"
                  f" without (espeak-ng), and {eot.get('real', 0)} real recordings:"]
        for key, label in (("fixed", f"fixed {eot['hangover_s']:g} s hang-over"),
                           ("words", f"the words so far (asked at {eot['turn_check_s']:g} s, "
                            f"unfinished: up to {eot['max_hangover_s']:g} s)"),
                           ("smart_turn", f"Smart Turn (asked at {eot['turn_check_s']:g} s, "
                            f"up to {eot['max_hangover_s']:g} s)")):
            if key in eot:
                r = eot[key]
                lines.append(f"- {label}: **cut-off rate {r['cut_off_rate']:.0%}** "
                             + (f"(held-out {r['cut_off_rate_heldout']:.0%}; "
                                if "cut_off_rate_heldout" in r else "(")
                             + "by pause: "
                             + ", ".join(f"{p} s {v}" for p, v in r["cut_by_pause_s"].items())
                             + f"), endpoint delay p50 {r['endpoint_delay_s']['p50']} s, p95 "
                             f"{r['endpoint_delay_s']['p95']} s"
                             + (f" (real recordings {r['endpoint_delay_real_s']['p50']} s)"
                                if r.get("endpoint_delay_real_s", {}).get("n") else "")
                             + (f"; model {r['model_s']['p50']} s p50" if r["model_s"]["n"]
                                else ""))
    if wake := report.get("wake"):
        lines += ["", f"Wake word `{wake['model']}` (threshold {wake['threshold']:g}): "
                  f"**{wake['false_wakes_per_hour']:g} false wakes per hour** over "
                  f"{wake['hours']:g} h without it (per hour of each: "
                  + ", ".join(f"{k} {v:g}" for k, v in wake.get("per_hour_by_source", {}).items())
                  + (f"; her voice heard raw, without the echo canceller, "
                     f"{wake['her_voice_raw_per_hour']:g}" if "her_voice_raw_per_hour" in wake
                     else "") + "); "
                  f"**miss rate {wake['miss_rate']:.1%}** over {wake['trials']} tries "
                  f"({', '.join(f'{k} {v}' for k, v in wake['misses'].items())}); detector "
                  f"real-time factor {wake['detector_rtf']:g}. Idle CPU (% of one core): "
                  + ", ".join(f"{k} {v}" for k, v in wake["idle_cpu_pct"].items()) + "."]
        if "miss_rate_at" in wake and "false_wakes_per_hour_at" in wake:
            lines.append("Other thresholds (false wakes/h, miss rate): " + "; ".join(
                f"{t}: {wake['false_wakes_per_hour_at'][t]:g}, {wake['miss_rate_at'][t]:.1%}"
                for t in wake["miss_rate_at"] if t in wake["false_wakes_per_hour_at"]) + ".")
    for sweep in report.get("sweep", []):
        lines.append(f"- {sweep['label']}: voice-to-voice p50 {sweep['voice_to_voice_s']['p50']} s"
                     f" (naive {sweep['naive_voice_to_voice_s']['p50']} s)")
    return "\n".join(lines) + "\n"


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Two boards' reports side by side (p50s)."""
    lines = [f"| figure | {a['machine']['board']} | {b['machine']['board']} |", "|---|---|---|"]
    lines.append(f"| voice-to-voice p50 (s) | {a['voice_to_voice_s']['p50']} | "
                 f"{b['voice_to_voice_s']['p50']} |")
    lines.append(f"| naive p50 (s) | {a['naive_voice_to_voice_s']['p50']} | "
                 f"{b['naive_voice_to_voice_s']['p50']} |")
    for key in STAGES[:-1]:
        lines.append(f"| {key} p50 | {a['stages'][key]['p50']} | {b['stages'][key]['p50']} |")
    lines.append(f"| speed-up vs naive | {a['speedup_vs_naive']} | {b['speedup_vs_naive']} |")
    return "\n".join(lines) + "\n"
