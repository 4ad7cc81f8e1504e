"""The OpenAI-compatible client, the home-server fallback and llama-server's command line: the
logic, with a small scripted HTTP server on a Unix socket and the scripted model as her own.
The real servers are in test_lan_brain_real.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from samantha import config, lang
from samantha.config import Config
from samantha.errors import ConfigError, LlmError
from samantha.inference.engines import room_slots, server_down
from samantha.inference.fallback import NOTICE, FallbackModel, Policy, last_said
from samantha.inference.llama_server import server_args
from samantha.inference.openai_llm import (
    Endpoint,
    OpenAIModel,
    Usage,
    delta,
    parse_endpoint,
    sse_data,
)
from samantha.lang import script
from samantha.testing.fakes import ScriptedLanguageModel

ASK = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hello?"}]


# ------------------------------------------------------------------ addresses

@pytest.mark.parametrize("url, host, port", [
    ("http://192.168.1.20:8080/v1", "192.168.1.20", 8080),
    ("http://[fd00::5]:11434/v1/", "fd00::5", 11434),
    ("http://127.0.0.1:8000", "127.0.0.1", 8000),
])
def test_a_literal_address_is_accepted(url: str, host: str, port: int) -> None:
    ep = parse_endpoint(url)
    assert (ep.host, ep.port, ep.prefix) == (host, port, "/v1")


@pytest.mark.parametrize("url, why", [
    ("http://homeserver.local:8080/v1", "names the host"),
    ("http://localhost:8080/v1", "names the host"),
    ("https://192.168.1.20:8080/v1", "http://"),
    ("http://192.168.1.20/v1", "explicit port"),
    ("http://user:pw@192.168.1.20:80/v1", "explicit port"),
    ("http://0.0.0.0:8080/v1", "not one server"),
    ("http://192.168.1.20:99999/v1", "not a URL"),
])
def test_anything_but_a_literal_address_is_refused_clearly(url: str, why: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_endpoint(url)
    assert why in str(err.value) and "Fix:" in str(err.value)


def test_the_unit_and_the_guard_open_exactly_the_endpoint() -> None:
    from samantha.appliance import netguard
    from samantha.cli.serve import unit_dropin

    cfg = config.from_dict({"llm": {"endpoint": "http://192.168.1.20:8080/v1"},
                            "serve": {"listen": "tcp://127.0.0.1:10700"}})
    assert netguard.config_addresses(cfg) == ["192.168.1.20"]
    assert "IPAddressAllow=localhost 192.168.1.20\n" in unit_dropin(cfg)
    assert netguard.config_addresses(config.from_dict({})) == []
    bad = config.from_dict({"llm": {"endpoint": "http://nas.lan:8080/v1"}})
    with pytest.raises(ConfigError):
        netguard.config_addresses(bad)


# ------------------------------------------------------------------ the stream

def test_sse_payloads_stop_at_done_and_skip_comments() -> None:
    lines = [": ping", "", "data: {\"a\": 1}", "event: x", "data:{\"b\": 2}", "data: [DONE]",
             "data: {\"late\": 1}"]
    assert list(sse_data(iter(lines))) == ['{"a": 1}', '{"b": 2}']


def test_a_chunk_gives_its_text_and_the_server_counts() -> None:
    usage = Usage()
    assert delta('{"choices":[{"delta":{"content":"Hi "}}]}', usage) == "Hi "
    assert delta('{"choices":[{"delta":{"role":"assistant"}}]}', usage) == ""
    assert delta('{"choices":[],"usage":{"prompt_tokens":31}}', usage) == ""
    assert usage.prompt_tokens == 31
    delta('{"choices":[{"delta":{}}],"timings":{"prompt_n":4}}', usage)
    assert usage.prompt_tokens == 4  # llama-server: only what its cache missed
    with pytest.raises(LlmError, match="refused the turn: model 'x' not found"):
        delta('{"error":{"message":"model \'x\' not found"}}', usage)
    with pytest.raises(LlmError, match="not JSON"):
        delta("<html>", usage)


Handler = Callable[[dict[str, object]], list[bytes]]


async def serve(sock: Path, reply: Handler, stall_s: float = 0.0,
                seen: list[dict[str, object]] | None = None) -> asyncio.AbstractServer:
    """An OpenAI-compatible server in miniature: chunked server-sent events."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        length = int(next(h.split(":")[1] for h in head.split("\r\n")
                          if h.lower().startswith("content-length")))
        body = json.loads(await reader.readexactly(length)) if length else {}
        if seen is not None:
            seen.append(body)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        await asyncio.sleep(stall_s)
        for part in reply(body):
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    return await asyncio.start_unix_server(handle, str(sock))


