"""`llmpick sync` against the fake Hub: drift in license, gate, size and repo fails --check; the rest is shown."""

from __future__ import annotations

import json

from tests import hubserver
from tests.conftest import run

hub = hubserver.hub  # the fake Hub fixture
FIXTURE_CARDS = ["mistral-7b-v0.1", "mixtral-8x7b-v0.1", "flan-t5-xl", "llama-2-7b", "qwen2.5-72b-instruct"]


def sync_json(*args: str):
    result = run("sync", *args, "--format", "json")
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout)["data"] if result.stdout else None)


def rows(data, severity: str | None = None) -> list[tuple[str, str, str, str]]:
    return [(d["model"], d["field"], d["catalog"], d["hub"]) for d in data["differences"]
            if severity is None or d["severity"] == severity]


def test_catalog_cards_agree_with_the_fixture_hub(hub):
    result, data = sync_json("--check", *FIXTURE_CARDS)
    assert result.exit_code == 0, result.output
    assert data["checked"] == FIXTURE_CARDS and data["drift"] is False
    assert rows(data, "drift") == []
    # shown for review, not drift: cards that record the paper's or the extended context, and a gated config
    assert rows(data, "info") == [
        ("mistral-7b-v0.1", "context_length", "8192", "32768 (config.json max_position_embeddings)"),
        ("llama-2-7b", "context_length", "4096",
         "not read: config.json is gated: accept the license on the model page and set HF_TOKEN"),
        ("qwen2.5-72b-instruct", "context_length", "131072", "32768 (config.json max_position_embeddings)"),
    ]
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_changed_license_is_drift_and_fails_check(hub):
    hub.change("mistralai/Mistral-7B-v0.1", cardData={"license": "cc-by-nc-4.0"})
    result, data = sync_json("--check", "mistral-7b-v0.1", "mixtral-8x7b-v0.1")
    assert result.exit_code == 1, result.output
    assert rows(data, "drift") == [("mistral-7b-v0.1", "license", "apache-2.0", "cc-by-nc-4.0")]
    assert run("sync", "mistral-7b-v0.1").exit_code == 0  # without --check it only reports


def test_license_outside_the_registry_is_drift(hub):
    hub.change("mistralai/Mistral-7B-v0.1", cardData={"license": "other", "license_name": "mistral-new-license"})
    result, data = sync_json("--check", "mistral-7b-v0.1")
    assert result.exit_code == 1
    assert rows(data, "drift") == [("mistral-7b-v0.1", "license", "apache-2.0",
                                    "mistral-new-license (not in the license registry)")]


def test_gate_size_and_last_change(hub):
    hub.change("mistralai/Mistral-7B-v0.1", gated="auto", safetensors={"parameters": {"BF16": 8_030_261_248},
                                                                        "total": 8_030_261_248},
               lastModified="2030-01-02T03:04:05.000Z")
    result, data = sync_json("--check", "mistral-7b-v0.1")
    assert result.exit_code == 1
    assert rows(data, "drift") == [("mistral-7b-v0.1", "gated", "weights: open", "gated"),
                                   ("mistral-7b-v0.1", "params_b", "7.24", "8.03")]
    assert ("mistral-7b-v0.1", "last_modified", "verified 2026-11-22", "changed 2030-01-02") in rows(data, "info")


def test_params_within_the_schema_tolerance_are_not_drift(hub):
    # Flan-T5 XL: the card records the paper's nominal 3B, the safetensors hold 2.85B
    result, data = sync_json("--check", "flan-t5-xl")
    assert result.exit_code == 0 and rows(data) == []


def test_vanished_repo_is_drift(hub, fixture_catalog):
    result, data = sync_json("--check")  # every card of the fixture catalog that lists a repo
    assert result.exit_code == 1
    gone = [r for r in rows(data, "drift") if r[1] == "repo"]
    assert ("llama-7b", "repo", "listed", "no such repo on the Hub: huggyllama/llama-7b "
            f"({hub.url})") in gone
    assert "mistral-7b-v0.1" not in [r[0] for r in gone]


def test_markdown_and_table_formats(hub):
    hub.change("mistralai/Mistral-7B-v0.1", cardData={"license": "mit"})
    markdown = run("sync", "mistral-7b-v0.1", "--format", "markdown")
    assert "| mistral-7b-v0.1 | mistralai/Mistral-7B-v0.1 | license | apache-2.0 | mit | drift |" in markdown.stdout
    assert "1 card checked against the Hub" in markdown.stdout
    table = run("sync", "mistral-7b-v0.1")
    assert "license" in table.stdout and "1 drifted field, 1 for review" in table.stdout


def test_ids_may_be_repos_and_unknown_ids_are_usage_errors(hub):
    result, data = sync_json("mistralai/Mistral-7B-v0.1")
    assert data["checked"] == ["mistral-7b-v0.1"]
    result = run("sync", "mistral-7b-v0.2")
    assert result.exit_code == 2 and "did you mean" in result.stderr


def test_card_without_repo_is_a_usage_error(hub, tmp_path):
    from tests.conftest import write_card

    write_card(tmp_path, id="local-model", hf_repos=[])
    result = run("sync", "local-model", "--catalog", tmp_path)
    assert result.exit_code == 2 and "local-model lists no hf_repos to compare" in result.stderr
    assert hub.requests == []


def test_hub_failure_aborts_with_exit_3(hub):
    hub.fail("info", *[hubserver.Fault(status=503)] * 4)
    result = run("sync", "--check", "mistral-7b-v0.1")
    assert result.exit_code == 3 and "HTTP 503" in result.stderr and result.stdout == ""


def test_progress_goes_to_stderr_only_on_a_terminal(monkeypatch):
    import io
    import sys

    from llmpick import load_catalog
    from llmpick.cli.hub import _progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    cards = [load_catalog().get(card_id) for card_id in FIXTURE_CARDS[:2]]
    for stream, shown in ((io.StringIO(), False), (Terminal(), True)):
        monkeypatch.setattr(sys, "stderr", stream)
        with _progress(len(cards)) as step:
            for card in cards:
                step(card)
        assert ("checking mixtral-8x7b-v0.1" in stream.getvalue()) is shown
