"""The serve logic with fakes, in milliseconds: fair bounded queues, rooms with their own
history, memory commands only for allowed rooms, and the [serve] table's checks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from wyoming.asr import Transcript
from wyoming.client import AsyncUnixClient
from wyoming.handle import Handled

from conftest import REPO
from samantha.companion.persona import EXAMPLES
from samantha.config import from_dict
from samantha.errors import ConfigError, ServeError
from samantha.inference.engines import Engines
from samantha.inference.protocols import Message
from samantha.pipeline import turn
from samantha.serve.fair import FairQueue
from samantha.serve.protocol import allowed
from samantha.serve.rooms import REFUSAL, Household
from samantha.serve.server import Server, plan
from samantha.testing.fakes import (
    RecordingSpeaker,
    ScriptedLanguageModel,
    ScriptedTranscriber,
    ToneVoice,
    speech_like,
)
from samantha.testing.satellite import FakeSatellite


async def _hold(queue: FairQueue, room: str, order: list[str], gate: asyncio.Event) -> None:
    async with queue.turn(room):
        order.append(room)
        await gate.wait()


def test_queue_serves_rooms_in_turn() -> None:
    async def go() -> list[str]:
        q, order, gate = FairQueue("llm", limit=8, room_limit=3), [], asyncio.Event()
        first = asyncio.create_task(_hold(q, "kitchen", order, gate))
        await asyncio.sleep(0)
        waiters = [asyncio.create_task(_hold(q, room, order, gate))
                   for room in ("kitchen", "kitchen", "kitchen", "study", "hall")]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(first, *waiters)
        return order

    # the kitchen asked four times first, but the study and the hall are not starved
    assert asyncio.run(go()) == ["kitchen", "kitchen", "study", "hall", "kitchen", "kitchen"]


def test_queue_is_bounded_and_says_busy() -> None:
    async def go() -> tuple[list[str], int]:
        q, order, gate = FairQueue("voice", limit=3, room_limit=2), [], asyncio.Event()
        held = asyncio.create_task(_hold(q, "a", order, gate))
        await asyncio.sleep(0)
        ok = [asyncio.create_task(_hold(q, r, order, gate)) for r in ("a", "a", "b")]
        await asyncio.sleep(0)
        codes = []
        for room in ("a", "c"):  # a: its own line is full; c: the whole queue is full
            with pytest.raises(ServeError) as err:
                await _hold(q, room, order, gate)
            codes.append(err.value.code)
        gate.set()
        await asyncio.gather(held, *ok)
        return codes, q.refused

    codes, refused = asyncio.run(go())
    assert codes == ["busy", "busy"] and refused == 2


def test_a_cancelled_request_gives_its_place_back() -> None:
    async def go() -> list[str]:
        q, order, gate = FairQueue("asr", limit=4, room_limit=2), [], asyncio.Event()
        held = asyncio.create_task(_hold(q, "a", order, gate))
        await asyncio.sleep(0)
        gone = asyncio.create_task(_hold(q, "b", order, gate))
        later = asyncio.create_task(_hold(q, "c", order, gate))
        await asyncio.sleep(0)
        gone.cancel()
        gate.set()
        await asyncio.gather(held, later, gone, return_exceptions=True)
        async with q.turn("d"):  # the engine is free again
            order.append("d")
        return order

    assert asyncio.run(go()) == ["a", "c", "d"]


def _household(tmp_path: Path, llm: ScriptedLanguageModel, **serve: object) -> Household:
    cfg = from_dict({"state_dir": str(tmp_path / "state"), "tools": {"enabled": False},
                     "memory": {"extract_facts": False},
                     "serve": {"listen": "tcp://127.0.0.1:0", **serve}})
    return Household(cfg, Engines(ScriptedTranscriber([]), llm, ToneVoice()))


def _echo(messages: list[Message]) -> str:
    return "You said " + messages[-1]["content"].split()[-1]


def test_each_room_keeps_its_own_history(tmp_path: Path) -> None:
    llm = ScriptedLanguageModel([_echo])

    async def go() -> None:
        house = _household(tmp_path, llm, memory_rooms=["kitchen", "study"])
        try:
            for room, text in (("kitchen", "I like tea"), ("study", "I like chess"),
                               ("kitchen", "What next?")):
                r = house.room(room)
                result = turn.TurnResult(transcript=text)
                await r.answer(text, RecordingSpeaker(), result)
                await r.settle()
        finally:
            await house.close()

    asyncio.run(go())
    fixed = 1 + 2 * len(EXAMPLES)  # the persona and her few-shot examples
    last = " ".join(m["content"] for m in llm.prompts[-1][fixed:])
    assert "I like tea" in last and "chess" not in last
    study = " ".join(m["content"] for m in llm.prompts[1][fixed:])
    assert "chess" in study and "tea" not in study


def test_memory_commands_only_in_allowed_rooms(tmp_path: Path) -> None:
    llm = ScriptedLanguageModel(["Sure."])

    async def ask(house: Household, room: str) -> list[str]:
        result = turn.TurnResult(transcript="What do you remember about me?")
        speaker = RecordingSpeaker()
        await house.room(room).answer(result.transcript, speaker, result)
        assert speaker.recording().seconds > 0  # spoken, through the same filter and voice
        return result.spoken

    async def go() -> tuple[list[str], list[str]]:
        house = _household(tmp_path, llm, memory_rooms=["bedroom"])
        try:
            return await ask(house, "bedroom"), await ask(house, "guest")
        finally:
            await house.close()

    allowed_room, guest = asyncio.run(go())
    assert " ".join(guest) == REFUSAL
    assert " ".join(allowed_room) != REFUSAL and allowed_room
    assert llm.prompts == []  # both were answered by rules, never by the model


def test_a_long_reply_does_not_starve_another_room(tmp_path: Path) -> None:
    llm = ScriptedLanguageModel(["one two three four five six seven eight nine ten."],
                                token_s=0.01)
    finished: list[str] = []

    async def talk(house: Household, room: str, times: int) -> None:
        for _ in range(times):
            result = turn.TurnResult(transcript="Tell me a story")
            await house.room(room).answer("Tell me a story", RecordingSpeaker(), result)
            finished.append(room)

    async def go() -> None:
        house = _household(tmp_path, llm)
        try:
            await asyncio.gather(talk(house, "kitchen", 3), talk(house, "hall", 1))
        finally:
            await house.close()

    asyncio.run(go())
    assert finished.index("hall") <= 1, finished  # not after all of the kitchen's turns


@pytest.mark.parametrize(("serve", "code"), [
    ({}, "serve-off"),
    ({"listen": "tcp://0.0.0.0:10700"}, "serve-allow"),
    ({"listen": "tcp://homeassistant.local:10700"}, "serve-address"),
    ({"listen": "tcp://127.0.0.1"}, "serve-address"),
    ({"listen": "tcp://127.0.0.1:10700", "allow": ["kitchen"]}, "serve-allow"),
    ({"satellites": ["tcp://192.168.1.31:10700"]}, "serve-satellite"),
    ({"satellites": ["a=tcp://192.168.1.31:1", "a=tcp://192.168.1.32:1"]}, "serve-satellite"),
])
def test_serve_table_is_checked(serve: dict[str, object], code: str) -> None:
    with pytest.raises(ConfigError) as err:
        plan(from_dict({"serve": serve}))
    assert err.value.code == code and err.value.fix


def test_config_defaults_are_off_and_memory_scope_is_checked() -> None:
    cfg = from_dict({})
    assert not cfg.serve.listen and not cfg.serve.socket and not cfg.serve.satellites
    with pytest.raises(ConfigError):
        from_dict({"serve": {"memory_scope": "everyone"}})
    ok = plan(from_dict({"serve": {"listen": "tcp://0.0.0.0:10700", "allow": ["192.168.1.5"],
                                   "satellites": ["den=tcp://192.168.1.31:10700"]}}))
    assert [str(e) for e in ok.endpoints] == ["tcp://0.0.0.0:10700", "tcp://192.168.1.31:10700"]


def test_allow_list() -> None:
    assert allowed("127.0.0.1", ()) and allowed("::1", ())
    assert not allowed("192.168.1.9", ()) and not allowed("192.168.1.9", ("192.168.1.5",))
    assert allowed("192.168.1.5", ("192.168.1.5",))
    assert allowed("::ffff:192.168.1.5", ("192.168.1.5",))
    assert not allowed("not an address", ("192.168.1.5",))


GUARD = r"""
import json, socket
from samantha.appliance import netguard
netguard.allow([("127.0.0.1", 0)])
netguard.install()
out = {}
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); s.listen(); port = s.getsockname()[1]
out["bind-allowed"] = "ok"
for name, attempt in {
    "bind-other": lambda: socket.socket().bind(("127.0.0.1", 1)),
    "dial-other": lambda: socket.create_connection(("192.0.2.1", 443), timeout=1),
    "lookup": lambda: socket.getaddrinfo("example.org", 443),
}.items():
    try:
        attempt(); out[name] = "allowed"
    except netguard.NetworkRefused:
        out[name] = "refused"