def words(text: str) -> Handler:
    def reply(body: dict[str, object]) -> list[bytes]:
        events = [{"choices": [{"delta": {"content": w + " "}}]} for w in text.split()]
        out = [f"data: {json.dumps(e)}\n\n".encode() for e in events]
        out.append(b'data: {"choices":[],"usage":{"prompt_tokens":12}}\n\ndata: [DONE]\n\n')
        # split one event across two chunks, as a proxy may
        return [out[0][:7], out[0][7:], *out[1:]]
    return reply


def test_the_client_streams_a_reply_and_sends_only_the_turn(tmp_path: Path) -> None:
    async def main() -> None:
        seen: list[dict[str, object]] = []
        server = await serve(tmp_path / "s.sock", words("Hello from the server."), seen=seen)
        model = OpenAIModel(Endpoint(unix=str(tmp_path / "s.sock")), model="big")
        pieces = [p async for p in model.astream(ASK, 40)]
        server.close()
        assert "".join(pieces) == "Hello from the server. "
        assert len(pieces) == 4
        assert model.prompt_tokens() == 12
        body = seen[0]
        assert body["messages"] == ASK and body["model"] == "big" and body["stream"] is True
        assert body["max_tokens"] == 40
        assert "id_slot" not in body and "top_k" not in body  # any server, standard fields

    asyncio.run(main())


def test_a_room_asks_its_own_slot_of_llama_server(tmp_path: Path) -> None:
    async def main() -> None:
        seen: list[dict[str, object]] = []
        server = await serve(tmp_path / "s.sock", words("Yes."), seen=seen)
        model = OpenAIModel(Endpoint(unix=str(tmp_path / "s.sock")), slot=3, llama_server=True)
        assert await model.acomplete_json(ASK, {"type": "object"}, 20) == "Yes. "
        server.close()
        assert seen[0]["id_slot"] == 3 and seen[0]["cache_prompt"] is True
        assert seen[0]["temperature"] == 0.0
        assert seen[0]["response_format"] == {"type": "json_schema", "json_schema": {
            "name": "reply", "schema": {"type": "object"}}}

    asyncio.run(main())


# ------------------------------------------------------------------ falling back

def test_the_policy_tells_once_per_outage_and_retries_later() -> None:
    p = Policy(retry_s=60)
    assert p.use_server(0.0)
    assert p.failed(1.0) is True  # a side prompt failed: nothing said yet
    assert not p.use_server(30.0)
    assert p.tell() is True and p.tell() is False  # the next reply says so, once
    assert p.use_server(61.0)
    assert p.failed(61.5) is False and p.tell() is False  # still the same outage
    assert p.answered() is True and p.use_server(62.0)
    assert p.failed(100.0) is True and p.tell() is True  # a new outage is told again


def test_the_notice_speaks_the_persons_language() -> None:
    notice = server_down(Config())  # what build_llm gives the fallback model
    assert notice(last_said(ASK)) == lang.get("en").phrases.server_down == NOTICE
    assert notice("안녕하세요") == lang.get("ko").phrases.server_down
    assert not script.has(NOTICE, "hangul") and script.has(notice("안녕하세요"), "hangul")


