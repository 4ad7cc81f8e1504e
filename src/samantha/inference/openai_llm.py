"""A language model on an OpenAI-compatible server: llama.cpp's ``llama-server`` (the rooms'
batching brain, on a Unix socket), or a bigger brain on the home network (``[llm] endpoint``:
llama-server, Ollama, vLLM), behind the same ``LanguageModel`` protocol as the in-process model.

Streaming chat completions over plain HTTP/1.1 on asyncio streams (no new dependency): each
reply is its own connection, so many rooms stream at once and a barge-in that closes the
generator closes the socket, which makes llama-server stop generating. Only the turn's text is
sent. Addresses are literal IPs: a host name is refused before any socket exists.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from samantha.errors import ConfigError, LlmError
from samantha.inference.llm import Sampling
from samantha.inference.protocols import Message

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_LINE = 1 << 20
ENDPOINT_FIX = 'write [llm] endpoint = "http://192.168.1.20:8080/v1" (a numeric address and port)'


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the server is: a numeric address and port, or a Unix socket (``unix``)."""

    host: str = ""
    port: int = 0
    prefix: str = "/v1"
    unix: str = ""

    def __str__(self) -> str:
        if self.unix:
            return f"unix:{self.unix}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.prefix}"


def parse_endpoint(url: str) -> Endpoint:
    """``http://ADDR:PORT/v1`` with a literal IPv4 or IPv6 address; ConfigError otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError("llm-endpoint", f"[llm] endpoint {url!r} is not a URL ({exc})",
                          ENDPOINT_FIX) from None
    if parts.scheme != "http":
        raise ConfigError("llm-endpoint", f"[llm] endpoint {url!r} must start with http:// "
                          "(a server on the home network, reached by its address)", ENDPOINT_FIX)
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError("llm-endpoint", f"[llm] endpoint names the host {host!r}, not an "
                          "address: she looks up no names, so only the one address you write "
                          "can be let through", ENDPOINT_FIX) from None
    if port is None or parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError("llm-endpoint", f"[llm] endpoint {url!r} needs an explicit port and "
                          "nothing else (no user, query or fragment)", ENDPOINT_FIX)
    if address.is_multicast or address.is_unspecified:
        raise ConfigError("llm-endpoint", f"[llm] endpoint address {host} is not one server",
                          ENDPOINT_FIX)
    return Endpoint(str(address), port, parts.path.rstrip("/") or "/v1")


# ------------------------------------------------------------------ the wire: SSE and HTTP/1.1

@dataclass
class Usage:
    """What the server said it evaluated."""

    prompt_tokens: int = 0


def sse_data(lines: Iterator[str]) -> Iterator[str]:
    """The ``data:`` payloads of a server-sent event stream, up to ``[DONE]``."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # comments (": ping"), event names, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            return
        if data:
            yield data


def delta(data: str, usage: Usage) -> str:
    """The text of one streamed chunk ('' for a chunk without any); LlmError for an error."""
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        raise LlmError("endpoint-reply", f"the server sent something that is not JSON: "
                       f"{data[:80]!r}", "check that [llm] endpoint is an OpenAI-compatible "
                       "server (its /v1/chat/completions)") from None
    if not isinstance(chunk, dict):
        return ""
    if "error" in chunk:
        err = chunk["error"]
        message = err.get("message", err) if isinstance(err, dict) else err
        raise LlmError("endpoint-error", f"the server refused the turn: {message}",
                       "check the server's log and its model name ([llm] endpoint_model)")
    timings, used = chunk.get("timings"), chunk.get("usage")
    if isinstance(timings, dict) and "prompt_n" in timings:  # llama-server: what the cache missed
        usage.prompt_tokens = int(timings["prompt_n"])
    elif isinstance(used, dict) and used.get("prompt_tokens"):
        usage.prompt_tokens = int(used["prompt_tokens"])
    choices = chunk.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        return ""
    piece = (choices[0].get("delta") or {}).get("content")
    return piece if isinstance(piece, str) else ""


async def _open(ep: Endpoint) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    if ep.unix:
        return await asyncio.open_unix_connection(ep.unix, limit=MAX_LINE)
    return await asyncio.open_connection(ep.host, ep.port, limit=MAX_LINE)


