"""Every human-facing memory figure says GiB (what llmpick computes: 2^30 bytes), in every format; decimal GB appears
only where a published size is quoted (a checkpoint in --explain)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run

GB_LABEL = re.compile(r"(?<![\w/])GB(?![/\w])")  # "GB" as a unit, not GB/s and not inside "80GB"
FORMATS = ["table", "csv", "markdown", "html", "json"]


def _memory_text(args: list[str], fmt: str) -> str:
    result = run(*args, "--format", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_fit_labels_memory_gib(fmt):
    out = _memory_text(["fit", "gpt-oss-20b"], fmt)
    if fmt == "json":
        assert '"total_gib"' in out  # schema_version 3: the key says GiB
        return
    assert "Total GiB" in out and "Weights GiB" in out and "KV cache GiB" in out
    assert not GB_LABEL.search(out), f"a memory figure labelled GB in fit --format {fmt}"


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_recommend_labels_memory_gib(fmt):
    out = _memory_text(["recommend", "--vram", "12"], fmt)
    assert " / 12.0 GiB" in out
    assert not GB_LABEL.search(out), f"a memory figure labelled GB in recommend --format {fmt}"


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html"])
def test_export_and_compare_label_memory_gib(fmt):
    for args in (["export"], ["compare", "gpt-oss-20b", "qwen3-30b-a3b"]):
        out = _memory_text(args, fmt)
        if "Memory q4_k_m" in out:
            assert "Memory q4_k_m (GiB)" in out
        assert "Memory q4_k_m (GB)" not in out


def test_explain_quotes_the_published_checkpoint_in_gb_and_the_result_in_gib():
    out = run("fit", "gpt-oss-20b", "--quant", "mxfp4", "--explain").stdout
    assert "published checkpoint 13.76 GB (10^9 bytes" in out and "= 12.81 GiB" in out


def test_a_gpu_and_ram_split_labels_each_side_gib():
    out = _memory_text(["fit", "qwen3-14b", "--gpu", "RTX 4060", "--ram", "32", "--quant", "q4_k_m"], "table")
    assert "GiB with the activations and overhead" in out and "in system RAM (2.0 GiB at 51.2 GB/s)" in out
    split = next(line for line in out.splitlines() if "layers on the GPU (" in line)
    assert not GB_LABEL.search(split), split  # the run section's file size is a published size, GB
