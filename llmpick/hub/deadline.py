"""An overall deadline for one Hub request: a server that sends a byte at a time cannot hold a run forever."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The request had no complete answer within `seconds` (connecting, headers and body together)."""

    def __init__(self, url: str, seconds: float) -> None:
        super().__init__(f"{url}: no complete answer within {seconds:g} s")
        self.url = url
        self.seconds = seconds


def within(seconds: float, url: str, request: Callable[[], T]) -> T:
    """request(), or DeadlineExceeded once `seconds` have passed.

    httpx's timeouts bound each read, not the whole answer: a server that sends one byte per second keeps a
    request alive for as long as it likes. The request runs in a daemon thread that is abandoned at the
    deadline; closing huggingface_hub's shared session ends its connection at the next byte or read timeout.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["value"] = request()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as it is
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="llmpick-hub-request", daemon=True).start()
    if not done.wait(seconds):
        _abandon()
        raise DeadlineExceeded(url, seconds)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _abandon() -> None:
    from huggingface_hub.utils import close_session

    close_session()  # the next request opens a new session
