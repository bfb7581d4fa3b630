"""Renderers: every format wired, exact output on the fixture catalog, hostile content stays inert."""

from __future__ import annotations

import csv
import io
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE_CATALOG, card_data, run
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick.render import OutputFormat, Report, render

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}
# Control characters, newlines and bidi overrides in names are rejected when a card is read (tests/test_ranges.py);
# what a valid name may still hold must stay inert in every format.
HOSTILE = ('=HYPERLINK("http://evil.example","x") | <script>alert(1)</script> '
           'evil 🦙 [bold]x[/bold] :smile: [31mred')


def test_every_format_has_a_formatter():
    report = Report("t", [("a", "A")], [{"a": "1"}], [{"a": 1}])
    assert {fmt.value for fmt in OutputFormat} == set(EXTENSIONS)
    for fmt in OutputFormat:
        assert callable(fmt.formatter())
        assert "1" in render(report, fmt)


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_export_golden(fixture_catalog, fmt):
    """Exact output for the fixture catalog; regenerate with LLMPICK_UPDATE_GOLDEN=1 and review the diff."""
    result = run("export", "--columns", "id,params,context,license,commercial,languages,memory_q4_k_m,mmlu",
                 "--sort", "-params", "--format", fmt)
    assert result.exit_code == 0, result.output
    path = GOLDEN / f"export.{EXTENSIONS[fmt]}"
    if os.environ.get("LLMPICK_UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_compare_golden(fixture_catalog, fmt):
    result = run("compare", "llama-7b", "mistral-7b-v0.1", "vicuna-13b-v1.1", "--diff", "--format", fmt)
    assert result.exit_code == 0, result.output
    path = GOLDEN / f"compare.{EXTENSIONS[fmt]}"
    if os.environ.get("LLMPICK_UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def hostile_catalog(tmp_path: Path, monkeypatch, text: str = HOSTILE) -> None:
    data = card_data(id="hostile", name=text, publisher=text, notes=text, hf_repos=[])
    directory = tmp_path / "cards" / "models"
    directory.mkdir(parents=True)
    (directory / "hostile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", os.pathsep.join([str(FIXTURE_CATALOG), str(tmp_path / "cards")]))


def check_inert(fmt: str, output: str, text: str, columns: int) -> None:
    """The hostile text arrives intact as data and cannot act as markup, formula or structure."""
    if fmt == "json":
        names = [m.get("name") for m in json.loads(output)["data"]["models"]]
        assert text in names
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(output)))
        assert all(len(row) == columns for row in rows)
        cells = [cell for row in rows for cell in row]
        assert text not in cells and "'" + text in cells  # starts with '=': neutralised, otherwise intact
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    elif fmt == "markdown":
        table = [line for line in output.splitlines() if line.startswith("|")]
        assert len(table) == len(output.split("\n\n")[0 if not output.startswith("#") else 1].splitlines())
        for line in table:
            assert line.replace("\\|", "").count("|") == columns + 1
        assert "<script>" not in output
    elif fmt == "html":
        parser = Tags()
        parser.feed(output)
        assert parser.tags.count("script") == 1
        assert "<script>alert" not in output
        assert any(text.replace("\n", " ") in chunk.replace("\n", " ") for chunk in parser.text)
    else:
        assert "\x1b" not in output  # not even the ESC in the card's name
        assert "[bold]x[/bold]" in output  # rich markup shown, not applied
        assert ":smile:" in output and "\U0001f604" not in output  # an emoji code shown as typed


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_hostile_card_export_is_inert(tmp_path, monkeypatch, fmt):
    hostile_catalog(tmp_path, monkeypatch)
    result = run("export", "--columns", "id,name,publisher,commercial", "--format", fmt)
    assert result.exit_code == 0, result.output
    check_inert(fmt, result.stdout, HOSTILE, 4)


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat if f.value != "json"])
def test_hostile_card_compare_is_inert(tmp_path, monkeypatch, fmt):
    hostile_catalog(tmp_path, monkeypatch)
    result = run("compare", "hostile", "llama-7b", "--format", fmt, "--diff")
    assert result.exit_code == 0, result.output
    check_inert(fmt, result.stdout, HOSTILE, 3)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_stays_in_its_cell(text):
    report = Report("t", [("a", "A"), ("b", "B")], [{"a": text, "b": "x"}], {"name": text})
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert [len(r) for r in rows] == [2, 2]
    assert rows[1][0] in (text, "'" + text)
    markdown = render(report, "markdown").splitlines()
    assert len(markdown) == 3 and markdown[2].replace("\\|", "").count("|") == 3
    page = Tags()
    page.feed(render(report, "html"))
    assert page.tags.count("script") == 1 and page.tags.count("td") == 2
    assert json.loads(render(report, "json"))["data"]["name"] == text
