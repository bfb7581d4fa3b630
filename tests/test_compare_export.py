"""compare and export through the CLI: content, filters, columns, sorting, --output and bad input."""

from __future__ import annotations

import json
import os

import pytest

from llmpick import load_catalog
from llmpick.render import OutputFormat, render
from llmpick.views.comparison import compare, export
from tests.conftest import run


def payload(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["data"]


def test_compare_done_when_example_is_correct():
    """The issue's example on the built-in catalog: every license verdict and size matches the cards."""
    result = run("compare", "llama-2-13b-chat", "mistral-7b-instruct-v0.2", "yi-34b-chat", "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = {line.split(" | ")[0].strip("| "): line for line in result.stdout.splitlines() if line.startswith("| ")}
    assert lines["Commercial use"] == "| Commercial use | ⚠ conditional | yes | yes |"
    assert lines["License"] == "| License | llama2 | apache-2.0 | apache-2.0 |"
    assert "llama-2-13b-chat (llama2) → llama-2-13b (llama2)" in lines["License lineage"]
    catalog = load_catalog()
    params = [f"{catalog.get(m).architecture.params_b:g}B"
              for m in ("llama-2-13b-chat", "mistral-7b-instruct-v0.2", "yi-34b-chat")]
    assert lines["Parameters"] == "| Parameters | " + " | ".join(params) + " |"
    for quant in ("fp16", "q8_0", "q4_k_m"):
        assert f"Memory {quant} (GiB)" in lines


def test_compare_json_and_diff(fixture_catalog):
    data = payload(run("compare", "llama-7b", "vicuna-13b-v1.1", "--format", "json", "--context", "1k"))
    assert data["context"] == 1024
    assert [m["id"] for m in data["models"]] == ["llama-7b", "vicuna-13b-v1.1"]
    assert data["models"][1]["commercial"] == "no"
    assert data["models"][1]["lineage"] == [{"model": "vicuna-13b-v1.1", "license": "apache-2.0"},
                                           {"model": "llama-13b", "license": "llama-1-research"}]
    assert "lineage" in data["differences"] and "license" not in data["differences"]  # same effective license
    marked = run("compare", "llama-7b", "vicuna-13b-v1.1", "--diff", "--format", "csv").stdout
    assert "≠ License lineage" in marked and "≠ Languages" not in marked


def test_compare_by_hub_repo_and_memory_follows_context(fixture_catalog):
    models = ("mistralai/Mistral-7B-v0.1", "llama-7b", "mixtral-8x7b-v0.1")
    short = payload(run("compare", *models, "--format", "json"))["models"]
    long = payload(run("compare", *models, "--format", "json", "--context", "16k"))["models"]
    assert short[0]["id"] == "mistral-7b-v0.1"
    # a 4k sliding window (plus one 512-token micro-batch, as llama.cpp keeps it) caps Mistral's KV cache
    assert short[0]["memory_q4_k_m"] < long[0]["memory_q4_k_m"] <= short[0]["memory_q4_k_m"] + 0.07
    assert long[1]["memory_q4_k_m"] == short[1]["memory_q4_k_m"]  # llama-7b stops at 2k
    assert long[2]["memory_q4_k_m"] > short[2]["memory_q4_k_m"]


@pytest.mark.parametrize("args, message", [
    (["llama-7b"], "at least two models"),
    (["llama-7b", "lama-13b"], "did you mean llama-13b"),
    (["llama-7b", "huggyllama/llama-7b"], "named twice"),
    (["llama-7b", "llama-13b", "--context", "lots"], "--context 'lots' is not a token count"),
    (["llama-7b", "llama-13b", "--format", "pdf"], "--format"),
])
def test_compare_bad_input(fixture_catalog, args, message):
    result = run("compare", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_export_filters_like_recommend(fixture_catalog):
    every = payload(run("export", "--format", "json"))
    assert len(every["models"]) == 6  # no constraint: the whole catalog, the encoder included
    commercial = payload(run("export", "--commercial", "--format", "json"))
    assert {m["id"] for m in commercial["models"]} == {"mistral-7b-v0.1", "mixtral-8x7b-v0.1", "bert-base-uncased"}
    fits = payload(run("export", "--commercial", "--vram", "8", "--format", "json"))
    assert {m["id"] for m in fits["models"]} == {"mistral-7b-v0.1", "bert-base-uncased"}
    long = payload(run("export", "--min-context", "8k", "--format", "json"))
    assert {m["id"] for m in long["models"]} == {"mistral-7b-v0.1", "mixtral-8x7b-v0.1"}
    chat = payload(run("export", "--task", "chat", "--format", "json"))
    assert [m["id"] for m in chat["models"]] == ["vicuna-13b-v1.1"]


def test_export_columns_and_sort(fixture_catalog):
    data = payload(run("export", "--columns", "id,mmlu,params", "--sort", "-mmlu", "--format", "json"))
    assert data["columns"] == ["id", "mmlu", "params"]
    assert [m["id"] for m in data["models"]][:3] == ["mixtral-8x7b-v0.1", "mistral-7b-v0.1", "llama-7b"]
    assert all(m["mmlu"] is None for m in data["models"][3:])  # missing values last, whichever direction
    ascending = payload(run("export", "--columns", "id,mmlu", "--sort", "mmlu", "--format", "json"))
    assert [m["id"] for m in ascending["models"]][:3] == ["llama-7b", "mistral-7b-v0.1", "mixtral-8x7b-v0.1"]
    by_context = payload(run("export", "--columns", "id,context", "--sort", "context", "--format", "json"))
    assert [m["context"] for m in by_context["models"]] == sorted(m["context"] for m in by_context["models"])
    bench = payload(run("export", "--columns", "id,bench_mmlu", "--format", "json"))
    assert {"id": "llama-7b", "bench_mmlu": 35.1} in bench["models"]


@pytest.mark.parametrize("args, message", [
    (["--columns", "id,parms"], "unknown --columns field 'parms'; did you mean 'params'?"),
    (["--columns", ","], "--columns is empty"),
    (["--sort", "size"], "unknown --sort field 'size'"),
    (["--lang", "klingon"], "unknown language 'klingon'"),
    (["--license", "apache2"], "did you mean apache-2.0"),
    (["--vram", "8", "--cpu-only"], "--cpu-only contradicts"),
])
def test_export_bad_input(fixture_catalog, args, message):
    result = run("export", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_output_file_is_written_whole(fixture_catalog, tmp_path):
    target = tmp_path / "models.html"
    result = run("export", "--commercial", "--format", "html", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert target.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert os.listdir(tmp_path) == ["models.html"]


def test_output_failure_leaves_the_old_file(fixture_catalog, tmp_path, monkeypatch):
    target = tmp_path / "models.csv"
    target.write_text("previous export\n")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    result = run("export", "--format", "csv", "--output", target)
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.stderr and "No space left on device" in result.stderr
    assert target.read_text() == "previous export\n"
    assert os.listdir(tmp_path) == ["models.csv"]  # no temporary file left behind


@pytest.mark.parametrize("where, message", [("missing/models.md", "does not exist"), (".", "is a directory")])
def test_output_bad_path(fixture_catalog, tmp_path, where, message):
    result = run("export", "--format", "markdown", "--output", tmp_path / where)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "missing").exists()


def test_compare_from_python(fixture_catalog):
    report = compare(load_catalog(), ["llama-7b", "mistral-7b-v0.1"], context=2048)
    assert report.data["models"][0]["memory_q4_k_m"] < report.data["models"][0]["memory_fp16"]
    assert report.chart is not None and {p.label for p in report.chart.points} == {"llama-7b", "mistral-7b-v0.1"}


def test_the_chart_plots_the_quality_index_of_every_model_that_has_one():
    """Every model with a calibrated index is a point (not only those with an MMLU figure); estimated ones are
    marked, and the JSON keeps the index at full precision."""
    catalog = load_catalog()
    report = export(catalog, list(catalog), ["id", "quality"])
    plotted = {p.label: p for p in report.chart.points}
    assert set(plotted) == {card.id for card in catalog if catalog.quality.of(card.id)}
    assert len(plotted) > 2 * sum("mmlu" in card.benchmarks for card in catalog)  # MMLU alone plotted a few
    for model, point in plotted.items():
        q = catalog.quality.of(model)
        assert point.y == round(q.index, 1) and point.estimated == bool(q.imputed)
    assert any(p.estimated for p in plotted.values()) and not all(p.estimated for p in plotted.values())
    assert report.chart.y_label.startswith("quality index") and "GiB" in report.chart.x_label
    page = render(report, OutputFormat.html)
    assert page.count("<circle ") == len(plotted)
    assert page.count('estimated" cx=') == sum(p.estimated for p in plotted.values())
    assert "hollow points: estimated without figures of their own" in page


def test_export_sorts_by_the_quality_index():
    data = payload(run("export", "--columns", "id,quality,quality_error", "--sort", "-quality", "--format", "json"))
    values = [m["quality"] for m in data["models"]]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and all(m["quality_error"] > 0 for m in data["models"]
                                                         if m["quality"] is not None)
