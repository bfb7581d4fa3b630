"""`llmpick catalog gaps` against the fake Hub: the most-used models no card answers to (issue 18, step 4)."""

from __future__ import annotations

import json

from tests import hubserver
from tests.conftest import run
from tests.hubserver import Fault

hub = hubserver.hub  # the fake Hub fixture


def listed(repo: str, downloads: int, likes: int = 0, trending: int = 0, tag: str = "text-generation") -> dict:
    return {"id": repo, "modelId": repo, "downloads": downloads, "likes": likes, "trendingScore": trending,
            "pipeline_tag": tag, "createdAt": "2026-03-01T10:00:00.000Z", "private": False, "tags": []}


LISTING = [
    listed("Qwen/Qwen3-14B", 9_000_000, likes=300, trending=5),          # a card's hf_repos
    listed("newlab/Newmodel-9B-Instruct", 8_000_000, likes=900, trending=80),  # no card
    listed("bartowski/Qwen3-14B-GGUF", 7_000_000, likes=100),            # quantized fork of a carded model
    listed("unsloth/Newmodel-9B-Instruct-GGUF", 6_000_000, likes=50),    # fork of a model without a card
    listed("openai/whisper-large-v3", 5_000_000, tag="automatic-speech-recognition"),
]


def gaps(*args: str):
    result = run("catalog", "gaps", *args, "--format", "json")
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout)["data"] if result.exit_code == 0 else None)


def test_gaps_are_the_listed_models_no_card_answers_to(hub):
    hub.listing = LISTING
    result, data = gaps()
    assert result.exit_code == 0, result.output
    assert data["listed"] == 4 and data["without_card"] == 2  # the speech model is not text-generation
    by_repo = {m["repo"]: m for m in data["models"]}
    assert by_repo["Qwen/Qwen3-14B"]["card"] == "qwen3-14b"
    assert by_repo["bartowski/Qwen3-14B-GGUF"]["card"] == "qwen3-14b"
    assert by_repo["newlab/Newmodel-9B-Instruct"]["card"] is None
    assert by_repo["unsloth/Newmodel-9B-Instruct-GGUF"]["converts"] == "Newmodel-9B-Instruct"
    assert [m["rank"] for m in data["models"]] == [1, 2, 3, 4]
    query = next(path for path in hub.paths() if path.startswith("/api/models?"))
    assert "sort=downloads" in query and "pipeline_tag=text-generation" in query and "limit=100" in query


def test_table_lists_only_gaps_with_the_import_line(hub):
    hub.listing = LISTING
    result = run("catalog", "gaps", "--sort", "likes", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "llmpick import newlab/Newmodel-9B-Instruct" in result.stdout
    assert "Qwen/Qwen3-14B " not in result.stdout  # covered: listed only with --all
    assert "1 of the top 3 models by likes have no card" in " ".join(result.stdout.split())
    everything = run("catalog", "gaps", "--all", "--task", "any")
    assert "openai/whisper-large-v3" in everything.stdout and "qwen3-14b" in everything.stdout


def test_trending_sort_is_the_hubs_trending_score(hub):
    hub.listing = LISTING
    _, data = gaps("--sort", "trending", "--limit", "1")
    assert [m["repo"] for m in data["models"]] == ["newlab/Newmodel-9B-Instruct"]
    assert any("sort=trendingScore" in path for path in hub.paths())


def test_bad_sort_and_hub_failures_have_documented_exit_codes(hub):
    result = run("catalog", "gaps", "--sort", "downloadz")
    assert result.exit_code == 2 and "did you mean 'downloads'" in result.output
    hub.listing = LISTING
    hub.fail("list", *[Fault(status=503)] * 4)
    failed = run("catalog", "gaps")
    assert failed.exit_code == 3 and "Traceback" not in failed.output
    assert "the model list" in failed.output


def test_gaps_write_an_output_file(hub, tmp_path):
    hub.listing = LISTING
    target = tmp_path / "gaps.md"
    result = run("catalog", "gaps", "--format", "markdown", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert "newlab/Newmodel-9B-Instruct" in target.read_text()
