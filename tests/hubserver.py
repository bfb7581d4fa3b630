"""A local stand-in for the Hugging Face Hub: the endpoints llmpick calls, fixture answers, injectable faults."""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "hub"
TOKEN = "hf_fixture_token_with_access"
GATED_MESSAGE = ("Access to model {repo} is restricted. You must have access to it and be authenticated to "
                 "access it. Please log in.")
INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+?)(?:/revision/(?P<rev>[^/?]+))?(?:\?.*)?$")
LIST = re.compile(r"^/api/models(?:\?(?P<query>.*))?$")
RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>[^?]+)(?:\?.*)?$")


@dataclass
class Fault:
    """One injected answer: an HTTP status, a delay before answering, or a body cut short."""

    status: int | None = None
    delay: float = 0.0
    truncate: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # sent as is instead of the normal answer (JSON that json.dumps cannot write)
    drip: float = 0.0  # seconds between single bytes of the body: a server that never quite stops
    redirect: str | None = None  # answer 302 with this Location (a path on the same server) instead


@dataclass
class FakeHub:
    url: str
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # "info" / "config" -> faults used in turn
    info_changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # repo -> fields replacing info.json's
    listing: list[dict[str, Any]] = field(default_factory=list)  # what /api/models lists (Hub API records)

    def fail(self, kind: str, *faults: Fault) -> None:
        self.faults.setdefault(kind, []).extend(faults)

    def change(self, repo: str, **fields: Any) -> None:
        self.info_changes.setdefault(repo, {}).update(fields)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


def _fixture(repo: str, name: str) -> dict[str, Any] | None:
    path = FIXTURES / repo.replace("/", "__") / name
    return json.loads(path.read_text()) if path.exists() else None


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body go out in separate writes: without this, Nagle plus delayed ACKs add ~40 ms each
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hub.requests.append(("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
            if match := INFO.match(self.path):
                self._answer("info", match["repo"], self._info(match["repo"]))
            elif match := LIST.match(self.path):
                self._answer("list", "", self._list(match["query"] or ""))
            elif match := RESOLVE.match(self.path):
                self._answer("config", match["repo"], self._file(match["repo"], match["file"]))
            else:
                self._send(404, {"error": "Not Found"})

        def _info(self, repo: str) -> tuple[int, Any, dict[str, str]]:
            info = _fixture(repo, "info.json")
            if info is None:
                return 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"}
            for key, value in hub.info_changes.get(repo, {}).items():
                if value is None:
                    info.pop(key, None)
                elif isinstance(value, dict) and isinstance(info.get(key), dict):
                    info[key] = {**copy.deepcopy(info[key]), **value}
                else:
                    info[key] = value
            return 200, info, {}

        def _list(self, query: str) -> tuple[int, Any, dict[str, str]]:
            # as the Hub: filter by pipeline_tag, sort descending by the field named, cut at limit
            from urllib.parse import parse_qs

            params = {key: values[-1] for key, values in parse_qs(query).items()}
            models = [m for m in hub.listing if params.get("pipeline_tag") in (None, m.get("pipeline_tag"))]
            if "sort" in params:
                models.sort(key=lambda m: m.get(params["sort"], 0), reverse=True)
            return 200, models[: int(params.get("limit", len(models)))], {}

        def _file(self, repo: str, name: str) -> tuple[int, Any, dict[str, str]]:
            info = _fixture(repo, "info.json")
            if info is None:
                return 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"}
            if info.get("gated") and self.headers.get("Authorization") != f"Bearer {TOKEN}":
                message = GATED_MESSAGE.format(repo=repo)
                return 401, {"error": message}, {"X-Error-Code": "GatedRepo", "X-Error-Message": message}
            body = _fixture(repo, name)
            if body is None:
                return 404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"}
            return 200, body, {"X-Repo-Commit": info["sha"]}

        def _answer(self, kind: str, repo: str, normal: tuple[int, Any, dict[str, str]]) -> None:
            queue = hub.faults.get(kind) or []
            fault = queue.pop(0) if queue else None
            if fault is None:
                self._send(*normal)
                return
            time.sleep(fault.delay)
            if fault.redirect:
                queue.insert(0, fault)  # a loop: every request to this kind is redirected again
                self._send(302, {}, {"Location": fault.redirect})
            elif fault.status:
                self._send(fault.status, {"error": f"injected {fault.status}"}, fault.headers)
            else:
                self._send(normal[0], normal[1], normal[2], truncate=fault.truncate, raw=fault.body,
                           drip=fault.drip)

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, truncate: bool = False,
                  raw: bytes | None = None, drip: float = 0.0) -> None:
            data = json.dumps(body).encode() if raw is None else raw
            if truncate:
                data = data[: len(data) // 2]
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if not drip:
                    self.wfile.write(data)
                for index in range(len(data) if drip else 0):
                    self.wfile.write(data[index:index + 1])
                    self.wfile.flush()
                    time.sleep(drip)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

    return Handler


def share_catalog_cache(monkeypatch, tmp_path_factory) -> None:
    """One catalog cache for the Hub tests: the built-in catalog is parsed once, not once per test."""
    shared = tmp_path_factory.getbasetemp() / "hub-tests-catalog-cache"
    shared.mkdir(exist_ok=True)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(shared))


@pytest.fixture
def hub(monkeypatch, tmp_path, tmp_path_factory) -> FakeHub:
    """A fake Hub on 127.0.0.1 (random port), selected through HF_ENDPOINT; retries without waiting."""
    share_catalog_cache(monkeypatch, tmp_path_factory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeHub("")))
    server.daemon_threads = True
    fake = FakeHub(f"http://127.0.0.1:{server.server_port}")
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("llmpick.hub.client.BACKOFF_SECONDS", 0.0)
    # no agent-registry request to the fake server and no file written under ~/.cache/huggingface
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY", True)
    # never send a developer's saved login to the fake server
    monkeypatch.setattr("huggingface_hub.constants.HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setattr("huggingface_hub.constants.HF_STORED_TOKENS_PATH", str(tmp_path / "no-tokens"))
    yield fake
    server.shutdown()
    server.server_close()
