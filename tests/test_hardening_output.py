"""--output and stdout never replace what they should not, and fail with one message (issue 19, items 1 and 7)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import run

ROOT = Path(__file__).resolve().parent.parent


def test_dash_is_stdout(fixture_catalog, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("list", "--format", "json", "--output", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("{") and not (tmp_path / "-").exists()


def test_symlink_updates_its_target(fixture_catalog, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old\n")
    link = tmp_path / "latest.json"
    link.symlink_to(target.name)
    result = run("list", "--format", "json", "--output", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "report.json"
    assert target.read_text().startswith("{")
    assert sorted(os.listdir(tmp_path)) == ["latest.json", "report.json"]


def test_dangling_symlink_is_refused(fixture_catalog, tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to("nowhere.json")
    result = run("list", "--format", "json", "--output", link)
    assert result.exit_code == 2, result.output
    assert f"cannot write {link}: it is a symlink to nowhere.json, which does not exist" in result.stderr
    assert link.is_symlink() and not (tmp_path / "nowhere.json").exists()


def test_write_protected_file_is_refused(fixture_catalog, tmp_path):
    target = tmp_path / "frozen.json"
    target.write_text("keep me\n")
    target.chmod(0o444)
    result = run("list", "--format", "json", "--output", target)
    assert result.exit_code == 2, result.output
    assert f"cannot write {target}: it is write-protected (mode -r--r--r--)" in result.stderr
    assert target.read_text() == "keep me\n"


def test_fifo_is_written_to_not_replaced(fixture_catalog, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("list", "--format", "json", "--output", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith(b"{")


def test_character_device_is_written_to_not_replaced(fixture_catalog, tmp_path):
    # a symlink in tmp_path to /dev/null: the device itself is never touched by a rename
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    result = run("list", "--format", "json", "--output", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert os.listdir(tmp_path) == ["null"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_is_one_message(fixture_catalog, tmp_path):
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    result = run("list", "--format", "json", "--output", link)
    assert result.exit_code == 2, result.output
    assert f"cannot write {link}: No space left on device" in result.stderr


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "llmpick", *args], text=True, env=env, timeout=60, **kwargs)


@pytest.fixture
def catalog_env(fixture_catalog) -> dict[str, str]:
    return {"LLMPICK_NO_BUILTIN": "1", "LLMPICK_CATALOG": str(fixture_catalog)}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stdout_on_a_full_disk(catalog_env):
    with open("/dev/full", "w") as full:
        result = _cli("list", stdout=full, env=catalog_env)
    assert result.returncode == 2
    assert result.stderr == "llmpick: error: cannot write the output to stdout: No space left on device\n"


def test_closed_stdout(catalog_env):
    result = subprocess.run([sys.executable, "-m", "llmpick", "list"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=60, env={**os.environ, **catalog_env,
                            "PYTHONPATH": str(ROOT)}, preexec_fn=lambda: os.close(1))
    assert result.returncode == 2
    assert "llmpick: error: cannot write the output: stdout is closed" in result.stderr
    assert "Traceback" not in result.stderr


def test_ascii_stdout(catalog_env):
    result = _cli("list", env={**catalog_env, "PYTHONIOENCODING": "ascii"})
    assert result.returncode == 2
    assert "llmpick: error: cannot write the output: stdout's encoding ascii cannot show it" in result.stderr
    assert "Traceback" not in result.stderr


def test_columns_not_a_number(fixture_catalog, monkeypatch):
    monkeypatch.setenv("COLUMNS", "abc")
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "mistral-7b-v0.1" in result.stdout
