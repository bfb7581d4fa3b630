"""Hub failures: each becomes one message and an exit code, retries are bounded, and nothing is written."""

from __future__ import annotations

import socket

import pytest

from llmpick.core.errors import ServiceError
from llmpick.hub.client import HubClient, explain
from tests import hubserver
from tests.conftest import run
from tests.hubserver import Fault

hub = hubserver.hub  # the fake Hub fixture
REPO = "mistralai/Mistral-7B-v0.1"


def import_into(tmp_path, *args: str):
    result = run("import", REPO, "--out", tmp_path, *args)
    assert "Traceback" not in result.output
    return result


def nothing_written(tmp_path) -> bool:
    return not any(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["info", "config"])
@pytest.mark.parametrize("status", [429, 500, 503])
def test_one_transient_failure_is_retried(hub, tmp_path, kind, status):
    hub.fail(kind, Fault(status=status))
    result = import_into(tmp_path)
    assert result.exit_code == 0, result.output
    assert len(hub.requests) == 3  # info, config, and the one retried


@pytest.mark.parametrize("status, message", [
    (500, "the Hub failed (HTTP 500) after 4 attempts reading mistralai/Mistral-7B-v0.1"),
    (429, "rate limited by the Hub (HTTP 429) after 4 attempts"),
])
def test_retries_are_bounded(hub, tmp_path, status, message):
    hub.fail("info", *[Fault(status=status)] * 10)
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert message in result.stderr
    assert len(hub.requests) == 4 and nothing_written(tmp_path)


def test_a_failure_in_the_second_request_leaves_nothing_written(hub, tmp_path):
    hub.fail("config", *[Fault(status=502)] * 4)
    result = import_into(tmp_path)
    assert result.exit_code == 3 and "HTTP 502" in result.stderr
    assert nothing_written(tmp_path)


def test_backoff_doubles_and_honours_retry_after(hub):
    waits: list[float] = []
    hub.fail("info", Fault(status=503), Fault(status=503), Fault(status=429, headers={"Retry-After": "3"}))
    HubClient(backoff=0.5, sleep=waits.append).model(REPO)
    assert waits == [0.5, 1.0, 3.0]


@pytest.mark.parametrize("kind", ["info", "config"])
def test_timeout(hub, tmp_path, kind):
    hub.fail(kind, Fault(delay=1.0))
    result = import_into(tmp_path, "--timeout", "0.2")
    assert result.exit_code == 3, result.output
    url = f"{hub.url}/api/models/{REPO}" if kind == "info" else f"{hub.url}/{REPO}/resolve/"
    assert f"no complete answer from {url}" in result.stderr and "within 0.2 s" in result.stderr
    assert "--timeout" in result.stderr
    assert nothing_written(tmp_path)


@pytest.mark.parametrize("kind", ["info", "config"])
def test_truncated_json(hub, tmp_path, kind):
    hub.fail(kind, Fault(truncate=True))
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert f"malformed response from {hub.url} for {REPO} (not valid JSON)" in result.stderr
    assert nothing_written(tmp_path)


def test_401_invalid_token(hub, tmp_path):
    headers = {"X-Error-Message": "Invalid credentials in Authorization header"}
    hub.fail("info", Fault(status=401, headers=headers))
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert "the Hub refused the token" in result.stderr and "check HF_TOKEN" in result.stderr
    assert nothing_written(tmp_path)


def test_403_is_the_gate(hub, tmp_path):
    hub.fail("config", Fault(status=403))
    result = import_into(tmp_path)
    assert result.exit_code == 3 and "accept the license on the model page" in result.stderr


def test_404_suggests_catalog_repos(hub, tmp_path):
    result = run("import", "mistralai/Mistral-7B-v0.2", "--out", tmp_path)
    assert result.exit_code == 2, result.output
    assert "no such repo on the Hub: mistralai/Mistral-7B-v0.2" in result.stderr
    assert "did you mean " in result.stderr and "mistralai/Mistral-7B-v0.1" in result.stderr
    assert nothing_written(tmp_path)


def test_unknown_revision(hub, tmp_path):
    hub.fail("info", Fault(status=404, headers={"X-Error-Code": "RevisionNotFound"}))
    result = import_into(tmp_path, "--revision", "v9")
    assert result.exit_code == 2 and "no revision 'v9' in mistralai/Mistral-7B-v0.1" in result.stderr


def test_malformed_repo_id_is_a_usage_error_without_a_request(hub, tmp_path):
    result = run("import", "not/a/repo--", "--out", tmp_path)
    assert result.exit_code == 2, result.output
    assert "is not a Hub repo id" in result.stderr and hub.requests == []


