"""Start-up regression guard: what each command path imports (counted, not timed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
sys.argv = ["llmpick", *json.loads(sys.argv[1])]
from llmpick.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print("\\n@@" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

# pydantic.types itself imports pydantic.json_schema, so only --version and --help can avoid that one
HEAVY_EVERYWHERE = ("huggingface_hub", "selenium", "cyclonedx", "xml.dom", "multiprocessing",
                    "concurrent.futures.process")


def modules_after(*args: str, env_extra: dict | None = None) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))], capture_output=True, text=True,
                            check=False, env={**__import__("os").environ, **(env_extra or {})})
    marker = result.stderr.rfind("@@")
    assert marker >= 0, result.stderr
    return set(json.loads(result.stderr[marker + 2:]))


def loaded(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


def test_version_imports_nothing_heavy():
    modules = modules_after("--version")
    for package in ("typer", "pydantic", "pydantic.json_schema", "rich", "yaml", *HEAVY_EVERYWHERE):
        assert not loaded(modules, package), package
    assert len([m for m in modules if m.startswith("llmpick")]) <= 2  # llmpick and llmpick.__main__


@pytest.mark.parametrize("args", [
    ["recommend", "--commercial", "--vram", "12"],
    ["list", "--format", "json"],
    ["show", "mistral-7b-v0.1"],
    ["fit", "mistral-7b-v0.1", "--vram", "12"],
])
def test_commands_import_only_what_they_use(args):
    modules = modules_after(*args)
    for package in HEAVY_EVERYWHERE:
        assert not loaded(modules, package), f"{' '.join(args)} imported {package}"
    if "--format" in args:  # json output needs no rich
        assert not loaded(modules, "rich.table"), "rich.table imported for JSON output"


def test_help_does_not_load_the_catalog():
    modules = modules_after("--help")
    for package in ("llmpick.catalog.catalog", "llmpick.advice.advisor", "llmpick.catalog.cards", "yaml",
                    *HEAVY_EVERYWHERE):
        assert not loaded(modules, package), package


def test_stored_help_is_what_typer_renders():
    """llmpick/help.txt answers `llmpick --help` without importing typer; regenerate it with
    LLMPICK_UPDATE_GOLDEN=1 when a command or its summary changes."""
    import os
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # typer's default width
    typer_help = subprocess.run(
        [sys.executable, "-c", "import sys; from llmpick.cli.main import run; sys.argv = ['llmpick', '--help']; run()"],
        capture_output=True, text=True, check=False, env=env).stdout
    stored = Path(__file__).resolve().parent.parent / "llmpick" / "help.txt"
    if os.environ.get("LLMPICK_UPDATE_GOLDEN"):
        stored.write_text(typer_help, encoding="utf-8")
    assert stored.read_text(encoding="utf-8") == typer_help


@pytest.mark.parametrize("args, stream, code", [(["--help"], "stdout", 0), (["-h"], "stdout", 0), ([], "stderr", 2)])
def test_help_without_typer(args, stream, code):
    result = subprocess.run([sys.executable, "-m", "llmpick", *args], capture_output=True, text=True, check=False)
    assert result.returncode == code
    assert getattr(result, stream).startswith("Usage: llmpick [OPTIONS] COMMAND [ARGS]...")
    assert "recommend" in getattr(result, stream)
    assert not loaded(modules_after(*args), "typer")


def test_warm_start_reads_no_yaml():
    modules_after("list", "--format", "json")  # builds the catalog cache
    warm = modules_after("recommend", "--commercial", "--vram", "12", "--format", "json")
    assert not loaded(warm, "yaml"), "a warm start parsed YAML instead of using the catalog cache"
    assert not loaded(warm, "rich"), "JSON output imported rich"


def command_names() -> list[str]:
    from llmpick.cli.main import app

    return [info.name for info in app.registered_commands]


def test_every_command_is_registered_under_its_name():
    names = command_names()
    assert all(names) and len(set(names)) == len(names) >= 13


@pytest.mark.parametrize("args", [[name, *extra] for name in command_names()
                                  for extra in (["--help"], ["--no-such-option"])])
def test_the_command_that_runs_is_built_alone_and_behaves_the_same(args):
    from typer.testing import CliRunner

    from llmpick.cli.main import app, invoked

    narrowed = invoked(args)
    assert [info.name for info in narrowed.registered_commands] == [args[0]]
    alone, whole = CliRunner().invoke(narrowed, args), CliRunner().invoke(app, args)
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert alone.exit_code == (0 if args[1] == "--help" else 2)


@pytest.mark.parametrize("args", [[], ["--version"], ["recomend"], ["-h", "recommend"]])
def test_anything_but_a_command_name_gets_the_whole_app(args):
    from llmpick.cli.main import app, invoked

    assert invoked(args) is app
