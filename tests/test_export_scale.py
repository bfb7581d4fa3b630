"""export at scale: cards read only for the columns that need them and never kept; output written piece by piece."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.catalog.store import CardStore
from llmpick.core import atomic
from llmpick.core.errors import UsageError
from llmpick.render import OutputFormat, render, sort_key, write
from llmpick.views.comparison import export
from llmpick.views.fields import FIELDS
from tests.conftest import FIXTURE_CATALOG, run

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "html": "html"}
EVERY_FIELD = [*FIELDS, "bench_humaneval", "bench_mmlu"]


@pytest.fixture
def unpickled(monkeypatch) -> list[str]:
    """The ids of the cards unpickled from the catalog cache, in order."""
    seen: list[str] = []
    original = CardStore._unpickle

    def counting(self, card_id, number):
        seen.append(card_id)
        return original(self, card_id, number)

    monkeypatch.setattr(CardStore, "_unpickle", counting)
    return seen


def test_default_columns_read_no_card_and_the_others_keep_none(unpickled):
    cold = load_catalog()  # built from the YAML files: every card in memory
    warm = load_catalog()  # from the cache: cards unpickled only when read
    ids = sorted(card.id for card in cold)
    assert export(warm, [warm.record(i) for i in ids]).data == export(cold, list(cold)).data
    assert unpickled == []  # the default columns come from the cached records
    every = export(warm, [warm.record(i) for i in ids], EVERY_FIELD).data
    assert every == export(cold, list(cold), EVERY_FIELD).data
    assert unpickled == ids  # each card read once for the columns the records lack ...
    export(warm, [warm.record(i) for i in ids], ["id", "sources"])
    assert unpickled == ids + ids  # ... and not kept: a second export reads them again


def test_the_record_holds_what_the_default_columns_read():
    catalog = load_catalog()
    for card in catalog:
        record = catalog.record(card.id)
        assert (record.publisher, record.family, record.context_length, record.modalities, record.openness) == \
            (card.publisher, card.family, card.context_length, tuple(card.modalities), card.openness)


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_empty_export_golden(fixture_catalog, fmt):
    """No model meets the constraints: the same output as before exports were written piece by piece."""
    result = run("export", "--min-params", "1000", "--format", fmt)
    assert result.exit_code == 0, result.output
    if os.environ.get("LLMPICK_UPDATE_GOLDEN"):  # regenerate and review the diff
        (GOLDEN / f"export_empty.{EXTENSIONS[fmt]}").write_text(result.stdout, encoding="utf-8")
    assert result.stdout == (GOLDEN / f"export_empty.{EXTENSIONS[fmt]}").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_output_file_is_what_stdout_shows(fixture_catalog, tmp_path, fmt):
    target = tmp_path / f"export.{EXTENSIONS[fmt]}"
    args = ("export", "--columns", ",".join(EVERY_FIELD), "--sort", "-memory_fp16", "--format", fmt)
    shown = run(*args)
    assert run(*args, "--output", target).exit_code == 0
    assert target.read_bytes() == shown.stdout_bytes
    assert os.listdir(tmp_path) == [target.name]


@settings(max_examples=30, deadline=None)
@given(columns=st.lists(st.sampled_from(EVERY_FIELD), min_size=1, max_size=5, unique=True),
       sort=st.sampled_from([None, *EVERY_FIELD]), descending=st.booleans(), context=st.sampled_from([512, 32768]))
def test_rows_entries_and_chart_points_stay_together_when_sorted(columns, sort, descending, context):
    catalog = load_catalog([FIXTURE_CATALOG], builtin=False)
    by = None if sort is None else ("-" if descending else "") + sort
    report = export(catalog, list(catalog), ["id", *columns], by, context=context)
    ids = [row["id"] for row in report.rows]
    assert ids == [entry["id"] for entry in report.data["models"]]
    assert sorted(ids) == sorted(card.id for card in catalog)
    assert [p.label for p in report.chart.points] == [i for i in ids if catalog.quality.of(i)]
    if by is None:
        assert ids == sorted(ids)
    else:
        keys = [sort_key(export(catalog, [catalog.get(i)], [sort], context=context).rows[0][sort]) for i in ids]
        present = [(1, k.lower()) if isinstance(k, str) else (0, k) for k in keys if k != ""]
        assert present == sorted(present, reverse=descending)
        assert keys[len(present):] == [""] * (len(keys) - len(present))  # empty values last either way
    for fmt in OutputFormat:
        out = io.StringIO()
        write(report, fmt, out)
        assert out.getvalue() == render(report, fmt)
    json.loads(render(report, OutputFormat.json))


def test_a_failure_while_writing_leaves_the_old_file(tmp_path):
    target = tmp_path / "models.json"
    target.write_text("previous export\n")

    def half_then_full_disk(handle):
        handle.write("{\n  \"partial\":")
        raise OSError(28, "No space left on device")

    with pytest.raises(UsageError, match="No space left on device"):
        atomic.write_with(target, half_then_full_disk)
    assert target.read_text() == "previous export\n"
    assert os.listdir(tmp_path) == ["models.json"]

    def broken(handle):
        handle.write("half")
        raise RuntimeError("formatter bug")

    with pytest.raises(RuntimeError):
        atomic.write_with(target, broken)
    assert target.read_text() == "previous export\n" and os.listdir(tmp_path) == ["models.json"]


def test_export_sorted_by_a_column_it_does_not_show(fixture_catalog):
    shown = json.loads(run("export", "--columns", "id,params", "--sort", "-params", "--format", "json").stdout)
    hidden = json.loads(run("export", "--columns", "id", "--sort", "-params", "--format", "json").stdout)
    assert [m["id"] for m in hidden["data"]["models"]] == [m["id"] for m in shown["data"]["models"]]


def test_json_export_imports_no_table_machinery(fixture_catalog):
    from tests.test_startup import loaded, modules_after

    modules = modules_after("export", "--format", "json")
    for package in ("rich", "llmpick.render.html", "llmpick.render.terminal", "llmpick.render.csv_format"):
        assert not loaded(modules, package), package
