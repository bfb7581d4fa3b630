"""JSON over HTTP to a local runtime (Ollama, an OpenAI-compatible server): one deadline per request, one message
per failure.

Built on http.client so that every read is bounded by what is left of the deadline: a server that hangs, or sends
one byte at a time, cannot hold a run longer than the deadline."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..core.errors import ServiceError, UsageError, shown

MAX_BODY = 16 * 2**20  # no answer llmpick reads is near this; a larger one is not from a model server
READ_SIZE = 65536


class ServerError(ServiceError):
    """The server answered with an HTTP error; `status` and the server's own words (`detail`) say which."""

    def __init__(self, message: str, status: int, detail: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.status = status
        self.detail = detail


def base_url(value: str, what: str, default_port: int | None = None) -> str:
    """`value` (a URL, or host[:port] as OLLAMA_HOST allows) as scheme://host:port with no trailing slash; a
    UsageError naming `what` when it is neither."""
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise UsageError(f"{what} {shown(value)} is not a host or URL",
                         "give one like http://127.0.0.1:11434 or 127.0.0.1:11434")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = port or default_port
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "") + path


class Deadline:
    """A point in time after which a request is given up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


def request(method: str, url: str, body: Any = None, *, what: str, deadline: Deadline) -> Any:
    """The JSON answer to one request; ServiceError (exit 3) when the server is not there, too slow, fails or does
    not answer JSON."""
    with _open(method, url, body, what, deadline) as (response, read):
        data = b""
        while chunk := read():
            data += chunk
            if len(data) > MAX_BODY:
                raise ServiceError(f"{what} at {_origin(url)} sent more than {MAX_BODY // 2**20} MiB; not a model "
                                   "server's answer")
        return _json(data, what, url, response.getheader("Content-Type"))


def stream(method: str, url: str, body: Any = None, *, what: str, deadline: Deadline) -> Iterator[Any]:
    """Each JSON object of a streamed answer: newline-delimited JSON (Ollama) or server-sent events (`data: {...}`,
    OpenAI); `data: [DONE]` ends it."""
    with _open(method, url, body, what, deadline) as (response, read):
        kind = response.getheader("Content-Type")
        pending = b""
        while chunk := read():
            pending += chunk
            if len(pending) > MAX_BODY:
                raise ServiceError(f"{what} at {_origin(url)} sent a line longer than {MAX_BODY // 2**20} MiB")
            *lines, pending = pending.split(b"\n")
            for line in lines:
                item = _line(line, what, url, kind)
                if item is _DONE:
                    return
                if item is not None:
                    yield item
        item = _line(pending, what, url, kind)
        if item is not None and item is not _DONE:
            yield item


_DONE = object()


def _line(line: bytes, what: str, url: str, kind: str | None) -> Any:
    text = line.strip()
    if not text or text.startswith(b":") or text.startswith(b"event:"):
        return None
    if text.startswith(b"data:"):
        text = text[5:].strip()
        if text == b"[DONE]":
            return _DONE
    return _json(text, what, url, kind)


class _open:  # noqa: N801 - used as a context manager, like open()
    """Send the request and check the status; yields the response and a read() bounded by the deadline."""

    def __init__(self, method: str, url: str, body: Any, what: str, deadline: Deadline) -> None:
        self.method, self.url, self.body, self.what, self.deadline = method, url, body, what, deadline
        self.connection: http.client.HTTPConnection | None = None

    def __enter__(self) -> tuple[http.client.HTTPResponse, Any]:
        parts = urlsplit(self.url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.connection = kind(parts.hostname or "", parts.port, timeout=self._left())
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        payload = None if self.body is None else json.dumps(self.body).encode()
        headers = {"Accept": "application/json, application/x-ndjson, text/event-stream"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(self.method, path or "/", body=payload, headers=headers)
            response = self.connection.getresponse()
        except BaseException as exc:
            self.connection.close()
            raise self._failure(exc) from None
        if response.status >= 400:
            data = self._read_some(response, 65536)
            self.connection.close()
            raise self._status(response.status, data)
        return response, lambda: self._read(response)

    def __exit__(self, *exc: object) -> None:
        if self.connection is not None:
            self.connection.close()

    def _left(self) -> float:
        left = self.deadline.left()
        if left <= 0:
            raise self._late()
        return left

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        try:
            if self.connection is not None and self.connection.sock is not None:
                self.connection.sock.settimeout(self._left())
            return response.read1(READ_SIZE)
        except ServiceError:
            raise
        except BaseException as exc:
            raise self._failure(exc) from None

    def _read_some(self, response: http.client.HTTPResponse, limit: int) -> bytes:
        try:
            return self._read(response)[:limit]
        except ServiceError:
            return b""

    def _late(self) -> ServiceError:
        return ServiceError(f"{self.what} at {_origin(self.url)} gave no complete answer within "
                            f"{self.deadline.seconds:g} s", "is it busy or hung? try again, or give more time with "
                            "--timeout")

    def _failure(self, exc: BaseException) -> BaseException:
        origin = _origin(self.url)
        if isinstance(exc, ServiceError | KeyboardInterrupt):
            return exc
        if isinstance(exc, ConnectionRefusedError):
            return ServiceError(f"{self.what} is not running at {origin} (connection refused)", _START_HINT.get(
                self.what, "start it, or give its address"))
        if isinstance(exc, socket.gaierror):
            return ServiceError(f"{self.what} at {origin}: the host name does not resolve", "check the address")
        if isinstance(exc, TimeoutError | socket.timeout):
            return self._late()
        if isinstance(exc, http.client.HTTPException):
            return ServiceError(f"{self.what} at {origin} does not speak HTTP ({type(exc).__name__})",
                                "is this the right address?")
        if isinstance(exc, OSError):
            return ServiceError(f"{self.what} at {origin} could not be reached: {exc.strerror or exc}")
        return exc

    def _status(self, status: int, data: bytes) -> ServerError:
        detail = ""
        try:
            answer = json.loads(data)
            error = answer.get("error") if isinstance(answer, dict) else None
            detail = str(error.get("message", "") if isinstance(error, dict) else error or "")
        except ValueError:
            pass
        text = f": {shown(detail, 200)}" if detail else ""
        return ServerError(f"{self.what} at {_origin(self.url)} answered HTTP {status}{text}", status, detail)


_START_HINT = {"Ollama": "start it with `ollama serve`, or set OLLAMA_HOST to where it runs"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _json(data: bytes, what: str, url: str, kind: str | None) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        said = f" ({kind.split(';')[0]})" if kind else ""
        raise ServiceError(f"{what} at {_origin(url)} answered with something that is not JSON{said}",
                           f"is {_origin(url)} really {what}?") from None