def test_a_stopped_server_falls_back_and_says_so_once(tmp_path: Path) -> None:
    async def main() -> None:
        local = ScriptedLanguageModel(["My own words."])
        clock = [0.0]
        lan = OpenAIModel(Endpoint(unix=str(tmp_path / "absent.sock")))
        model = FallbackModel(lan, local, first_token_s=1.0, clock=lambda: clock[0])
        first = "".join([p async for p in model.astream(ASK)])
        assert first == NOTICE + " My own words."
        clock[0] = 70.0  # tried again after the retry time, still down: not told again
        assert "".join([p async for p in model.astream(ASK)]) == "My own words."
        assert model.fell_back == 2 and len(local.prompts) == 2
        server = await serve(tmp_path / "absent.sock", words("Back again."))
        clock[0] = 140.0
        assert "".join([p async for p in model.astream(ASK)]) == "Back again. "
        server.close()
        assert len(local.prompts) == 2

    asyncio.run(main())


def test_a_slow_server_falls_back_after_the_first_word_timeout(tmp_path: Path) -> None:
    async def main() -> None:
        server = await serve(tmp_path / "s.sock", words("Too late."), stall_s=3.0)
        local = ScriptedLanguageModel(["Mine."])
        model = FallbackModel(OpenAIModel(Endpoint(unix=str(tmp_path / "s.sock"))), local,
                              first_token_s=0.3)
        loop = asyncio.get_running_loop()
        start = loop.time()
        reply = "".join([p async for p in model.astream(ASK)])
        assert reply == NOTICE + " Mine."
        assert loop.time() - start < 2.0
        server.close()

    asyncio.run(main())


# ------------------------------------------------------------------ llama-server

def test_rooms_get_the_batching_brain_only_when_two_or_more_are_configured() -> None:
    def slots(serve: dict[str, object]) -> int:
        return room_slots(config.from_dict({"serve": serve}))

    two = ["a=tcp://127.0.0.1:10701", "b=tcp://127.0.0.1:10702"]
    assert slots({}) == 1
    assert slots({"satellites": two[:1], "listen": "tcp://127.0.0.1:0"}) == 1
    assert slots({"satellites": two}) == 2
    assert slots({"satellites": two, "listen": "tcp://127.0.0.1:0"}) == 3
    assert slots({"satellites": two, "slots": 1}) == 1
    assert slots({"slots": 8}) == 8


def test_llama_server_gets_a_slot_per_room_each_with_its_context(tmp_path: Path) -> None:
    args = server_args(Path("/bin/llama-server"), Path("m.gguf"), tmp_path / "x.sock", 4, 2048, 2)
    joined = " ".join(args)
    assert "-np 4" in joined and "-c 8192" in joined and "--no-kv-unified" in joined
    assert "--cont-batching" in joined and f"--host {tmp_path / 'x.sock'}" in joined
    assert "--no-webui" in joined and "-t 2" in joined
    assert "--load-mode none" in joined  # the weights held once ([llm] mmap = false)
    mapped = server_args(Path("/bin/llama-server"), Path("m.gguf"), tmp_path / "x.sock", 4, 2048,
                         2, mmap=True)
    assert "--load-mode mmap" in " ".join(mapped)


# ------------------------------------------------------------------ the unit and doctor

def test_the_run_unit_dropin_opens_only_the_endpoint() -> None:
    from samantha.appliance.homeserver import unit_dropin

    text = unit_dropin(config.from_dict({"llm": {"endpoint": "http://192.168.1.20:8080/v1"}}))
    assert "IPAddressDeny=any" in text and "IPAddressAllow=192.168.1.20\n" in text
    assert "PrivateNetwork=no" in text and "SocketBindDeny=any" in text
    with pytest.raises(ConfigError, match="no \\[llm\\] endpoint"):
        unit_dropin(config.from_dict({}))


def test_doctor_warns_when_the_home_server_is_down_and_fails_on_a_host_name() -> None:
    from samantha.appliance.checks import FAIL, WARN
    from samantha.appliance.homeserver import check

    assert check(config.from_dict({})) is None
    down = check(config.from_dict({"llm": {"endpoint": "http://127.0.0.1:1/v1"}}), 2.0)
    assert down is not None and down.status == WARN and "her own model will" in down.detail
    named = check(config.from_dict({"llm": {"endpoint": "http://nas:8080/v1"}}))
    assert named is not None and named.status == FAIL and "names the host" in named.detail
