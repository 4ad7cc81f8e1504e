"""``samantha bench --rooms 1,2,4,8``: many rooms talking at once, through ``samantha serve``.

For each count N: N simulated satellites (``testing.satellite.FakeSatellite``) listen on
loopback; the hub dials them, as it would real ones, and each room speaks the same real
question ``turns`` times at real-time pace, all rooms at once. Voice-to-voice is timed at the
satellite, from the end of the question's speech to the reply's first audio. Bounded: a fixed
number of turns, each with a deadline; nothing leaves loopback.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import resource
import sys
from pathlib import Path
from typing import Any

import numpy as np

from samantha.audio.chunk import AudioChunk, read_wav
from samantha.bench.stats import summary
from samantha.clock import now_ns
from samantha.config import Config
from samantha.inference.engines import Engines
from samantha.serve.server import Server
from samantha.testing.satellite import FakeSatellite

TURN_TIMEOUT_S = 240.0


def trimmed(chunk: AudioChunk, floor_dbfs: float = -45.0) -> AudioChunk:
    """The question without its trailing silence, so the clock starts when speech ends."""
    frames = len(chunk.samples) // 160
    power = np.mean(chunk.samples[:frames * 160].reshape(-1, 160).astype(np.float64) ** 2,
                    axis=1)
    loud = np.nonzero(10 * np.log10(power / 32768.0**2 + 1e-12) > floor_dbfs)[0]
    end = (loud[-1] + 1) * 160 if loud.size else len(chunk.samples)
    return AudioChunk(chunk.samples[:end], chunk.rate)


async def one_count(cfg: Config, engines: Engines, rooms: int, turns: int,
                    question: AudioChunk) -> dict[str, Any]:
    sats = [FakeSatellite(f"room{i + 1}", question, turns, True, TURN_TIMEOUT_S)
            for i in range(rooms)]
    for sat in sats:
        await sat.start()
    serve = dataclasses.replace(cfg.serve, listen="", socket="",
                                satellites=tuple(f"{s.name}={s.uri}" for s in sats),
                                memory_rooms=(), queue_limit=max(8, 2 * rooms))
    server = Server(dataclasses.replace(cfg, serve=serve), engines)
    start = now_ns()
    await server.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(s.done.wait() for s in sats)),
                               TURN_TIMEOUT_S * turns + 60)
    finally:
        wall_s = (now_ns() - start) / 1e9
        await server.stop()
        for sat in sats:
            await sat.stop()
    per_room = {}
    answered = 0
    for sat in sats:
        ok = [t for t in sat.turns if t.first_audio_ns and not t.error and t.audible]
        answered += len(ok)
        per_room[sat.name] = summary(t.voice_to_voice_s for t in ok)
    served = [t for link in server.links for t in link.turns]
    stages = {k: summary(t.report.get(k) for t in served)
              for k in ("transcript_ready", "first_token", "first_audio", "asr",
                        "tokens_per_s")}
    every = [t.voice_to_voice_s for s in sats for t in s.turns
             if t.first_audio_ns and not t.error]
    return {
        "rooms": rooms, "turns_asked": rooms * turns, "turns_answered": answered,
        "dropped": rooms * turns - answered,
        "voice_to_voice_s": summary(every), "per_room": per_room,
        "server_stages_s": stages,
        "throughput_turns_per_min": round(60 * answered / wall_s, 2), "wall_s": round(wall_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_with_children_mb": round(tree_rss() / 1e6, 1),
        "transcripts": sorted({t.transcript for s in sats for t in s.turns}),
        "busy_refusals": server.household.queues.llm.refused
        + server.household.queues.asr.refused + server.household.queues.tts.refused,
    }


def tree_rss(pid: int = 0) -> int:
    """Resident bytes of this process and its children (llama-server), now, from /proc."""
    pid = pid or os.getpid()
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_rss(int(child))
    except (OSError, ValueError):
        pass
    return total


def slot_memory(cfg: Config, slots: int) -> dict[str, Any]:
    """llama-server's resident memory with one slot and with ``slots``, each ready and idle:
    what a room costs."""
    from samantha.inference.engines import build_room_brain

    out: dict[str, Any] = {}
    for n in sorted({1, slots}):
        brain = build_room_brain(cfg, n)
        try:
            out[f"server_rss_mb_{n}_slots"] = round(brain.server.rss_bytes() / 1e6, 1)
        finally:
            brain.close()
    if slots > 1:
        one, many = out["server_rss_mb_1_slots"], out[f"server_rss_mb_{slots}_slots"]
        out["mb_per_slot"] = round((many - one) / (slots - 1), 1)
    return out


def run_rooms(cfg: Config, engines: Engines, counts: list[int], turns: int,
              question_wav: str) -> list[dict[str, Any]]:
    question = trimmed(read_wav(question_wav))
    out = []
    for n in counts:
        print(f"[rooms] {n} room(s), {turns} turn(s) each…", file=sys.stderr)
        result = asyncio.run(one_count(cfg, engines, n, turns, question))
        v = result["voice_to_voice_s"]
        print(f"[rooms] {n}: voice-to-voice p50 {v['p50']} s, p95 {v['p95']} s, "
              f"{result['turns_answered']}/{result['turns_asked']} answered", file=sys.stderr)
        out.append(result)
    return out


def markdown(results: list[dict[str, Any]], machine: dict[str, Any], slots: int = 1,
             memory: dict[str, Any] | None = None) -> str:
    brain = (f"llama-server, {slots} slots" if slots > 1
             else "the in-process model, rooms in turn")
    lines = [f"Rooms at once on {machine.get('cpu')} ({machine.get('cores')} cores), loopback, "
             f"language model: {brain}:",
             "", "| rooms | voice-to-voice p50 | p95 | worst room p50 | transcript / first token "
             "/ first audio (p50) | turns/min | answered | peak RSS / with llama-server |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        v = r["voice_to_voice_s"]
        worst = max((p["p50"] for p in r["per_room"].values() if p["p50"] is not None),
                    default=None)
        st = r["server_stages_s"]
        stages = " / ".join(str(st[k]["p50"]) for k in ("transcript_ready", "first_token",
                                                         "first_audio"))
        lines.append(f"| {r['rooms']} | {v['p50']} s | {v['p95']} s | {worst} s | {stages} s | "
                     f"{r['throughput_turns_per_min']} | {r['turns_answered']}/"
                     f"{r['turns_asked']} | {r['peak_rss_mb']} / {r['rss_with_children_mb']} MB |")
    if memory and "mb_per_slot" in memory:
        lines += ["", f"llama-server resident, idle: {memory['server_rss_mb_1_slots']} MB with one "
                  f"slot, {memory[f'server_rss_mb_{slots}_slots']} MB with {slots}: "
                  f"{memory['mb_per_slot']} MB per room."]
    return "\n".join(lines) + "\n"