def test_offline_mode_makes_no_request(hub, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = import_into(tmp_path)
    assert result.exit_code == 3 and "no network: HF_HUB_OFFLINE=1 is set" in result.stderr
    assert hub.requests == [] and nothing_written(tmp_path)


def test_unreachable_endpoint(tmp_path, monkeypatch):
    with socket.socket() as sock:  # a port that nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert f"no network: cannot reach http://127.0.0.1:{port}" in result.stderr
    assert "set HF_ENDPOINT" in result.stderr


def test_endpoint_is_read_when_the_client_is_made_not_at_import(hub, monkeypatch):
    import huggingface_hub.constants

    # as if huggingface_hub had been imported while HF_ENDPOINT pointed elsewhere
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(huggingface_hub.constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                        "http://127.0.0.1:9/{repo_id}/resolve/{revision}/{filename}")
    assert HubClient().model(REPO).sha == "7231864981174d9bee8c7687c24c8344414eae6b"
    assert len(hub.requests) == 2


def test_errors_that_are_not_hub_failures_are_not_disguised():
    from llmpick.hub.client import Context

    assert explain(RuntimeError("bug"), Context(REPO, None, "http://x", 1.0, 1, ())) is None


@pytest.mark.parametrize("change", [{"createdAt": "last tuesday"}, {"id": None}, {"safetensors": "lots"}])
def test_unexpected_record_is_a_malformed_response(hub, tmp_path, change):
    hub.change(REPO, **change)
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert f"malformed response from {hub.url} for {REPO} (unexpected record" in result.stderr
    assert nothing_written(tmp_path)


def test_gated_config_can_be_skipped_for_sync(hub):
    model = HubClient().model("meta-llama/Llama-2-7b-hf", gated_config_ok=True)
    assert model.gated and model.config is None and "gated" in model.config_problem
    with pytest.raises(ServiceError, match="is gated"):
        HubClient().model("meta-llama/Llama-2-7b-hf")


def test_a_server_that_drips_bytes_meets_the_deadline(hub, tmp_path):
    import time

    hub.fail("info", Fault(drip=0.05))  # every read is within --timeout, the whole answer would take ~90 s
    start = time.monotonic()
    result = import_into(tmp_path, "--timeout", "0.5")
    assert time.monotonic() - start < 5
    assert result.exit_code == 3, result.output
    assert f"no complete answer from {hub.url}/api/models/{REPO} within 0.5 s" in result.stderr
    assert nothing_written(tmp_path)


def test_a_redirect_loop_is_a_hub_failure(hub, tmp_path):
    hub.fail("info", Fault(redirect=f"/api/models/{REPO}"))
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert f"too many redirects reading {REPO} from {hub.url} (a redirect loop)" in result.stderr
    assert nothing_written(tmp_path)


CONFIG = (hubserver.FIXTURES / "mistralai__Mistral-7B-v0.1" / "config.json").read_text()


@pytest.mark.parametrize("value, message", [
    ("1" + "0" * 400, "architecture.layers: must be at most 2147483647"),
    ("1e400", "architecture.layers: expected a finite number"),
    ("NaN", "architecture.layers: expected a finite number"),
    ("-5", "architecture.layers: must be greater than 0"),
])
def test_absurd_numbers_in_config_json_are_named_and_nothing_is_written(hub, tmp_path, value, message):
    hub.fail("config", Fault(body=CONFIG.replace('"num_hidden_layers": 32', f'"num_hidden_layers": {value}').encode()))
    result = import_into(tmp_path)
    assert result.exit_code == 1, result.output  # an invalid draft, as README's exit codes say
    assert message in result.stderr and "nothing was written" in result.stderr
    assert nothing_written(tmp_path)


def test_a_number_too_long_to_read_is_a_malformed_answer(hub, tmp_path):
    hub.fail("config", Fault(body=CONFIG.replace('"num_hidden_layers": 32',
                                                 f'"num_hidden_layers": 1{"0" * 5000}').encode()))
    result = import_into(tmp_path)
    assert result.exit_code == 3, result.output
    assert "/config.json (a number with thousands of digits)" in result.stderr
    assert "4300" not in result.stderr  # Python's own words stay out
    assert nothing_written(tmp_path)


def test_a_read_timeout_and_the_deadline_say_the_same():
    import httpx2

    from llmpick.hub.client import Context
    from llmpick.hub.deadline import DeadlineExceeded

    url = f"http://hub.test/api/models/{REPO}"
    context = Context(REPO, None, "http://hub.test", 0.2, 1, ())
    read = explain(httpx2.ReadTimeout("timed out", request=httpx2.Request("GET", url)), context)
    whole = explain(DeadlineExceeded(url, 0.2), context)
    assert read.message == whole.message == f"no complete answer from {url} within 0.2 s"
