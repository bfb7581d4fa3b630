"""llmpick's memory estimates against published sizes (tests/data/memory_accuracy.yaml), and docs/memory.md's accuracy
table rendered from the same rows. `LLMPICK_UPDATE_DOCS=1 pytest tests/test_memory_accuracy.py` rewrites the table."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import llmpick
from llmpick.advice.memory import GIB
from tests.generated_docs import check_section

ROOT = Path(__file__).resolve().parent.parent
ROWS = yaml.safe_load((ROOT / "tests" / "data" / "memory_accuracy.yaml").read_text(encoding="utf-8"))
DOC = ROOT / "docs" / "memory.md"
BEGIN = "<!-- accuracy table: generated from tests/data/memory_accuracy.yaml by tests/test_memory_accuracy.py -->"
END = "<!-- end of accuracy table -->"
UNIT_BYTES = {"GB": 1e9, "GiB": 2**30, "MiB": 2**20}
TOLERANCE = {"weights": 0.05, "kv": 0.10}


@pytest.fixture(scope="module")
def catalog():
    return llmpick.load_catalog()


def estimated(catalog, row: dict) -> float:
    """llmpick's figure for a row, in the row's unit, through the public API."""
    est = llmpick.estimate(catalog.get(row["model"]), row["quant"], row.get("context", 4096),
                           kv_dtype=row.get("kv_type", "fp16"))
    gib = est.weights_gib if row["measure"] == "weights" else est.kv_cache_gib
    return gib * GIB / UNIT_BYTES[row["unit"]]


def render(catalog) -> str:
    lines = ["| model | kind | measure | setting | published | llmpick | error | source |",
             "|---|---|---|---|---|---|---|---|"]
    for row in ROWS:
        ours = estimated(catalog, row)
        error = (ours - row["published"]) / row["published"]
        setting = row["quant"] if row["measure"] == "weights" else f"{row['context']} tokens, {row['kv_type']}"
        lines.append(f"| {row['model']} | {row['kind']} | {'KV cache' if row['measure'] == 'kv' else 'weights'} | "
                     f"{setting} | {row['published']:g} {row['unit']} | {ours:.2f} {row['unit']} | {error:+.1%} | "
                     f"[source]({row['source']}) |")
    return "\n".join(lines)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['model']}-{r['measure']}-{r['quant']}" for r in ROWS])
def test_estimate_is_within_tolerance_of_the_published_figure(catalog, row):
    ours = estimated(catalog, row)
    assert ours == pytest.approx(row["published"], rel=TOLERANCE[row["measure"]]), \
        f"{row['model']} {row['measure']}: llmpick {ours:.2f} {row['unit']}, published {row['published']} " \
        f"({row['source']})"


def test_rows_cover_fifteen_models_and_every_kind():
    assert len({row["model"] for row in ROWS}) >= 15
    kinds = " ".join(row["kind"] for row in ROWS)
    for kind in ("MHA", "GQA", "MQA", "MLA", "MoE", "MXFP4", "sliding"):
        assert kind in kinds, f"no row of kind {kind}"
    assert sum(row["measure"] == "kv" for row in ROWS) >= 4
    for row in ROWS:
        assert row["unit"] in UNIT_BYTES and row["source"].startswith("https://"), row


def test_docs_table_is_rendered_from_the_data(catalog):
    check_section(DOC, BEGIN, END, render(catalog), "LLMPICK_UPDATE_DOCS",
                  "docs/memory.md's accuracy table is stale: run LLMPICK_UPDATE_DOCS=1 pytest "
                  "tests/test_memory_accuracy.py")


def test_sliding_window_layers_hold_the_window_plus_one_micro_batch(catalog):
    """llama.cpp's SWA cache: GGML_PAD(min(n_ctx, n_swa + n_ubatch), 256) cells (src/llama-kv-cache-iswa.cpp).
    Gemma 3 27B at 4096 tokens: 10 full layers x 4096 + 52 sliding layers x 1536 cells, 8192 bytes a cell = 944 MiB."""
    est = llmpick.estimate(catalog.get("gemma-3-27b-it"), "q4_k_m", 4096)
    assert est.kv_cache_gib * GIB / 2**20 == pytest.approx(944.0)
    oss = llmpick.estimate(catalog.get("gpt-oss-20b"), "q4_k_m", 4096)  # 12 x 4096 + 12 x 768 cells (128 + 512, padded)
    assert oss.kv_cache_gib * GIB / 2**20 == pytest.approx((12 * 4096 + 12 * 768) * 2 * 8 * 64 * 2 / 2**20)
    short = llmpick.estimate(catalog.get("gemma-3-27b-it"), "q4_k_m", 1024)  # never more than the context
    assert short.kv_cache_gib * GIB / 2**20 == pytest.approx(62 * 1024 * 8192 / 2**20)
