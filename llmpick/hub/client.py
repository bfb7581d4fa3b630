"""Read model metadata from the Hugging Face Hub: timeouts, bounded retries and one table of failures."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import LlmpickError, ServiceError, UsageError, suggest
from .deadline import DeadlineExceeded, within

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_SECONDS = 10.0
ATTEMPTS = 4  # the first request and up to three retries on 429 / 5xx
BACKOFF_SECONDS = 1.0  # doubled after each retry: 1, 2, 4 s
MAX_DELAY_SECONDS = 30.0  # cap on a server's Retry-After
RETRY_STATUSES = (429, 500, 502, 503, 504)
OFFLINE_VALUES = ("1", "on", "yes", "true")
SORT_PARAMS = {"trending_score": "trendingScore", "created_at": "createdAt", "last_modified": "lastModified"}


@dataclass(frozen=True)
class HubModel:
    """What llmpick reads about one repository: its API record and, when readable, its config.json."""

    repo_id: str
    sha: str | None
    endpoint: str
    gated: bool
    card_data: dict[str, Any]
    pipeline_tag: str | None
    tags: tuple[str, ...]
    library_name: str | None
    params_total: int | None
    created_at: dt.datetime | None
    last_modified: dt.datetime | None
    config: dict[str, Any] | None
    config_problem: str | None = None  # why config is None

    def url(self, path: str = "") -> str:
        """The repository page (or a file in it) at the revision that was read."""
        revision = self.sha or "main"
        return f"{self.endpoint}/{self.repo_id}/{'blob' if path else 'tree'}/{revision}" + (f"/{path}" if path else "")


@dataclass(frozen=True)
class ListedModel:
    """One entry of the Hub's model list."""

    repo_id: str
    downloads: int
    likes: int
    trending: int
    created_at: dt.datetime | None
    pipeline_tag: str | None


