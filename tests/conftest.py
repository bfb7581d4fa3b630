from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

FIXTURE_CATALOG = Path(__file__).parent / "fixtures" / "catalog"

BASE_CARD = yaml.safe_load((FIXTURE_CATALOG / "models" / "mistral-7b-v0.1.yaml").read_text())


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path_factory):
    """No test sees the developer's own catalogs or cache."""
    monkeypatch.delenv("LLMPICK_CATALOG", raising=False)
    monkeypatch.delenv("LLMPICK_NO_BUILTIN", raising=False)
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))  # the cache's key file
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def fixture_catalog(monkeypatch) -> Path:
    """Use only the small fixture catalog (no built-in cards)."""
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", str(FIXTURE_CATALOG))
    return FIXTURE_CATALOG


def card_data(**overrides) -> dict:
    data = copy.deepcopy(BASE_CARD)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write_card(directory: Path, name: str | None = None, **overrides) -> Path:
    data = card_data(**overrides)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run(*args: str, **kwargs):
    from llmpick.cli.main import app

    return CliRunner().invoke(app, [str(a) for a in args], **kwargs)


def refuse_listing(monkeypatch, name: str) -> None:
    """os.scandir of a directory called `name` fails as an unreadable one would (a test run as root can list
    any directory, so chmod alone does not do it)."""
    import os

    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