print(json.dumps(out))
"""


def test_network_guard_lets_only_the_configured_addresses_through() -> None:
    proc = subprocess.run([sys.executable, "-c", GUARD], capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"bind-allowed": "ok", "bind-other": "refused",
                                       "dial-other": "refused", "lookup": "refused"}


def _server(tmp_path: Path, engines: Engines, **serve: object) -> Server:
    cfg = from_dict({"state_dir": str(tmp_path / "state"), "tools": {"enabled": False},
                     "memory": {"extract_facts": False}, "serve": serve,
                     # a scripted transcriber says its lines in order: one reading per
                     # utterance (the words at a pause are tested in test_serve_early.py)
                     "vad": {"wait_unfinished": False}})
    return Server(cfg, engines)


def test_hub_answers_many_satellites_at_once_with_fakes(tmp_path: Path) -> None:
    """Three rooms speak at the same moment: each gets its own transcript and a voiced reply."""
    rooms = ("kitchen", "study", "hall")
    llm = ScriptedLanguageModel([_echo], token_s=0.005)
    lines = [f"I am in the {r}, turn {i}" for i in (1, 2) for r in rooms]  # each line once
    engines = Engines(ScriptedTranscriber(lines, 0.01),
                      llm, ToneVoice())

    async def go() -> list[FakeSatellite]:
        sats = [FakeSatellite(r, speech_like(1.2), turns=2, realtime=False) for r in rooms]
        for sat in sats:
            await sat.start()
        server = _server(tmp_path, engines, satellites=[f"{s.name}={s.uri}" for s in sats])
        await server.start()
        try:
            await asyncio.wait_for(asyncio.gather(*(s.done.wait() for s in sats)), 60)
        finally:
            await server.stop()
            for sat in sats:
                await sat.stop()
        return sats

    sats = asyncio.run(go())
    for sat in sats:
        assert len(sat.turns) == 2 and all(not t.error and t.audible for t in sat.turns)
        assert all(t.transcript.startswith("I am in the") for t in sat.turns)
    # the prompts never mix rooms: each holds what one satellite said only (the scripted
    # transcriber hands out its lines in the order the rooms happen to ask, so a room's own
    # lines are the transcripts its satellite got back)
    heard = {sat.name: {t.transcript for t in sat.turns} for sat in sats}
    for prompt in llm.prompts:
        said = {m["content"] for m in prompt if m["role"] == "user"
                and m["content"].startswith("I am in the")}
        assert said and sum(said <= got for got in heard.values()) == 1, (said, heard)


def test_hub_says_busy_at_the_limit_and_keeps_serving(tmp_path: Path) -> None:
    llm = ScriptedLanguageModel(["A long reply that takes a while to say."], token_s=0.05)
    engines = Engines(ScriptedTranscriber(["hello"] * 8), llm, ToneVoice())

    async def go() -> list[FakeSatellite]:
        sats = [FakeSatellite(f"room{i}", speech_like(1.0), turns=1, realtime=False)
                for i in range(4)]
        for sat in sats:
            await sat.start()
        server = _server(tmp_path, engines, queue_limit=1, room_limit=1,
                         satellites=[f"{s.name}={s.uri}" for s in sats])
        await server.start()
        try:
            await asyncio.wait_for(asyncio.gather(*(s.done.wait() for s in sats)), 60)
        finally:
            await server.stop()
            for sat in sats:
                await sat.stop()
        return sats

    turns = [t for sat in asyncio.run(go()) for t in sat.turns]
    busy = [t for t in turns if "busy" in t.error]
    answered = [t for t in turns if not t.error and t.audible]
    assert busy and answered and len(busy) + len(answered) == 4, [t.error for t in turns]


def test_unix_socket_client_is_the_local_room(tmp_path: Path) -> None:
    engines = Engines(ScriptedTranscriber([]), ScriptedLanguageModel(["Hello from here."]),
                      ToneVoice())
    path = tmp_path / "samantha.sock"

    async def go() -> tuple[str, list[str]]:
        server = _server(tmp_path, engines, socket=str(path))
        await server.start()
        try:
            async with AsyncUnixClient(path) as client:
                await client.write_event(Transcript(text="Hi there").event())
                event = await asyncio.wait_for(client.read_event(), 10)
            assert event is not None
            return Handled.from_event(event).text or "", list(server.household.rooms)
        finally:
            await server.stop()

    reply, rooms = asyncio.run(go())
    assert reply == "Hello from here." and rooms == ["local"]
    assert not path.exists()
