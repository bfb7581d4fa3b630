"""Terminal tables at 80 and 120 columns: exact output (golden), no line wider than the terminal, no id broken across
lines, empty columns hidden with a word why, the free-text column under the table when it would be too narrow.
Regenerate the goldens with LLMPICK_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import FIXTURE_CATALOG, run, write_card
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from llmpick.render import Fit, Report
from llmpick.render.layout import plan
from llmpick.render.terminal import format_report

GOLDEN = Path(__file__).parent / "golden" / "width"
LONG = "mistral-7b-instruct-v0.2-32k-conversational"  # longer than a column of an even share of 80
EXTRA = {
    LONG: dict(name="Mistral 7B Instruct long", base_model="mistral-7b-v0.1", tasks=["chat", "instruct"],
               languages=["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "zh", "ja", "ko"],
               context_length=32768),
    "vicuna-7b-v1.5-chat": dict(name="Vicuna 7B chat", base_model="llama-7b", license="llama-1-research",
                                tasks=["chat", "instruct"], context_length=16384),
}
COMMANDS = {
    "recommend": ["recommend", "--vram", "12", "--task", "chat", "--context", "2048", "--top", "5"],
    "recommend-speed": ["recommend", "--vram", "12", "--mem-bandwidth", "272", "--context", "2048"],
    "fit": ["fit", LONG, "--vram", "12"],
    "list": ["list"],
    "compare": ["compare", "llama-7b", "vicuna-7b-v1.5-chat", "mistral-7b-v0.1"],
}


@pytest.fixture
def wide_catalog(tmp_path, monkeypatch) -> list[str]:
    """The fixture catalog and two cards with long ids and long lists; returns every id."""
    for card_id, fields in EXTRA.items():
        write_card(tmp_path / "extra" / "models", id=card_id, hf_repos=[], benchmarks={}, **fields)
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", os.pathsep.join([str(FIXTURE_CATALOG), str(tmp_path / "extra")]))
    return sorted([path.stem for path in (FIXTURE_CATALOG / "models").glob("*.yaml")] + list(EXTRA))


def broken_ids(text: str, ids: list[str]) -> list[str]:
    """Words that are the start of an id but not an id, or the end of one starting with a hyphen: an id cut."""
    found = []
    for word in re.findall(r"[\w.\-]+", text):
        if word in ids or len(word) < 3:
            continue
        if any(i.startswith(word) for i in ids) and "-" in word or word.startswith("-") and any(
                i.endswith(word) for i in ids):
            found.append(word)
    return found


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_tables_fit_the_terminal(wide_catalog, monkeypatch, name, width):
    monkeypatch.setenv("COLUMNS", str(width))
    result = run(*COMMANDS[name])
    assert result.exit_code == 0, result.output
    text = result.stdout
    too_wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert too_wide == []
    assert broken_ids(text, wide_catalog) == []
    path = GOLDEN / f"{name}-{width}.txt"
    if os.environ.get("LLMPICK_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_every_model_shown_is_whole_at_80_columns(wide_catalog, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    data = json.loads(run("list", "--format", "json").stdout)["data"]
    table = run("list").stdout
    rows = [line.split()[0] for line in table.splitlines()[2:len(data) * 3] if line[:1].strip()]  # not wrapped lines
    assert [entry["id"] for entry in data] == rows[:len(data)]


def test_the_why_column_moves_under_the_table_when_narrow(wide_catalog, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run(*COMMANDS["recommend"]).stdout
    assert f"\nWhy:\n  1 {LONG}: quality" in narrow
    assert "Why" not in narrow.splitlines()[0]
    monkeypatch.setenv("COLUMNS", "200")
    wide = run(*COMMANDS["recommend"]).stdout
    assert wide.splitlines()[0].endswith("Why") and "Why:" not in wide


def test_an_empty_column_is_hidden_and_the_reason_said_once(wide_catalog, monkeypatch):
    no_speed = run("recommend", "--vram", "12").stdout
    assert "Tok/s" not in no_speed.splitlines()[0]
    assert no_speed.count("Tok/s: not shown, no memory bandwidth is known for this hardware") == 1
    speed = run("recommend", "--vram", "12", "--mem-bandwidth", "272").stdout
    assert "Tok/s" in speed.splitlines()[0] and "not shown" not in speed


def test_figures_are_rounded_for_people_and_json_keeps_precision(wide_catalog):
    table = run("recommend", "--vram", "12", "--top", "1").stdout
    data = json.loads(run("recommend", "--vram", "12", "--top", "1", "--format", "json").stdout)["data"]
    pick = data["recommendations"][0]
    assert f"{pick['score']:.1f}" in table and str(pick["score"]) not in table
    assert f"{pick['memory']['total_gib']:.1f} / 12.0 GiB" in table
    full = run("fit", "mistral-7b-v0.1", "--vram", "24", "--finetune", "full").stdout
    assert "full: 7.2B trainable parameters" in full
    cpu = run("recommend", "--cpu-only", "--ram", "23.54", "--top", "1").stdout
    assert "CPU with 23.5 GiB RAM" in cpu


def report(cells: dict[str, str], fit: dict[str, Fit], rows: int = 3) -> Report:
    return Report("t", [(key, key.title()) for key in cells], [dict(cells) for _ in range(rows)], None, fit=fit)


def test_columns_are_left_out_by_priority_and_said_so():
    wide = report({"id": "a" * 20, "one": "x" * 20, "two": "y" * 20, "three": "z" * 20},
                  {"id": Fit(priority=0, wrap=False), "one": Fit(priority=1, wrap=False),
                   "two": Fit(priority=3, wrap=False), "three": Fit(priority=2, wrap=False)})
    layout = plan(wide, 66)
    assert [c.key for c in layout.columns] == ["id", "one", "three"]
    assert layout.notes == ["left out at 66 columns: Two (a wider terminal or --format markdown shows every column)"]
    assert [c.key for c in plan(wide, 44).columns] == ["id", "one"]
    assert [c.key for c in plan(wide, 20).columns] == ["id"]


def test_a_short_header_comes_before_leaving_a_column_out():
    table = report({"id": "m1", "memory": "9.8 / 12.0 GiB"},
                   {"id": Fit(priority=0, wrap=False), "memory": Fit(wrap=False, short="Mem")})
    table.columns[1] = ("memory", "Memory need / available")
    assert [c.header for c in plan(table, 80).columns] == ["Id", "Memory need / available"]
    assert [c.header for c in plan(table, 20).columns] == ["Id", "Mem"]


@settings(max_examples=40, deadline=None)
@given(width=st.integers(40, 220), texts=st.lists(st.text("abc -/é⚠", min_size=0, max_size=60), min_size=4,
                                                   max_size=4))
def test_no_line_is_wider_than_the_terminal(width, texts):
    cells = dict(zip(["id", "a", "b", "why"], texts, strict=True))
    table = report(cells, {"id": Fit(priority=0, wrap=False), "why": Fit(below=True)})
    os.environ["COLUMNS"] = str(width)
    try:
        out = format_report(table)
    finally:
        os.environ["COLUMNS"] = "200"
    assert max(cell_len(line) for line in out.splitlines()) <= width
