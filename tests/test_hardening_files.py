"""Catalog paths that are not regular files are reported, never read: nothing hangs, nothing exhausts memory, and
nothing raises a traceback (issue 19, item 4). Each case runs in a subprocess with a deadline, since the failure
it guards against is a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG, refuse_listing, run

ROOT = Path(__file__).resolve().parent.parent
CARD = (FIXTURE_CATALOG / "models" / "mistral-7b-v0.1.yaml").read_text()


def llmpick(tmp_path: Path, *args: object, cache: Path | None = None, timeout: float = 60) \
        -> subprocess.CompletedProcess:
    """The CLI in a fresh process, its memory capped (a read of /dev/zero fails fast instead of swapping)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LLMPICK_NO_BUILTIN": "1",
           "LLMPICK_CATALOG": str(FIXTURE_CATALOG), "LLMPICK_CACHE_DIR": str(cache or tmp_path / "cache"),
           "XDG_STATE_HOME": str(tmp_path / "state")}
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
            "from llmpick.__main__ import main; sys.argv = ['llmpick', *sys.argv[1:]]; main()")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=timeout)


def catalog_dir(tmp_path: Path) -> Path:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "mistral-7b-v0.1.yaml").write_text(CARD)
    return cards


def assert_reported(result: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_fifo_in_a_catalog_is_reported_not_read(tmp_path):
    cards = catalog_dir(tmp_path)
    os.mkfifo(cards / "pipe.yaml")  # opening it to read would wait for a writer forever
    result = llmpick(tmp_path, "validate", cards)
    assert_reported(result, 1, f"{cards / 'pipe.yaml'}: cannot read: it is a FIFO (named pipe), not a regular file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_an_endless_device_is_reported_not_read(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    cards = catalog_dir(tmp_path)
    (cards / "endless.yaml").symlink_to(device)
    result = llmpick(tmp_path, "list", "--catalog", cards)
    assert_reported(result, 1, f"{cards / 'endless.yaml'}: cannot read: it is a character device, not a regular file")


def test_a_symlink_loop_and_a_dangling_symlink_are_reported(tmp_path):
    cards = catalog_dir(tmp_path)
    (cards / "a.yaml").symlink_to("b.yaml")
    (cards / "b.yaml").symlink_to("a.yaml")
    (cards / "gone.yaml").symlink_to("nowhere.yaml")
    (cards / "loop-dir").symlink_to(".")  # a symlinked folder is not entered
    result = llmpick(tmp_path, "validate", cards)
    assert_reported(result, 1, f"{cards / 'a.yaml'}: cannot read: Too many levels of symbolic links")
    assert f"{cards / 'b.yaml'}: cannot read: Too many levels of symbolic links" in result.stderr
    assert f"{cards / 'gone.yaml'}: cannot read: it is a symlink to 'nowhere.yaml', which does not exist" \
        in result.stderr
    assert "3 problems in the catalog" in result.stderr


def test_a_catalog_path_that_is_a_symlink_loop(tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    result = run("validate", tmp_path / "loop")
    assert result.exit_code == 2, result.output
    assert f"catalog path {tmp_path / 'loop'}: Too many levels of symbolic links" in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any directory")
def test_an_unreadable_subdirectory_is_reported(tmp_path):
    cards = catalog_dir(tmp_path)
    locked = cards / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        result = llmpick(tmp_path, "validate", cards)
    finally:
        locked.chmod(0o755)
    assert_reported(result, 1, f"{locked}: cannot list this directory: Permission denied")


def test_a_subdirectory_that_cannot_be_listed_is_reported(fixture_catalog, tmp_path, monkeypatch):
    # the same as above for a test run as root, who can list any directory: the listing itself refuses
    cards = catalog_dir(tmp_path)
    (cards / "locked").mkdir()
    refuse_listing(monkeypatch, "locked")
    monkeypatch.setenv("LLMPICK_NO_CACHE", "1")
    result = run("validate", cards)
    assert result.exit_code == 1, result.output
    assert f"{cards / 'locked'}: cannot list this directory: Permission denied" in result.stderr


@pytest.mark.parametrize(("name", "make", "words"), [
    ("notes.txt", lambda p: p.write_text("id: x\n"),
     "it is a file, not a directory (a single card file must end in .yaml or .yml)"),
    ("pipe", os.mkfifo, "it is a FIFO (named pipe), not a directory"),
    ("pipe.yaml", os.mkfifo, "it is a FIFO (named pipe), not a directory"),
    ("missing", lambda p: None, "it does not exist"),
])
def test_a_catalog_path_that_is_not_a_directory(tmp_path, name, make, words):
    path = tmp_path / name
    make(path)
    result = llmpick(tmp_path, "list", "--catalog", path)
    assert_reported(result, 2, f"catalog path {path}: {words}")


def test_a_card_file_is_still_a_catalog_path(fixture_catalog, tmp_path):
    cards = catalog_dir(tmp_path)
    result = run("validate", cards / "mistral-7b-v0.1.yaml")
    assert result.exit_code == 0, result.output


def test_validate_dev_null(tmp_path):
    result = llmpick(tmp_path, "validate", os.devnull)
    assert_reported(result, 2, f"catalog path {os.devnull}: it is a character device, not a directory")


@pytest.mark.parametrize("where", ["--catalog", "LLMPICK_CATALOG"])
def test_a_name_too_long(fixture_catalog, tmp_path, monkeypatch, where):
    long = tmp_path / ("x" * 300)  # a name longer than any file system allows (255 bytes)
    if where == "--catalog":
        result = run("list", "--catalog", long)
    else:
        monkeypatch.setenv("LLMPICK_CATALOG", str(long))
        result = run("list")
    assert result.exit_code == 2, result.output
    assert "catalog path '" in result.stderr and "(" in result.stderr and "characters): File name too long" \
        in result.stderr
    assert "x" * 250 not in result.stderr  # not echoed in full


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_non_regular_file_at_the_cache_path_is_not_read(tmp_path, kind):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    assert llmpick(tmp_path, "list", cache=cache).returncode == 0
    (entry,) = cache.iterdir()
    entry.unlink()
    os.mkfifo(entry) if kind == "fifo" else entry.symlink_to("/dev/zero")
    result = llmpick(tmp_path, "list", cache=cache, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "mistral-7b-v0.1" in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_non_regular_cache_directory_is_not_used(tmp_path, kind):
    cache = tmp_path / "cache"
    os.mkfifo(cache) if kind == "fifo" else cache.symlink_to("/dev/zero")
    result = llmpick(tmp_path, "list", cache=cache, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "mistral-7b-v0.1" in result.stdout


def test_a_file_swapped_for_a_fifo_is_refused_by_the_reader(tmp_path):
    from llmpick.core.files import NotRegular, TooLarge, read_regular

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotRegular):
        read_regular(fifo)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 11)
    with pytest.raises(TooLarge):
        read_regular(big, limit=10)
    assert read_regular(big, limit=11) == b"x" * 11
