"""`samantha models fetch` against a loopback HTTP server: resume, pins, offline. No internet."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from samantha.errors import ModelError
from samantha.models.fetch import download

PAYLOAD = os.urandom(3 * 1024 * 1024 + 123)
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(BaseHTTPRequestHandler):
    """Serves PAYLOAD, honours Range, and can drop the connection part way once."""

    server: Server

    def do_GET(self) -> None:
        srv = self.server
        rng = self.headers.get("Range")
        srv.ranges.append(rng)
        start = int(rng.split("=")[1].split("-")[0]) if rng and srv.honour_range else 0
        body = PAYLOAD[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if srv.drop_after is not None:  # send a part, then vanish (a dropped Wi-Fi link)
            cut, srv.drop_after = srv.drop_after, None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    ranges: list[str | None]
    honour_range: bool
    drop_after: int | None


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.ranges, srv.honour_range, srv.drop_after = [], True, None
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def url(srv: Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/model.bin"


def test_a_fresh_fetch_arrives_verified(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "asr" / "model.bin"
    got = download(url(server), dest, len(PAYLOAD), SHA, progress=False)
    assert got == SHA
    assert dest.read_bytes() == PAYLOAD
    assert not dest.with_name("model.bin.part").exists()


def test_an_interrupted_fetch_resumes_with_a_range_request(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "model.bin"
    server.drop_after = 1_000_000
    with pytest.raises(ModelError) as first:
        download(url(server), dest, len(PAYLOAD), SHA, progress=False)
    assert first.value.code == "interrupted" and "again" in first.value.fix
    assert not dest.exists()
    part = dest.with_name("model.bin.part")
    assert 0 < part.stat().st_size < len(PAYLOAD)

    assert download(url(server), dest, len(PAYLOAD), SHA, progress=False) == SHA
    assert server.ranges[-1] == f"bytes={1_000_000}-"
    assert dest.read_bytes() == PAYLOAD


def test_a_server_that_ignores_range_is_fetched_again_from_the_start(server: Server,
                                                                      tmp_path: Path) -> None:
    dest = tmp_path / "model.bin"
    dest.with_name("model.bin.part").write_bytes(PAYLOAD[:5000])
    server.honour_range = False
    assert download(url(server), dest, len(PAYLOAD), SHA, progress=False) == SHA
    assert server.ranges == ["bytes=5000-"]
    assert dest.read_bytes() == PAYLOAD


def test_a_wrong_pin_leaves_no_file(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "model.bin"
    with pytest.raises(ModelError) as err:
        download(url(server), dest, len(PAYLOAD), "0" * 64, progress=False)
    assert err.value.code == "corrupt" and "corrupt download" in str(err.value)
    assert not dest.exists() and not dest.with_name("model.bin.part").exists()


def test_an_unknown_hash_is_refused_unless_allowed(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "model.bin"
    with pytest.raises(ModelError) as err:
        download(url(server), dest, 0, "UNKNOWN", progress=False)
    assert err.value.code == "unverified" and "--allow-unverified" in err.value.fix
    assert server.ranges == []  # refused before touching the network
    got = download(url(server), dest, 0, "UNKNOWN", allow_unverified=True, progress=False)
    assert got == SHA and dest.read_bytes() == PAYLOAD


def test_an_unreachable_server_is_a_clear_offline_error(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = tmp_path / "model.bin"
    with pytest.raises(ModelError) as err:
        download(f"http://127.0.0.1:{port}/model.bin", dest, 10, "0" * 64, progress=False,
                 timeout=5)
    assert err.value.code == "offline"
    assert "no internet" in str(err.value) and "samantha models provision" in err.value.fix
    assert not dest.exists()
