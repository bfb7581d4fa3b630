"""A local stand-in for Ollama (/api/tags, /api/show, /api/generate) and an OpenAI-compatible server
(/v1/chat/completions), with injectable faults: an HTML page, a status, a hang, a drip, a cut stream."""

from __future__ import annotations

import json
import shutil
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

MISTRAL = {"name": "mistral:7b", "model": "mistral:7b", "size": 4_113_301_824, "digest": "f974a74358d6",
           "details": {"format": "gguf", "family": "llama", "parameter_size": "7.2B", "quantization_level": "Q4_K_M"}}
STRANGER = {"name": "tinyfun:1b", "model": "tinyfun:1b", "size": 800_000_000,
            "details": {"family": "tinyfun", "parameter_size": "1.1B", "quantization_level": "Q8_0"}}
COUNTERS = {"prompt_eval_count": 64, "prompt_eval_duration": 200_000_000,  # 320 tokens/s
            "eval_count": 128, "eval_duration": 4_000_000_000,  # 32 tokens/s
            "load_duration": 1_500_000_000, "total_duration": 5_800_000_000}


@dataclass
class Fault:
    status: int | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0  # before answering
    drip: float = 0.0  # seconds between single bytes of the body
    cut: bool = False  # a stream that ends before its final counters


@dataclass
class FakeOllama:
    url: str
    models: list[dict[str, Any]] = field(default_factory=lambda: [dict(MISTRAL), dict(STRANGER)])
    counters: dict[str, Any] = field(default_factory=lambda: dict(COUNTERS))
    faults: dict[str, Fault] = field(default_factory=dict)  # path -> the fault every request to it meets
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    timings: dict[str, Any] | None = None  # llama-server's timings in the OpenAI stream's last chunk

    def fail(self, path: str, fault: Fault) -> None:
        self.faults[path] = fault


def _handler(fake: FakeOllama) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            fake.requests.append(("GET", self.path, None))
            if self._fault():
                return
            if self.path == "/api/tags":
                self._json(200, {"models": fake.models})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(("POST", self.path, body))
            if self._fault():
                return
            tags = {m["name"] for m in fake.models}
            if self.path == "/api/show":
                if body.get("model") not in tags:
                    self._json(404, {"error": f"model '{body.get('model')}' not found"})
                    return
                entry = next(m for m in fake.models if m["name"] == body["model"])
                self._json(200, {"details": entry.get("details", {}),
                                 "model_info": {"general.architecture": "llama", "llama.context_length": 32768}})
            elif self.path == "/api/generate":
                if body.get("model") not in tags:
                    self._json(404, {"error": f"model '{body.get('model')}' not found, try pulling it first"})
                    return
                final = {"model": body["model"], "response": "", "done": True, **fake.counters}
                if not body.get("stream", True):
                    self._json(200, {**final, "response": "The keeper trimmed the wick."})
                    return
                lines = [{"model": body["model"], "response": word, "done": False} for word in ("The ", "keeper ")]
                self._stream("application/x-ndjson", [json.dumps(x).encode() + b"\n" for x in lines]
                             + ([] if self._cut() else [json.dumps(final).encode() + b"\n"]))
            elif self.path == "/v1/chat/completions":
                chunks = [{"choices": [{"delta": {"content": word}}]} for word in ("The ", "keeper ", "trimmed ")]
                last: dict[str, Any] = {"choices": [], "usage": {"prompt_tokens": 60, "completion_tokens": 3}}
                if fake.timings:
                    last["timings"] = fake.timings
                parts = []
                for chunk in [*chunks, last]:
                    parts.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                    parts.append(b"")  # a pause between pieces (see _stream)
                self._stream("text/event-stream", [*parts, b"data: [DONE]\n\n"])
            else:
                self._json(404, {"error": "not found"})

        def _cut(self) -> bool:
            fault = fake.faults.get(self.path)
            return bool(fault and fault.cut)

        def _fault(self) -> bool:
            fault = fake.faults.get(self.path)
            if fault is None or fault.cut:
                return False
            time.sleep(fault.delay)
            body = fault.body if fault.body is not None else b"{}"
            self.send_response(fault.status or 200)
            self.send_header("Content-Type", fault.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1] if fault.drip else body[i:])
                    self.wfile.flush()
                    if not fault.drip:
                        break
                    time.sleep(fault.drip)
            except OSError:
                pass
            return True

        def _json(self, status: int, data: Any) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self, kind: str, parts: list[bytes]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in parts:
                if not part:
                    time.sleep(0.02)  # so that the first and last pieces arrive at measurably different times
                    continue
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

    return Handler


@pytest.fixture
def ollama(monkeypatch) -> FakeOllama:
    """A fake Ollama on a free local port, with OLLAMA_HOST pointing at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeOllama("")))
    fake = FakeOllama(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    yield fake
    server.shutdown()
    server.server_close()


def refused_address() -> str:
    """A local address where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def aliased_catalog(monkeypatch, tmp_path) -> Path:
    """The fixture catalog alone, with the Ollama aliases `mistral` and `mistral:7b` on mistral-7b-v0.1."""
    from tests.conftest import FIXTURE_CATALOG

    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, root)
    card = root / "models" / "mistral-7b-v0.1.yaml"
    card.write_text(card.read_text() + 'aliases: [mistral, "mistral:7b"]\n')
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", str(root))
    return root