@dataclass
class HubClient:
    """Reads from HF_ENDPOINT with HF_TOKEN; every setting is read when the client is made, not at import."""

    endpoint: str = field(default_factory=lambda: os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/"))
    token: str | None = field(default_factory=lambda: os.environ.get("HF_TOKEN") or None)
    timeout: float = TIMEOUT_SECONDS
    attempts: int = ATTEMPTS
    backoff: float = field(default_factory=lambda: BACKOFF_SECONDS)
    sleep: Callable[[float], None] = time.sleep
    known_repos: Sequence[str] = ()  # for "did you mean" on a 404

    def model(self, repo_id: str, revision: str | None = None, *, gated_config_ok: bool = False) -> HubModel:
        """Model info and config.json of one repo, both at the same commit.

        A gated config.json is an error unless `gated_config_ok`, in which case it is left out and said why.
        """
        from urllib.parse import quote

        at = f"/revision/{quote(revision, safe='')}" if revision else ""
        info_url = f"{self.endpoint}/api/models/{repo_id}{at}"
        info = self._call(repo_id, revision, info_url, lambda: self._api().model_info(
            repo_id, revision=revision, timeout=self.timeout))
        config, problem = None, None
        config_url = self._config_url(repo_id, info.sha or revision)
        try:
            config = self._call(repo_id, revision, config_url, lambda: self._config(config_url))
        except ConfigMissing:
            problem = "the repository has no config.json"
        except HubAccessError:
            if not gated_config_ok:
                raise
            problem = "config.json is gated: accept the license on the model page and set HF_TOKEN"
        card_data = info.card_data.to_dict() if info.card_data is not None else {}
        return HubModel(
            repo_id=info.id, sha=info.sha, endpoint=self.endpoint, gated=bool(info.gated), card_data=card_data,
            pipeline_tag=info.pipeline_tag, tags=tuple(info.tags or ()), library_name=info.library_name,
            params_total=info.safetensors.total if info.safetensors else None,
            created_at=info.created_at, last_modified=info.last_modified, config=config, config_problem=problem)

    def list_models(self, *, sort: str, limit: int, pipeline_tag: str | None) -> list[ListedModel]:
        """Up to `limit` (at most 1000, one page) models from the Hub's list, highest `sort` first."""
        from huggingface_hub.hf_api import ModelInfo
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        # one GET, retried by _call alone: HfApi.list_models pages through http_backoff, which retries 5xx on
        # its own schedule (up to 15 s) before llmpick's retries even start
        params = {"sort": SORT_PARAMS.get(sort, sort), "direction": -1, "limit": limit,
                  **({"pipeline_tag": pipeline_tag} if pipeline_tag else {})}

        def request() -> list[ListedModel]:
            response = get_session().get(f"{self.endpoint}/api/models", params=params,
                                         headers=build_hf_headers(token=self.token), timeout=self.timeout)
            hf_raise_for_status(response)
            records = json.loads(response.text)
            if not isinstance(records, list):
                raise TypeError("the model list is not a JSON array")
            listed = [ModelInfo(**record) for record in records]
            return [ListedModel(repo_id=m.id, downloads=m.downloads or 0, likes=m.likes or 0,
                                trending=m.trending_score or 0, created_at=m.created_at, pipeline_tag=m.pipeline_tag)
                    for m in listed]

        return self._call("the model list", None, f"{self.endpoint}/api/models", request)

    def _api(self):
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.endpoint, token=self.token)

    def _config_url(self, repo_id: str, revision: str | None) -> str:
        from urllib.parse import quote

        # built here because hf_hub_url starts from the endpoint huggingface_hub saw when it was imported
        return f"{self.endpoint}/{repo_id}/resolve/{quote(revision or 'main', safe='')}/config.json"

    def _config(self, url: str) -> dict[str, Any]:
        from huggingface_hub.errors import EntryNotFoundError
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        # one GET; hf_hub_download would add a HEAD call, write to the HF cache and hide a timeout or a 5xx
        # behind LocalEntryNotFoundError
        response = get_session().get(url, headers=build_hf_headers(token=self.token), timeout=self.timeout)
        try:
            hf_raise_for_status(response)
        except EntryNotFoundError:
            raise ConfigMissing() from None
        try:
            config = json.loads(response.text)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            # valid JSON, but an integer with more digits than Python converts (4,300)
            raise ServiceError(f"malformed response from {url} (a number with thousands of digits)",
                               "run again; if it persists, check that HF_ENDPOINT points at a Hub") from None
        if not isinstance(config, dict):
            raise json.JSONDecodeError("config.json is not a JSON object", response.text, 0)
        return config

    def _call(self, repo_id: str, revision: str | None, url: str, request: Callable[[], Any]) -> Any:
        if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in OFFLINE_VALUES:
            raise _offline()
        for attempt in range(1, self.attempts + 1):
            try:
                return within(self.timeout, url, request)
            except ConfigMissing:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure goes through the one table below
                status = _status(exc)
                if status in RETRY_STATUSES and attempt < self.attempts:
                    self.sleep(min(max(_retry_after(exc), self.backoff * 2 ** (attempt - 1)), MAX_DELAY_SECONDS))
                    continue
                error = explain(exc, Context(repo_id, revision, self.endpoint, self.timeout, attempt,
                                             self.known_repos))
                if error is None:
                    raise
                raise error from None
        raise AssertionError("unreachable")  # pragma: no cover


class ConfigMissing(Exception):
    """The repository has no config.json (not an error: the architecture is then left for the reviewer)."""


class HubAccessError(ServiceError):
    """The Hub refused access: a gated repository without an accepted license or a token."""


@dataclass(frozen=True)
class Context:
    repo_id: str
    revision: str | None
    endpoint: str
    timeout: float
    attempts: int
    known_repos: Sequence[str]

    @property
    def page(self) -> str:
        return f"{self.endpoint}/{self.repo_id}"


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _retry_after(exc: BaseException) -> float:
    value = getattr(getattr(exc, "response", None), "headers", {}).get("Retry-After", "")
    return float(value) if value.strip().isdigit() else 0.0


def _url_of(exc: Any, ctx: Context) -> str:
    try:
        return str(exc.request.url)
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError for an exception without its request
        return ctx.endpoint


def _offline() -> LlmpickError:
    # checked per call as well: huggingface_hub reads HF_HUB_OFFLINE only once, when it is imported
    return ServiceError("no network: HF_HUB_OFFLINE=1 is set",
                        "unset HF_HUB_OFFLINE to reach the Hub, or run again when online")


