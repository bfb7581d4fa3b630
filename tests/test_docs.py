"""Docs as tests: the README's commands are what CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_two_commands_and_ci_runs_the_second():
    install, tests = quick_start_commands()
    assert "llmpick recommend" in install
    assert tests in (ROOT / ".ci" / "run").read_text().splitlines()


@pytest.mark.parametrize("command", ["validate", "list", "show", "licenses", "schema", "recommend", "fit",
                                     "hardware", "installed", "bench", "compare", "export", "audit", "import",
                                     "sync"])
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert f"llmpick {command}" in README


def test_docs_pages_linked_from_the_readme_exist():
    for page in re.findall(r"\(docs/([a-z]+\.md)\)", README):
        assert (ROOT / "docs" / page).exists(), page


def test_docs_models_md_is_current():
    """docs/models.md is `llmpick export --format markdown` on the built-in catalog; regenerate it when this fails:
    llmpick export --format markdown --output docs/models.md"""
    result = run("export", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert (ROOT / "docs" / "models.md").read_text(encoding="utf-8") == result.stdout