async def request(ep: Endpoint, method: str, path: str,
                  body: dict[str, Any] | None = None) -> AsyncGenerator[str, None]:
    """One HTTP/1.1 request (``Connection: close``); yields the response body line by line,
    chunked or not. A status other than 200 is an LlmError with the server's words."""
    payload = json.dumps(body).encode() if body is not None else b""
    host = "localhost" if ep.unix else (f"[{ep.host}]" if ":" in ep.host else ep.host)
    head = (f"{method} {ep.prefix}{path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream, "
            f"application/json\r\nConnection: close\r\nContent-Length: {len(payload)}\r\n")
    if body is not None:
        head += "Content-Type: application/json\r\n"
    try:
        reader, writer = await _open(ep)
    except OSError as exc:
        raise LlmError("endpoint-down", f"{ep} cannot be reached ({exc.strerror or exc})",
                       "start the server, or check [llm] endpoint") from None
    try:
        writer.write(head.encode() + b"\r\n" + payload)
        await writer.drain()
        status = (await reader.readline()).decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (line := (await reader.readline()).decode("latin-1").strip()):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        if len(status) < 2 or not status[0].startswith("HTTP/"):
            raise LlmError("endpoint-reply", f"{ep} does not speak HTTP",
                           "check the address and port in [llm] endpoint")
        lines = _body(reader, headers)
        if status[1] != "200":
            text = " ".join([x async for x in lines])[:300]
            raise LlmError("endpoint-status", f"{ep} answered {status[1]}: {text}",
                           "check [llm] endpoint (the /v1 path) and endpoint_model")
        async for line in lines:
            yield line
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        raise LlmError("endpoint-down", f"{ep} broke off ({exc})",
                       "check the server; she uses her own model meanwhile") from None
    finally:
        writer.close()


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]
                ) -> AsyncGenerator[str, None]:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        pending = b""
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                break
            pending += await reader.readexactly(size)
            await reader.readexactly(2)  # the chunk's CRLF
            *whole, pending = pending.split(b"\n")
            for line in whole:
                yield line.decode("utf-8", "replace").rstrip("\r")
        if pending:
            yield pending.decode("utf-8", "replace")
        return
    remaining = int(headers.get("content-length", "-1"))
    while remaining != 0:
        line = await reader.readline()
        if not line:
            break
        remaining -= len(line) if remaining > 0 else 0
        yield line.decode("utf-8", "replace").rstrip("\r\n")


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """An async call from blocking code (also from inside a running loop's thread)."""
    async def main() -> T:
        return await make()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


# ------------------------------------------------------------------ the model

@dataclass
class OpenAIModel:
    """Chat completions from one server. ``slot`` pins llama-server's slot (one per room)."""

    endpoint: Endpoint
    model: str = ""
    """The model to ask for (Ollama and vLLM need it; llama-server serves its one model)."""
    sampling: Sampling = field(default_factory=Sampling)
    seed: int = 7
    slot: int | None = None
    llama_server: bool = False
    """Send llama.cpp's own fields (top_k, repeat_penalty, cache_prompt, id_slot)."""
    prefix_cache: bool = True
    _usage: Usage = field(default_factory=Usage)
    _prompt_tokens: int = 0

    @property
    def size_bytes(self) -> int:
        return 0  # its weights are the server's

    def body(self, messages: list[Message], max_tokens: int | None,
             schema: dict[str, Any] | None = None) -> dict[str, Any]:
        s = self.sampling
        out: dict[str, Any] = {
            "messages": messages, "stream": True, "max_tokens": max_tokens or s.max_tokens,
            "temperature": 0.0 if schema is not None else s.temperature, "top_p": s.top_p,
            "seed": self.seed, "stream_options": {"include_usage": True}}
        if self.model:
            out["model"] = self.model
        if schema is not None:
            out["response_format"] = {"type": "json_schema",
                                      "json_schema": {"name": "reply", "schema": schema}}
        if self.llama_server:
            out.update(top_k=s.top_k, repeat_penalty=s.repeat_penalty,
                       cache_prompt=self.prefix_cache)
            if self.slot is not None:
                out["id_slot"] = self.slot
        return out

    async def _pieces(self, body: dict[str, Any]) -> AsyncGenerator[str, None]:
        usage = Usage()
        lines = request(self.endpoint, "POST", "/chat/completions", body)
        try:
            async for data in _adata(lines):
                piece = delta(data, usage)
                if piece:
                    yield piece
        finally:
            await lines.aclose()
            self._prompt_tokens += usage.prompt_tokens

    def astream(self, messages: list[Message],
                max_tokens: int | None = None) -> AsyncGenerator[str, None]:
        return self._pieces(self.body(messages, max_tokens))

    async def acomplete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return "".join([p async for p in self.astream(messages, max_tokens)])

    def complete(self, messages: list[Message], max_tokens: int | None = None) -> str:
        return run_sync(lambda: self.acomplete(messages, max_tokens))

    async def acomplete_json(self, messages: list[Message], schema: dict[str, Any],
                             max_tokens: int = 128) -> str:
        pieces = self._pieces(self.body(messages, max_tokens, schema))
        return "".join([p async for p in pieces])

    def complete_json(self, messages: list[Message], schema: dict[str, Any],
                      max_tokens: int = 128) -> str:
        return run_sync(lambda: self.acomplete_json(messages, schema, max_tokens))

    async def forget(self) -> None:
        """Nothing to drop here: ``prefix_cache`` off asks the server not to reuse its cache."""

    def warm_up(self, messages: list[Message]) -> None:
        """Read the persona into the server's cache (its slot's, for a room)."""
        self.complete(messages, 1)

    async def prime(self, messages: list[Message]) -> None:
        """Not needed: the server keeps the last prompt and reply in its cache."""

    def prompt_tokens(self) -> int:
        return self._prompt_tokens

    def close(self) -> None:
        return None

    async def models(self) -> list[str]:
        """The model names the server offers (``GET /v1/models``)."""
        text = "".join([x async for x in request(self.endpoint, "GET", "/models")])
        try:
            data = json.loads(text).get("data") or []
            return [str(m.get("id")) for m in data if isinstance(m, dict)]
        except (json.JSONDecodeError, AttributeError):
            raise LlmError("endpoint-reply", f"{self.endpoint}/models is not a model list",
                           "check that [llm] endpoint is an OpenAI-compatible server") from None


async def _adata(lines: AsyncGenerator[str, None]) -> AsyncGenerator[str, None]:
    async for line in lines:
        for data in sse_data(iter([line])):
            yield data
        if line.strip() == "data: [DONE]":
            return