def _no_such_repo(exc: BaseException, ctx: Context) -> LlmpickError:
    hint = suggest(ctx.repo_id, list(ctx.known_repos))
    advice = f"did you mean {' or '.join(hint)}?" if hint else "check the spelling (owner/name)"
    return UsageError(f"no such repo on the Hub: {ctx.repo_id} ({ctx.endpoint})",
                      f"{advice}; a private repo also needs HF_TOKEN")


def _gated(exc: BaseException, ctx: Context) -> LlmpickError:
    who = "this HF_TOKEN has no access" if os.environ.get("HF_TOKEN") else "no HF_TOKEN is set"
    return HubAccessError(f"{ctx.repo_id} is gated and {who} (HTTP {_status(exc)})",
                          f"accept the license on the model page ({ctx.page}) and set HF_TOKEN")


def _status_error(exc: BaseException, ctx: Context) -> LlmpickError:
    status = _status(exc)
    if status == 401:
        return HubAccessError(f"the Hub refused the token for {ctx.repo_id} (HTTP 401)",
                              "check HF_TOKEN (a read token from https://huggingface.co/settings/tokens)")
    if status == 403:
        return _gated(exc, ctx)
    tries = f"after {ctx.attempts} attempt{'s' if ctx.attempts != 1 else ''}"
    if status == 429:
        return ServiceError(f"rate limited by the Hub (HTTP 429) {tries}",
                            "wait a few minutes and run again; signed-in requests (HF_TOKEN) get higher limits")
    if status is not None and status >= 500:
        return ServiceError(f"the Hub failed (HTTP {status}) {tries} reading {ctx.repo_id}",
                            "run again later (https://status.huggingface.co)")
    return ServiceError(f"the Hub answered HTTP {status} reading {ctx.repo_id}")


def _table() -> list[tuple[tuple[type[BaseException], ...], Callable[[Any, Context], LlmpickError]]]:
    # first match wins: GatedRepoError is a RepositoryNotFoundError, both are HfHubHTTPError, which is an OSError
    import httpx2
    from huggingface_hub import errors as hf

    return [
        ((hf.OfflineModeIsEnabled,), lambda e, c: _offline()),
        ((hf.GatedRepoError,), _gated),
        ((hf.RevisionNotFoundError,), lambda e, c: UsageError(
            f"no revision {c.revision!r} in {c.repo_id}", "give a branch, tag or commit that exists, or leave out "
            "--revision")),
        ((hf.RepositoryNotFoundError,), _no_such_repo),
        ((hf.HFValidationError,), lambda e, c: UsageError(
            f"{c.repo_id!r} is not a Hub repo id", "write it as owner/name, e.g. mistralai/Mistral-7B-v0.1")),
        ((hf.HfHubHTTPError,), _status_error),
        ((DeadlineExceeded,), lambda e, c: ServiceError(
            f"no complete answer from {e.url} within {e.seconds:g} s",
            "run again, or allow more time with --timeout")),
        ((httpx2.TooManyRedirects,), lambda e, c: ServiceError(
            f"too many redirects reading {c.repo_id} from {c.endpoint} (a redirect loop)",
            "run again later; if it persists, check that HF_ENDPOINT points at a Hub")),
        ((httpx2.TimeoutException,), lambda e, c: ServiceError(  # one read took --timeout: the same words
            f"no complete answer from {_url_of(e, c)} within {c.timeout:g} s",
            "run again, or allow more time with --timeout")),
        ((httpx2.TransportError,), lambda e, c: ServiceError(
            f"no network: cannot reach {c.endpoint}", "run again when online, or set HF_ENDPOINT")),
        ((json.JSONDecodeError, UnicodeDecodeError), lambda e, c: ServiceError(
            f"malformed response from {c.endpoint} for {c.repo_id} (not valid JSON)",
            "run again; if it persists, check that HF_ENDPOINT points at a Hub")),
        # only huggingface_hub's parsing of the answer runs inside a request, so these mean an unexpected record
        ((KeyError, TypeError, ValueError), lambda e, c: ServiceError(
            f"malformed response from {c.endpoint} for {c.repo_id} (unexpected record: {type(e).__name__} {e})",
            "run again; if it persists, check that HF_ENDPOINT points at a Hub")),
    ]


def explain(exc: BaseException, ctx: Context) -> LlmpickError | None:
    """The llmpick error for a failed Hub request, or None for an exception that is not a Hub failure."""
    for types, make in _table():
        if isinstance(exc, types):
            return make(exc, ctx)
    return None
