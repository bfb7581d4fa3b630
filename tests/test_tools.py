"""tools/figures.py writes researched or imported figures into cards that still load, and a newer leaderboard
snapshot replaces the older one."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

from llmpick import load_catalog
from tests.conftest import FIXTURE_CATALOG

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from figures import merge  # noqa: E402

ARENA = {"model": "mistral-7b-v0.1", "benchmark": "open-llm-leaderboard-v2", "score": 14.5,
         "evaluator": "independent", "variant": "default", "date": dt.date(2025, 3, 5),
         "source": "https://example.org/snapshot-1", "note": "first snapshot"}


def test_merged_figures_load_and_a_newer_snapshot_replaces_the_older(tmp_path):
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "catalog")
    models = tmp_path / "catalog" / "models"
    registry = (tmp_path / "catalog" / "benchmarks.yaml")
    registry.write_text(registry.read_text() + (Path(__file__).resolve().parent.parent / "catalog"
                                                / "benchmarks.yaml").read_text().split("\n- id: mmlu\n")[0])
    merge([ARENA], models)
    newer = {**ARENA, "score": 15.25, "date": dt.date(2025, 3, 21), "source": "https://example.org/snapshot-2"}
    merge([newer], models, replace={"open-llm-leaderboard-v2"})
    card = load_catalog([tmp_path / "catalog"], builtin=False).get("mistral-7b-v0.1")
    assert [f.score for f in card.benchmarks["open-llm-leaderboard-v2"]] == [15.25]
    assert [f.score for f in card.benchmarks["mmlu"]] == [60.1]  # the card's own figure is kept
